// The classical and learned sparse-recovery baselines of Section 6 and Appendix F, in LibTorch, on
// batches: X (B, n, d), y (B, n) -> beta (B, d). CPU or CUDA, float32 or float64.
//
//   ista       beta <- S_{alpha/L}(beta + X^T (y - X beta) / L), L = lambda_max(X^T X) per instance
//   fista      the same with Nesterov momentum (Beck & Teboulle 2009)
//   lista      beta <- S_{theta_k}(W1_k y + W2_k beta)                      (Gregor & LeCun 2010)
//   lista_cp   beta <- S_{theta_k}(beta + W_k^T (y - X beta))               (eq. 4.1; Chen et al. 2018)
//   alista     beta <- S_{theta_k}(beta - gamma_k W^T (X beta - y)), W analytic: the W minimising
//              ||W^T X||_F off the diagonal with diag(W^T X) = 1, from the training X (Liu & Chen 2019)
//   lista_vm   beta <- S_{theta_k}(beta - (gamma_k / (2n+1)) M^V X^T (X beta - y))   (eq. 4.4, Thm 4.1)
//   lista_vm_ss  the same with the support prior: columns outside 𝕊 zeroed (Appendix D.2)
//   lista_vm_per_layer     beta <- S_{theta_k}(beta - (1 / (2n+1)) M^(k) X^T (X beta - y)), one M^(k) in
//                          R^{d x d} per layer: eq. (4.4) as Theorem 4.1 states it, the LISTA-VM that
//                          Section 6 evaluates. lista_vm above is Theorem C.1's special case
//                          M^(k) = gamma_k M^V (one shared M^V).
//   lista_vm_ss_per_layer  the per-layer form with the support prior
//
// lista, lista_cp and alista have weights shaped by the training N, so they take n = N only; the
// others take any n. ista and fista have nothing to learn (alpha is a parameter).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace icsr::models {

enum class Method { ista, fista, lista, lista_cp, alista, lista_vm, lista_vm_ss, lista_vm_per_layer, lista_vm_ss_per_layer };

// lista_vm, lista_vm_ss and their per-layer forms: the LISTA-VM family (any n, eq. 4.4).
bool is_lista_vm(Method method);
// lista_vm_ss and lista_vm_ss_per_layer: the support prior zeroes the columns outside 𝕊.
bool uses_support_prior(Method method);

std::string to_string(Method method);
Method method_from_string(const std::string& name);  // throws std::invalid_argument listing the names
const std::vector<Method>& all_methods();

struct BaselineOptions {
  int d = 20;
  int N = 10;                     // rows of the training X (fixed-shape methods)
  int K = 12;                     // layers / iterations
  double alpha = 0.05;            // ISTA/FISTA threshold parameter, and the initial threshold scale
  std::vector<int> support_prior; // lista_vm_ss(_per_layer): 0-based indices of 𝕊
};

class BaselineImpl : public torch::nn::Module {
 public:
  // train_X (N, d) initialises lista/lista_cp (W = X/L as in ISTA) and fixes alista's analytic W; it
  // may be undefined for the other methods.
  BaselineImpl(Method method, BaselineOptions options, const torch::Tensor& train_X = {});

  torch::Tensor forward(const torch::Tensor& X, const torch::Tensor& y);  // (B, d)
  bool takes_any_n() const;
  bool learns() const;
  Method method() const { return method_; }
  const BaselineOptions& options() const { return options_; }

 private:
  Method method_;
  BaselineOptions options_;
  torch::Tensor theta_, gamma_, w1_, w2_, w_, mv_, m_layers_, alista_w_, prior_;
};
TORCH_MODULE(Baseline);

// The number of scalars a baseline stores (parameters and buffers) for these options, without building
// it: loading checks a checkpoint's configuration against what the file holds before allocating.
std::int64_t stored_scalar_count(Method method, const BaselineOptions& options);

// alista's W for one X (N, d): W_i = (X X^T)^{-1} X_i / (X_i^T (X X^T)^{-1} X_i), which minimises
// ||W^T X||_F subject to W_i^T X_i = 1 (needs N <= d and X X^T invertible).
torch::Tensor alista_weight(const torch::Tensor& X);

// S_theta(x) = x - clamp(x, -theta, theta), differentiable in x and theta.
torch::Tensor soft_threshold(const torch::Tensor& x, const torch::Tensor& theta);

}  // namespace icsr::models
