// Theorem 5.1, its appendix form Theorem D.1 (with Proposition 2), and Corollary E.1 (query read-out):
// the LISTA-VM iterate of the constructed Transformer converges linearly in K for n >= N_0.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <vector>

#include <Eigen/Dense>

#include <nlohmann/json.hpp>

#include "models/lista_vm.hpp"
#include "properties/harness/probabilistic.hpp"
#include "properties/harness/spec.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

enum class ConvergenceClaim {
  theorem51,    // ||beta^(K+1) - beta*|| <= b_beta e^{-alpha_n K}, alpha_n of Theorem 5.1, probability >= 1 - delta
  theoremD1,    // the same with c1 = ||beta*||_1 and alpha_n of (D.3), probability >= 1 - 3 delta
  corollaryE1,  // |y_{n+1} - x_{n+1}^T beta^(K+1)| <= sqrt(d) b_x c1 e^{-alpha_n K}, probability >= 1 - delta
  corollaryD1,  // with a support prior 𝕊: ||beta^(K) - beta*|| <= c1 e^{-alpha_n^S K} for n >= N_0^S, probability >= 1 - delta;
                // d is |𝕊| (the D.2 construction runs LISTA-VM on the sub-problem in 𝕊: corD.1.construction)
};

struct ConvergenceCase {
  int d = 1;
  int S = 1;
  int K = 1;
  double gamma = 1.0;        // drawn on the grid 0.01, 0.02, ... up to the statement's limit, or pinned
  double delta = 0.1;        // drawn log-uniform on [1e-6, 1) (grid of 600), or pinned
  int n_step = 0;            // n = ceil(N_0 2^(n_step / 4)), n_step in [0, 16]: n from N_0 to 16 N_0
  long n_pinned = 0;         // when > 0, n itself (pinned with --n); below N_0 the premise is unmet
  bool anisotropic = false;  // sigma_i log-uniform in [0.5, 2], sorted descending
  std::uint64_t seed = 0;
};

// RapidCheck shows a configuration as this JSON (properties/harness/spec.hpp).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConvergenceCase, d, S, K, gamma, delta, n_step, n_pinned, anisotropic, seed)

struct ConvergenceSetting {
  double gamma, delta, c, N0, alpha;  // alpha is NaN when undefined
  long n;
};
ConvergenceSetting convergence_setting(const ConvergenceCase& value, ConvergenceClaim claim, double c);

// One draw: beta*, the Gram matrix of n Gaussian rows (Wishart, exact), the thresholds of Lemma 1
// (theta^(k) = gamma sigma_max c1 e^{-c2 (k-2)}, from the realised coherence), K LISTA-VM steps with
// M^V = (2/sigma_d^2) I, and the claimed bound. With a witness (convergence_witnesses), the same draw run
// with that witness's parameters instead of the proof's (so the two are judged on the same instances).
ProbabilisticTrial convergence_trial(const ConvergenceCase& value, ConvergenceClaim claim, double c, std::mt19937_64& rng,
                                     const WitnessRule* witness = nullptr);

// The same draw before it is judged: the error (of beta^(K+1), or of the read-out for Corollary E.1) and the
// scale the bound multiplies e^{-alpha_n K} by (c1 = ||beta*||_1, or c6). Defined also where alpha_n is not
// (n below N_0), so the empirical rate -log(error / scale) / K can be measured at every n.
struct ConvergenceOutcome {
  double error = 0.0;
  double scale = 0.0;
};
ConvergenceOutcome convergence_outcome(const ConvergenceCase& value, ConvergenceClaim claim, double c, std::mt19937_64& rng,
                                       const WitnessRule* witness = nullptr);

// The admissible witnesses searched for Theorem 5.1 / D.1 / Corollaries D.1 and E.1: LISTA-VM members
// with theta^(k) = 0, gamma^(k) = g for every layer (g in {1, 0.75, 0.5} or the statement's gamma) and
// M^(k) = 2 Sigma^{-1} or (2/sigma_d^2) I. They read the design's covariance Sigma and gamma only.
std::vector<WitnessRule> convergence_witnesses();

