// The two trained in-context learners of Section 6: Small TF and GPT-2, in LibTorch, on CPU or CUDA.
//
// Both read a batch of instances with every prefix at once: X (B, N+1, d) and y (B, N+1), and predict
// y_n from (x_1, y_1, ..., x_{n-1}, y_{n-1}, x_n) for n = 1..N+1. Entry j of the (B, N+1) prediction
// has seen j examples; the last one is the paper's y^_{N+1}.
//
//   small_tf  The generic Transformer of Definitions 3.1-3.3 (models/transformer.hpp: ReLU attention
//             with the 1/i mask, no normalisation, no positions), 12 layers, 4 heads, D = 2d + 2 = 42,
//             D' = 4D, on the embedding (4.2). Its prediction at odd token 2n-1 uses one of three
//             read-outs:
//               linear        v^T h                          (Definition 4.1, v learned)
//               query         h^T V x_n                      (Definition 4.2, V learned, D x d)
//               query_dagger  h^T V† x_n, V† fixed to the V of the proof of Theorem 5.2 / Corollary
//                             E.1 (it selects the beta block: y^_n = x_n^T beta_{2n-1})
//   gpt2      The GPT-2 of Garg et al. 2022 (dtsip/in-context-learning, src/models.py): tokens
//             x_1, [y_1, 0...], x_2, ..., x_{N+1} read in by one Linear(d, E); learned positions;
//             pre-LayerNorm blocks with causal softmax attention and a GELU (tanh) MLP of width 4E;
//             a final LayerNorm; read out by Linear(E, 1) at the x tokens. 12 layers, E = 256, 8 heads.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/transformer_weights.hpp"

namespace icsr::models {

enum class Architecture { small_tf, gpt2 };
enum class Readout { linear, query, query_dagger };

std::string to_string(Architecture architecture);
std::string to_string(Readout readout);
Architecture architecture_from_string(const std::string& name);  // throws std::invalid_argument
Readout readout_from_string(const std::string& name);            // throws std::invalid_argument

struct IclModelOptions {
  Architecture architecture = Architecture::small_tf;
  Readout readout = Readout::linear;  // small_tf only; gpt2 always reads out linearly
  int d = 20;
  int N = 10;        // longest context; positions for gpt2 are sized by it
  int layers = 12;
  int heads = 4;     // small_tf: 4; gpt2: 8
  int embed = 0;     // gpt2: E (256); small_tf: ignored (D = 2d + 2)
  double init_std = 0.02;
};

// The paper's sizes: small_tf 12 layers, 4 heads; gpt2 12 layers, E = 256, 8 heads.
IclModelOptions paper_options(Architecture architecture, int d, int N);

// Throws std::invalid_argument naming the value: d < 1, N < 1, layers < 1, heads < 1, gpt2 with E not
// a positive multiple of heads, a readout other than linear for gpt2.
void validate(const IclModelOptions& options);

// (4.2) for every prefix at once: X (B, N+1, d), y (B, N+1) -> H (B, 2N+1, 2d+2) with token 2n-1
// (1-based) = (x_n, 0, 0, 1) and token 2n = (x_n, y_n, 0, 0). y_{N+1} is not embedded.
torch::Tensor embed_prefixes(const torch::Tensor& X, const torch::Tensor& y);

// Garg et al.'s sequence: x_1, [y_1, 0_{d-1}], x_2, ..., x_{N+1}: (B, 2N+1, d).
torch::Tensor interleave_tokens(const torch::Tensor& X, const torch::Tensor& y);

class GptBlockImpl : public torch::nn::Module {
 public:
  GptBlockImpl(int embed, int heads, int layers, double init_std);
  torch::Tensor forward(const torch::Tensor& h);

 private:
  int heads_;
  torch::nn::LayerNorm ln1_{nullptr}, ln2_{nullptr};
  torch::nn::Linear attn_{nullptr}, proj_{nullptr}, fc_{nullptr}, out_{nullptr};
};
TORCH_MODULE(GptBlock);

class IclModelImpl : public torch::nn::Module {
 public:
  explicit IclModelImpl(const IclModelOptions& options);

  // (B, N'+1) predictions for any N' <= options.N.
  torch::Tensor forward(const torch::Tensor& X, const torch::Tensor& y);

  // The hidden state at each prediction token (odd tokens for small_tf, x tokens for gpt2) after each
  // layer: entry 0 is the input (embedding), entry k the output of layer k; each (B, N'+1, width).
  std::vector<torch::Tensor> hidden_states(const torch::Tensor& X, const torch::Tensor& y);

  // All three read-outs of small_tf applied to one final hidden state (B, N'+1, D): the learned one
  // and query_dagger; used by the Figure 1c comparison. Throws for gpt2.
  torch::Tensor read_out(const torch::Tensor& final_odd, const torch::Tensor& X, Readout readout) const;

  // small_tf: loads the given weights (e.g. the paper's construction, models/construction.hpp) into the
  // trunk, so the trained and the hand-constructed Transformer run the same code. Throws
  // std::invalid_argument for gpt2 or on a shape mismatch.
  void load_trunk_weights(const TransformerWeights& weights);

  const IclModelOptions& options() const { return options_; }

 private:
  torch::Tensor trunk(const torch::Tensor& X, const torch::Tensor& y, std::vector<torch::Tensor>* states);

  IclModelOptions options_;
  // small_tf
  torch::nn::ModuleList tf_layers_{nullptr};
  torch::Tensor linear_v_, query_V_, dagger_V_;
  // gpt2
  torch::nn::Linear read_in_{nullptr}, read_out_{nullptr};
  torch::Tensor positions_;
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm final_ln_{nullptr};
};
TORCH_MODULE(IclModel);

// Number of trainable scalars.
int64_t parameter_count(IclModel& model);

// Number of scalars the model stores (every parameter, trainable or not, and every buffer) for these
// options, without building it: loading checks a checkpoint's configuration against what the file
// holds before allocating. Call it on options within the checkpoint bounds (no overflow check).
int64_t stored_scalar_count(const IclModelOptions& options);

}  // namespace icsr::models
