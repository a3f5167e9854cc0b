// The problem sampler (theory/problem): validation messages, reproducibility, the support prior,
// the designs, and the soft threshold.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include "theory/problem.hpp"
#include "theory/proposition1.hpp"

namespace icsr::theory {
namespace {

void expect_rejected(const ProblemConfig& config, const std::string& fragment) {
  try {
    validate(config);
    ADD_FAILURE() << "expected std::invalid_argument mentioning '" << fragment << "'";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(Problem, RejectsInvalidParametersNamingTheValue) {
  ProblemConfig config;
  config.d = 0;
  expect_rejected(config, "d=0");
  config = {};
  config.N = 0;
  expect_rejected(config, "N=0");
  config = {};
  config.S = 21;
  expect_rejected(config, "S=21");
  config = {};
  config.sigma.assign(20, 1.0);
  config.sigma[4] = -0.5;
  expect_rejected(config, "sigma_5=-0.5");
  config = {};
  config.sigma.assign(20, 1.0);
  config.sigma[0] = 0.0;
  expect_rejected(config, "sigma_1=0");
  config = {};
  config.support_set = {1, 2};
  expect_rejected(config, "|𝕊|=2");
  config = {};
  config.support_set = {1, 2, 21};
  expect_rejected(config, "got 21");
  config = {};
  config.support_set = {0, 1, 2};
  expect_rejected(config, "got 0");
  config = {};
  config.noise_std = -1.0;
  expect_rejected(config, "noise_std");
}

TEST(Problem, SameSeedSameInstance) {
  const ProblemConfig config;
  const Instance a = sample_instance(config, 7);
  const Instance b = sample_instance(config, 7);
  const Instance c = sample_instance(config, 8);
  EXPECT_EQ(a.X, b.X);
  EXPECT_EQ(a.beta_star, b.beta_star);
  EXPECT_EQ(a.x_query, b.x_query);
  EXPECT_NE(a.X, c.X);
}

TEST(Problem, PaperSettingShapesAndNoiselessLabels) {
  const Instance instance = sample_instance(ProblemConfig{}, 3);  // d=20, S=3, N=10 (Section 6)
  EXPECT_EQ(instance.X.rows(), 10);
  EXPECT_EQ(instance.X.cols(), 20);
  EXPECT_EQ(instance.support.size(), 3u);
  EXPECT_EQ((instance.beta_star.array() != 0.0).count(), 3);
  EXPECT_LT((instance.y - instance.X * instance.beta_star).norm(), 1e-12);
  EXPECT_NEAR(instance.y_query, instance.x_query.dot(instance.beta_star), 1e-12);
}

TEST(Problem, NoiseIsAdded) {
  ProblemConfig config;
  config.noise_std = 0.5;
  const Instance instance = sample_instance(config, 3);
  EXPECT_GT((instance.y - instance.X * instance.beta_star).norm(), 0.1);
}

TEST(Problem, RademacherEntriesAreScaledSigns) {
  ProblemConfig config;
  config.design = Design::rademacher;
  config.sigma.assign(20, 1.0);
  config.sigma[3] = 3.0;
  const Instance instance = sample_instance(config, 11);
  for (Eigen::Index i = 0; i < instance.X.rows(); ++i) {
    for (Eigen::Index j = 0; j < instance.X.cols(); ++j) EXPECT_DOUBLE_EQ(std::abs(instance.X(i, j)), config.sigma[j]);
  }
}

TEST(Problem, GaussianColumnsHaveTheirVariance) {
  ProblemConfig config;
  config.d = 3;
  config.S = 1;
  config.sigma = {0.5, 1.0, 4.0};
  std::mt19937_64 rng(5);
  const Eigen::MatrixXd X = sample_design(config, 20000, rng);
  for (int j = 0; j < 3; ++j) {
    const double variance = X.col(j).squaredNorm() / X.rows();
    EXPECT_NEAR(variance / (config.sigma[j] * config.sigma[j]), 1.0, 0.05) << "column " << j;
  }
}

RC_GTEST_PROP(Problem, SupportStaysInsideTheSupportSet, ()) {
  ProblemConfig config;
  config.d = *rc::gen::inRange(1, 40);
  config.S = *rc::gen::inRange(1, config.d + 1);
  const int size = *rc::gen::inRange(config.S, config.d + 1);
  const auto chosen = *rc::gen::unique<std::vector<int>>(size, rc::gen::inRange(1, config.d + 1));
  config.support_set = chosen;
  const Instance instance = sample_instance(config, *rc::gen::arbitrary<std::uint64_t>());
  const std::set<int> allowed(chosen.begin(), chosen.end());
  RC_ASSERT(static_cast<int>(instance.support.size()) == config.S);
  for (int index : instance.support) RC_ASSERT(allowed.count(index + 1) == 1u);
  for (Eigen::Index i = 0; i < instance.beta_star.size(); ++i) {
    if (allowed.count(static_cast<int>(i) + 1) == 0) RC_ASSERT(instance.beta_star(i) == 0.0);
  }
}

TEST(Problem, SupportIsUniform) {
  // Each index is in the support with probability S/d; 20000 draws, 5 standard deviations.
  ProblemConfig config;
  config.d = 10;
  config.S = 3;
  std::vector<int> counts(10, 0);
  std::mt19937_64 rng(9);
  const int draws = 20000;
  for (int t = 0; t < draws; ++t) {
    for (int index : sample_instance(config, rng).support) ++counts[index];
  }
  const double p = 0.3, mean = draws * p, sd = std::sqrt(draws * p * (1 - p));
  for (int count : counts) EXPECT_NEAR(count, mean, 5 * sd);
}

TEST(SoftThreshold, MatchesDefinition) {
  EXPECT_EQ(soft_threshold(3.0, 1.0), 2.0);
  EXPECT_EQ(soft_threshold(-3.0, 1.0), -2.0);
  EXPECT_EQ(soft_threshold(0.5, 1.0), 0.0);
  EXPECT_EQ(soft_threshold(-1.0, 1.0), 0.0);
  EXPECT_EQ(soft_threshold(0.7, 0.0), 0.7);
}

TEST(Proposition1, BoundMatchesTheFormula) {
  Proposition1Inputs in;
  in.b_x = 2.0;
  in.b_beta = 3.0;
  in.d = 4;
  in.gamma_max = 0.5;
  in.mv_norm = 1.5;
  in.K = 3;
  const double c_beta = 1.0 + 4.0 * 4 * 0.5 * 1.5 + 3.0 * 2.0 * 0.5 * 1.5;  // 1 + 12 + 4.5
  EXPECT_DOUBLE_EQ(proposition1_c_beta(in), c_beta);
  EXPECT_DOUBLE_EQ(proposition1_B(in), 3.0 * 2.0 + 2.0 * 2.0 * (3.0 + std::pow(c_beta, 3)));
  in.K = 0;
  EXPECT_THROW(proposition1_B(in), std::invalid_argument);
  in.K = 1;
  in.b_x = -1.0;
  EXPECT_THROW(proposition1_B(in), std::invalid_argument);
}

}  // namespace
}  // namespace icsr::theory
