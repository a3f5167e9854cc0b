#include "theory/proposition1.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace icsr::theory {
namespace {

void require_non_negative(double value, const char* name) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(name) + " must be finite and >= 0, got " + std::to_string(value));
  }
}

}  // namespace

double proposition1_c_beta(const Proposition1Inputs& in) {
  require_non_negative(in.b_x, "b_x");
  require_non_negative(in.b_beta, "b_beta");
  require_non_negative(in.gamma_max, "gamma_max");
  require_non_negative(in.mv_norm, "||M^V||");
  if (in.d < 1) throw std::invalid_argument("d must be >= 1, got " + std::to_string(in.d));
  return 1.0 + in.b_x * in.b_x * in.d * in.gamma_max * in.mv_norm +
         in.b_beta * in.b_x * in.gamma_max * in.mv_norm;
}

double proposition1_B(const Proposition1Inputs& in) {
  if (in.K < 1) throw std::invalid_argument("K must be >= 1, got " + std::to_string(in.K));
  const double c_beta = proposition1_c_beta(in);
  const double bound = in.b_beta * in.b_x + in.b_x * std::sqrt(static_cast<double>(in.d)) *
                                                (in.b_beta + std::pow(c_beta, in.K));
  if (!std::isfinite(bound)) {
    throw std::invalid_argument("Proposition 1 bound on B overflows double: C_beta=" + std::to_string(c_beta) +
                                ", K=" + std::to_string(in.K));
  }
  return bound;
}

}  // namespace icsr::theory
