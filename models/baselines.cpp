#include "models/baselines.hpp"

#include <cmath>
#include <stdexcept>

// torch::linalg_eigvalsh and torch::linalg_solve (ATen), not torch::linalg::eigvalsh/solve: LibTorch 2.x
// dropped the torch::linalg C++ namespace (torch/linalg.h); the ATen functions exist in 1.13 and 2.x.

namespace icsr::models {

const std::vector<Method>& all_methods() {
  static const std::vector<Method> methods{Method::ista,   Method::fista,    Method::lista,      Method::lista_cp,
                                           Method::alista, Method::lista_vm, Method::lista_vm_ss,
                                           Method::lista_vm_per_layer, Method::lista_vm_ss_per_layer};
  return methods;
}

std::string to_string(Method method) {
  switch (method) {
    case Method::ista: return "ista";
    case Method::fista: return "fista";
    case Method::lista: return "lista";
    case Method::lista_cp: return "lista_cp";
    case Method::alista: return "alista";
    case Method::lista_vm: return "lista_vm";
    case Method::lista_vm_ss: return "lista_vm_ss";
    case Method::lista_vm_per_layer: return "lista_vm_per_layer";
    case Method::lista_vm_ss_per_layer: return "lista_vm_ss_per_layer";
  }
  return "?";
}

bool is_lista_vm(Method method) {
  return method == Method::lista_vm || method == Method::lista_vm_ss || method == Method::lista_vm_per_layer ||
         method == Method::lista_vm_ss_per_layer;
}

bool uses_support_prior(Method method) { return method == Method::lista_vm_ss || method == Method::lista_vm_ss_per_layer; }

Method method_from_string(const std::string& name) {
  std::string known;
  for (Method method : all_methods()) {
    if (to_string(method) == name) return method;
    known += (known.empty() ? "" : ", ") + to_string(method);
  }
  throw std::invalid_argument("unknown method '" + name + "'; known: " + known);
}

std::int64_t stored_scalar_count(Method method, const BaselineOptions& options) {
  const std::int64_t d = options.d, N = options.N, K = options.K;
  switch (method) {
    case Method::ista:
    case Method::fista: return 0;
    case Method::lista: return K * d * N + K * d * d + K;  // w1 (K, d, N), w2 (K, d, d), theta (K)
    case Method::lista_cp: return K * N * d + K;          // w (K, N, d), theta (K)
    case Method::alista: return N * d + 2 * K;            // alista_w (N, d), gamma, theta (K)
    case Method::lista_vm:
    case Method::lista_vm_ss: return d * d + 2 * K + d;  // mv (d, d), gamma, theta (K), prior (d)
    case Method::lista_vm_per_layer:
    case Method::lista_vm_ss_per_layer: return K * d * d + K + d;  // m_layers (K, d, d), theta (K), prior (d)
  }
  return 0;
}

torch::Tensor soft_threshold(const torch::Tensor& x, const torch::Tensor& theta) {
  return x - torch::max(torch::min(x, theta), -theta);
}

torch::Tensor alista_weight(const torch::Tensor& X) {
  if (X.dim() != 2 || X.size(0) > X.size(1)) throw std::invalid_argument("alista_weight needs X of shape (N, d), N <= d");
  const torch::Tensor solved = torch::linalg_solve(torch::matmul(X, X.t()), X, /*left=*/true);  // (X X^T)^{-1} X, (N, d)
  const torch::Tensor scale = (solved * X).sum(0);                               // X_i^T (X X^T)^{-1} X_i
  return solved / scale.unsqueeze(0);
}

BaselineImpl::BaselineImpl(Method method, BaselineOptions options, const torch::Tensor& train_X)
    : method_(method), options_(std::move(options)) {
  const int d = options_.d, N = options_.N, K = options_.K;
  if (d < 1 || N < 1 || K < 1) throw std::invalid_argument("baseline needs d, N, K >= 1");
  if (!(options_.alpha >= 0.0)) throw std::invalid_argument("alpha must be >= 0");
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const bool fixed_shape = method == Method::lista || method == Method::lista_cp || method == Method::alista;
  torch::Tensor X = train_X;
  if (fixed_shape) {
    if (!X.defined() || X.dim() != 2 || X.size(0) != N || X.size(1) != d) {
      throw std::invalid_argument(to_string(method) + " needs the training X of shape (N, d) = (" + std::to_string(N) +
                                  ", " + std::to_string(d) + ")");
    }
    X = X.to(torch::kFloat64);
  }
  const double L = fixed_shape ? torch::linalg_eigvalsh(torch::matmul(X.t(), X), "L").max().item<double>() : 1.0;
  if (method == Method::lista) {
    w1_ = register_parameter("w1", (X.t() / L).unsqueeze(0).repeat({K, 1, 1}).contiguous());
    w2_ = register_parameter(
        "w2", (torch::eye(d, f64) - torch::matmul(X.t(), X) / L).unsqueeze(0).repeat({K, 1, 1}).contiguous());
    theta_ = register_parameter("theta", torch::full({K}, options_.alpha / L, f64));
  } else if (method == Method::lista_cp) {
    w_ = register_parameter("w", (X / L).unsqueeze(0).repeat({K, 1, 1}).contiguous());
    theta_ = register_parameter("theta", torch::full({K}, options_.alpha / L, f64));
  } else if (method == Method::alista) {
    alista_w_ = register_buffer("alista_w", alista_weight(X));
    const double L_w = torch::linalg_eigvalsh(torch::matmul(alista_w_.t(), X) + torch::matmul(X.t(), alista_w_), "L")
                           .abs().max().item<double>() / 2.0;
    gamma_ = register_parameter("gamma", torch::full({K}, 1.0 / std::max(L_w, 1.0), f64));
    theta_ = register_parameter("theta", torch::full({K}, options_.alpha / std::max(L_w, 1.0), f64));
  } else if (is_lista_vm(method)) {
    if (method == Method::lista_vm || method == Method::lista_vm_ss) {
      mv_ = register_parameter("mv", 2.0 * torch::eye(d, f64));  // the proof's M^V = (2/sigma_d^2) I
      gamma_ = register_parameter("gamma", torch::full({K}, 0.3, f64));
    } else {
      // The same starting point as the shared form: M^(k) = gamma_k M^V = 0.3 * 2 I in every layer.
      m_layers_ = register_parameter("m_layers", (0.6 * torch::eye(d, f64)).unsqueeze(0).repeat({K, 1, 1}).contiguous());
    }
    theta_ = register_parameter("theta", torch::full({K}, options_.alpha * 0.1, f64));
    torch::Tensor prior = torch::ones({d}, f64);
    if (uses_support_prior(method)) {
      if (options_.support_prior.empty()) throw std::invalid_argument(to_string(method) + " needs a support prior");
      prior = torch::zeros({d}, f64);
      for (int index : options_.support_prior) {
        if (index < 0 || index >= d) throw std::invalid_argument("support prior index outside [0, d)");
        prior[index] = 1.0;
      }
    }
    prior_ = register_buffer("prior", prior);
  }
}

bool BaselineImpl::takes_any_n() const {
  return method_ != Method::lista && method_ != Method::lista_cp && method_ != Method::alista;
}

bool BaselineImpl::learns() const { return method_ != Method::ista && method_ != Method::fista; }

torch::Tensor BaselineImpl::forward(const torch::Tensor& X, const torch::Tensor& y) {
  if (X.dim() != 3 || y.dim() != 2 || X.size(0) != y.size(0) || X.size(1) != y.size(1) || X.size(2) != options_.d) {
    throw std::invalid_argument("baseline input: X must be (B, n, d) and y (B, n) with d = " + std::to_string(options_.d));
  }
  const int64_t n = X.size(1);
  if (!takes_any_n() && n != options_.N) {
    throw std::invalid_argument(to_string(method_) + " takes n = N = " + std::to_string(options_.N) + " only, got " +
                                std::to_string(n));
  }
  const auto options = X.options();
  const int K = options_.K;
  torch::Tensor beta = torch::zeros({X.size(0), options_.d}, options);
  // A batch sharing one X (stride 0 along the batch, as sample_batch gives for a fixed X) is multiplied
  // through that one matrix instead of B copies.
  const bool shared = X.size(0) > 1 && X.stride(0) == 0;
  const torch::Tensor X0 = shared ? X[0] : torch::Tensor();
  const auto times_X = [&](const torch::Tensor& v) {  // X v, (B, n)
    return shared ? torch::matmul(v, X0.t()) : torch::matmul(X, v.unsqueeze(-1)).squeeze(-1);
  };
  const auto times_Xt = [&](const torch::Tensor& r) {  // X^T r, (B, d)
    return shared ? torch::matmul(r, X0) : torch::matmul(X.transpose(1, 2), r.unsqueeze(-1)).squeeze(-1);
  };
  if (method_ == Method::ista || method_ == Method::fista) {
    const torch::Tensor L =
        shared ? torch::linalg_eigvalsh(torch::matmul(X0.t(), X0), "L").max().reshape({1, 1}).clamp_min(1e-12)
               : std::get<0>(torch::linalg_eigvalsh(torch::matmul(X.transpose(1, 2), X), "L").max(-1, true)).clamp_min(1e-12);
    torch::Tensor z = beta, previous = beta;
    double t = 1.0;
    for (int k = 0; k < K; ++k) {
      const torch::Tensor next = soft_threshold(z + times_Xt(y - times_X(z)) / L, options_.alpha / L);
      if (method_ == Method::fista) {
        const double t_next = (1.0 + std::sqrt(1.0 + 4.0 * t * t)) / 2.0;
        z = next + ((t - 1.0) / t_next) * (next - previous);
        t = t_next;
      } else {
        z = next;
      }
      previous = next;
    }
    return previous;
  }
  for (int k = 0; k < K; ++k) {
    const torch::Tensor theta = theta_[k].to(options);
    if (method_ == Method::lista) {
      beta = soft_threshold(torch::matmul(y, w1_[k].to(options).t()) + torch::matmul(beta, w2_[k].to(options).t()), theta);
    } else if (method_ == Method::lista_cp) {
      beta = soft_threshold(beta + torch::matmul(y - times_X(beta), w_[k].to(options)), theta);
    } else if (method_ == Method::alista) {
      beta = soft_threshold(beta - gamma_[k].to(options) * torch::matmul(times_X(beta) - y, alista_w_.to(options)), theta);
    } else {  // the LISTA-VM family
      const torch::Tensor P = prior_.to(options);
      const torch::Tensor gradient = times_Xt(times_X(P * beta) - y);  // X^T (X P beta - y), (B, d)
      const torch::Tensor step =
          m_layers_.defined() ? torch::matmul(gradient, m_layers_[k].to(options).t()) / (2.0 * n + 1.0)
                              : torch::matmul(gradient, mv_.to(options).t()) * (gamma_[k].to(options) / (2.0 * n + 1.0));
      beta = P * soft_threshold(beta - P * step, theta);
    }
  }
  return beta;
}

}  // namespace icsr::models