// A witness rule's LISTA-VM parameters for column scales sigma, step gamma and K layers.
models::ListaVmParams witness_parameters(const WitnessRule& rule, const std::vector<double>& sigma, double gamma, int K);

// What the Theorem 5.1 family's witness may read: d, S, K, gamma, delta, c and Sigma (the search's key and seed).
nlohmann::json convergence_witness_key(const ConvergenceCase& value, double c);

// Sets a spec's search to the Theorem 5.1 family: convergence_witnesses(), convergence_witness_key, and `run`,
// the trial that judges a rule on one draw (c is the configuration's).
using WitnessRun = std::function<ProbabilisticTrial(const ConvergenceCase&, double c, std::mt19937_64&, const WitnessRule&)>;
void search_convergence_witnesses(ProbabilisticSpec<ConvergenceCase>& spec, const WitnessRun& run);

// One isotropic draw with the proof's parameters (M^V = 2I, gamma^(k) = gamma, Lemma 1's thresholds from
// the realised D_n): beta* with S non-zeros N(0,1) on a uniform support, X^T X from the Wishart law,
// and the LISTA-VM iterates beta^(1..K+1). Shared by the figure sweeps and the conjecture example.
struct ProofRun {
  Eigen::VectorXd beta_star;
  double c1 = 0.0;
  std::vector<Eigen::VectorXd> iterates;  // beta^(1) = 0, ..., beta^(K+1)
};
ProofRun proof_parameter_run(int d, int S, long n, double gamma, int K, std::mt19937_64& rng);

// The same check run through the constructed Transformer (Appendix C.1 weights in the generic LibTorch
// module, float64) instead of the LISTA-VM reference: X is drawn row by row, the Lemma 1 thresholds are
// loaded as the layers' theta^(k), and beta is read off token 2n+1. Only small sizes are affordable:
// S = 1, d <= 3 and delta large enough that N_0 <= 256 (statement "thm5.1.transformer").
// With a witness, its LISTA-VM parameters are loaded instead and B = kWitnessB (a constant, not read off the data).
constexpr double kWitnessB = 1e6;
ProbabilisticTrial convergence_trial_transformer(const ConvergenceCase& value, double c, std::mt19937_64& rng,
                                                const WitnessRule* witness = nullptr);
Statement convergence_transformer_statement();

// Remark 2: one parameter set, fixed before X is drawn, serves every X and every prefix n in [N_0, N].
// The thresholds may not depend on X or n, so they use Lemma 3's bounds at N_0 in place of the realised
// coherence: theta^(k) = gamma sbar c1 e^{-alphabar (k-2)}, sbar = sqrt((log d - log delta)/(N_0 c)),
// alphabar = alpha_{N_0}. One trial draws beta* and nested Gram matrices for n = N_0, 2 N_0, ..., N
// (independent Wishart increments) and fails if the Theorem 5.1 bound fails at any of these n.
// With a witness, that witness's parameters instead (the same for every prefix).
ProbabilisticTrial remark2_trial(const ConvergenceCase& value, int prefixes, double c, std::mt19937_64& rng,
                                 const WitnessRule* witness = nullptr);
Statement remark2_statement();

// isotropic_only restricts the rows to N(0, I), the setting of Section 6: a diagnostic sub-claim that
// separates the isotropic case from the anisotropic one (registered as "<id>.iso").
Statement convergence_statement(ConvergenceClaim claim, bool isotropic_only = false);

// The pinnable ranges the Theorem 5.1 family is checked over: d in [1,32], S in [1,32], K in [1,24],
// delta in [1e-6, 1). Each statement adds its own gamma (and n) range.
std::vector<ParameterRange> convergence_ranges();

// Inside rc::gen::exec: the draws of thm5.1, thmD.1, corD.1, corE.1 (and the proof steps of D.1) over a range table
// with convergence_ranges() and a gamma and n range: d, S <= d, K, gamma, delta, n = N_0 2^(n_step/4) with n_step in
// [0, 16] unless n is pinned, anisotropic rows half the time unless isotropic_only, and the inner seed.
ConvergenceCase draw_convergence_case(const Draw& draw, bool isotropic_only);

}  // namespace icsr::properties
