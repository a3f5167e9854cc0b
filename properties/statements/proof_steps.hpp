// What the step-by-step proofs share (proof_steps_d1.hpp, proof_steps_e1.hpp): a step's text, the ∀-implication
// statement over the draws of the Theorem 5.1 family that judges it, and the helpers of its evaluation.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"
#include "properties/statements/thm5_1_convergence.hpp"

namespace icsr::properties {

// One step of a proof: its id suffix, the paper's label, its claim and its quantifiers.
template <typename Step>
struct ProofStepText {
  Step step;
  const char* name;      // the id's suffix, e.g. "D14"
  const char* equation;  // the paper's label, e.g. "(D.14)"
  const char* claim;
  const char* quantifiers;
};

// The entry of `steps` for `step`; throws std::logic_error if none.
template <typename Step, std::size_t N>
const ProofStepText<Step>& step_text(const ProofStepText<Step> (&steps)[N], Step step) {
  for (const ProofStepText<Step>& text : steps) {
    if (text.step == step) return text;
  }
  throw std::logic_error("unknown proof step");
}

// The ids "<prefix><name>" of `steps`, in their order (a proof chain).
template <typename Step, std::size_t N>
std::vector<std::string> step_ids(const ProofStepText<Step> (&steps)[N], const std::string& prefix) {
  std::vector<std::string> ids;
  for (const ProofStepText<Step>& text : steps) ids.push_back(prefix + text.name);
  return ids;
}

// The statement "<prefix><name>" labelled "Proof of <proof>, step <equation>": a ∀-implication whose configurations are
// drawn by draw_convergence_case over convergence_ranges() with `gamma` (the statement's gamma range) and n in [1, 1e7],
// each judged by evaluate(value, c) with c = config_c(value, --c). `notes` says how.
Statement proof_step_statement(const std::string& id, const std::string& proof, const char* equation, const char* claim,
                               const char* quantifiers, const ParameterRange& gamma,
                               const std::function<TrialOutcome(const ConvergenceCase&, double c)>& evaluate,
                               const std::string& notes);

// Margin evaluations of the targeted climb per configuration of a step statement.
inline constexpr int kStepClimbEvaluations = 24;

// One configuration of a step statement, targeted (issue 13): a climb of (gamma, log10 delta) over their ranges (pins
// stay) on the step's violation margin, from the drawn configuration; `value` is the worse of the drawn and the climbed
// configuration, `targeted` the climb's record (random_ratio, targeted_ratio, evaluations, point, from).
struct ClimbedCase {
  ConvergenceCase value;
  nlohmann::json targeted;
};
ClimbedCase targeted_step(const ConvergenceCase& value, const ParameterRange& gamma, const Pins& pins,
                          const std::function<TrialOutcome(const ConvergenceCase&)>& evaluate, int evaluations);

// The statement of one step of `steps` ("<prefix><name>"), judged by evaluate(value, step, c); see below.
template <typename Step, std::size_t N>
Statement proof_step_statement(const ProofStepText<Step> (&steps)[N], Step step, const std::string& prefix, const std::string& proof,
                               const ParameterRange& gamma, TrialOutcome (*evaluate)(const ConvergenceCase&, Step, double),
                               const std::string& notes);

// `outcome` judging left <= right, with rounding_allowance of the larger side.
TrialOutcome compared(TrialOutcome outcome, double left, double right);

// A configuration whose premises fail, saying which (counted as premise unmet).
TrialOutcome premise_unmet(const std::string& why);

// Rounding allowance of a comparison between closed forms of size `scale`: 64 ulps.
double rounding_allowance(double scale);

template <typename Step, std::size_t N>
Statement proof_step_statement(const ProofStepText<Step> (&steps)[N], Step step, const std::string& prefix, const std::string& proof,
                               const ParameterRange& gamma, TrialOutcome (*evaluate)(const ConvergenceCase&, Step, double),
                               const std::string& notes) {
  const ProofStepText<Step>& text = step_text(steps, step);
  return proof_step_statement(prefix + text.name, proof, text.equation, text.claim, text.quantifiers, gamma,
                              [evaluate, step](const ConvergenceCase& value, double c) { return evaluate(value, step, c); },
                              notes);
}

}  // namespace icsr::properties
