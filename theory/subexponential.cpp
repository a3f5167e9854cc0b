#include "theory/subexponential.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace icsr::theory {
namespace {

void require_positive(double s, const char* what) {
  if (!(s > 0.0)) throw std::invalid_argument(std::string(what) + ": s must be > 0, got " + std::to_string(s));
}

// inf over (0, 1] of rate(s) / s^2 by Brent's method; the ratio is smooth and unimodal on (0, 1].
TailConstant infimum_over_unit_interval(const std::string& tail, double (*rate)(double)) {
  const auto ratio = [rate](double s) { return rate(s) / (s * s); };
  const int bits = std::numeric_limits<double>::digits / 2;
  std::uintmax_t iterations = 200;
  const auto [argmin, value] = boost::math::tools::brent_find_minima(ratio, 1e-4, 1.0, bits, iterations);
  // Brent works on the open interval; the endpoint s = 1 is where the infimum sits for two tails.
  const double at_one = ratio(1.0);
  if (at_one < value) return {tail, at_one, 1.0};
  return {tail, value, argmin};
}

}  // namespace

double chi_square_lower_rate(double s) {
  require_positive(s, "chi_square_lower_rate");
  if (s >= 1.0) return std::numeric_limits<double>::infinity();  // the mean of squares is never <= 0
  return (-s - std::log1p(-s)) / 2.0;
}

double chi_square_upper_rate(double s) {
  require_positive(s, "chi_square_upper_rate");
  return (s - std::log1p(s)) / 2.0;
}

double normal_product_rate(double s) {
  require_positive(s, "normal_product_rate");
  // The stationary point of t s + log(1 - t^2)/2 solves s (1 - t^2) - t = 0 on (0, 1).
  const auto derivative = [s](double t) { return s * (1.0 - t * t) - t; };
  std::uintmax_t iterations = 200;
  const auto [low, high] = boost::math::tools::toms748_solve(derivative, 0.0, 1.0, boost::math::tools::eps_tolerance<double>(),
                                                             iterations);
  const double t = (low + high) / 2.0;
  return t * s + 0.5 * std::log1p(-t * t);
}

std::vector<TailConstant> gaussian_tail_constants() {
  return {infimum_over_unit_interval("chi-square mean, lower tail", chi_square_lower_rate),
          infimum_over_unit_interval("chi-square mean, upper tail", chi_square_upper_rate),
          infimum_over_unit_interval("mean of products of two independent normals", normal_product_rate)};
}

namespace {

// The three constants depend on nothing: computed once (a trial of an anisotropic design asks for c every time,
// and the root finding was half of lemma3's time).
const std::vector<TailConstant>& tail_constants_once() {
  static const std::vector<TailConstant> constants = gaussian_tail_constants();
  return constants;
}

}  // namespace

double derived_gaussian_c() {
  double c = std::numeric_limits<double>::infinity();
  for (const TailConstant& constant : tail_constants_once()) c = std::min(c, constant.value);
  return c;
}

double derived_gaussian_c(const std::vector<double>& sigma) {
  if (sigma.size() < 2) return derived_gaussian_c();
  const auto& constants = tail_constants_once();
  const double ratio = sigma.back() * sigma.back() / (sigma[0] * sigma[1]);
  return std::min({constants[0].value, constants[1].value, constants[2].value * ratio * ratio});
}

double chi_square_mean_lower_tail(int N, double s) {
  if (N < 1) throw std::invalid_argument("N must be >= 1, got " + std::to_string(N));
  if (s >= 1.0) return 0.0;
  return boost::math::cdf(boost::math::chi_squared(N), N * (1.0 - s));
}

double chi_square_mean_upper_tail(int N, double s) {
  if (N < 1) throw std::invalid_argument("N must be >= 1, got " + std::to_string(N));
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(N), N * (1.0 + s)));
}

}  // namespace icsr::theory
