// The construction of Appendix C.1, the embedding (4.2), the read-outs, and LISTA-VM (4.4) by hand.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/construction.hpp"
#include "models/transformer_reference.hpp"
#include "models/embedding.hpp"
#include "models/lista_vm.hpp"
#include "models/tensor_convert.hpp"
#include "models/transformer.hpp"
#include "theory/problem.hpp"

namespace icsr::models {
namespace {

double relu(double x) { return std::max(x, 0.0); }

// The four-ReLU identity behind eq. (C.3): x - relu(x) + relu(-x) + relu(x - theta) - relu(-x - theta).
RC_GTEST_PROP(SoftThresholdIdentity, FourReluCombinationIsTheSoftThreshold, ()) {
  const double x = *rc::gen::inRange(-4000, 4001) / 1000.0;
  const double theta = *rc::gen::inRange(0, 3001) / 1000.0;
  const double combined = x - relu(x) + relu(-x) + relu(x - theta) - relu(-x - theta);
  RC_ASSERT(std::abs(combined - theory::soft_threshold(x, theta)) <= 1e-12);
}

TEST(SoftThresholdIdentity, PrintedMlpGivesXMinusThetaOnHandComputedTokens) {
  // The MLP of eq. (C.2) alone (no heads), d = 1, theta = 1, on tokens h = (0.7, -0.2, x, 1). Worked by
  // hand on the beta entry x: the printed bias gives x - relu(x) + relu(-x) + relu(x - 1) - relu(-x + 1)
  // = x - 1 for every x; the corrected one gives S_1(x).
  struct Row {
    double x, printed, corrected;
  };
  const Row rows[] = {{-2.0, -3.0, -1.0}, {-0.5, -1.5, 0.0}, {0.0, -1.0, 0.0}, {0.3, -0.7, 0.0}, {1.5, 0.5, 0.5}};
  const LayerWeights printed = soft_threshold_mlp(1, 1.0, MlpBias::paper_literal);
  const LayerWeights corrected = soft_threshold_mlp(1, 1.0, MlpBias::corrected);
  for (const Row& row : rows) {
    Eigen::MatrixXd token(4, 1);
    token << 0.7, -0.2, row.x, 1.0;
    const Eigen::MatrixXd out_printed = reference_layer(printed, token), out_corrected = reference_layer(corrected, token);
    EXPECT_NEAR(out_printed(2, 0), row.printed, 1e-15) << "x = " << row.x;
    EXPECT_NEAR(out_corrected(2, 0), row.corrected, 1e-15) << "x = " << row.x;
    for (int i : {0, 1, 3}) {
      EXPECT_EQ(out_printed(i, 0), token(i, 0));
      EXPECT_EQ(out_corrected(i, 0), token(i, 0));
    }
  }
}

TEST(Construction, MlpBiasLayoutFollowsC2) {
  const int d = 3;
  const double theta = 0.25;
  for (MlpBias bias : {MlpBias::corrected, MlpBias::paper_literal}) {
    const LayerWeights mlp = soft_threshold_mlp(d, theta, bias);
    ASSERT_EQ(mlp.w1.rows(), 8 * d + 8);
    ASSERT_EQ(mlp.w1.cols(), 2 * d + 2);
    ASSERT_EQ(mlp.bias.size(), 8 * d + 8);
    // b = [0_{5d+5}; -theta 1_d; 0_{d+2}; (+-)theta 1_d; 0]
    const double fourth = bias == MlpBias::paper_literal ? theta : -theta;
    Eigen::VectorXd expected(8 * d + 8);
    expected << Eigen::VectorXd::Zero(5 * d + 5), Eigen::VectorXd::Constant(d, -theta), Eigen::VectorXd::Zero(d + 2),
        Eigen::VectorXd::Constant(d, fourth), Eigen::VectorXd::Zero(1);
    EXPECT_EQ(mlp.bias, expected);
  }
}

TEST(Construction, RejectsInvalidOptions) {
  ConstructionOptions options;
  options.d = 2;
  options.gamma = {1.0};
  options.theta = {-0.1};
  options.mv = Eigen::MatrixXd::Identity(2, 2);
  EXPECT_THROW(construct_lista_vm_transformer(options), std::invalid_argument);
  options.theta = {0.1};
  options.mv = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_THROW(construct_lista_vm_transformer(options), std::invalid_argument);
  options.mv = Eigen::MatrixXd::Identity(2, 2);
  options.B = -1.0;
  EXPECT_THROW(construct_lista_vm_transformer(options), std::invalid_argument);
  options.B = 1.0;
  options.theta = {0.1, 0.2};
  EXPECT_THROW(construct_lista_vm_transformer(options), std::invalid_argument);
}

TEST(Embedding, TokensFollowEquation42) {
  Eigen::MatrixXd X(2, 2);
  X << 1, 2, 3, 4;
  const Eigen::VectorXd y = (Eigen::VectorXd(2) << 5, 6).finished();
  const Eigen::VectorXd query = (Eigen::VectorXd(2) << 7, 8).finished();
  const Eigen::MatrixXd H = embed(X, y, query);
  Eigen::MatrixXd expected(6, 5);
  expected << 1, 1, 3, 3, 7,  //
      2, 2, 4, 4, 8,          //
      0, 5, 0, 6, 0,          // labels on even tokens
      0, 0, 0, 0, 0,          // beta^(1) = 0
      0, 0, 0, 0, 0,          //
      1, 0, 1, 0, 1;          // odd-token indicator
  EXPECT_EQ(H, expected);
}

TEST(Readout, QueryPairsOddTokenWithNextExample) {
  theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 4);
  const Eigen::MatrixXd x_tilde = augmented_design(instance);
  Eigen::VectorXd h = Eigen::VectorXd::Zero(42);
  h.segment(21, 20) = instance.beta_star;
  const Eigen::MatrixXd V = corollary_e1_query_matrix(20);
  EXPECT_NEAR(query_readout(V, h, 21, x_tilde), instance.y_query, 1e-12);          // token 2N+1 -> x_{N+1}
  EXPECT_NEAR(query_readout(V, h, 5, x_tilde), instance.y(2), 1e-12);              // token 5 -> x_3
  EXPECT_THROW(query_readout(V, h, 23, x_tilde), std::invalid_argument);
  Eigen::VectorXd v = Eigen::VectorXd::Zero(42);
  v(20) = 2.0;
  h(20) = 1.5;
  EXPECT_DOUBLE_EQ(linear_readout(v, h), 3.0);
}

TEST(ListaVm, OneDimensionalStepsByHand) {
  // d = 1, x_1 = 2, y_1 = 4, gamma = 1, M = 1, theta = 0.1, n = 1 (step 1/3).
  ListaVmParams params;
  params.gamma = {1.0, 1.0};
  params.theta = {0.1, 0.1};
  params.matrix = {Eigen::MatrixXd::Ones(1, 1), Eigen::MatrixXd::Ones(1, 1)};
  const Eigen::MatrixXd X = Eigen::MatrixXd::Constant(1, 1, 2.0);
  const Eigen::VectorXd y = Eigen::VectorXd::Constant(1, 4.0);
  const auto iterates = lista_vm_iterates(params, X, y, 1);
  ASSERT_EQ(iterates.size(), 3u);
  EXPECT_DOUBLE_EQ(iterates[0](0), 0.0);
  EXPECT_NEAR(iterates[1](0), 8.0 / 3.0 - 0.1, 1e-15);                              // S(0 + 8/3)
  EXPECT_NEAR(iterates[2](0), iterates[1](0) - (4.0 * iterates[1](0) - 8.0) / 3.0 - 0.1, 1e-15);
  const auto none = lista_vm_iterates(params, X, y, 0);
  EXPECT_DOUBLE_EQ(none[2](0), 0.0);
}

TEST(ListaVm, AllPrefixesAgreeWithSinglePrefix) {
  const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 5);
  ListaVmParams params;
  for (int k = 0; k < 12; ++k) {
    params.gamma.push_back(0.3);
    params.theta.push_back(0.01);
    params.matrix.push_back(2.0 * Eigen::MatrixXd::Identity(20, 20));
  }
  const auto all = lista_vm_all_prefixes(params, instance.X, instance.y);
  for (int n = 0; n <= 10; ++n) {
    const auto single = lista_vm_iterates(params, instance.X, instance.y, n);
    const double scale = 1.0 + all[n].back().cwiseAbs().maxCoeff();
    EXPECT_LT((single.back() - all[n].back()).cwiseAbs().maxCoeff() / scale, 1e-12) << "n=" << n;
  }
}

