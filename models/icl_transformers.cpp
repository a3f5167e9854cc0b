#include "models/icl_transformers.hpp"

#include <cmath>
#include <stdexcept>

#include "models/embedding.hpp"
#include "models/tensor_convert.hpp"
#include "models/transformer.hpp"

namespace icsr::models {
namespace {

using torch::indexing::None;
using torch::indexing::Slice;

// Prediction tokens: every other token from the first (odd tokens in the paper's 1-based count).
torch::Tensor prediction_tokens(const torch::Tensor& h) { return h.index({Slice(), Slice(0, None, 2)}); }

void check_batch(const torch::Tensor& X, const torch::Tensor& y, int d, int N) {
  if (X.dim() != 3 || y.dim() != 2 || X.size(0) != y.size(0) || X.size(1) != y.size(1)) {
    throw std::invalid_argument("in-context batch: X must be (B, n+1, d) and y (B, n+1)");
  }
  if (X.size(2) != d) throw std::invalid_argument("in-context batch: X has " + std::to_string(X.size(2)) + " columns, the model takes d = " + std::to_string(d));
  if (X.size(1) > N + 1) {
    throw std::invalid_argument("in-context batch: " + std::to_string(X.size(1) - 1) + " examples, the model takes at most N = " +
                                std::to_string(N));
  }
}

}  // namespace

std::string to_string(Architecture architecture) { return architecture == Architecture::small_tf ? "small_tf" : "gpt2"; }

std::string to_string(Readout readout) {
  switch (readout) {
    case Readout::linear: return "linear";
    case Readout::query: return "query";
    case Readout::query_dagger: return "query_dagger";
  }
  return "?";
}

Architecture architecture_from_string(const std::string& name) {
  if (name == "small_tf") return Architecture::small_tf;
  if (name == "gpt2") return Architecture::gpt2;
  throw std::invalid_argument("unknown model '" + name + "' (known: small_tf, gpt2)");
}

Readout readout_from_string(const std::string& name) {
  if (name == "linear") return Readout::linear;
  if (name == "query") return Readout::query;
  if (name == "query_dagger") return Readout::query_dagger;
  throw std::invalid_argument("unknown read-out '" + name + "' (known: linear, query, query_dagger)");
}

IclModelOptions paper_options(Architecture architecture, int d, int N) {
  IclModelOptions options;
  options.architecture = architecture;
  options.d = d;
  options.N = N;
  options.layers = 12;
  options.heads = architecture == Architecture::small_tf ? 4 : 8;
  options.embed = architecture == Architecture::small_tf ? 0 : 256;
  return options;
}

void validate(const IclModelOptions& o) {
  if (o.d < 1) throw std::invalid_argument("model: d must be >= 1");
  if (o.N < 1) throw std::invalid_argument("model: N must be >= 1");
  if (o.layers < 1) throw std::invalid_argument("model: layers must be >= 1");
  if (o.heads < 1) throw std::invalid_argument("model: heads must be >= 1");
  if (!(o.init_std > 0.0)) throw std::invalid_argument("model: init_std must be > 0");
  if (o.architecture == Architecture::gpt2) {
    if (o.embed < 1 || o.embed % o.heads != 0) throw std::invalid_argument("gpt2: the embedding must be a positive multiple of heads");
    if (o.readout != Readout::linear) throw std::invalid_argument("gpt2 reads out linearly (Garg et al.); --readout applies to small_tf");
  }
}

torch::Tensor embed_prefixes(const torch::Tensor& X, const torch::Tensor& y) {
  const int64_t B = X.size(0), rows = X.size(1), d = X.size(2), D = 2 * d + 2;
  const TokenLayout layout(static_cast<int>(d));
  // (B, rows, 2, D): pair 0 is the odd token (x_n, 0, 0, 1), pair 1 the even token (x_n, y_n, 0, 0).
  torch::Tensor tokens = torch::zeros({B, rows, 2, D}, X.options());
  tokens.index_put_({Slice(), Slice(), Slice(), Slice(0, d)}, X.unsqueeze(2).expand({B, rows, 2, d}));
  tokens.index_put_({Slice(), Slice(), 1, layout.label_row()}, y);
  tokens.index_put_({Slice(), Slice(), 0, layout.indicator_row()}, 1.0);
  return tokens.view({B, 2 * rows, D}).index({Slice(), Slice(0, 2 * rows - 1)});
}

torch::Tensor interleave_tokens(const torch::Tensor& X, const torch::Tensor& y) {
  const int64_t B = X.size(0), rows = X.size(1), d = X.size(2);
  torch::Tensor tokens = torch::zeros({B, rows, 2, d}, X.options());
  tokens.index_put_({Slice(), Slice(), 0}, X);
  tokens.index_put_({Slice(), Slice(), 1, 0}, y);
  return tokens.view({B, 2 * rows, d}).index({Slice(), Slice(0, 2 * rows - 1)});
}

GptBlockImpl::GptBlockImpl(int embed, int heads, int layers, double init_std) : heads_(heads) {
  ln1_ = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({embed}).eps(1e-5)));
  ln2_ = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({embed}).eps(1e-5)));
  attn_ = register_module("attn", torch::nn::Linear(embed, 3 * embed));
  proj_ = register_module("proj", torch::nn::Linear(embed, embed));
  fc_ = register_module("fc", torch::nn::Linear(embed, 4 * embed));
  out_ = register_module("out", torch::nn::Linear(4 * embed, embed));
  // GPT-2's initialisation (Hugging Face GPT2PreTrainedModel): N(0, 0.02^2) weights, zero biases, and
  // the residual projections scaled by 1/sqrt(2 * layers).
  torch::NoGradGuard no_grad;
  for (auto* linear : {&attn_, &proj_, &fc_, &out_}) {
    (*linear)->weight.normal_(0.0, init_std);
    (*linear)->bias.zero_();
  }
  proj_->weight.normal_(0.0, init_std / std::sqrt(2.0 * layers));
  out_->weight.normal_(0.0, init_std / std::sqrt(2.0 * layers));
}

