#include "models/construction.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/embedding.hpp"
#include "theory/proposition1.hpp"

namespace icsr::models {

void validate(const ConstructionOptions& options) {
  if (options.d < 1) throw std::invalid_argument("d must be >= 1, got " + std::to_string(options.d));
  if (options.gamma.empty()) throw std::invalid_argument("the construction needs K >= 1 layers (one gamma each)");
  if (options.theta.size() != options.gamma.size()) {
    throw std::invalid_argument("need one theta per layer: " + std::to_string(options.gamma.size()) +
                                " gammas, " + std::to_string(options.theta.size()) + " thetas");
  }
  for (std::size_t k = 0; k < options.theta.size(); ++k) {
    if (!(options.theta[k] >= 0.0) || !std::isfinite(options.theta[k])) {
      throw std::invalid_argument("theta^(" + std::to_string(k + 1) + ") must be >= 0, got " +
                                  std::to_string(options.theta[k]));
    }
    if (!std::isfinite(options.gamma[k])) {
      throw std::invalid_argument("gamma^(" + std::to_string(k + 1) + ") must be finite");
    }
  }
  if (options.mv.rows() != options.d || options.mv.cols() != options.d) {
    throw std::invalid_argument("M^V must be d x d with d=" + std::to_string(options.d));
  }
  if (!(options.B >= 0.0) || !std::isfinite(options.B)) {
    throw std::invalid_argument("B must be finite and >= 0, got " + std::to_string(options.B));
  }
  for (int index : options.support_prior) {
    if (index < 0 || index >= options.d) {
      throw std::invalid_argument("support prior index must lie in [0, d), got " + std::to_string(index));
    }
  }
}

LayerWeights soft_threshold_mlp(int d, double theta, MlpBias mlp_bias) {
  const TokenLayout layout(d);
  const int D = layout.dim();
  Eigen::MatrixXd w_sub = Eigen::MatrixXd::Zero(D, D);
  w_sub.block(layout.beta_begin(), layout.beta_begin(), d, d).setIdentity();
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(D, D);

  LayerWeights layer;
  layer.w1.resize(4 * D, D);
  layer.w1 << w_sub, -w_sub, w_sub, -w_sub;
  layer.w2.resize(D, 4 * D);
  layer.w2 << -identity, identity, identity, -identity;
  // (C.2): b = [0_{5d+5}; -theta 1_d; 0_{d+2}; +-theta 1_d; 0]: the beta rows of blocks 3 and 4.
  layer.bias = Eigen::VectorXd::Zero(4 * D);
  layer.bias.segment(2 * D + layout.beta_begin(), d).setConstant(-theta);
  const double fourth = mlp_bias == MlpBias::paper_literal ? theta : -theta;
  layer.bias.segment(3 * D + layout.beta_begin(), d).setConstant(fourth);
  return layer;
}

LayerWeights support_prior_mlp(int d, double theta, MlpBias mlp_bias, const std::vector<int>& support_prior) {
  const TokenLayout layout(d);
  const int D = layout.dim();
  const int beta = layout.beta_begin();
  Eigen::VectorXd in_prior = Eigen::VectorXd::Zero(d);
  for (int index : support_prior) in_prior(index) = 1.0;
  // W_1,sub(m): +-1 on the beta rows in 𝕊 and +-1 on the others, with the signs of Appendix D.2.
  const auto block = [&](double sign_in, double sign_out) {
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(D, D);
    for (int i = 0; i < d; ++i) w(beta + i, beta + i) = in_prior(i) > 0 ? sign_in : sign_out;
    return w;
  };
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(D, D);
  LayerWeights layer;
  layer.w1.resize(4 * D, D);
  layer.w1 << block(1, 1), block(-1, 1), block(1, -1), block(-1, 1);
  layer.w2.resize(D, 4 * D);
  layer.w2 << -identity, identity, identity, -identity;
  layer.bias = Eigen::VectorXd::Zero(4 * D);
  const double fourth = mlp_bias == MlpBias::paper_literal ? theta : -theta;
  for (int index : support_prior) {
    layer.bias(2 * D + beta + index) = -theta;
    layer.bias(3 * D + beta + index) = fourth;
  }
  return layer;
}

TransformerWeights construct_lista_vm_transformer(const ConstructionOptions& options) {
  validate(options);
  const int d = options.d;
  const TokenLayout layout(d);
  const int D = layout.dim();
  const int beta = layout.beta_begin();
  const int last = layout.indicator_row();
  // I^S of Appendix D.2 (the identity without a support prior).
  Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(d, d);
  if (!options.support_prior.empty()) {
    identity.setZero();
    for (int index : options.support_prior) identity(index, index) = 1.0;
  }

  TransformerWeights weights;
  for (int k = 0; k < options.layers(); ++k) {
    LayerWeights layer = options.support_prior.empty()
                             ? soft_threshold_mlp(d, options.theta[k], options.mlp_bias)
                             : support_prior_mlp(d, options.theta[k], options.mlp_bias, options.support_prior);
    const Eigen::MatrixXd step = identity * (options.gamma[k] * options.mv);
    // Heads +1 and -1: Q h_i = [0; M^Q beta_i; -B ind_i], K h_j = [0; x_j; ind_j], V h_j = [0; M^V x_j; 0].
    for (double sign : {+1.0, -1.0}) {
      Eigen::MatrixXd q = Eigen::MatrixXd::Zero(D, D), key = q, value = q;
      q.block(beta, beta, d, d) = -sign * identity;
      q(last, last) = -options.B;
      key.block(beta, 0, d, d) = identity;
      key(last, last) = 1.0;
      value.block(beta, 0, d, d) = sign * step;
      layer.query.push_back(q);
      layer.key.push_back(key);
      layer.value.push_back(value);
    }
    // Heads +2 and -2: Q h_i = m^Q ind_i e_{d+1}, K h_j = y_j e_{d+1}, V as above.
    for (double sign : {+1.0, -1.0}) {
      Eigen::MatrixXd q = Eigen::MatrixXd::Zero(D, D), key = q, value = q;
      q(layout.label_row(), last) = sign;
      key(layout.label_row(), layout.label_row()) = 1.0;
      value.block(beta, 0, d, d) = sign * step;
      layer.query.push_back(q);
      layer.key.push_back(key);
      layer.value.push_back(value);
    }
    weights.layers.push_back(std::move(layer));
  }
  return weights;
}

ListaVmParams lista_vm_params(const ConstructionOptions& options) {
  validate(options);
  ListaVmParams params;
  params.gamma = options.gamma;
  params.theta = options.theta;
  params.matrix.assign(options.gamma.size(), options.mv);
  params.support_prior = options.support_prior;
  return params;
}

double proof_B(const ConstructionOptions& options, const theory::Instance& instance) {
  const Eigen::MatrixXd x_tilde = augmented_design(instance);
  double gamma_max = 0.0;
  for (double gamma : options.gamma) gamma_max = std::max(gamma_max, std::abs(gamma));
  theory::Proposition1Inputs inputs;
  inputs.b_x = x_tilde.rowwise().norm().maxCoeff();
  inputs.b_beta = instance.beta_star.lpNorm<1>();
  inputs.d = options.d;
  inputs.gamma_max = gamma_max;
  inputs.mv_norm = Eigen::JacobiSVD<Eigen::MatrixXd>(options.mv).singularValues()(0);
  inputs.K = options.layers();
  return theory::proposition1_B(inputs);
}

double required_B(const std::vector<std::vector<Eigen::VectorXd>>& iterates, const theory::Instance& instance) {
  const Eigen::MatrixXd x_tilde = augmented_design(instance);
  double largest = 0.0;
  for (std::size_t n = 0; n < iterates.size(); ++n) {
    // Layer k reads beta^(k), k = 1..K: every iterate but the last.
    for (std::size_t k = 0; k + 1 < iterates[n].size(); ++k) {
      const Eigen::VectorXd inner = x_tilde.topRows(n + 1) * iterates[n][k];
      largest = std::max(largest, inner.cwiseAbs().maxCoeff());
    }
  }
  return largest;
}

double data_B(const ConstructionOptions& options, const theory::Instance& instance) {
  const auto iterates = lista_vm_all_prefixes(lista_vm_params(options), instance.X, instance.y);
  return 2.0 * required_B(iterates, instance) + 1.0;
}

LayerWeights theoremE1_readout_layer(int d, double B_prime, double p, int heads, int hidden) {
  if (d < 1) throw std::invalid_argument("d must be >= 1, got " + std::to_string(d));
  if (!(p > 0.0 && p <= 1.0)) throw std::invalid_argument("p must lie in (0, 1], got " + std::to_string(p));
  if (!std::isfinite(B_prime)) throw std::invalid_argument("B' must be finite");
  if (heads < 1) throw std::invalid_argument("the read-out layer needs >= 1 head, got " + std::to_string(heads));
  if (hidden < 2) throw std::invalid_argument("the read-out MLP needs >= 2 hidden units, got " + std::to_string(hidden));
  const TokenLayout layout(d);
  const int D = layout.dim();
  const int label = layout.label_row(), beta = layout.beta_begin(), last = layout.indicator_row();
  LayerWeights layer;
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(D, D), key = q, value = q;
  q(label, last) = 1.0;                      // ind_i into the label row
  q.block(beta, 0, d, d).setIdentity();      // x_i into the beta rows
  key(label, last) = -B_prime;               // -B' ind_j
  key.block(beta, beta, d, d).setIdentity(); // beta_j
  value(label, last) = 1.0;                  // ind_j
  layer.query.push_back(q);
  layer.key.push_back(key);
  layer.value.push_back(value);
  for (int m = 1; m < heads; ++m) {
    layer.query.push_back(Eigen::MatrixXd::Zero(D, D));
    layer.key.push_back(Eigen::MatrixXd::Zero(D, D));
    layer.value.push_back(Eigen::MatrixXd::Zero(D, D));
  }
  layer.w1 = Eigen::MatrixXd::Zero(hidden, D);
  layer.w2 = Eigen::MatrixXd::Zero(D, hidden);
  layer.bias = Eigen::VectorXd::Zero(hidden);
  layer.w1(0, label) = 1.0;              // relu(y)
  layer.w2(label, 0) = 2.0 / p - 1.0;    // y + (2/p - 1) y = (2/p) y
  layer.bias(1) = 1.0;                   // relu(1) = 1
  layer.w2(label, 1) = B_prime;          // + B'
  return layer;
}

TransformerWeights with_theoremE1_readout_layer(TransformerWeights weights, int d, double B_prime, double p) {
  if (weights.depth() < 1) throw std::invalid_argument("the read-out layer follows K >= 1 layers");
  const LayerWeights& first = weights.layers.front();
  weights.layers.push_back(theoremE1_readout_layer(d, B_prime, p, first.heads(), first.hidden()));
  return weights;
}

double theoremE1_prediction(const std::vector<double>& inner, double B_prime, double p) {
  if (inner.empty()) throw std::invalid_argument("the prediction at token 2n-1 needs n >= 1 inner products");
  if (!(p > 0.0 && p <= 1.0)) throw std::invalid_argument("p must lie in (0, 1], got " + std::to_string(p));
  double total = 0.0;
  for (double value : inner) total += std::max(value - B_prime, 0.0);
  const double tokens = 2.0 * static_cast<double>(inner.size()) - 1.0;
  return 2.0 / p * total / tokens + B_prime;
}

}  // namespace icsr::models
