#include "properties/statements/proof_steps_d1.hpp"
#include "properties/statements/proof_steps.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "models/lista_vm.hpp"
#include "properties/harness/designs.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/spec.hpp"
#include "properties/statements/thm5_1_convergence.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"

namespace icsr::properties {
namespace {

using StepText = ProofStepText<D1Step>;

const StepText kSteps[] = {
    {D1Step::D9, "D9", "(D.8)-(D.9)",
     "n >= N_0 implies (2S-1) sqrt((log d - log delta)/(n c)) <= n/(n+2) (1 - sqrt((log S - log delta)/(n c))).",
     "∀ d, S, δ, c, n ≥ N_0 : (2S−1) s_d ≤ n/(n+2) (1 − s_S)"},
    {D1Step::D10, "D10", "(D.10)",
     "On event A (D.4), with n >= N_0: (2S-1) sigma_max <= sigma_min (from (D.9)).",
     "∀ configurations, ∀ X with event A : (2S−1) σ_max ≤ σ_min"},
    {D1Step::D14, "D14", "(D.14)",
     "gamma < 1.6 and n >= N_0 imply gamma <= 1/(n/(n+2) (1 + sqrt((log S - log delta)/(n c)))), by the chain "
     "1/(n/(n+2)(1+s_S)) >= 1/(1+s_{N_0}) >= 2/(1+sqrt(1/(8(4S-2)))) >= 1.6.",
     "∀ 0 < γ < 1.6, d, S, δ, c, n ≥ N_0 : γ ≤ 1/(n/(n+2) (1 + s_S))"},
    {D1Step::D11, "D11", "(D.11)",
     "On event A, (D.14) implies (D.11): gamma <= min{1/sigma_min, 1/max_i D_i^T X_i}, max over every i in [d].",
     "∀ configurations, ∀ X with event A and (D.14) : γ max_{i∈[d]} D_iᵀX_i ≤ 1"},
    {D1Step::D6, "D6", "(D.6)",
     "Under the theorem's hypotheses (gamma < 1.6, n >= N_0) and event A: 0 <= gamma D_i^T X_i <= 1 for every i in [d].",
     "∀ 0 < γ < 1.6, configurations, ∀ X with event A : 0 ≤ γ D_iᵀX_i ≤ 1 ∀ i ∈ [d]"},
    {D1Step::D5, "D5", "(D.5), by (D.12)-(D.13)",
     "Under the theorem's hypotheses and event A: gamma (2S-1) sigma_max + |1 - gamma sigma_min| <= 1.",
     "∀ 0 < γ < 1.6, configurations, ∀ X with event A : γ(2S−1)σ_max + |1 − γσ_min| ≤ 1"},
    {D1Step::rate, "rate", "the last display of Proposition 2's proof, (D.3)",
     "On event A, with gamma satisfying (D.11): gamma (2S-1) sigma_max + |1 - gamma sigma_min| <= 1 - 2gamma/3 + "
     "gamma (2S-1) s_d + gamma s_S = e^{-alpha_n}.",
     "∀ configurations, ∀ X with event A and (D.11) : γ(2S−1)σ_max + |1 − γσ_min| ≤ e^{−α_n}"},
    {D1Step::prop2, "prop2", "Proposition 2's conclusion with the proof's parameters",
     "Under the theorem's hypotheses and event A, with the parameters the proof picks (M^V = (2/sigma_d^2) I, gamma^(k) "
     "= gamma, Lemma 1's theta^(k)): ||beta^(K+1) - beta*|| <= c1 e^{-alpha_n K}. Proposition 2 itself is existential "
     "('there exists a set of parameters'): a failure here is a failure of the proof's witness, not of the proposition "
     "(thmD.1 searches for a witness).",
     "∀ 0 < γ < 1.6, configurations, ∀ X with event A : the proof's parameters give ‖β^(K+1) − β*‖ ≤ c1 e^{−α_n K}"},
};

// One draw of the quantities the proof reasons about.
struct D1Draw {
  ConvergenceSetting setting;  // alpha_n of (D.3) for D.1's steps, of Theorem 5.1 for Corollary E.1's
  double s_S = 0.0, s_d = 0.0;      // Lemma 3's deviations at n
  double lower = 0.0, upper = 0.0;  // n/(n+2)(1 -+ s_S)
  bool event_A = false;
  double sigma_min = 0.0, sigma_max = 0.0, support_max = 0.0, diagonal_max = 0.0;
  double c1 = 0.0, error = 0.0;     // Proposition 2: ||beta^(K+1) - beta*||, with the proof's parameters
  Eigen::VectorXd query, error_vector;  // Corollary E.1: x_{n+1} (continuing the stream, as corE.1) and beta^(K+1) - beta*
};

// The draw of thmD.1 (claim theoremD1) or corE.1 (corollaryE1, with the query x_{n+1}); the same stream as
// convergence_outcome (beta*, X^T X, the query), one draw per configuration from its seed.
D1Draw draw_d1(const ConvergenceCase& value, double c, bool run_iterates, ConvergenceClaim claim = ConvergenceClaim::theoremD1) {
  D1Draw out;
  out.setting = convergence_setting(value, claim, c);
  const double n = static_cast<double>(out.setting.n), delta = value.delta;
  out.s_S = std::sqrt((std::log(value.S) - std::log(delta)) / (n * c));
  out.s_d = theory::lemma3_off_diagonal(n, value.d, delta, c);
  out.lower = theory::lemma3_diagonal_lower(n, value.S, delta, c);
  out.upper = theory::lemma3_diagonal_upper(n, value.S, delta, c);

  theory::ProblemConfig config;
  config.d = value.d;
  config.S = value.S;
  config.sigma = column_scales(value);
  std::mt19937_64 rng(value.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const theory::SparseBeta sparse = theory::sample_sparse_beta(value.d, value.S, rng, normal);
  const Eigen::MatrixXd gram = theory::sample_gram(config, out.setting.n, rng);
  const double sigma_d = config.sigma.back();
  const double scale = 2.0 / ((2.0 * n + 1.0) * sigma_d * sigma_d);  // D_i^T X_j = scale (X^T X)_ij
  const theory::GeneralisedCoherence coherence = theory::generalised_coherence(scale * gram, sparse.support);
  out.sigma_min = coherence.sigma_min;
  out.sigma_max = coherence.sigma_max;
  out.support_max = coherence.support_diagonal_max;
  out.diagonal_max = coherence.diagonal_max;
  out.event_A = out.sigma_min >= out.lower && out.support_max <= out.upper && out.sigma_max <= out.s_d;
  out.c1 = theory::lemma1_c1(sparse.beta);
  if (!run_iterates) return out;
  const double c2 = theory::lemma1_c2(value.gamma, value.S, out.sigma_min, out.sigma_max);
  models::ListaVmParams params;  // the proof's: M^V = (2/sigma_d^2) I, gamma^(k) = gamma, Lemma 1's theta^(k)
  for (int k = 1; k <= value.K; ++k) {
    params.gamma.push_back(value.gamma);
    params.theta.push_back(theory::lemma1_theta(k, value.gamma, out.sigma_max, out.c1, c2));
    params.matrix.push_back((2.0 / (sigma_d * sigma_d)) * Eigen::MatrixXd::Identity(value.d, value.d));
  }
  out.error_vector = models::lista_vm_error_from_gram(params, gram, sparse.beta, n);
  out.error = out.error_vector.norm();
  if (claim != ConvergenceClaim::corollaryE1) return out;
  out.query.resize(value.d);
  for (int j = 0; j < value.d; ++j) out.query(j) = config.sigma[j] * normal(rng);
  return out;
}

}  // namespace

TrialOutcome evaluate_d1_step(const ConvergenceCase& value, D1Step step, double c) {
  const D1Draw draw = draw_d1(value, c, step == D1Step::prop2);
  const double gamma = value.gamma;
  const int S = value.S;
  if (draw.setting.n < draw.setting.N0) return premise_unmet("n < N_0 (D.7)");
  const double contraction = gamma * (2 * S - 1) * draw.sigma_max + std::abs(1.0 - gamma * draw.sigma_min);
  const double rate_argument = 1.0 - 2.0 * gamma / 3.0 + gamma * (2 * S - 1) * draw.s_d + gamma * draw.s_S;  // e^{-alpha_n}
  TrialOutcome outcome;
  outcome.details = {{"event_A", draw.event_A},         {"sigma_min", draw.sigma_min},       {"sigma_max", draw.sigma_max},
                     {"support_diagonal_max", draw.support_max}, {"diagonal_max", draw.diagonal_max},
                     {"lemma3_lower", draw.lower},      {"lemma3_upper", draw.upper},        {"s_d", draw.s_d},
                     {"s_S", draw.s_S},                 {"n", draw.setting.n},               {"N0", draw.setting.N0},
                     {"c", c}};
  const auto compare = [&](double left, double right) { return compared(outcome, left, right); };
  switch (step) {
    case D1Step::D9: return compare((2 * S - 1) * draw.s_d, draw.lower);
    case D1Step::D14: return compare(gamma, 1.0 / draw.upper);
    default: break;
  }
  if (!draw.event_A) return premise_unmet("event A (D.4) fails on this draw");
  switch (step) {
    case D1Step::D10: return compare((2 * S - 1) * draw.sigma_max, draw.sigma_min);
    case D1Step::D11:
      if (gamma > 1.0 / draw.upper) return premise_unmet("(D.14) fails for this gamma");
      return compare(gamma * draw.diagonal_max, 1.0);
    case D1Step::D6: return compare(gamma * draw.diagonal_max, 1.0);
    case D1Step::D5: return compare(contraction, 1.0);
    case D1Step::rate:
      if (gamma * draw.diagonal_max > 1.0) return premise_unmet("(D.11) fails on this draw");
      return compare(contraction, rate_argument);
    case D1Step::prop2: {
      if (!(rate_argument > 0.0)) return premise_unmet("alpha_n of (D.3) is undefined (its argument is <= 0)");
      outcome.error = draw.error;
      outcome.tolerance = theory::convergence_bound(draw.c1, -std::log(rate_argument), value.K);
      outcome.details["c1"] = draw.c1;
      return outcome;
    }
    default: break;
  }
  throw std::logic_error("unhandled proof step");
}

std::vector<std::string> proof_chain_d1() { return step_ids(kSteps, "thmD.1.step."); }

namespace {

using CorE1Text = ProofStepText<CorE1Step>;

const CorE1Text kCorE1Steps[] = {
    {CorE1Step::norm, "norm", "‖x_{n+1}‖ ≤ √d b_x",
     "The query row satisfies ||x_{n+1}|| <= sqrt(d) b_x, with b_x = ||x_{n+1}||_inf (the entrywise reading of (C.8) that "
     "corE.1 uses; under Assumption 1's ||x|| <= b_x the step holds with room sqrt(d)).",
     "∀ configurations, ∀ x_{n+1} : ‖x_{n+1}‖ ≤ √d b_x"},
    {CorE1Step::cauchy_schwarz, "cs", "Cauchy–Schwarz on the read-out",
     "Noiseless labels (Assumption 1) and the read-out y^ = x_{n+1}^T beta^(K+1): |y_{n+1} - y^_{n+1}| <= ||x_{n+1}|| "
     "||beta* - beta^(K+1)|| (Cauchy-Schwarz).",
     "∀ configurations, ∀ X, β*, x_{n+1} : |x_{n+1}ᵀ(β* − β^(K+1))| ≤ ‖x_{n+1}‖ ‖β* − β^(K+1)‖"},
    {CorE1Step::theorem51, "thm5.1", "Theorem 5.1 as the proof applies it",
     "'Combining with Theorem 5.1': on event A (the event of probability >= 1 - delta on which the proof of Theorem 5.1 "
     "argues), with the parameters that proof picks (M^V = (2/sigma_d^2) I, gamma^(k) = gamma, Lemma 1's theta^(k)) and "
     "Theorem 5.1's alpha_n: ||beta^(K+1) - beta*|| <= c1 e^{-alpha_n K}. A failure is a failure of the proof's witness; "
     "Theorem 5.1 itself is existential (thm5.1 searches for a witness).",
     "∀ 0 < γ ≤ 3/2, configurations, ∀ X with event A : the proof's parameters give ‖β^(K+1) − β*‖ ≤ c1 e^{−α_n K}"},
};

}  // namespace

TrialOutcome evaluate_corE1_step(const ConvergenceCase& value, CorE1Step step, double c) {
  const D1Draw draw = draw_d1(value, c, true, ConvergenceClaim::corollaryE1);
  if (draw.setting.n < draw.setting.N0) return premise_unmet("n < N_0");
  const double norm = draw.query.norm(), b_x = draw.query.lpNorm<Eigen::Infinity>();
  TrialOutcome outcome;
  outcome.details = {{"event_A", draw.event_A}, {"n", draw.setting.n}, {"N0", draw.setting.N0}, {"c", c},
                     {"query_norm", norm},      {"b_x", b_x},          {"error_norm", draw.error}, {"c1", draw.c1}};
  const auto compare = [&](double left, double right) { return compared(outcome, left, right); };
  switch (step) {
    case CorE1Step::norm: return compare(norm, std::sqrt(static_cast<double>(value.d)) * b_x);
    case CorE1Step::cauchy_schwarz: return compare(std::abs(draw.query.dot(draw.error_vector)), norm * draw.error);
    case CorE1Step::theorem51: {
      if (!draw.event_A) return premise_unmet("event A (D.4) fails on this draw");
      if (!std::isfinite(draw.setting.alpha)) return premise_unmet("alpha_n of Theorem 5.1 is undefined (its argument is <= 0)");
      outcome.error = draw.error;
      outcome.tolerance = theory::convergence_bound(draw.c1, draw.setting.alpha, value.K);
      return outcome;
    }
  }
  throw std::logic_error("unhandled proof step");
}

std::vector<std::string> proof_chain_corE1() {
  std::vector<std::string> chain{"thm4.1"};  // Proposition 1's structure of h^(K+1): the Transformer's beta is LISTA-VM's
  for (const std::string& id : step_ids(kCorE1Steps, "corE.1.step.")) chain.push_back(id);
  return chain;
}

Statement proof_step_corE1(CorE1Step step) {
  return proof_step_statement(
      kCorE1Steps, step, "corE.1.step.", "Corollary E.1", {"gamma", 0, 1.5, true, false, Grid::linear, 0.01}, evaluate_corE1_step,
      "A step of the proof of Corollary E.1 (Appendix E), as a ∀-implication: one draw per configuration (beta*, X^T X, then "
      "the query x_{n+1}, in corE.1's order), premises that fail on a draw counted in figures.premise_unmet. Configurations as "
      "corE.1: d in [1,32], S in [1,d], K in [1,24], delta log-uniform in [1e-6, 1), gamma in (0, 3/2] in steps of 0.01, n in "
      "[N_0, 16 N_0], Gaussian rows isotropic or anisotropic, c derived per design (or --c).");
}

Statement proof_step_d1(D1Step step) {
  return proof_step_statement(
      kSteps, step, "thmD.1.step.", "Theorem D.1", {"gamma", 0, 1.6, true, true, Grid::linear, 0.01}, evaluate_d1_step,
      "A step of the proof of Theorem D.1 (Appendix D.1), as a ∀-implication: one draw per configuration, premises that "
      "fail on a draw are counted in figures.premise_unmet. Configurations as thmD.1: d in [1,32], S in [1,d], K in [1,24], "
      "delta log-uniform in [1e-6, 1), gamma in (0, 1.6) in steps of 0.01, n in [N_0, 16 N_0], Gaussian rows isotropic or "
      "anisotropic, c derived per design (or --c), M^V = (2/sigma_d^2) I.");
}

}  // namespace icsr::properties
