#include "theory/bounds.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace icsr::theory {
namespace {

[[noreturn]] void reject(const std::string& what, double value) {
  throw std::invalid_argument(what + ", got " + std::to_string(value));
}

void require_delta(double delta) {
  if (!(delta > 0.0 && delta < 1.0)) reject("delta must lie in (0, 1)", delta);
}
void require_c(double c) {
  if (!(c > 0.0) || !std::isfinite(c)) reject("the sub-exponential constant c must be > 0", c);
}
void require_gamma(double gamma) {
  if (!(gamma > 0.0) || !std::isfinite(gamma)) reject("gamma must be > 0", gamma);
}
void require_at_least(int value, int minimum, const std::string& name) {
  if (value < minimum) reject(name + " must be >= " + std::to_string(minimum), value);
}

// n is a real here: the bounds are evaluated far beyond the int range (8 N_0 can exceed 2^31).
void require_n(double n) {
  if (!(n >= 1.0) || !std::isfinite(n)) reject("n must be >= 1", n);
}

double rate_term(double log_count, double delta, double n, double c) {
  return std::sqrt((log_count - std::log(delta)) / (n * c));
}

double alpha_from_argument(double argument) {
  if (!(argument > 0.0)) reject("alpha_n is undefined: the argument of its logarithm must be > 0", argument);
  return -std::log(argument);
}

}  // namespace

GeneralisedCoherence generalised_coherence(const Eigen::MatrixXd& D, const Eigen::MatrixXd& X,
                                           const std::vector<int>& support) {
  if (D.rows() != X.rows() || D.cols() != X.cols()) throw std::invalid_argument("D and X must have the same shape");
  return generalised_coherence(D.transpose() * X, support);
}

GeneralisedCoherence generalised_coherence(const Eigen::MatrixXd& inner, const std::vector<int>& support) {
  if (inner.rows() != inner.cols()) throw std::invalid_argument("the inner-product matrix D^T X must be square");
  if (support.empty()) throw std::invalid_argument("the support must not be empty");
  GeneralisedCoherence out;
  out.sigma_min = std::abs(inner(support.front(), support.front()));
  for (int i : support) {
    out.sigma_min = std::min(out.sigma_min, std::abs(inner(i, i)));
    out.support_diagonal_max = std::max(out.support_diagonal_max, std::abs(inner(i, i)));
  }
  out.diagonal_min = inner.diagonal().minCoeff();
  out.diagonal_max = inner.diagonal().maxCoeff();
  Eigen::MatrixXd off = inner.cwiseAbs();
  off.diagonal().setZero();
  out.sigma_max = off.maxCoeff();
  return out;
}

double lemma1_c1(const Eigen::VectorXd& beta_star) { return beta_star.lpNorm<1>(); }

double lemma1_contraction(double gamma, int S, double sigma_min, double sigma_max) {
  require_gamma(gamma);
  require_at_least(S, 1, "S");
  return gamma * (2 * S - 1) * sigma_max + std::abs(1.0 - gamma * sigma_min);
}

double lemma1_c2(double gamma, int S, double sigma_min, double sigma_max) {
  const double contraction = lemma1_contraction(gamma, S, sigma_min, sigma_max);
  if (!(contraction > 0.0)) reject("c2 is undefined: the contraction factor must be > 0", contraction);
  return -std::log(contraction);
}

double lemma1_theta(int k, double gamma, double sigma_max, double c1, double c2, int shift) {
  require_gamma(gamma);
  require_at_least(k, 1, "k");
  return gamma * sigma_max * c1 * std::exp(-c2 * (k - shift));
}

bool lemma1_conditions(double gamma, int S, const GeneralisedCoherence& coherence) {
  return lemma1_contraction(gamma, S, coherence.sigma_min, coherence.sigma_max) <= 1.0 &&
         gamma * coherence.diagonal_min >= 0.0 && gamma * coherence.diagonal_max <= 1.0;
}

double lemma3_diagonal_lower(double n, int S, double delta, double c) {
  require_n(n);
  require_at_least(S, 1, "S");
  require_delta(delta);
  require_c(c);
  return n / (n + 2.0) * (1.0 - rate_term(std::log(S), delta, n, c));
}

double lemma3_diagonal_upper(double n, int S, double delta, double c) {
  require_n(n);
  require_at_least(S, 1, "S");
  require_delta(delta);
  require_c(c);
  return n / (n + 2.0) * (1.0 + rate_term(std::log(S), delta, n, c));
}

