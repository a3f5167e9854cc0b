// The paper's quantities (theory/bounds), the derived sub-exponential constant c
// (theory/subexponential), the Wishart sampler, and the statistical verdict engine.
#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/verdict.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"
#include "theory/reference_estimators.hpp"
#include "theory/subexponential.hpp"
#include "theory/summary.hpp"

namespace icsr {
namespace {

TEST(SubexponentialConstant, MatchesTheClosedForms) {
  // Upper chi-square tail: inf (s - log(1+s)) / (2 s^2) is reached at s = 1: (1 - log 2)/2.
  EXPECT_NEAR(theory::derived_gaussian_c(), (1.0 - std::log(2.0)) / 2.0, 1e-9);
  const auto constants = theory::gaussian_tail_constants();
  ASSERT_EQ(constants.size(), 3u);
  EXPECT_NEAR(constants[0].value, 0.25, 1e-4);  // lower tail: the limit s -> 0
  const double t = (std::sqrt(5.0) - 1.0) / 2.0;  // product tail at s = 1: t = (sqrt(1+4s^2) - 1)/(2s)
  EXPECT_NEAR(constants[2].value, t + 0.5 * std::log(1.0 - t * t), 1e-9);
  for (double s : {0.01, 0.3, 0.9, 2.0}) {
    const double root = (std::sqrt(1 + 4 * s * s) - 1) / (2 * s);
    EXPECT_NEAR(theory::normal_product_rate(s), root * s + 0.5 * std::log(1 - root * root), 1e-12);
  }
}

TEST(SubexponentialConstant, ExactChiSquareTailsRespectTheDerivedC) {
  const double c = theory::derived_gaussian_c();
  for (int N : {1, 2, 3, 5, 10, 30, 100, 1000, 10000}) {
    for (int i = 1; i <= 40; ++i) {
      const double s = i / 40.0;
      const double bound = std::exp(-N * c * s * s);
      EXPECT_LE(theory::chi_square_mean_lower_tail(N, s), bound) << "N=" << N << " s=" << s;
      EXPECT_LE(theory::chi_square_mean_upper_tail(N, s), bound) << "N=" << N << " s=" << s;
    }
  }
}

TEST(Bounds, TheoremQuantitiesByHand) {
  // Values worked outside the code (Python's math module, 17 digits), not the formulas retyped:
  // N_0 = 8 (4S-2)^2 (log d + log S - log delta) / c at d = 20, S = 3, delta = 0.05, c = 1/4;
  // alpha_n of (5.1) and of (D.3) at n = 30000, gamma = 0.9.
  EXPECT_NEAR(theory::theorem51_N0(20, 3, 0.05, 0.25), 22688.245874483495, 1e-9);
  EXPECT_NEAR(theory::theorem51_alpha(30000, 20, 3, 0.9, 0.05, 0.25), 0.59683127203292397, 1e-12);
  EXPECT_NEAR(theory::theoremD1_alpha(30000, 20, 3, 0.9, 0.05, 0.25), 0.60108417299042027, 1e-12);
  EXPECT_NEAR(theory::convergence_bound(2.0, 0.5, 4), 2.0 * std::exp(-2.0), 1e-15);
  EXPECT_NEAR(theory::lemma3_off_diagonal(100, 10, 0.1, 0.5), std::sqrt((std::log(10) - std::log(0.1)) / 50), 1e-15);
  EXPECT_NEAR(theory::lemma3_diagonal_upper(100, 3, 0.1, 0.5), 100.0 / 102 * (1 + std::sqrt((std::log(3) - std::log(0.1)) / 50)), 1e-15);
  EXPECT_NEAR(theory::corollaryE1_c6(4, 1.5, 2.0), 6.0, 1e-15);
  EXPECT_NEAR(theory::lemma4_Cx(2, 1.0, 1.0, 9, 5.0), 4.0, 1e-15);
}

TEST(Bounds, PreconditionsThrowNamingTheValue) {
  EXPECT_THROW(theory::theorem51_N0(20, 3, 0.0, 0.25), std::invalid_argument);
  EXPECT_THROW(theory::theorem51_N0(20, 3, 1.0, 0.25), std::invalid_argument);
  EXPECT_THROW(theory::theorem51_N0(20, 3, 0.1, -1.0), std::invalid_argument);
  EXPECT_THROW(theory::theorem51_N0(2, 3, 0.1, 0.25), std::invalid_argument);  // S > d
  EXPECT_THROW(theory::theorem51_alpha(10, 20, 3, 0.0, 0.1, 0.25), std::invalid_argument);
  EXPECT_THROW(theory::theoremD1_alpha(1000000, 2, 1, 1.59, 0.5, 1.0), std::invalid_argument);  // log of a negative
  EXPECT_THROW(theory::lemma4_Cx(5, 1.0, 1.0, 3, 0.0), std::invalid_argument);
  try {
    theory::lemma3_diagonal_lower(10, 2, 1.5, 0.25);
    ADD_FAILURE();
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("1.5"), std::string::npos) << error.what();
  }
}

TEST(Bounds, Lemma1QuantitiesOnAHandMatrix) {
  Eigen::MatrixXd D(2, 2), X(2, 2);
  D << 1, 0, 0, 1;
  X << 0.8, 0.1, -0.2, 0.9;  // D^T X = X
  const auto coherence = theory::generalised_coherence(D, X, {0});
  EXPECT_DOUBLE_EQ(coherence.sigma_min, 0.8);
  EXPECT_DOUBLE_EQ(coherence.sigma_max, 0.2);
  EXPECT_DOUBLE_EQ(coherence.diagonal_max, 0.9);
  EXPECT_DOUBLE_EQ(theory::lemma1_contraction(1.0, 1, 0.8, 0.2), 0.2 + 0.2);
  EXPECT_DOUBLE_EQ(theory::lemma1_c2(1.0, 1, 0.8, 0.2), -std::log(0.4));
  EXPECT_DOUBLE_EQ(theory::lemma1_theta(2, 1.0, 0.2, 3.0, 0.5), 0.6);
  EXPECT_TRUE(theory::lemma1_conditions(1.0, 1, coherence));
}

TEST(WishartSampler, MomentsMatchTheGramOfGaussianRows) {
  theory::ProblemConfig config;
  config.d = 3;
  config.S = 1;
  config.sigma = {2.0, 1.0, 0.5};
  std::mt19937_64 rng(17);
  const int draws = 4000;
  const long n = 50;
  Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(3, 3);
  double second_moment_01 = 0.0;
  for (int t = 0; t < draws; ++t) {
    const Eigen::MatrixXd G = theory::sample_gram(config, n, rng);
    mean += G / draws;
    second_moment_01 += G(0, 1) * G(0, 1) / draws;
  }
  // E G = n Sigma; Var G_01 = n sigma_0^2 sigma_1^2. Tolerances: 5 standard errors.
  EXPECT_NEAR(mean(0, 0), n * 4.0, 5 * std::sqrt(2.0 * n * 16 / draws));
  EXPECT_NEAR(mean(2, 2), n * 0.25, 5 * std::sqrt(2.0 * n * 0.0625 / draws));
  EXPECT_NEAR(mean(0, 1), 0.0, 5 * std::sqrt(n * 4.0 / draws));
  EXPECT_NEAR(second_moment_01 / (n * 4.0), 1.0, 0.15);
  config.design = theory::Design::rademacher;
  EXPECT_THROW(theory::sample_gram(config, n, rng), std::invalid_argument);
}

TEST(Verdict, ClopperPearsonDecisions) {
  using properties::Verdict;
  const auto none = properties::judge_failure_rate(0, 1000, 0.01, 0.05);
  EXPECT_NEAR(none.upper, 1 - std::pow(0.05, 1.0 / 1000), 1e-9);  // exact for zero failures
  EXPECT_EQ(none.verdict, Verdict::holds);
  EXPECT_EQ(properties::judge_failure_rate(30, 1000, 0.01, 0.05).verdict, Verdict::violated);
  EXPECT_EQ(properties::judge_failure_rate(10, 1000, 0.01, 0.05).verdict, Verdict::inconclusive);
  EXPECT_THROW(properties::judge_failure_rate(5, 4, 0.1, 0.05), std::invalid_argument);
  EXPECT_THROW(properties::judge_failure_rate(0, 10, 0.1, 1.5), std::invalid_argument);
}

// Hand values: exact binomial tails in Python (math.comb), the rule "violated iff P{Bin(T, level) >= k}
// < alpha" (equivalent to the Clopper-Pearson lower bound exceeding the level), and bisection on p.
TEST(Verdict, PowerMatchesHandComputedDetectableRates) {
  using properties::Verdict;
  struct Case { int trials; double level, alpha; int fewest; double detectable; };
  for (const Case& c : {Case{25, 0.54, 0.0125, 20, 0.8400606373015114}, Case{300, 0.05, 0.05 / 12, 27, 0.10323660892404729},
                        Case{1000, 0.01, 0.001, 22, 0.025757059311259937}, Case{300, 1e-6, 0.05 / 12, 1, 0.005350428238802824},
                        Case{300, 0.02, 0.0125, 13, 0.05264540965091524}}) {
    EXPECT_EQ(properties::fewest_violating_failures(c.trials, c.level, c.alpha), c.fewest) << c.trials << " " << c.level;
    EXPECT_NEAR(properties::detectable_failure_rate(c.trials, c.level, c.alpha), c.detectable, 1e-9) << c.trials;
  }
  // 25 trials at delta = 0.9: even 25/25 failures are not called violated (0.9^25 = 0.072 > 0.0125).
  EXPECT_EQ(properties::fewest_violating_failures(25, 0.9, 0.0125), 26);
  EXPECT_TRUE(std::isinf(properties::detectable_failure_rate(25, 0.9, 0.0125)));
  // So 0/25 there is not "holds" although its upper bound (0.161) is below 0.9.
  const auto blind = properties::judge_failure_rate(0, 25, 0.9, 0.0125);
  EXPECT_LT(blind.upper, 0.9);
  EXPECT_FALSE(blind.powered);
  EXPECT_EQ(blind.verdict, Verdict::inconclusive);
  EXPECT_EQ(properties::judge_failure_rate(0, 25, 0.54, 0.0125).verdict, Verdict::holds);  // detects 0.84 <= 1
  // 0/300 at level 0.02: upper bound 0.0145 <= 0.02, but it detects only 0.053 > 2 x 0.02.
  const auto weak = properties::judge_failure_rate(0, 300, 0.02, 0.0125);
  EXPECT_NEAR(weak.upper, 0.014500594315008053, 1e-9);
  EXPECT_EQ(weak.verdict, Verdict::inconclusive);
  EXPECT_EQ(properties::judge_failure_rate(0, 1000, 0.01, 0.05).verdict, Verdict::holds);  // detects 0.0192 <= 0.02
}

TEST(Verdict, ExcusedDrawsFollowTheDeltaPrimeRule) {
  using properties::Verdict;
  // No unexcused failure in 2000 draws: P{failed, not excused} <= 0.01 is shown, so the claim holds.
  EXPECT_EQ(properties::judge_failure_rate_with_excuses(600, 0, 2000, 0.01, 0.4, 0.05).verdict, Verdict::holds);
  // 900 failures in 1000 draws cannot be explained by level 0.01 + delta' <= 0.4: violated.
  EXPECT_EQ(properties::judge_failure_rate_with_excuses(900, 900, 1000, 0.01, 0.4, 0.05).verdict, Verdict::violated);
  // Many unexcused failures, but the total is within level + delta': inconclusive.
  EXPECT_EQ(properties::judge_failure_rate_with_excuses(300, 100, 1000, 0.01, 0.4, 0.05).verdict, Verdict::inconclusive);
  EXPECT_THROW(properties::judge_failure_rate_with_excuses(3, 4, 10, 0.1, 0.1, 0.05), std::invalid_argument);
}

TEST(Bounds, TheoremE1EtaExistsOnlyForFewLayers) {
  // Finding: with N_0 of (D.7), sqrt((log d + log S - log delta)/(N_0 c)) = 1/(2 sqrt 2 (4S-2)), so the
  // denominator of (E.7) is (1 - 2gamma/3) - (K-1)/(2 sqrt 2 (4S-2)): eta exists only for
  // K < 1 + 2 sqrt 2 (4S-2)(1 - 2gamma/3), e.g. K <= 6 at S = 1 for every gamma.
  const double c = theory::derived_gaussian_c();
  for (int S : {1, 2, 3}) {
    for (double gamma : {0.01, 0.5, 1.0, 1.4}) {
      const double N0 = theory::theorem51_N0(20, S, 0.05, c);
      const double limit = 1.0 + 2.0 * std::sqrt(2.0) * (4 * S - 2) * (1.0 - 2.0 * gamma / 3.0);
      for (int K = 1; K <= 40; ++K) {
        if (K < limit - 1e-9) {
          EXPECT_GT(theory::theoremE1_eta(gamma, K, 20, S, 0.05, c, N0), 0.0) << S << " " << gamma << " " << K;
        } else if (K > limit + 1e-9) {
          EXPECT_THROW(theory::theoremE1_eta(gamma, K, 20, S, 0.05, c, N0), std::invalid_argument);
        }
      }
    }
  }
  EXPECT_THROW(theory::theoremE1_eta(0.01, 7, 20, 1, 0.05, c, theory::theorem51_N0(20, 1, 0.05, c)), std::invalid_argument);
}

TEST(Verdict, FullBudgetTrialCountHasThePromisedPower) {
  const double level = 0.03, alpha = 0.05 / 60;
  const int trials = properties::trials_for_power(level, alpha);
  // Recompute: the fewest failures judged violated, and the chance of reaching it at twice the level.
  int needed = 0;
  while (properties::judge_failure_rate(needed, trials, level, alpha).verdict != properties::Verdict::violated) ++needed;
  const double power = boost::math::cdf(boost::math::complement(boost::math::binomial_distribution<>(trials, 2 * level), needed - 1));
  EXPECT_GE(power, 0.99);
  EXPECT_LT(trials, 20000);
}

TEST(Verdict, QuantileUpperConfidence) {
  std::vector<double> values(100);
  for (int i = 0; i < 100; ++i) values[i] = i;
  const double upper = properties::quantile_upper_confidence(values, 0.5, 0.95);
  EXPECT_GE(upper, 49.0);
  EXPECT_LE(upper, 60.0);
  EXPECT_TRUE(std::isinf(properties::quantile_upper_confidence(values, 0.999, 0.95)));
}

// The bisection in quantile_upper_confidence and quantile_interval against the obvious linear scan over the order
// statistics, on sizes, levels and confidences where the answer lands at the ends and in between.
TEST(Verdict, QuantileBoundsBisectionEqualsTheLinearScan) {
  const auto upper_scan = [](std::vector<double> values, double q, double confidence) {
    std::sort(values.begin(), values.end());
    const boost::math::binomial_distribution<> counts(static_cast<double>(values.size()), q);
    for (std::size_t r = 1; r <= values.size(); ++r) {
      if (boost::math::cdf(counts, static_cast<double>(r - 1)) >= confidence) return values[r - 1];
    }
    return std::numeric_limits<double>::infinity();
  };
  const auto lower_scan = [](std::vector<double> values, double q, double tail) {
    std::sort(values.begin(), values.end());
    const boost::math::binomial_distribution<> counts(static_cast<double>(values.size()), q);
    double low = -std::numeric_limits<double>::infinity();
    for (std::size_t l = 1; l <= values.size() && boost::math::cdf(counts, static_cast<double>(l - 1)) <= tail; ++l) low = values[l - 1];
    return low;
  };
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  int cases = 0;
  for (const std::size_t T : {1, 2, 7, 20, 300, 4001}) {
    std::vector<double> values(T);
    for (double& value : values) value = normal(rng);
    for (const double q : {0.001, 0.05, 0.5, 0.95, 0.999999}) {
      for (const double confidence : {0.5, 0.9, 0.95, 0.999}) {
        EXPECT_EQ(properties::quantile_upper_confidence(values, q, confidence), upper_scan(values, q, confidence)) << T << " " << q;
        const properties::QuantileInterval interval = properties::quantile_interval(values, q, confidence);
        EXPECT_EQ(interval.low, lower_scan(values, q, (1.0 - confidence) / 2.0)) << T << " " << q << " " << confidence;
        EXPECT_EQ(interval.high, upper_scan(values, q, 1.0 - (1.0 - confidence) / 2.0)) << T << " " << q << " " << confidence;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 120);
}

TEST(Verdict, QuantileIntervalUsesExactBinomialOrderStatistics) {
  // Hand computation (exact binomial sums, Python's math.comb): T = 1000, q = 0.05, 95%: the largest l with
  // P{Bin <= l-1} <= 0.025 is 37, the smallest u with P{Bin <= u-1} >= 0.975 is 65; the point is x_(50).
  std::vector<double> values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = 1000 - i;  // unsorted on purpose: x_(j) = j
  const properties::QuantileInterval interval = properties::quantile_interval(values, 0.05, 0.95);
  EXPECT_EQ(interval.point, 50.0);
  EXPECT_EQ(interval.low, 37.0);
  EXPECT_EQ(interval.high, 65.0);
  // T = 20: P{Bin(20, 0.05) = 0} = 0.358 > 0.025, so no lower order statistic covers; the upper is x_(4).
  const properties::QuantileInterval small = properties::quantile_interval(std::vector<double>{20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.05, 0.95);
  EXPECT_TRUE(std::isinf(small.low) && small.low < 0.0);
  EXPECT_EQ(small.high, 4.0);
  EXPECT_EQ(small.point, 1.0);
  EXPECT_THROW(properties::quantile_interval({}, 0.05, 0.95), std::invalid_argument);
}

}  // namespace
}  // namespace icsr

// ---- Reference estimators (Figure 1a/1b) and summary statistics: hand computations first ----

namespace icsr::theory {
namespace {

// With X^T X = I the Lasso is S_alpha(X^T y) (the soft threshold of the correlations).
TEST(ReferenceEstimators, LassoOnAnOrthonormalDesignIsTheSoftThreshold) {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::VectorXd y = (Eigen::VectorXd(3) << 1.0, -0.05, -2.0).finished();
  LassoOptions options;
  options.alpha = 0.1;
  const LassoResult result = lasso(X, y, options);
  EXPECT_TRUE(result.converged);
  const Eigen::VectorXd expected = (Eigen::VectorXd(3) << 0.9, 0.0, -1.9).finished();
  EXPECT_LT((result.beta - expected).cwiseAbs().maxCoeff(), 1e-9);  // abs tolerance: KKT tolerance 1e-9 * |X^T y|
  EXPECT_LT(lasso_kkt_residual(X, y, expected, 0.1), 1e-15);
  EXPECT_NEAR(lasso_kkt_residual(X, y, Eigen::VectorXd::Zero(3), 0.1), 1.9, 1e-15);  // |X_3^T y| - alpha
}

// One column x: beta = S_alpha(x^T y) / ||x||^2.
TEST(ReferenceEstimators, LassoWithOneColumnByHand) {
  const Eigen::MatrixXd X = (Eigen::MatrixXd(2, 1) << 1.0, 2.0).finished();
  const Eigen::VectorXd y = (Eigen::VectorXd(2) << 3.0, 1.0).finished();  // x^T y = 5, ||x||^2 = 5
  LassoOptions options;
  options.alpha = 0.5;
  EXPECT_NEAR(lasso(X, y, options).beta(0), 4.5 / 5.0, 1e-9);
}

// FISTA to the KKT tolerance agrees with the slow reference (coordinate descent, many sweeps) on random
// underdetermined problems, with and without a support set, and is zero outside the support.
TEST(ReferenceEstimators, LassoMatchesCoordinateDescent) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  int compared = 0;
  for (int trial = 0; trial < 5; ++trial) {
    Eigen::MatrixXd X(8, 15);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(15);
    beta(1) = 1.5, beta(6) = -0.7, beta(11) = 0.4;
    const Eigen::VectorXd y = X * beta;
    for (const std::vector<int>& support : {std::vector<int>{}, std::vector<int>{0, 1, 2, 5, 6, 7, 11}}) {
      LassoOptions options;
      options.alpha = 0.05;
      options.support = support;
      const LassoResult fast = lasso(X, y, options);
      const Eigen::VectorXd slow = lasso_coordinate_descent(X, y, 0.05, 400000, support);
      EXPECT_TRUE(fast.converged) << "trial " << trial;
      EXPECT_LT(fast.kkt_residual, 1e-8);
      const auto objective = [&](const Eigen::VectorXd& b) { return 0.5 * (y - X * b).squaredNorm() + 0.05 * b.lpNorm<1>(); };
      // The fast solution is at least as good as the slow one (up to 1e-12 relative), and where the slow
      // one has converged too (its KKT residual below 1e-8) the two agree: the solution is unique here.
      EXPECT_LE(objective(fast.beta), objective(slow) * (1 + 1e-12) + 1e-14) << "trial " << trial;
      if (lasso_kkt_residual(X, y, slow, 0.05, support) < 1e-8) {
        EXPECT_LT((fast.beta - slow).cwiseAbs().maxCoeff(), 1e-6) << "trial " << trial;
        ++compared;
      }
      if (!support.empty()) {
        for (int i : {3, 4, 8, 9, 10, 12, 13, 14}) EXPECT_EQ(fast.beta(i), 0.0);
      }
    }
  }
  EXPECT_GE(compared, 6) << "the slow reference converged in most of the 10 problems";
  LassoOptions bad;
  bad.alpha = 0.0;
  EXPECT_THROW(lasso(Eigen::MatrixXd::Identity(2, 2), Eigen::VectorXd::Ones(2), bad), std::invalid_argument);
  bad.alpha = 1.0;
  bad.support = {2};
  EXPECT_THROW(lasso(Eigen::MatrixXd::Identity(2, 2), Eigen::VectorXd::Ones(2), bad), std::invalid_argument);
}

TEST(ReferenceEstimators, MinimumNormLeastSquaresByHand) {
  // X = [1 1], y = 2: the least-norm solution of beta_1 + beta_2 = 2 is (1, 1).
  const Eigen::MatrixXd X = (Eigen::MatrixXd(1, 2) << 1.0, 1.0).finished();
  const Eigen::VectorXd y = Eigen::VectorXd::Constant(1, 2.0);
  EXPECT_LT((min_norm_least_squares(X, y) - Eigen::Vector2d(1.0, 1.0)).cwiseAbs().maxCoeff(), 1e-14);
  // Restricted to column 0: beta = (2, 0).
  EXPECT_LT((min_norm_least_squares(X, y, {0}) - Eigen::Vector2d(2.0, 0.0)).cwiseAbs().maxCoeff(), 1e-14);
  // Against the slow normal-equation form on a random full-row-rank X, and exact recovery when the
  // support set has no more columns than there are rows (the noiseless Figure 1b setting at n = 10).
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd Z(10, 20);
  for (Eigen::Index i = 0; i < Z.size(); ++i) Z.data()[i] = normal(rng);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(20);
  beta(2) = 1.0, beta(7) = -2.0, beta(9) = 0.5;
  const Eigen::VectorXd w = Z * beta;
  EXPECT_LT((min_norm_least_squares(Z, w) - min_norm_least_squares_normal(Z, w)).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((min_norm_least_squares(Z, w, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) - beta).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(SummaryStatistics, ByHand) {
  // {1, 2, 3, 4}: mean 2.5, s^2 = 5/3, half-width 1.959964 sqrt(5/3) / 2; median 2.5; T = 4 is too few for
  // a 95% median interval narrower than the range: order statistics 1 and 4.
  const Summary s = summarize({4.0, 1.0, 3.0, 2.0});
  EXPECT_EQ(s.count, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.mean_high - s.mean, 1.959963984540054 * std::sqrt(5.0 / 3.0) / 2.0, 1e-14);
  EXPECT_NEAR(s.mean - s.mean_low, s.mean_high - s.mean, 1e-14);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.median_low, 1.0);
  EXPECT_DOUBLE_EQ(s.median_high, 4.0);
  EXPECT_DOUBLE_EQ(median({3.0, 1.0, 2.0}), 2.0);
  // T = 100 values 1..100: j = floor(50 - 9.8) = 40, k = ceil(51 + 9.8) = 61 (1-based order statistics).
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  const Summary h = summarize(hundred);
  EXPECT_DOUBLE_EQ(h.median, 50.5);
  EXPECT_DOUBLE_EQ(h.median_low, 40.0);
  EXPECT_DOUBLE_EQ(h.median_high, 61.0);
  EXPECT_THROW(summarize({}), std::invalid_argument);
  EXPECT_THROW(summarize({1.0, std::nan("")}), std::invalid_argument);
}

}  // namespace
}  // namespace icsr::theory
