#include "models/tensor_convert.hpp"

#include <stdexcept>

namespace icsr::models {

torch::Tensor to_tensor(const Eigen::MatrixXd& matrix) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor rows = matrix;
  return torch::from_blob(const_cast<double*>(rows.data()), {rows.rows(), rows.cols()}, torch::kFloat64).clone();
}

torch::Tensor to_tensor(const Eigen::VectorXd& vector) {
  return torch::from_blob(const_cast<double*>(vector.data()), {vector.size()}, torch::kFloat64).clone();
}

Eigen::MatrixXd to_matrix(const torch::Tensor& tensor) {
  if (tensor.dim() != 2) throw std::invalid_argument("to_matrix needs a 2-D tensor");
  const torch::Tensor host = tensor.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(host.data_ptr<double>(), host.size(0), host.size(1));
}

Eigen::VectorXd to_vector(const torch::Tensor& tensor) {
  if (tensor.dim() != 1) throw std::invalid_argument("to_vector needs a 1-D tensor");
  const torch::Tensor host = tensor.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return Eigen::Map<const Eigen::VectorXd>(host.data_ptr<double>(), host.size(0));
}

std::vector<double> to_values(const torch::Tensor& tensor) {
  const torch::Tensor host = tensor.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

}  // namespace icsr::models

namespace icsr::models {

torch::Device device_from_string(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw std::invalid_argument("device cuda requested, but this LibTorch sees no CUDA device");
    }
    return torch::Device(torch::kCUDA);
  }
  throw std::invalid_argument("device must be cpu or cuda, got '" + name + "'");
}

}  // namespace icsr::models