double lemma3_off_diagonal(double n, int d, double delta, double c) {
  require_n(n);
  require_at_least(d, 1, "d");
  require_delta(delta);
  require_c(c);
  return rate_term(std::log(d), delta, n, c);
}

double theorem51_N0(int d, int S, double delta, double c) {
  require_at_least(S, 1, "S");
  require_at_least(d, S, "d (at least S)");
  require_delta(delta);
  require_c(c);
  return 8.0 * (4.0 * S - 2.0) * (4.0 * S - 2.0) * (std::log(d) + std::log(S) - std::log(delta)) / c;
}

double theorem51_alpha(double n, int d, int S, double gamma, double delta, double c) {
  require_n(n);
  require_gamma(gamma);
  require_delta(delta);
  require_c(c);
  return alpha_from_argument(1.0 - 2.0 * gamma / 3.0 + gamma * (2 * S - 1) * rate_term(std::log(d), delta, n, c) +
                             rate_term(std::log(S), delta, n, c));
}

double theoremD1_alpha(double n, int d, int S, double gamma, double delta, double c) {
  require_n(n);
  require_gamma(gamma);
  require_delta(delta);
  require_c(c);
  return alpha_from_argument(1.0 - 2.0 * gamma / 3.0 + gamma * (2 * S - 1) * rate_term(std::log(d), delta, n, c) +
                             gamma * rate_term(std::log(S), delta, n, c));
}

double convergence_bound(double scale, double alpha, int K) {
  if (!(scale >= 0.0)) reject("the scale of the bound must be >= 0", scale);
  require_at_least(K, 1, "K");
  return scale * std::exp(-alpha * K);
}

double corollaryD1_alpha(double n, int support_size, int S, double gamma, double delta, double c) {
  require_at_least(support_size, S, "|𝕊| (at least S)");
  return theoremD1_alpha(n, support_size, S, gamma, delta, c);
}

double corollaryD1_N0(int support_size, int S, double delta, double c) {
  return theorem51_N0(support_size, S, delta, c);
}

double lemma4_Cx(int d, double b_x, double b_beta, int N, double smallest_gram_eigenvalue) {
  require_at_least(d, 1, "d");
  require_at_least(N, 1, "N");
  if (!(smallest_gram_eigenvalue > 0.0)) {
    reject("C_x needs sigma_min(X^T X) > 0 (N >= d and X of full column rank)", smallest_gram_eigenvalue);
  }
  return d * b_x * b_beta * (N + 1) / smallest_gram_eigenvalue;
}

double corollaryE1_c6(int d, double b_x, double c1) {
  require_at_least(d, 1, "d");
  return std::sqrt(static_cast<double>(d)) * b_x * c1;
}

double theoremE1_eta(double gamma, int K, int d, int S, double delta, double c, double N0) {
  require_gamma(gamma);
  require_at_least(K, 1, "K");
  require_delta(delta);
  require_c(c);
  const double base = 1.0 - 2.0 * gamma / 3.0;
  const double denominator = base - (K - 1) * std::sqrt((std::log(d) + std::log(S) - std::log(delta)) / (N0 * c));
  if (!(denominator > 0.0)) reject("eta (E.7) is undefined: its denominator must be > 0", denominator);
  return base / denominator;
}

double theoremE1_c4(double b_x, double eta, double p, int d, int S, double delta, double c, double B_prime, double Cx) {
  if (!(p > 0.0 && p <= 1.0)) reject("p must lie in (0, 1]", p);
  require_delta(delta);
  require_c(c);
  const double root_p = std::sqrt(p);
  return 2.0 * std::sqrt(2.0) * b_x * eta / root_p * std::sqrt((std::log(d) + std::log(S) - std::log(delta)) / c) +
         2.0 * std::abs(B_prime) / root_p + 2.0 * Cx * b_x / root_p;
}

double theoremE1_bound(double b_x, double gamma, int K, double c4, int n) {
  require_gamma(gamma);
  require_at_least(K, 1, "K");
  require_at_least(n, 1, "n");
  const double base = 1.0 - 2.0 * gamma / 3.0;
  return b_x * std::pow(base, K) + c4 * K / std::sqrt(static_cast<double>(n)) * std::pow(base, K - 1);
}

}  // namespace icsr::theory
