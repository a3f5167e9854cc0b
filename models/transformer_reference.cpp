#include "models/transformer_reference.hpp"

#include <algorithm>

namespace icsr::models {
namespace {

double relu(double x) { return std::max(x, 0.0); }

// Definition 3.1, column i: h_i + sum_m sum_{j<=i} (1/i) relu(<Q_m h_i, K_m h_j>) V_m h_j (i is 1-based).
Eigen::MatrixXd reference_attention(const LayerWeights& layer, const Eigen::MatrixXd& H) {
  Eigen::MatrixXd out = H;
  for (Eigen::Index i = 0; i < H.cols(); ++i) {
    for (int m = 0; m < layer.heads(); ++m) {
      const Eigen::VectorXd q = layer.query[m] * H.col(i);
      for (Eigen::Index j = 0; j <= i; ++j) {
        const double score = relu(q.dot(layer.key[m] * H.col(j)));
        out.col(i) += (score / static_cast<double>(i + 1)) * (layer.value[m] * H.col(j));
      }
    }
  }
  return out;
}

// Definition 3.2, token by token: h + W2 relu(W1 h + b).
Eigen::MatrixXd reference_mlp(const LayerWeights& layer, const Eigen::MatrixXd& H) {
  Eigen::MatrixXd out = H;
  for (Eigen::Index i = 0; i < H.cols(); ++i) {
    const Eigen::VectorXd hidden = (layer.w1 * H.col(i) + layer.bias).unaryExpr(&relu);
    out.col(i) += layer.w2 * hidden;
  }
  return out;
}

}  // namespace

Eigen::MatrixXd reference_layer(const LayerWeights& layer, const Eigen::MatrixXd& H) {
  return reference_mlp(layer, reference_attention(layer, H));
}

std::vector<Eigen::MatrixXd> reference_forward_all(const TransformerWeights& weights, const Eigen::MatrixXd& H) {
  std::vector<Eigen::MatrixXd> states{H};
  for (const LayerWeights& layer : weights.layers) states.push_back(reference_layer(layer, states.back()));
  return states;
}

}  // namespace icsr::models