TEST(ListaVm, ForEachPrefixAgreesWithAllPrefixes) {
  for (bool prior : {false, true}) {
    const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 7);
    ListaVmParams params;
    for (int k = 0; k < 12; ++k) {
      params.gamma.push_back(0.3 + 0.01 * k);
      params.theta.push_back(0.01);
      params.matrix.push_back(2.0 * Eigen::MatrixXd::Identity(20, 20));
    }
    if (prior) params.support_prior = {0, 3, 4, 9, 10, 11, 15};
    const auto all = lista_vm_all_prefixes(params, instance.X, instance.y);
    int visited = 0;
    lista_vm_for_each_prefix(params, instance.X, instance.y, 10, [&](int n, const Eigen::VectorXd& beta) {
      EXPECT_EQ(n, visited++);
      const double scale = 1.0 + all[n].back().cwiseAbs().maxCoeff();
      EXPECT_LT((beta - all[n].back()).cwiseAbs().maxCoeff() / scale, 1e-12) << "n=" << n << " prior=" << prior;
    });
    EXPECT_EQ(visited, 11);
    EXPECT_THROW(lista_vm_for_each_prefix(params, instance.X, instance.y, 11, [](int, const Eigen::VectorXd&) {}),
                 std::invalid_argument);
  }
}

