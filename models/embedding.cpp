#include "models/embedding.hpp"

#include <stdexcept>
#include <string>

#include "models/tensor_convert.hpp"

namespace icsr::models {

Eigen::MatrixXd embed(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& x_query) {
  const int N = static_cast<int>(X.rows());
  const int d = static_cast<int>(X.cols());
  if (y.size() != N || x_query.size() != d) {
    throw std::invalid_argument("embed: y must have N=" + std::to_string(N) + " entries and x_query d=" +
                                std::to_string(d));
  }
  const TokenLayout layout(d);
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(layout.dim(), 2 * N + 1);
  for (int n = 0; n < N; ++n) {
    H.block(layout.x_begin(), 2 * n, d, 1) = X.row(n).transpose();
    H(layout.indicator_row(), 2 * n) = 1.0;
    H.block(layout.x_begin(), 2 * n + 1, d, 1) = X.row(n).transpose();
    H(layout.label_row(), 2 * n + 1) = y(n);
  }
  H.block(layout.x_begin(), 2 * N, d, 1) = x_query;
  H(layout.indicator_row(), 2 * N) = 1.0;
  return H;
}

Eigen::MatrixXd embed(const theory::Instance& instance) {
  return embed(instance.X, instance.y, instance.x_query);
}

torch::Tensor embed_batch(const std::vector<theory::Instance>& instances, torch::Dtype dtype,
                          const torch::Device& device) {
  if (instances.empty()) throw std::invalid_argument("embed_batch needs at least one instance");
  std::vector<torch::Tensor> tokens;
  for (const auto& instance : instances) {
    if (instance.X.rows() != instances.front().X.rows() || instance.X.cols() != instances.front().X.cols()) {
      throw std::invalid_argument("embed_batch: every instance must have the same N and d");
    }
    tokens.push_back(to_tensor(Eigen::MatrixXd(embed(instance).transpose())));
  }
  return torch::stack(tokens).to(device, dtype);
}

Eigen::MatrixXd augmented_design(const theory::Instance& instance) {
  Eigen::MatrixXd x_tilde(instance.X.rows() + 1, instance.X.cols());
  x_tilde << instance.X, instance.x_query.transpose();
  return x_tilde;
}

torch::Tensor augmented_design_batch(const std::vector<theory::Instance>& instances, torch::Dtype dtype,
                                     const torch::Device& device) {
  std::vector<torch::Tensor> rows;
  for (const auto& instance : instances) rows.push_back(to_tensor(augmented_design(instance)));
  return torch::stack(rows).to(device, dtype);
}

double linear_readout(const Eigen::VectorXd& v, const Eigen::VectorXd& h) { return v.dot(h); }

double query_readout(const Eigen::MatrixXd& V, const Eigen::VectorXd& h, int token, const Eigen::MatrixXd& x_tilde) {
  const int row = (token + 1) / 2;  // floor((i+1)/2), 1-based
  if (token < 1 || row > x_tilde.rows()) {
    throw std::invalid_argument("query read-out: token " + std::to_string(token) + " has no row in X~");
  }
  return h.dot(V * x_tilde.row(row - 1).transpose());
}

torch::Tensor linear_readout_odd_tokens(const torch::Tensor& H, const torch::Tensor& v) {
  const torch::Tensor odd = H.index({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)});
  return torch::matmul(odd, v);
}

torch::Tensor query_readout_odd_tokens(const torch::Tensor& H, const torch::Tensor& V, const torch::Tensor& x_tilde) {
  // odd tokens (B, N+1, D); (h^T V) (B, N+1, d) paired row by row with X~ (B, N+1, d).
  const torch::Tensor odd = H.index({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)});
  return (torch::matmul(odd, V) * x_tilde).sum(-1);
}

Eigen::MatrixXd corollary_e1_query_matrix(int d) {
  const TokenLayout layout(d);
  Eigen::MatrixXd V = Eigen::MatrixXd::Zero(layout.dim(), d);
  V.block(layout.beta_begin(), 0, d, d).setIdentity();
  return V;
}

}  // namespace icsr::models
