// Conversions between Eigen (float64, column-major) and LibTorch tensors.
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace icsr::models {

torch::Tensor to_tensor(const Eigen::MatrixXd& matrix);  // (rows, cols), float64, CPU
torch::Tensor to_tensor(const Eigen::VectorXd& vector);  // (size), float64, CPU
Eigen::MatrixXd to_matrix(const torch::Tensor& tensor);  // any 2-D tensor, any dtype or device
Eigen::VectorXd to_vector(const torch::Tensor& tensor);  // any 1-D tensor, any dtype or device
std::vector<double> to_values(const torch::Tensor& tensor);  // any tensor, flattened, as float64

}  // namespace icsr::models

namespace icsr::models {

// "cpu" or "cuda"; throws std::invalid_argument for anything else or when CUDA is asked for but absent.
torch::Device device_from_string(const std::string& name);

}  // namespace icsr::models
