// LISTA-VM, the algorithm the constructed Transformer runs (eq. 4.4; C.12 in the proof of Theorem 4.1):
//
//   beta^(k+1) = S_{theta^(k)}( beta^(k) - (1/(2n+1)) M^(k) X_{1:n}^T (X_{1:n} beta^(k) - y_{1:n}) ),
//
// with beta^(1) = 0 and per-layer gamma^(k), theta^(k), M^(k). The construction of Appendix C.1 runs it
// with M^(k) = gamma^(k) M^V (Theorem C.1), which is why gamma is a parameter here and not folded into M.
// Plain Eigen in float64: this is the oracle the Transformer is compared against.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <vector>

namespace icsr::models {

struct ListaVmParams {
  std::vector<double> gamma;            // gamma^(1..K) > 0
  std::vector<double> theta;            // theta^(1..K) >= 0
  std::vector<Eigen::MatrixXd> matrix;  // M^(1..K), d x d; the step is (gamma^(k)/(2n+1)) M^(k)
  // The support prior 𝕊 of Remark 3 / Appendix D.2 (LISTA-VM-SS), as 0-based indices; empty: none.
  // With it the step is beta <- P S_theta(beta - (gamma/(2n+1)) P M X^T (X P beta - y)), P = I^S.
  std::vector<int> support_prior;

  int layers() const { return static_cast<int>(gamma.size()); }
};

// Throws std::invalid_argument when the lists disagree in length, a matrix is not d x d,
// or theta < 0 (the soft threshold needs theta >= 0).
void validate(const ListaVmParams& params, int d);

// One step, layer k (0-based), from the sufficient statistics of the first n examples:
// gram = X_{1:n}^T X_{1:n} and correlation = X_{1:n}^T y_{1:n}.
Eigen::VectorXd lista_vm_step(const ListaVmParams& params, int k, double n, const Eigen::MatrixXd& gram,
                              const Eigen::VectorXd& correlation, const Eigen::VectorXd& beta);

// The iterates beta^(1) = 0, ..., beta^(K+1) from those statistics (used where the Gram matrix is
// drawn directly from its Wishart law instead of from rows).
std::vector<Eigen::VectorXd> lista_vm_iterates_from_gram(const ListaVmParams& params, const Eigen::MatrixXd& gram,
                                                         const Eigen::VectorXd& correlation, double n);

// The error beta^(K+1) - beta* on a noiseless problem (correlation = gram beta*), computed in error space:
// e^(1) = -beta*, u = e^(k) - (gamma^(k)/(2n+1)) M^(k) (gram e^(k)), e^(k+1) = S_theta(beta* + u) - beta*, with
// S_theta(b + u) - b formed as u - theta, u + theta or -b (no cancellation against beta*). Equal to
// lista_vm_iterates_from_gram(params, gram, gram beta*, n).back() - beta* in exact arithmetic; in floating point
// its rounding stays relative to the error itself, so errors far below eps ||beta*|| are resolved (a bound of
// 1e-16 is not decided by rounding). No support prior (throws std::invalid_argument if one is set).
Eigen::VectorXd lista_vm_error_from_gram(const ListaVmParams& params, const Eigen::MatrixXd& gram,
                                         const Eigen::VectorXd& beta_star, double n);

// The iterates beta^(1), ..., beta^(K+1) on the first n examples (0 <= n <= rows of X).
std::vector<Eigen::VectorXd> lista_vm_iterates(const ListaVmParams& params, const Eigen::MatrixXd& X,
                                               const Eigen::VectorXd& y, int n);

// All prefixes at once: result[n][k-1] = beta^(k) on the first n examples, n = 0..N, k = 1..K+1.
// Reuses one Gram matrix per prefix, grown by rank-one updates.
std::vector<std::vector<Eigen::VectorXd>> lista_vm_all_prefixes(const ListaVmParams& params,
                                                                const Eigen::MatrixXd& X,
                                                                const Eigen::VectorXd& y);

// The last iterate beta^(K+1) of every prefix n = 0..n_max, handed to `visit(n, beta)` in order, with
// one Gram matrix grown by rank-one updates and no per-iterate allocation: the form the read-out
// statements need at the tens of thousands of prefixes N_0 demands. Equal to
// lista_vm_all_prefixes(params, X, y)[n].back() (tested).
void lista_vm_for_each_prefix(const ListaVmParams& params, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                              int n_max, const std::function<void(int, const Eigen::VectorXd&)>& visit);

}  // namespace icsr::models
