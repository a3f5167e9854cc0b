#include "properties/statements/proof_steps.hpp"

#include <cmath>
#include <limits>

#include "properties/harness/designs.hpp"
#include "properties/harness/spec.hpp"

namespace icsr::properties {

TrialOutcome premise_unmet(const std::string& why) {
  TrialOutcome outcome;
  outcome.vacuous = true;
  outcome.details = {{"premise", why}};
  return outcome;
}

double rounding_allowance(double scale) { return 64.0 * std::numeric_limits<double>::epsilon() * std::abs(scale); }

Statement proof_step_statement(const std::string& id, const std::string& proof, const char* equation, const char* claim,
                               const char* quantifiers, const ParameterRange& gamma,
                               const std::function<TrialOutcome(const ConvergenceCase&, double c)>& evaluate,
                               const std::string& notes) {
  const std::string label = "Proof of " + proof + ", step " + equation;
  std::vector<ParameterRange> ranges = convergence_ranges();
  ranges.push_back(gamma);
  ranges.push_back({"n", 1, 1e7});
  Statement statement{
      id, label, claim,
      [id, label, ranges, evaluate, notes](const CheckOptions& options) {
        const IdentityProperty<ConvergenceCase> property{
            id,
            [&ranges, pins = options.pins] {
              return rc::gen::exec([&ranges, pins] { return draw_convergence_case(Draw(ranges, pins), false); });
            },
            [&evaluate, c_option = options.c](const ConvergenceCase& value) { return evaluate(value, config_c(value, c_option)); },
            [](const ConvergenceCase& value) { return nlohmann::json(value); },
            [](const ConvergenceCase& value) {
              return std::vector<std::string>{value.anisotropic ? "anisotropic rows" : "isotropic rows"};
            }};
        const IdentityRun run = run_identity(property, options.counts.configurations, options);
        StatementResult result = statement_result(id, label, run, options);
        result.notes = notes;
        return result;
      },
      ranges};
  statement.budget = budgets::identity;
  statement.form = LogicalForm::implication;
  statement.quantifiers = quantifiers;
  return statement;
}

}  // namespace icsr::properties
