// The embedding (4.2) of an in-context instance (X, y, x_{N+1}) as H^(1) in R^{(2d+2) x (2N+1)}, and
// the read-outs of Definitions 4.1 (linear) and 4.2 (query).
//
// Rows of a token (0-based): x in [0, d), the label slot at d, beta in [d+1, 2d], the odd-token
// indicator at 2d+1. Token 2n-1 (1-based) holds (x_n, 0, beta, 1), token 2n holds (x_n, y_n, beta, 0),
// and token 2N+1 holds the query (x_{N+1}, 0, beta, 1); every beta starts at 0.
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>
#include <vector>

#include "theory/problem.hpp"

namespace icsr::models {

struct TokenLayout {
  explicit TokenLayout(int d) : d(d) {}
  int d;
  int x_begin() const { return 0; }
  int label_row() const { return d; }
  int beta_begin() const { return d + 1; }
  int indicator_row() const { return 2 * d + 1; }
  int dim() const { return 2 * d + 2; }
};

// (4.2), paper orientation: D x T with D = 2d+2, T = 2N+1.
Eigen::MatrixXd embed(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& x_query);
Eigen::MatrixXd embed(const theory::Instance& instance);

// (4.2) for a batch of instances of equal d and N: (B, 2N+1, 2d+2).
torch::Tensor embed_batch(const std::vector<theory::Instance>& instances, torch::Dtype dtype,
                          const torch::Device& device);

// X~ = [X; x_{N+1}^T], (N+1) x d: the rows the query read-out pairs with tokens.
Eigen::MatrixXd augmented_design(const theory::Instance& instance);
torch::Tensor augmented_design_batch(const std::vector<theory::Instance>& instances, torch::Dtype dtype,
                                     const torch::Device& device);  // (B, N+1, d)

// Definition 4.1: F(h) = v^T h.
double linear_readout(const Eigen::VectorXd& v, const Eigen::VectorXd& h);

// Definition 4.2: F(h, i; X~) = h^T V X~_{floor((i+1)/2), :} with i the 1-based token index, so odd
// token 2n+1 is paired with x_{n+1} (as in the proof of Corollary E.1).
double query_readout(const Eigen::MatrixXd& V, const Eigen::VectorXd& h, int token, const Eigen::MatrixXd& x_tilde);

// Both read-outs on every odd token of a batch: H (B, 2N+1, D) -> (B, N+1); entry n predicts y_{n+1}.
torch::Tensor linear_readout_odd_tokens(const torch::Tensor& H, const torch::Tensor& v);
torch::Tensor query_readout_odd_tokens(const torch::Tensor& H, const torch::Tensor& V, const torch::Tensor& x_tilde);

// The V of the proof of Corollary E.1: it selects the beta block, so F = x_{n+1}^T beta_{2n+1}.
Eigen::MatrixXd corollary_e1_query_matrix(int d);

}  // namespace icsr::models
