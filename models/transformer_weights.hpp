// Plain float64 weights of the decoder Transformer of Definitions 3.1-3.3, in the paper's orientation
// (tokens are columns: q_i = Q h_i). The construction writes them, the Eigen reference reads them, and
// load_weights/extract_weights move them in and out of the LibTorch module.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace icsr::models {

struct LayerWeights {
  std::vector<Eigen::MatrixXd> query;  // M matrices, D x D
  std::vector<Eigen::MatrixXd> key;    // M matrices, D x D
  std::vector<Eigen::MatrixXd> value;  // M matrices, D x D
  Eigen::MatrixXd w1;                  // D' x D
  Eigen::MatrixXd w2;                  // D x D'
  Eigen::VectorXd bias;                // D'

  int heads() const { return static_cast<int>(query.size()); }
  int dim() const { return static_cast<int>(w1.cols()); }
  int hidden() const { return static_cast<int>(w1.rows()); }
};

struct TransformerWeights {
  std::vector<LayerWeights> layers;

  int depth() const { return static_cast<int>(layers.size()); }
};

}  // namespace icsr::models
