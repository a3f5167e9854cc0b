// The paper's own Transformer (Appendix C.1), written as weights for the generic Transformer.
//
// Four heads per layer, in the order +1, -1, +2, -2 (eq. C.1, with the values of the proof of
// Theorem 4.1): M^Q_{+1} = -I, M^Q_{-1} = I, m^Q_{+2} = 1, m^Q_{-2} = -1, and
// M^V_{+1} = M^V_{+2} = gamma^(k) M^V, M^V_{-1} = M^V_{-2} = -gamma^(k) M^V. The constant B in Q_{+-1}
// silences the keys of odd tokens. The MLP (eq. C.2) has D' = 4D = 8d+8 and implements the soft
// threshold on the beta block (eq. C.3).
//
// Finding: eq. (C.2) as printed puts +theta in the fourth bias block. That block then computes
// -relu(-x + theta), and the MLP outputs x - theta for every x (an affine map, not S_theta). The
// soft threshold needs -relu(-x - theta), i.e. -theta in both threshold blocks. MlpBias::corrected
// (the default) uses -theta; MlpBias::paper_literal reproduces the printed weights, so the finding
// stays checkable (statement c3.mlp).
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "models/lista_vm.hpp"
#include "models/transformer_weights.hpp"
#include "theory/problem.hpp"

namespace icsr::models {

enum class MlpBias { corrected, paper_literal };

struct ConstructionOptions {
  int d = 1;
  std::vector<double> gamma;          // gamma^(1..K)
  std::vector<double> theta;          // theta^(1..K) >= 0
  Eigen::MatrixXd mv;                 // M^V, d x d
  double B = 0.0;                     // key-silencing constant of Q_{+-1}; see the B choices below
  MlpBias mlp_bias = MlpBias::corrected;
  std::vector<int> support_prior;     // 𝕊 (0-based) for the modified construction of Appendix D.2; empty: none

  int layers() const { return static_cast<int>(gamma.size()); }
};

// Throws std::invalid_argument naming the value: d < 1, lists of unequal length, theta < 0, M^V not
// d x d, B negative or not finite.
void validate(const ConstructionOptions& options);

// The K-layer weights of Appendix C.1, or of Appendix D.2 when options.support_prior is set (heads with
// I^S in Q_{+-1}, K_{+-1}, V_{+-1}, V_{+-2}, and the MLP above).
TransformerWeights construct_lista_vm_transformer(const ConstructionOptions& options);

// One MLP of eq. (C.2) (attention weights left empty): W1 = [W_sub; -W_sub; W_sub; -W_sub],
// W2 = [-I, I, I, -I], and the bias with threshold blocks chosen by mlp_bias.
LayerWeights soft_threshold_mlp(int d, double theta, MlpBias mlp_bias);

// The MLP of Appendix D.2 (W_1,sub(1..4)): S_theta on the beta rows in 𝕊, zero on the other beta rows,
// identity elsewhere. Its printed bias repeats the +theta of (C.2); mlp_bias chooses as above.
LayerWeights support_prior_mlp(int d, double theta, MlpBias mlp_bias, const std::vector<int>& support_prior);

// The LISTA-VM iteration (4.4) that Theorem C.1 says the construction runs: M^(k) = gamma^(k) M^V.
ListaVmParams lista_vm_params(const ConstructionOptions& options);

// B from the proof of Proposition 1: b_beta b_x + b_x sqrt(d) (b_beta + C_beta^K), with the
// Assumption 1 constants read off the instance: b_x = max_i ||x_i|| over x_1..x_{N+1} and
// b_beta = ||beta*||_1 (the smallest constants for which Assumption 1 holds on this draw).
double proof_B(const ConstructionOptions& options, const theory::Instance& instance);

// The smallest B that silences every odd key on this instance: the largest |beta_{2n+1}^(k) . x_l|
// over layers k = 1..K, prefixes n = 0..N and odd tokens 2l-1 <= 2n+1. Any B at or above it makes
// the construction exact; `iterates` is lista_vm_all_prefixes(lista_vm_params(options), X, y).
double required_B(const std::vector<std::vector<Eigen::VectorXd>>& iterates, const theory::Instance& instance);

// B read off the data: 2 * required_B + 1, a margin that keeps float32 runs exact too.
double data_B(const ConstructionOptions& options, const theory::Instance& instance);

// Theorem E.1's extra (K+1)-th layer, padded to `heads` heads and an MLP of width `hidden` (the sizes
// of the K layers before it). Head 1: Q h_i = [0_d; ind_i; x_i; 0], K h_j = [0_d; -B' ind_j; beta_j; 0],
// V h_j = [0_d; ind_j; 0_{d+1}], so the label row of odd token 2n-1 receives
// (1/(2n-1)) sum_{odd j} relu(x_n^T beta_j - B'). The MLP maps that value y to (2/p) y + B' (two
// hidden units: relu(y) with weight 2/p - 1 on top of the residual, and relu(1) with weight B').
// Throws std::invalid_argument for p outside (0, 1], a non-finite B', heads < 1 or hidden < 2.
LayerWeights theoremE1_readout_layer(int d, double B_prime, double p, int heads, int hidden);

// The K + 1 layers: the construction followed by theoremE1_readout_layer.
TransformerWeights with_theoremE1_readout_layer(TransformerWeights weights, int d, double B_prime, double p);

// What that layer's linear read-out (the label row) gives at odd token 2n-1, from the inner products
// inner[m] = x_n^T beta_{2m+1}^(K+1), m = 0..n-1 (every odd token up to 2n-1):
//   y^_n = (2/p) (1/(2n-1)) sum_m relu(inner[m] - B') + B'
// (the proof's y^_n = 2/(2np-p) sum_{o_j=1} x_n^T beta_j - 2(sum o_j) B'/(2np-p) + B').
double theoremE1_prediction(const std::vector<double>& inner, double B_prime, double p);

}  // namespace icsr::models
