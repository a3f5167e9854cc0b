// The generic Transformer (Definitions 3.1-3.3) against the naive Eigen loops, in float64 and float32;
// its gradients against finite differences; weight loading; CUDA against CPU where a GPU exists.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <random>

#include "models/tensor_convert.hpp"
#include "models/transformer.hpp"
#include "models/transformer_reference.hpp"

namespace icsr::models {
namespace {

TransformerWeights random_weights(int dim, int heads, int hidden, int layers, std::uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  const auto draw = [&](int rows, int cols) {
    return Eigen::MatrixXd(Eigen::MatrixXd::NullaryExpr(rows, cols, [&]() { return normal(rng); }));
  };
  TransformerWeights weights;
  for (int k = 0; k < layers; ++k) {
    LayerWeights layer;
    for (int m = 0; m < heads; ++m) {
      layer.query.push_back(draw(dim, dim));
      layer.key.push_back(draw(dim, dim));
      layer.value.push_back(draw(dim, dim));
    }
    layer.w1 = draw(hidden, dim);
    layer.w2 = draw(dim, hidden);
    layer.bias = draw(hidden, 1);
    weights.layers.push_back(layer);
  }
  return weights;
}

Eigen::MatrixXd random_sequence(int dim, int tokens, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  return Eigen::MatrixXd::NullaryExpr(dim, tokens, [&]() { return normal(rng); });
}

// Largest |torch - reference| over all layers, relative to 1 + max |reference| of that layer.
double relative_discrepancy(const std::vector<torch::Tensor>& states, const std::vector<Eigen::MatrixXd>& reference,
                            int batch_index) {
  double worst = 0.0;
  for (std::size_t k = 0; k < states.size(); ++k) {
    const Eigen::MatrixXd torch_state = to_matrix(states[k][batch_index]).transpose();  // D x T
    const double scale = 1.0 + reference[k].cwiseAbs().maxCoeff();
    worst = std::max(worst, (torch_state - reference[k]).cwiseAbs().maxCoeff() / scale);
  }
  return worst;
}

RC_GTEST_PROP(Transformer, MatchesNaiveLoopsInFloat64, ()) {
  const int dim = *rc::gen::inRange(1, 9);
  const int heads = *rc::gen::inRange(1, 5);
  const int hidden = *rc::gen::inRange(1, 11);
  const int layers = *rc::gen::inRange(1, 4);
  const int tokens = *rc::gen::inRange(1, 10);
  const int batch = *rc::gen::inRange(1, 4);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const TransformerWeights weights = random_weights(dim, heads, hidden, layers, seed, 0.5);
  Transformer model = transformer_from_weights(weights, torch::kFloat64, torch::kCPU);

  std::vector<Eigen::MatrixXd> inputs;
  std::vector<torch::Tensor> rows;
  for (int b = 0; b < batch; ++b) {
    inputs.push_back(random_sequence(dim, tokens, seed + 1 + b));
    rows.push_back(to_tensor(Eigen::MatrixXd(inputs.back().transpose())));
  }
  torch::NoGradGuard no_grad;
  const auto states = model->forward_all(torch::stack(rows));
  for (int b = 0; b < batch; ++b) {
    const double discrepancy = relative_discrepancy(states, reference_forward_all(weights, inputs[b]), b);
    RC_LOG() << "discrepancy " << discrepancy << "\n";
    RC_ASSERT(discrepancy <= 1e-12);  // float64 rounding on sums of at most a few hundred terms
  }
}

TEST(Transformer, MatchesNaiveLoopsInFloat32) {
  const TransformerWeights weights = random_weights(6, 3, 8, 3, 42, 0.4);
  Transformer model = transformer_from_weights(weights, torch::kFloat32, torch::kCPU);
  const Eigen::MatrixXd input = random_sequence(6, 7, 43);
  torch::NoGradGuard no_grad;
  const auto states = model->forward_all(to_tensor(Eigen::MatrixXd(input.transpose())).to(torch::kFloat32).unsqueeze(0));
  EXPECT_LE(relative_discrepancy(states, reference_forward_all(weights, input), 0), 1e-5);  // float32 eps 1.2e-7
}

TEST(Transformer, MaskIsCausalMean) {
  const torch::Tensor mask = causal_mean_mask(3, torch::TensorOptions().dtype(torch::kFloat64));
  const Eigen::MatrixXd expected = (Eigen::MatrixXd(3, 3) << 1, 0, 0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3).finished();
  EXPECT_LT((to_matrix(mask) - expected).cwiseAbs().maxCoeff(), 1e-15);
}

TEST(Transformer, WeightsRoundTrip) {
  const TransformerWeights weights = random_weights(5, 2, 7, 2, 7, 1.0);
  const Transformer model = transformer_from_weights(weights, torch::kFloat64, torch::kCPU);
  const TransformerWeights back = extract_weights(model);
  ASSERT_EQ(back.depth(), 2);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(back.layers[k].query[1], weights.layers[k].query[1]);
    EXPECT_EQ(back.layers[k].w2, weights.layers[k].w2);
    EXPECT_EQ(back.layers[k].bias, weights.layers[k].bias);
  }
  TransformerWeights wrong = weights;
  wrong.layers[0].w1 = Eigen::MatrixXd::Zero(3, 3);
  Transformer target = transformer_from_weights(weights, torch::kFloat64, torch::kCPU);
  EXPECT_THROW(load_weights(target, wrong), std::invalid_argument);
}

TEST(Transformer, ParametersAreRegisteredAndTrainable) {
  Transformer model(TransformerOptions(6, 2, 12, 3));
  EXPECT_EQ(model->parameters().size(), 3u * 6u);
  for (const auto& parameter : model->parameters()) EXPECT_TRUE(parameter.requires_grad());
}

TEST(Transformer, GradientsMatchFiniteDifferences) {
  // A tiny case in float64: loss = <R, TF(H)>; central differences with step 1e-6.
  const TransformerWeights weights = random_weights(4, 2, 6, 2, 11, 0.6);
  Transformer model = transformer_from_weights(weights, torch::kFloat64, torch::kCPU);
  const torch::Tensor input = to_tensor(Eigen::MatrixXd(random_sequence(4, 3, 12).transpose())).unsqueeze(0);
  const torch::Tensor direction = to_tensor(Eigen::MatrixXd(random_sequence(4, 3, 13).transpose())).unsqueeze(0);
  const auto loss = [&]() { return (model->forward(input) * direction).sum(); };

  model->zero_grad();
  loss().backward();
  const double step = 1e-6;
  int checked = 0;
  for (auto& parameter : model->parameters()) {
    const torch::Tensor gradient = parameter.grad().clone();
    auto flat = parameter.data().view({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      torch::NoGradGuard no_grad;
      const double original = flat[i].item<double>();
      flat[i] = original + step;
      const double up = loss().item<double>();
      flat[i] = original - step;
      const double down = loss().item<double>();
      flat[i] = original;
      const double numeric = (up - down) / (2 * step);
      const double analytic = gradient.view({-1})[i].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * (1.0 + std::abs(numeric))) << "entry " << i;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * (3 * 2 * 16 + 6 * 4 + 4 * 6 + 6));
}

TEST(Transformer, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: this LibTorch is CPU-only or no GPU is present";
  const TransformerWeights weights = random_weights(8, 4, 16, 3, 5, 0.4);
  const Eigen::MatrixXd input = random_sequence(8, 9, 6);
  const torch::Tensor h = to_tensor(Eigen::MatrixXd(input.transpose())).unsqueeze(0);
  torch::NoGradGuard no_grad;
  Transformer cpu = transformer_from_weights(weights, torch::kFloat64, torch::kCPU);
  Transformer gpu = transformer_from_weights(weights, torch::kFloat64, torch::kCUDA);
  const torch::Tensor difference = (gpu->forward(h.to(torch::kCUDA)).cpu() - cpu->forward(h)).abs().max();
  EXPECT_LT(difference.item<double>(), 1e-10);
}

}  // namespace
}  // namespace icsr::models