torch::Tensor GptBlockImpl::forward(const torch::Tensor& h) {
  const int64_t B = h.size(0), T = h.size(1), E = h.size(2), head_dim = E / heads_;
  const torch::Tensor qkv = attn_(ln1_(h)).view({B, T, 3, heads_, head_dim}).permute({2, 0, 3, 1, 4});
  const torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];  // (B, M, T, E/M)
  const torch::Tensor causal = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(h.device())).triu(1);
  const torch::Tensor scores =
      (torch::matmul(q, k.transpose(2, 3)) / std::sqrt(static_cast<double>(head_dim))).masked_fill(causal, -INFINITY);
  const torch::Tensor mixed = torch::matmul(torch::softmax(scores, -1), v).permute({0, 2, 1, 3}).reshape({B, T, E});
  const torch::Tensor after_attention = h + proj_(mixed);
  return after_attention + out_(torch::gelu(fc_(ln2_(after_attention)), "tanh"));
}

IclModelImpl::IclModelImpl(const IclModelOptions& options) : options_(options) {
  validate(options);
  const int64_t d = options.d;
  if (options.architecture == Architecture::small_tf) {
    const int64_t D = 2 * d + 2;
    tf_layers_ = register_module("layers", torch::nn::ModuleList());
    for (int k = 0; k < options.layers; ++k) {
      tf_layers_->push_back(TransformerLayer(D, options.heads, 4 * D, options.init_std));
    }
    linear_v_ = register_parameter("readout_v", torch::randn({D}) * options.init_std, options.readout == Readout::linear);
    query_V_ = register_parameter("readout_V", torch::randn({D, d}) * options.init_std, options.readout == Readout::query);
    dagger_V_ = register_buffer("readout_V_dagger", to_tensor(corollary_e1_query_matrix(options.d)).to(torch::kFloat32));
  } else {
    const int64_t E = options.embed;
    read_in_ = register_module("read_in", torch::nn::Linear(d, E));
    read_out_ = register_module("read_out", torch::nn::Linear(E, 1));
    positions_ = register_parameter("positions", torch::randn({2 * options.N + 1, E}) * options.init_std);
    blocks_ = register_module("blocks", torch::nn::ModuleList());
    for (int k = 0; k < options.layers; ++k) blocks_->push_back(GptBlock(options.embed, options.heads, options.layers, options.init_std));
    final_ln_ = register_module("final_ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({E}).eps(1e-5)));
  }
}

torch::Tensor IclModelImpl::trunk(const torch::Tensor& X, const torch::Tensor& y, std::vector<torch::Tensor>* states) {
  check_batch(X, y, options_.d, options_.N);
  if (options_.architecture == Architecture::small_tf) {
    torch::Tensor h = embed_prefixes(X, y);
    if (states) states->push_back(prediction_tokens(h));
    for (std::size_t k = 0; k < tf_layers_->size(); ++k) {
      h = tf_layers_->ptr<TransformerLayerImpl>(k)->forward(h);
      if (states) states->push_back(prediction_tokens(h));
    }
    return prediction_tokens(h);
  }
  const torch::Tensor tokens = interleave_tokens(X, y);
  torch::Tensor h = read_in_(tokens) + positions_.index({Slice(0, tokens.size(1))});
  if (states) states->push_back(prediction_tokens(h));
  for (std::size_t k = 0; k < blocks_->size(); ++k) {
    h = blocks_->ptr<GptBlockImpl>(k)->forward(h);
    if (states) states->push_back(prediction_tokens(h));
  }
  return prediction_tokens(final_ln_(h));
}

torch::Tensor IclModelImpl::read_out(const torch::Tensor& final_odd, const torch::Tensor& X, Readout readout) const {
  if (options_.architecture != Architecture::small_tf) throw std::invalid_argument("read_out: small_tf only");
  switch (readout) {
    case Readout::linear: return torch::matmul(final_odd, linear_v_);
    case Readout::query: return (torch::matmul(final_odd, query_V_) * X).sum(-1);
    case Readout::query_dagger: return (torch::matmul(final_odd, dagger_V_.to(final_odd.scalar_type())) * X).sum(-1);
  }
  return {};
}

torch::Tensor IclModelImpl::forward(const torch::Tensor& X, const torch::Tensor& y) {
  const torch::Tensor last = trunk(X, y, nullptr);
  if (options_.architecture == Architecture::small_tf) return read_out(last, X, options_.readout);
  return read_out_(last).squeeze(-1);
}

std::vector<torch::Tensor> IclModelImpl::hidden_states(const torch::Tensor& X, const torch::Tensor& y) {
  std::vector<torch::Tensor> states;
  trunk(X, y, &states);
  return states;
}

void IclModelImpl::load_trunk_weights(const TransformerWeights& weights) {
  if (options_.architecture != Architecture::small_tf) throw std::invalid_argument("load_trunk_weights: small_tf only");
  if (weights.depth() != options_.layers) {
    throw std::invalid_argument("weights have " + std::to_string(weights.depth()) + " layers, the model has " +
                                std::to_string(options_.layers));
  }
  const torch::Dtype dtype = linear_v_.scalar_type();
  const torch::Device device = linear_v_.device();
  const Transformer loaded = transformer_from_weights(weights, dtype, device);  // validates every shape
  torch::NoGradGuard no_grad;
  for (int k = 0; k < options_.layers; ++k) {
    TransformerLayerImpl& target = *tf_layers_->ptr<TransformerLayerImpl>(k);
    const TransformerLayer source = loaded->layer(k);
    if (source->query.sizes() != target.query.sizes() || source->w1.sizes() != target.w1.sizes()) {
      throw std::invalid_argument("layer " + std::to_string(k + 1) + ": the weights' heads or widths differ from the model's");
    }
    target.query.copy_(source->query);
    target.key.copy_(source->key);
    target.value.copy_(source->value);
    target.w1.copy_(source->w1);
    target.w2.copy_(source->w2);
    target.bias.copy_(source->bias);
  }
}

int64_t parameter_count(IclModel& model) {
  int64_t count = 0;
  for (const auto& parameter : model->parameters()) {
    if (parameter.requires_grad()) count += parameter.numel();
  }
  return count;
}

int64_t stored_scalar_count(const IclModelOptions& options) {
  const int64_t d = options.d, N = options.N, layers = options.layers, heads = options.heads;
  if (options.architecture == Architecture::small_tf) {
    const int64_t D = 2 * d + 2;
    // query, key, value (heads, D, D); w1 (4D, D); w2 (D, 4D); bias (4D); then readout_v (D),
    // readout_V and readout_V_dagger (D, d).
    return layers * (3 * heads * D * D + 8 * D * D + 4 * D) + D + 2 * D * d;
  }
  const int64_t E = options.embed;
  // read_in (E, d) + E; read_out E + 1; positions (2N+1, E); per block two LayerNorms (4E), attn
  // (3E, E) + 3E, proj (E, E) + E, fc (4E, E) + 4E, out (E, 4E) + E; the final LayerNorm (2E).
  return d * E + E + E + 1 + (2 * N + 1) * E + layers * (12 * E * E + 13 * E) + 2 * E;
}

}  // namespace icsr::models
