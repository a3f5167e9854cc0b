// The inequalities of Theorem E.1's proof (Appendix E.1) that bound the averaged error of the iterates, each its own
// ∀-implication property over (d, S, delta, gamma, K, c, i >= N_0), as the steps of Theorem D.1 (proof_steps_d1.hpp).
// With L = log d + log S - log delta, x_i = sqrt(L/(i c)), a = 1 - 2gamma/3, m = 2 gamma (2S-1):
//   E4  gamma (2S-1) sqrt((log d - log delta)/(i c)) + gamma sqrt((log S - log delta)/(i c)) <= m x_i   (E.4)
//   E5  (a + m x_i)^K <= a^K + eta_i K a^{K-1} x_i, with eta_i the smallest value (E.6) allows      (E.5)-(E.6)
//   E6  eta of (E.7) (at N_0) satisfies (E.6) at every i >= N_0                                        (E.6)-(E.7)
// A configuration where (E.6)'s or (E.7)'s denominator is not positive (eta undefined, finding 14) counts as premise
// unmet. Deterministic: no draw.
#pragma once

#include <string>
#include <vector>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"
#include "properties/statements/thm5_1_convergence.hpp"

namespace icsr::properties {

enum class E1Step { E4, E5, E6 };

Statement proof_step_e1(E1Step step);

// One configuration judged by one step (c is the configuration's, config_c).
TrialOutcome evaluate_e1_step(const ConvergenceCase& value, E1Step step, double c);

// The step ids in the order of the proof ("thmE.1.step.E4", ...).
std::vector<std::string> proof_chain_e1();

}  // namespace icsr::properties
