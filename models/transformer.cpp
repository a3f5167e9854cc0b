#include "models/transformer.hpp"

#include <stdexcept>
#include <string>

#include "models/tensor_convert.hpp"

namespace icsr::models {

torch::Tensor causal_mean_mask(int64_t tokens, const torch::TensorOptions& options) {
  const torch::Tensor lower = torch::ones({tokens, tokens}, options).tril();
  const torch::Tensor counts = torch::arange(1, tokens + 1, options).unsqueeze(1);
  return lower / counts;
}

TransformerLayerImpl::TransformerLayerImpl(int64_t dim, int64_t heads, int64_t hidden, double init_std) {
  query = register_parameter("query", torch::randn({heads, dim, dim}) * init_std);
  key = register_parameter("key", torch::randn({heads, dim, dim}) * init_std);
  value = register_parameter("value", torch::randn({heads, dim, dim}) * init_std);
  w1 = register_parameter("w1", torch::randn({hidden, dim}) * init_std);
  w2 = register_parameter("w2", torch::randn({dim, hidden}) * init_std);
  bias = register_parameter("bias", torch::zeros({hidden}));
}

torch::Tensor TransformerLayerImpl::attention(const torch::Tensor& h) const {
  const int64_t batch = h.size(0), tokens = h.size(1), dim = h.size(2), heads = query.size(0);
  // q_t = Q_m h_t for every head, and likewise k and v, in one GEMM: h (B, T, D) times the stacked
  // (3 M D, D) weights, viewed as (3, B, M, T, D).
  const torch::Tensor stacked = torch::cat({query, key, value}).reshape({3 * heads * dim, dim});
  const torch::Tensor qkv = torch::matmul(h, stacked.t()).view({batch, tokens, 3, heads, dim}).permute({2, 0, 3, 1, 4});
  const torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  // scores[b, m, i, j] = relu(q_i . k_j), weighted by 1/i over j <= i, summed over heads.
  const torch::Tensor scores = torch::relu(torch::matmul(q, k.transpose(2, 3)));
  const torch::Tensor weights = scores * causal_mean_mask(tokens, h.options());
  return h + torch::matmul(weights, v).sum(1);
}

torch::Tensor TransformerLayerImpl::mlp(const torch::Tensor& h) const {
  return h + torch::matmul(torch::relu(torch::matmul(h, w1.t()) + bias), w2.t());
}

TransformerImpl::TransformerImpl(const TransformerOptions& options) : options_(options) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int64_t k = 0; k < options.layers(); ++k) {
    layers_->push_back(TransformerLayer(options.dim(), options.heads(), options.hidden(), options.init_std()));
  }
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& h) {
  torch::Tensor state = h;
  for (int64_t k = 0; k < options_.layers(); ++k) state = layer(k)->forward(state);
  return state;
}

std::vector<torch::Tensor> TransformerImpl::forward_all(const torch::Tensor& h) {
  std::vector<torch::Tensor> states{h};
  for (int64_t k = 0; k < options_.layers(); ++k) states.push_back(layer(k)->forward(states.back()));
  return states;
}

TransformerLayer TransformerImpl::layer(int64_t index) const {
  return layers_->ptr<TransformerLayerImpl>(index);
}

namespace {

torch::Tensor stack_matrices(const std::vector<Eigen::MatrixXd>& matrices) {
  std::vector<torch::Tensor> tensors;
  for (const auto& matrix : matrices) tensors.push_back(to_tensor(matrix));
  return torch::stack(tensors);
}

void check_layer_shape(const LayerWeights& layer, const TransformerOptions& options, int index) {
  const auto fail = [index](const std::string& what) {
    throw std::invalid_argument("layer " + std::to_string(index + 1) + ": " + what);
  };
  if (layer.heads() != options.heads()) fail("expected " + std::to_string(options.heads()) + " heads");
  if (layer.w1.rows() != options.hidden() || layer.w1.cols() != options.dim()) fail("W1 must be D' x D");
  if (layer.w2.rows() != options.dim() || layer.w2.cols() != options.hidden()) fail("W2 must be D x D'");
  if (layer.bias.size() != options.hidden()) fail("b must have D' entries");
  for (int m = 0; m < layer.heads(); ++m) {
    for (const auto* matrix : {&layer.query[m], &layer.key[m], &layer.value[m]}) {
      if (matrix->rows() != options.dim() || matrix->cols() != options.dim()) fail("Q, K, V must be D x D");
    }
  }
}

}  // namespace

void load_weights(Transformer& model, const TransformerWeights& weights) {
  const TransformerOptions& options = model->options();
  if (weights.depth() != options.layers()) {
    throw std::invalid_argument("weights have " + std::to_string(weights.depth()) + " layers, model has " +
                                std::to_string(options.layers()));
  }
  torch::NoGradGuard no_grad;
  for (int k = 0; k < weights.depth(); ++k) {
    const LayerWeights& source = weights.layers[k];
    check_layer_shape(source, options, k);
    TransformerLayer target = model->layer(k);
    target->query.copy_(stack_matrices(source.query));
    target->key.copy_(stack_matrices(source.key));
    target->value.copy_(stack_matrices(source.value));
    target->w1.copy_(to_tensor(source.w1));
    target->w2.copy_(to_tensor(source.w2));
    target->bias.copy_(to_tensor(source.bias));
  }
}

Transformer transformer_from_weights(const TransformerWeights& weights, torch::Dtype dtype,
                                     const torch::Device& device) {
  if (weights.depth() < 1) throw std::invalid_argument("weights must have at least one layer");
  const LayerWeights& first = weights.layers.front();
  Transformer model(TransformerOptions(first.dim(), first.heads(), first.hidden(), weights.depth()));
  model->to(device, dtype);
  load_weights(model, weights);
  return model;
}

TransformerWeights extract_weights(const Transformer& model) {
  TransformerWeights weights;
  for (int64_t k = 0; k < model->options().layers(); ++k) {
    const TransformerLayer layer = model->layer(k);
    LayerWeights out;
    for (int64_t m = 0; m < model->options().heads(); ++m) {
      out.query.push_back(to_matrix(layer->query[m]));
      out.key.push_back(to_matrix(layer->key[m]));
      out.value.push_back(to_matrix(layer->value[m]));
    }
    out.w1 = to_matrix(layer->w1);
    out.w2 = to_matrix(layer->w2);
    out.bias = to_vector(layer->bias);
    weights.layers.push_back(std::move(out));
  }
  return weights;
}

}  // namespace icsr::models