TEST(ReadoutLayer, PredictionFollowsTheProofOfTheoremE1) {
  // n = 3 odd tokens, inner products 1, -2, 3, B' = 0.5, p = 0.5: (2/p)(1/5)(0.5 + 0 + 2.5) + 0.5 = 2.9.
  EXPECT_NEAR(theoremE1_prediction({1.0, -2.0, 3.0}, 0.5, 0.5), 2.9, 1e-15);
  // The proof's form: 2/(2np - p) sum_{o_j=1} x^T beta_j - 2 (sum o_j) B'/(2np - p) + B'.
  const double n = 3, p = 0.5, B = 0.5;
  EXPECT_NEAR(theoremE1_prediction({1.0, -2.0, 3.0}, B, p), 2 / (2 * n * p - p) * 4 - 2 * 2 * B / (2 * n * p - p) + B, 1e-14);
  // p = 1 and B' below every inner product: 2/(2n-1) sum inner - B'/(2n-1), which tends to the mean.
  EXPECT_NEAR(theoremE1_prediction({2.0, 2.0, 2.0}, -10.0, 1.0), 2.0 / 5 * 6 + 10.0 / 5, 1e-14);
  EXPECT_THROW(theoremE1_prediction({1.0}, 0.0, 0.0), std::invalid_argument);
  EXPECT_THROW(theoremE1_prediction({}, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(theoremE1_readout_layer(2, 0.0, 1.5, 4, 24), std::invalid_argument);
  EXPECT_THROW(theoremE1_readout_layer(2, 0.0, 0.5, 4, 1), std::invalid_argument);
}

TEST(ReadoutLayer, TransformerComputesThePredictionAndAWrongPIsCaught) {
  ConstructionOptions options;
  options.d = 3;
  options.gamma.assign(4, 0.5);
  options.theta.assign(4, 0.01);
  options.mv = 2.0 * Eigen::MatrixXd::Identity(3, 3);
  theory::ProblemConfig config;
  config.d = 3;
  config.N = 8;
  config.S = 1;
  const theory::Instance instance = theory::sample_instance(config, 11);
  options.B = data_B(options, instance);
  const auto reference = lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y);
  const double B_prime = -0.05, p = 0.4;
  torch::NoGradGuard no_grad;
  Transformer model = transformer_from_weights(
      with_theoremE1_readout_layer(construct_lista_vm_transformer(options), 3, B_prime, p), torch::kFloat64, torch::kCPU);
  const Eigen::MatrixXd H = to_matrix(model->forward(embed_batch({instance}, torch::kFloat64, torch::kCPU))[0]);
  for (int n = 1; n <= 8; ++n) {
    std::vector<double> inner;
    for (int m = 0; m < n; ++m) inner.push_back(instance.X.row(n - 1).dot(reference[m].back()));
    const double expected = theoremE1_prediction(inner, B_prime, p);
    EXPECT_NEAR(H(2 * n - 2, 3), expected, 1e-9 * (1 + std::abs(expected))) << "n=" << n;
    if (n == 8) {  // the layer uses its own p: the prediction with another p differs
      EXPECT_GT(std::abs(theoremE1_prediction(inner, B_prime, 1.0) - H(2 * n - 2, 3)), 1e-3);
    }
  }
}

ConstructionOptions paper_setting_construction() {
  ConstructionOptions options;
  options.d = 20;
  options.gamma.assign(12, 0.3);  // 0.3 * 2 * ||X^T X|| / 21 < 2 at d=20, N=10: a convergent step
  options.theta.assign(12, 0.01);
  options.mv = 2.0 * Eigen::MatrixXd::Identity(20, 20);  // M^V = (2 / sigma_d^2) I, proof of Lemma 3
  return options;
}

// Largest |Transformer beta - LISTA-VM beta| over layers and odd tokens, relative to 1 + max |beta|.
double max_odd_token_error(ConstructionOptions options, const theory::Instance& instance, torch::Dtype dtype) {
  const auto reference = lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y);
  Transformer model = transformer_from_weights(construct_lista_vm_transformer(options), dtype, torch::kCPU);
  torch::NoGradGuard no_grad;
  const auto states = model->forward_all(embed_batch({instance}, dtype, torch::kCPU));
  double worst = 0.0;
  for (int k = 1; k <= 12; ++k) {
    const Eigen::MatrixXd H = to_matrix(states[k][0]);
    for (int n = 0; n <= 10; ++n) {
      const Eigen::VectorXd beta = H.row(2 * n).segment(21, 20).transpose();
      const double scale = 1.0 + reference[n][k].cwiseAbs().maxCoeff();
      worst = std::max(worst, (beta - reference[n][k]).cwiseAbs().maxCoeff() / scale);
    }
  }
  return worst;
}

