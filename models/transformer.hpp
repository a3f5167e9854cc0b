// The generic decoder Transformer of Definitions 3.1-3.3, in LibTorch, exactly as the paper writes it:
//
//   Attn(H)_i = h_i + sum_m sum_{j<=i} (1/i) relu((Q_m h_i)^T (K_m h_j)) V_m h_j     (Definition 3.1)
//   MLP(h)    = h + W2 relu(W1 h + b)                                                 (Definition 3.2)
//   TF(H)     = MLP(Attn(H)), stacked K times                                         (Definition 3.3)
//
// M heads with full D x D query, key and value matrices; ReLU attention with the 1/i causal mask; no
// normalisation, no positional encoding. Tensors are batch-first: h is (B, T, D), token t is the row
// h[b, t, :]. Parameters are registered, so the same module is trained (Small TF) and loaded with the
// paper's construction. Works in float32 and float64, on CPU and CUDA.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "models/transformer_weights.hpp"

namespace icsr::models {

struct TransformerOptions {
  TransformerOptions(int64_t dim, int64_t heads, int64_t hidden, int64_t layers)
      : dim_(dim), heads_(heads), hidden_(hidden), layers_(layers) {}
  TORCH_ARG(int64_t, dim);          // D
  TORCH_ARG(int64_t, heads);        // M
  TORCH_ARG(int64_t, hidden);       // D'
  TORCH_ARG(int64_t, layers);       // K
  TORCH_ARG(double, init_std) = 0.02;  // N(0, init_std^2) initial weights (training)
};

// The mask of Definition 3.1: entry (i, j) is 1/(i+1) for j <= i (0-based), else 0. Shape (T, T).
torch::Tensor causal_mean_mask(int64_t tokens, const torch::TensorOptions& options);

class TransformerLayerImpl : public torch::nn::Module {
 public:
  TransformerLayerImpl(int64_t dim, int64_t heads, int64_t hidden, double init_std);

  torch::Tensor attention(const torch::Tensor& h) const;  // (B, T, D) -> (B, T, D)
  torch::Tensor mlp(const torch::Tensor& h) const;        // (B, T, D) -> (B, T, D)
  torch::Tensor forward(const torch::Tensor& h) const { return mlp(attention(h)); }

  torch::Tensor query;  // (M, D, D)
  torch::Tensor key;    // (M, D, D)
  torch::Tensor value;  // (M, D, D)
  torch::Tensor w1;     // (D', D)
  torch::Tensor w2;     // (D, D')
  torch::Tensor bias;   // (D')
};
TORCH_MODULE(TransformerLayer);

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const TransformerOptions& options);

  torch::Tensor forward(const torch::Tensor& h);                    // H^(K+1)
  std::vector<torch::Tensor> forward_all(const torch::Tensor& h);   // H^(1), ..., H^(K+1)
  TransformerLayer layer(int64_t index) const;

  const TransformerOptions& options() const { return options_; }

 private:
  TransformerOptions options_;
  torch::nn::ModuleList layers_;
};
TORCH_MODULE(Transformer);

// Builds a Transformer whose parameters are the given weights, in the given dtype and device.
Transformer transformer_from_weights(const TransformerWeights& weights, torch::Dtype dtype,
                                     const torch::Device& device);

// Copies weights into an existing module; throws std::invalid_argument on a shape mismatch.
void load_weights(Transformer& model, const TransformerWeights& weights);

// Reads the module's parameters back as float64 weights.
TransformerWeights extract_weights(const Transformer& model);

}  // namespace icsr::models
