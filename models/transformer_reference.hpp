// The slow, obvious reference for the Transformer of Definitions 3.1-3.3: plain loops over tokens,
// keys and heads in float64, tokens as columns exactly as the paper writes them. Tests compare the
// LibTorch module against it.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "models/transformer_weights.hpp"

namespace icsr::models {

// One layer: MLP(Attn(H)) for H of shape D x T.
Eigen::MatrixXd reference_layer(const LayerWeights& layer, const Eigen::MatrixXd& H);

// H^(1) = H, H^(k+1) = TF_k(H^(k)); returns H^(1), ..., H^(K+1).
std::vector<Eigen::MatrixXd> reference_forward_all(const TransformerWeights& weights, const Eigen::MatrixXd& H);

}  // namespace icsr::models
