#include "properties/statements/proof_steps_e1.hpp"
#include "properties/statements/proof_steps.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "properties/harness/designs.hpp"
#include "properties/harness/spec.hpp"
#include "theory/bounds.hpp"

namespace icsr::properties {
namespace {

using StepText = ProofStepText<E1Step>;

const StepText kSteps[] = {
    {E1Step::E4, "E4", "(E.4)",
     "gamma (2S-1) sqrt((log d - log delta)/(i c)) + gamma sqrt((log S - log delta)/(i c)) <= 2 gamma (2S-1) sqrt((log d + "
     "log S - log delta)/(i c)) (Cauchy-Schwarz).",
     "∀ d, S, δ, c, γ, i ≥ N_0 : (E.4)"},
    {E1Step::E5, "E5", "(E.5) with (E.6)",
     "If 1 - 2gamma/3 <= 1 and eta_i satisfies (E.6), then (1 - 2gamma/3 + 2 gamma (2S-1) x_i)^K <= (1 - 2gamma/3)^K + "
     "eta_i K (1 - 2gamma/3)^{K-1} x_i, x_i = sqrt((log d + log S - log delta)/(i c)); checked at the smallest eta_i "
     "that (E.6) allows.",
     "∀ d, S, δ, c, 0 < γ ≤ 3/2, K, i ≥ N_0, η_i satisfying (E.6) : (E.5)"},
    {E1Step::E6, "E6", "(E.6) from (E.7)",
     "eta of (E.7), taken at N_0, satisfies (E.6) for every i >= N_0.",
     "∀ d, S, δ, c, 0 < γ ≤ 3/2, K, i ≥ N_0 with η of (E.7) defined : η ≥ (E.6)'s bound at i"},
};

}  // namespace

TrialOutcome evaluate_e1_step(const ConvergenceCase& value, E1Step step, double c) {
  const ConvergenceSetting setting = convergence_setting(value, ConvergenceClaim::theorem51, c);
  if (setting.n < setting.N0) return premise_unmet("i < N_0");
  const double i = static_cast<double>(setting.n), gamma = value.gamma, delta = value.delta;
  const int S = value.S, K = value.K;
  const double L = std::log(value.d) + std::log(S) - std::log(delta);
  const double x = std::sqrt(L / (i * c)), x0 = std::sqrt(L / (setting.N0 * c));
  const double a = 1.0 - 2.0 * gamma / 3.0, m = 2.0 * gamma * (2 * S - 1);
  TrialOutcome outcome;
  outcome.details = {{"i", setting.n}, {"N0", setting.N0}, {"c", c}, {"x_i", x}, {"a", a}, {"m", m}};
  const auto compare = [&](double left, double right) { return compared(outcome, left, right); };
  switch (step) {
    case E1Step::E4: {
      const double left = gamma * (2 * S - 1) * std::sqrt((std::log(value.d) - std::log(delta)) / (i * c)) +
                          gamma * std::sqrt((std::log(S) - std::log(delta)) / (i * c));
      return compare(left, m * x);
    }
    case E1Step::E5: {
      const double denominator = a - (K - 1) * x;
      if (!(denominator > 0.0)) return premise_unmet("(E.6) has no eta_i: its denominator is <= 0");
      const double eta_i = a / denominator;
      outcome.details["eta_i"] = eta_i;
      return compare(std::pow(a + m * x, K), std::pow(a, K) + eta_i * K * std::pow(a, K - 1) * x);
    }
    case E1Step::E6: {
      const double denominator_i = a - (K - 1) * x, denominator_0 = a - (K - 1) * x0;
      if (!(denominator_0 > 0.0)) return premise_unmet("eta of (E.7) is undefined (finding 14)");
      outcome.details["eta"] = a / denominator_0;
      return compare(a / denominator_i, a / denominator_0);
    }
  }
  throw std::logic_error("unhandled proof step");
}

std::vector<std::string> proof_chain_e1() { return step_ids(kSteps, "thmE.1.step."); }

Statement proof_step_e1(E1Step step) {
  return proof_step_statement(
      kSteps, step, "thmE.1.step.", "Theorem E.1", {"gamma", 0, 1.5, true, false, Grid::linear, 0.01}, evaluate_e1_step,
      "A step of the proof of Theorem E.1 (Appendix E.1), as a ∀-implication over the configurations of thm5.1 (d in [1,32], "
      "S in [1,d], K in [1,24], delta log-uniform in [1e-6, 1), gamma in (0, 3/2], i = n in [N_0, 16 N_0], c derived per "
      "design or --c); deterministic, premises that fail counted in figures.premise_unmet.");
}

}  // namespace icsr::properties
