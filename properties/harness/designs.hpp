// The Gaussian designs the probabilistic properties draw, and the sub-exponential constant c each uses.
#pragma once

#include <cstdint>
#include <vector>

#include "theory/problem.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {

// Column scales: all 1, or (anisotropic) log-uniform in [0.5, 2], sorted so sigma_d is the smallest.
// Drawn from the configuration's seed, so they replay with it. Every trial of a configuration asks for them
// (seeding a Mersenne twister each time was a fifth of thmD.1's time), so the last draw is kept per thread.
template <typename Case>
std::vector<double> column_scales(const Case& value) {
  if (!value.anisotropic) return std::vector<double>(value.d, 1.0);
  const std::uint64_t seed = value.seed ^ 0x9e3779b97f4a7c15ULL;
  thread_local int last_d = -1;
  thread_local std::uint64_t last_seed = 0;
  thread_local std::vector<double> last;
  if (last_d != value.d || last_seed != seed) {
    last = theory::sorted_log_uniform_scales(value.d, 0.5, 2.0, seed);
    last_d = value.d;
    last_seed = seed;
  }
  return last;
}

// The c of a configuration: --c when given, else the value derived for its column scales.
template <typename Case>
double config_c(const Case& value, double c_option) {
  return c_option > 0.0 ? c_option : theory::derived_gaussian_c(column_scales(value));
}

}  // namespace icsr::properties
