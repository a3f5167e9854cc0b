// The sub-exponential constant c that Lemma 3 (and everything downstream: N_0, alpha_n, Theorem 5.1,
// Corollaries D.1, E.1, Theorem E.1) leaves unspecified, derived for the Gaussian design.
//
// Lemma 3's proof uses three tail bounds of the form P{deviation of a sample mean >= s} <= exp(-N c s^2)
// for 0 < s <= 1:
//   lower tail of the chi-square mean  (1/N) sum X_ji^2 / sigma_i^2 >= 1 - s,
//   upper tail of the chi-square mean  (1/N) sum X_ji^2 / sigma_i^2 <= 1 + s,
//   each tail of the mean of products  (1/N) sum Z_k W_k of two independent standard normals.
// Chernoff's bound gives P <= exp(-N I(s)) with the exact rate function I (the Legendre transform of
// the log moment generating function), so c = inf_{0 < s <= 1} I(s) / s^2 makes every tail bound
// valid for every N. The rates:
//   chi-square lower: I(s) = (-s - log(1 - s)) / 2,
//   chi-square upper: I(s) = (s - log(1 + s)) / 2,
//   normal product:   I(s) = sup_{|t|<1} t s + log(1 - t^2) / 2  (the MGF of Z W is (1 - t^2)^(-1/2)).
// The supremum and the infima are computed numerically with Boost.Math (toms748 root finding for the
// stationary t, Brent minimisation over s); the closed forms are used only by the tests as a check.
#pragma once

#include <string>
#include <vector>

namespace icsr::theory {

double chi_square_lower_rate(double s);  // s in (0, 1)
double chi_square_upper_rate(double s);  // s > 0
double normal_product_rate(double s);    // s > 0, by root finding

struct TailConstant {
  std::string tail;      // which tail
  double value = 0.0;    // inf_{0 < s <= 1} I(s) / s^2
  double argmin = 0.0;   // the s where the infimum is reached
};

// The three constants and their minimum, the c that makes all of Lemma 3's tail bounds valid.
std::vector<TailConstant> gaussian_tail_constants();
double derived_gaussian_c();

// The same for rows N(0, diag(sigma^2)) with sigma sorted descending. The proof normalises the squares
// by sigma_i (standard chi-square: unchanged), but compares the cross terms X_ki X_kj / sigma_d^2 with a
// bound written for unit scale; their mean is (sigma_i sigma_j / sigma_d^2) times a mean of standard
// products, so the product constant shrinks by (sigma_d^2 / (sigma_1 sigma_2))^2 (the worst pair).
double derived_gaussian_c(const std::vector<double>& sigma);

// Exact P{(1/N) chi^2_N <= 1 - s} and P{(1/N) chi^2_N >= 1 + s} (Boost's chi-square CDF), to check the
// derived c against exp(-N c s^2).
double chi_square_mean_lower_tail(int N, double s);
double chi_square_mean_upper_tail(int N, double s);

}  // namespace icsr::theory
