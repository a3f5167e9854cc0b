// Every quantity of Sections 5.1-5.2 and Appendices D-E, one plain function each, named after what it
// bounds and labelled with the paper's equation. Preconditions throw std::invalid_argument naming the
// value. Pure mathematics: no LibTorch, no sampling.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace icsr::theory {

// Lemma 1: sigma_min = min_{i in 𝕊} |D_i^T X_i|, sigma_max = max_{i != j} |D_i^T X_j| (all i != j in
// [d]); diagonal_min/max = min/max over all i in [d] of D_i^T X_i, for condition (D.2).
struct GeneralisedCoherence {
  double sigma_min = 0.0;
  double sigma_max = 0.0;
  double diagonal_min = 0.0;
  double diagonal_max = 0.0;
  double support_diagonal_max = 0.0;  // max_{i in 𝕊} |D_i^T X_i| (Lemma 3's second bound)
};
GeneralisedCoherence generalised_coherence(const Eigen::MatrixXd& D, const Eigen::MatrixXd& X,
                                           const std::vector<int>& support);

// The same from the matrix of inner products (i, j) = D_i^T X_j, e.g. scale * X^T X when D = scale X.
GeneralisedCoherence generalised_coherence(const Eigen::MatrixXd& inner, const std::vector<int>& support);

// Lemma 1: c1 = ||beta*||_1.
double lemma1_c1(const Eigen::VectorXd& beta_star);

// Lemma 1: the contraction factor gamma (2S-1) sigma_max + |1 - gamma sigma_min|, and c2 = -log of it.
double lemma1_contraction(double gamma, int S, double sigma_min, double sigma_max);
double lemma1_c2(double gamma, int S, double sigma_min, double sigma_max);

// Lemma 1: theta^(k) = gamma sigma_max c1 e^{-c2 (k - 2)} (as printed; `shift` = 2). The induction in
// the proof of Proposition 2 needs the hypothesis at k - 1, which `shift` = 1 gives.
double lemma1_theta(int k, double gamma, double sigma_max, double c1, double c2, int shift = 2);

// Lemma 1, condition (D.2): gamma (2S-1) sigma_max + |1 - gamma sigma_min| <= 1 and
// 0 <= gamma D_i^T X_i <= 1 for all i in [d].
bool lemma1_conditions(double gamma, int S, const GeneralisedCoherence& coherence);

// Lemma 3, with n examples (D_n = X_{1:n} M^V^T / (2n+1), M^V = (2/sigma_d^2) I):
double lemma3_diagonal_lower(double n, int S, double delta, double c);  // n/(n+2) (1 - sqrt((log S - log delta)/(n c)))
double lemma3_diagonal_upper(double n, int S, double delta, double c);  // n/(n+2) (1 + sqrt((log S - log delta)/(n c)))
double lemma3_off_diagonal(double n, int d, double delta, double c);    // sqrt((log d - log delta)/(n c))

// Theorem 5.1 and (D.7): N_0 = 8 (4S-2)^2 (log d + log S - log delta) / c.
double theorem51_N0(int d, int S, double delta, double c);

// Theorem 5.1 (main text): alpha_n = -log(1 - 2gamma/3 + gamma(2S-1) sqrt((log d - log delta)/(n c))
// + sqrt((log S - log delta)/(n c))). Throws when the argument of the log is not positive.
double theorem51_alpha(double n, int d, int S, double gamma, double delta, double c);

// Theorem D.1, eq. (D.3): as above but gamma multiplies the last square root too.
double theoremD1_alpha(double n, int d, int S, double gamma, double delta, double c);

// Theorem 5.1 / D.1: the bound scale * e^{-alpha K} (scale = b_beta, or c1 = ||beta*||_1 in D.1).
double convergence_bound(double scale, double alpha, int K);

// Corollary D.1, eq. (D.15): alpha_n^S and N_0^S, with |𝕊| in place of d.
double corollaryD1_alpha(double n, int support_size, int S, double gamma, double delta, double c);
double corollaryD1_N0(int support_size, int S, double delta, double c);

// Lemma 4: C_x = d b_x b_beta (N+1) / sigma_min(X^T X).
double lemma4_Cx(int d, double b_x, double b_beta, int N, double smallest_gram_eigenvalue);

// Corollary E.1: c6 = sqrt(d) b_x c1.
double corollaryE1_c6(int d, double b_x, double c1);

// Theorem E.1, eq. (E.7): eta = (1 - 2gamma/3) / ((1 - 2gamma/3) - (K-1) sqrt((log d + log S - log delta)/(N_0 c))).
double theoremE1_eta(double gamma, int K, int d, int S, double delta, double c, double N0);

// Theorem E.1: c4 = 2 sqrt(2) b_x eta / sqrt(p) sqrt((log d + log S - log delta)/c) + 2|B'|/sqrt(p)
// + 2 C_x b_x / sqrt(p), and the bound b_x (1 - 2gamma/3)^K + (c4 K / sqrt(n)) (1 - 2gamma/3)^(K-1).
double theoremE1_c4(double b_x, double eta, double p, int d, int S, double delta, double c, double B_prime, double Cx);
double theoremE1_bound(double b_x, double gamma, int K, double c4, int n);

}  // namespace icsr::theory
