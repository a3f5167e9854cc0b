// The proof of Theorem D.1 (Proposition 2, Appendix D.1) as a chain of steps, each its own ∀-implication
// property: "under the theorem's hypotheses (n >= N_0, 0 < gamma < 1.6) and the premises the proof has at
// that point (event A of (D.4), or an earlier step), this inequality holds on every draw". A draw where the
// step's premises fail is counted as premise unmet (figures.premise_unmet), so a premise that never holds is
// seen as a vacuous step. The configurations are those of thmD.1 (Gaussian rows, isotropic or not, c derived
// per design, the proof's M^V = (2/sigma_d^2) I); one draw per configuration, X^T X from the Wishart law.
//
// The chain, in the proof's order (proof_chain_d1() gives the ids):
//   D9     n >= N_0  =>  (2S-1) s_d <= n/(n+2) (1 - s_S)                          (D.8)-(D.9), deterministic
//   D10    A         =>  (2S-1) sigma_max <= sigma_min                             (D.10)
//   D14    gamma < 1.6, n >= N_0  =>  gamma <= 1/(n/(n+2) (1 + s_S))               (D.14) by the chain "≥ 1.6"
//   D11    A, (D.14) =>  gamma max_{i in [d]} D_i^T X_i <= 1                       (D.11) (hence (D.6))
//   D6     A         =>  0 <= gamma D_i^T X_i <= 1 for every i in [d]              (D.6), from the hypotheses
//   D5     A         =>  gamma (2S-1) sigma_max + |1 - gamma sigma_min| <= 1        (D.5) via (D.12)-(D.13)
//   rate   A, (D.11) =>  gamma (2S-1) sigma_max + |1 - gamma sigma_min| <= e^{-alpha_n}, alpha_n of (D.3)
//   prop2  A         =>  ||beta^(K+1) - beta*|| <= c1 e^{-alpha_n K}               Proposition 2's conclusion, with
//                        the proof's parameters (its witness: a failure is a proof defect, not a refutation)
// with s_S = sqrt((log S - log delta)/(n c)), s_d = sqrt((log d - log delta)/(n c)), sigma_min = min_{i in 𝕊}
// D_i^T X_i, sigma_max = max_{i != j} |D_i^T X_j| and D = X M^V^T/(2n+1).
#pragma once

#include <string>
#include <vector>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"
#include "properties/statements/thm5_1_convergence.hpp"

namespace icsr::properties {

enum class D1Step { D9, D10, D14, D11, D6, D5, rate, prop2 };

Statement proof_step_d1(D1Step step);

// One configuration's draw judged by one step: vacuous when the step's premises fail on it (details.premise says
// which), else error against tolerance. c is the configuration's (config_c).
TrialOutcome evaluate_d1_step(const ConvergenceCase& value, D1Step step, double c);

// The step ids in the order of the proof ("thmD.1.step.D9", ...).
std::vector<std::string> proof_chain_d1();

// The proof of Corollary E.1 (Appendix E) on the same draws (with the query x_{n+1} of corE.1), after Proposition 1's
// structure of h^(K+1) (thm4.1, the chain's first step):
//   norm     ||x_{n+1}|| <= sqrt(d) b_x, b_x = ||x_{n+1}||_inf as corE.1 reads Assumption 1
//   cs       |x_{n+1}^T (beta* - beta^(K+1))| <= ||x_{n+1}|| ||beta* - beta^(K+1)||    (Cauchy-Schwarz)
//   thm5.1   A  =>  ||beta^(K+1) - beta*|| <= c1 e^{-alpha_n K}, Theorem 5.1's alpha_n, the proof's parameters
enum class CorE1Step { norm, cauchy_schwarz, theorem51 };
Statement proof_step_corE1(CorE1Step step);
TrialOutcome evaluate_corE1_step(const ConvergenceCase& value, CorE1Step step, double c);
std::vector<std::string> proof_chain_corE1();

}  // namespace icsr::properties
