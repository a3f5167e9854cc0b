// The Gaussian designs the probabilistic properties draw, and the sub-exponential constant c each uses.
#pragma once

#include <cstdint>
#include <vector>

#include "theory/problem.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {

// Column scales: all 1, or (anisotropic) log-uniform in [0.5, 2], sorted so sigma_d is the smallest.
// Drawn from the configuration's seed, so they replay with it.
template <typename Case>
std::vector<double> column_scales(const Case& value) {
  if (!value.anisotropic) return std::vector<double>(value.d, 1.0);
  return theory::sorted_log_uniform_scales(value.d, 0.5, 2.0, value.seed ^ 0x9e3779b97f4a7c15ULL);
}

// The c of a configuration: --c when given, else the value derived for its column scales.
template <typename Case>
double config_c(const Case& value, double c_option) {
  return c_option > 0.0 ? c_option : theory::derived_gaussian_c(column_scales(value));
}

}  // namespace icsr::properties