TEST(Construction, PaperSettingMatchesListaVmWithDataB) {
  const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 6);
  ConstructionOptions options = paper_setting_construction();
  options.B = data_B(options, instance);
  EXPECT_LT(max_odd_token_error(options, instance, torch::kFloat64), 1e-12);
  EXPECT_LT(max_odd_token_error(options, instance, torch::kFloat32), 1e-4);
  EXPECT_LE(2.0 * required_B(lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y), instance) + 1.0,
            options.B * (1 + 1e-15));
}

TEST(Construction, ProofBoundOnBIsAboveWhatTheDataNeeds) {
  const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 7);
  ConstructionOptions options = paper_setting_construction();
  const auto reference = lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y);
  EXPECT_GT(proof_B(options, instance), required_B(reference, instance));
  options.B = proof_B(options, instance);
  EXPECT_LT(max_odd_token_error(options, instance, torch::kFloat64), 1e-12);
}

TEST(Construction, SupportPriorConstructionRunsListaVmSS) {
  // Appendix D.2 with 𝕊 = the first 10 coordinates (Figure 1b): beta* inside 𝕊, the beta rows outside 𝕊
  // stay 0, and the Transformer matches LISTA-VM-SS, not plain LISTA-VM.
  theory::ProblemConfig problem;
  problem.support_set = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const theory::Instance instance = theory::sample_instance(problem, 10);
  ConstructionOptions options = paper_setting_construction();
  for (int i = 0; i < 10; ++i) options.support_prior.push_back(i);
  options.B = data_B(options, instance);
  EXPECT_LT(max_odd_token_error(options, instance, torch::kFloat64), 1e-12);
  Transformer model = transformer_from_weights(construct_lista_vm_transformer(options), torch::kFloat64, torch::kCPU);
  torch::NoGradGuard no_grad;
  const Eigen::MatrixXd last = to_matrix(model->forward(embed_batch({instance}, torch::kFloat64, torch::kCPU))[0]);
  for (int n = 0; n <= 10; ++n) EXPECT_EQ(last.row(2 * n).segment(21 + 10, 10).cwiseAbs().maxCoeff(), 0.0);
  ConstructionOptions plain = options;
  plain.support_prior.clear();
  const auto with_prior = lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y);
  const auto without = lista_vm_all_prefixes(lista_vm_params(plain), instance.X, instance.y);
  EXPECT_GT((with_prior[10][12] - without[10][12]).norm(), 1e-3);
}

