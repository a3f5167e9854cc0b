// The inequalities of Theorem E.1's proof (Appendix E.1) that bound the averaged error of the iterates, each its own
// ∀-implication property over (d, S, delta, gamma, K, c, i >= N_0), as the steps of Theorem D.1 (proof_steps_d1.hpp).
// With L = log d + log S - log delta, x_i = sqrt(L/(i c)), a = 1 - 2gamma/3, m = 2 gamma (2S-1):
//   E4  gamma (2S-1) sqrt((log d - log delta)/(i c)) + gamma sqrt((log S - log delta)/(i c)) <= m x_i   (E.4)
//   E5  (a + m x_i)^K <= a^K + eta_i K a^{K-1} x_i, with eta_i the smallest value (E.6) allows      (E.5)-(E.6)
//   E6  eta of (E.7) (at N_0) satisfies (E.6) at every i >= N_0                                        (E.6)-(E.7)
//   E8  sum_{j=1}^{floor(M)} (N_0 + j)^{-1/2} <= 2 (sqrt(N_0 + M) - sqrt(N_0)), M = np - p/2            (E.8), last line
//   E3E7 the bound (E.3)-(E.8) give, ||beta*||_1 [M a^K + eta K a^{K-1} sqrt(L/c) 2(sqrt(N_0+M) - sqrt(N_0))], is at
//       most the one the proof states next, M a^K + 2 eta K sqrt(M) a^{K-1} sqrt(L/c) (beta* drawn as thm5.1)
//   E9  2 eta K sqrt(M) a^{K-1} sqrt(L/c) / M <= 2 sqrt(2) eta K a^{K-1} sqrt(L/c) / sqrt(np)              (E.9)
// E8 and E9 are judged at p in {1, 1/2, 1/10} (p of Appendix E.1 is a probability), the worst of the three.
// A configuration where (E.6)'s or (E.7)'s denominator is not positive (eta undefined, finding 14) counts as premise
// unmet. Deterministic: no draw.
#pragma once

#include <string>
#include <vector>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"
#include "properties/statements/thm5_1_convergence.hpp"

namespace icsr::properties {

enum class E1Step { E4, E5, E6, E8, E3E7, E9 };

Statement proof_step_e1(E1Step step);

// One configuration judged by one step (c is the configuration's, config_c).
TrialOutcome evaluate_e1_step(const ConvergenceCase& value, E1Step step, double c);

// sum_{j=1}^{m} (x0 + j)^{-1/2} (E8's left side): exact for the first 1000 terms, Euler-Maclaurin beyond; the reference
// adds every term.
double inverse_root_sum(double x0, long m);
double inverse_root_sum_reference(double x0, long m);

// The step ids in the order of the proof ("thmE.1.step.E4", ...).
std::vector<std::string> proof_chain_e1();

}  // namespace icsr::properties