TEST(Construction, BZeroBreaksTheEquivalence) {
  const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 8);
  ConstructionOptions options = paper_setting_construction();
  options.B = 0.0;
  EXPECT_GT(max_odd_token_error(options, instance, torch::kFloat64), 1e-3);
}

TEST(Construction, PrintedMlpBiasBreaksTheEquivalence) {
  const theory::Instance instance = theory::sample_instance(theory::ProblemConfig{}, 9);
  ConstructionOptions options = paper_setting_construction();
  options.B = data_B(options, instance);
  options.mlp_bias = MlpBias::paper_literal;
  EXPECT_GT(max_odd_token_error(options, instance, torch::kFloat64), 1e-3);
}

// The error-space form against the plain iterates (the slow, obvious reference) where the errors are large,
// and against a hand computation where they are far below eps ||beta*||.
TEST(ListaVm, ErrorSpaceFormMatchesTheIteratesAndResolvesTinyErrors) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    const int d = 6, n = 40;
    Eigen::MatrixXd X(n, d);
    for (int i = 0; i < n; ++i) for (int j = 0; j < d; ++j) X(i, j) = normal(rng);
    Eigen::VectorXd beta_star = Eigen::VectorXd::Zero(d);
    beta_star(trial % d) = normal(rng);
    beta_star((trial + 2) % d) = normal(rng);
    ListaVmParams params;
    for (int k = 0; k < 5; ++k) {
      params.gamma.push_back(0.3 + 0.1 * k);
      params.theta.push_back(trial % 2 == 0 ? 0.0 : 0.05 / (k + 1));
      params.matrix.push_back(2.0 * Eigen::MatrixXd::Identity(d, d));
    }
    const Eigen::MatrixXd gram = X.transpose() * X;
    const Eigen::VectorXd reference = lista_vm_iterates_from_gram(params, gram, gram * beta_star, n).back() - beta_star;
    const Eigen::VectorXd error = lista_vm_error_from_gram(params, gram, beta_star, n);
    EXPECT_LE((error - reference).norm(), 1e-12 * (1.0 + beta_star.norm())) << trial;  // rounding of the reference
  }
  // d = 1: e^(K+1) = -beta* (1 - gamma m g/(2n+1))^K. With m g/(2n+1) = 1 - 1e-3 and K = 10 the error is
  // 1e-30 |beta*|, which the plain iterates cannot show (their rounding floor is about 1e-16).
  ListaVmParams params;
  const double n = 10.0, g = 21.0 * (1.0 - 1e-3);  // m = 1, (2n+1) = 21
  for (int k = 0; k < 10; ++k) {
    params.gamma.push_back(1.0);
    params.theta.push_back(0.0);
    params.matrix.push_back(Eigen::MatrixXd::Identity(1, 1));
  }
  const Eigen::MatrixXd gram = Eigen::MatrixXd::Constant(1, 1, g);
  const Eigen::VectorXd beta_star = Eigen::VectorXd::Constant(1, 0.7);
  const double exact = -0.7 * std::pow(1e-3, 10);
  EXPECT_NEAR(lista_vm_error_from_gram(params, gram, beta_star, n)(0) / exact, 1.0, 1e-9);
  const double plain = lista_vm_iterates_from_gram(params, gram, gram * beta_star, n).back()(0) - 0.7;
  EXPECT_TRUE(plain == 0.0 || std::abs(plain) > 1e3 * std::abs(exact)) << plain;  // the reference sits on its rounding floor
  params.support_prior = {0};
  EXPECT_THROW(lista_vm_error_from_gram(params, gram, beta_star, n), std::invalid_argument);
}

}  // namespace
}  // namespace icsr::models
