#include "properties/statements/proof_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "properties/harness/designs.hpp"
#include "properties/harness/spec.hpp"
#include "properties/harness/targeted.hpp"

namespace icsr::properties {

TrialOutcome premise_unmet(const std::string& why) {
  TrialOutcome outcome;
  outcome.vacuous = true;
  outcome.details = {{"premise", why}};
  return outcome;
}

double rounding_allowance(double scale) { return 64.0 * std::numeric_limits<double>::epsilon() * std::abs(scale); }

TrialOutcome compared(TrialOutcome outcome, double left, double right) {
  outcome.error = left;
  outcome.tolerance = right + rounding_allowance(std::max(std::abs(left), std::abs(right)));
  return outcome;
}

ClimbedCase targeted_step(const ConvergenceCase& value, const ParameterRange& gamma, const Pins& pins,
                          const std::function<TrialOutcome(const ConvergenceCase&)>& evaluate, int evaluations) {
  // The continuous parameters, (gamma, log10 delta), kept inside their ranges (open ends by 1e-9) and at their pins;
  // gamma is scaled by a tenth of its range, so that one step moves gamma by about that and delta by about a decade.
  const double gamma_low = gamma.low + (gamma.low_open ? 1e-9 : 0.0), gamma_high = gamma.high - (gamma.high_open ? 1e-9 : 0.0);
  const double log_delta_low = std::log10(1e-6), log_delta_high = std::log10(1.0 - 1e-9);
  const double scale = 0.1 * (gamma_high - gamma_low);
  const auto moved = [&](const Eigen::VectorXd& point) {
    ConvergenceCase out = value;
    out.gamma = pins.gamma ? *pins.gamma : std::clamp(point(0) * scale, gamma_low, gamma_high);
    out.delta = pins.delta ? *pins.delta : std::pow(10.0, std::clamp(point(1), log_delta_low, log_delta_high));
    return out;
  };
  const auto project = [&](const Eigen::VectorXd& point) {
    const ConvergenceCase inside = moved(point);
    return Eigen::VectorXd(Eigen::Vector2d(inside.gamma / scale, std::log10(inside.delta)));
  };
  const Eigen::VectorXd start = Eigen::Vector2d(value.gamma / scale, std::log10(value.delta));
  const TrialOutcome outcome = targeted_outcome([&](const Eigen::VectorXd& point) { return evaluate(moved(point)); }, start,
                                                project, 1.0, evaluations, value.seed);
  ClimbedCase climbed{value, outcome.details.at("targeted")};
  if (climbed.targeted.at("from") == "the climb") {
    const std::vector<double> point = climbed.targeted.at("point").get<std::vector<double>>();
    climbed.value = moved(Eigen::Vector2d(point[0], point[1]));
  }
  climbed.targeted["point"] = {{"gamma", climbed.value.gamma}, {"delta", climbed.value.delta}};
  return climbed;
}

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
      [id, label, ranges, gamma, evaluate, notes](const CheckOptions& options) {
        MarginTally margins;
        const IdentityProperty<ConvergenceCase> property{
            id,
            // Targeted (issue 13): the generator climbs (gamma, delta) from each drawn configuration and yields the worse
            // point, so the counterexample shown, shrunk and replayed is a configuration that fails as it stands.
            [&] {
              return rc::gen::exec([&] {
                const ConvergenceCase drawn = draw_convergence_case(Draw(ranges, options.pins), false);
                const ClimbedCase climbed = targeted_step(
                    drawn, gamma, options.pins,
                    [&](const ConvergenceCase& moved) { return evaluate(moved, config_c(moved, options.c)); },
                    kStepClimbEvaluations);
                margins.add(climbed.targeted);
                return climbed.value;
              });
            },
            [&](const ConvergenceCase& value) { return evaluate(value, config_c(value, options.c)); },
            [](const ConvergenceCase& value) { return nlohmann::json(value); },
            [](const ConvergenceCase& value) {
              return std::vector<std::string>{value.anisotropic ? "anisotropic rows" : "isotropic rows"};
            }};
        const IdentityRun run = run_identity(property, options.counts.configurations, options);
        StatementResult result = statement_result(id, label, run, options);
        result.figures["targeted"] = margins.to_json();
        result.notes = notes + " Targeted: from each drawn configuration the generator climbs (gamma, log10 delta) inside "
                       "their ranges (pins stay), " + std::to_string(kStepClimbEvaluations) +
                       " evaluations of the violation margin (climb_free; the seed and the other parameters fixed), and the "
                       "worse of the draw and the climb is the configuration judged; gamma and delta are then off the "
                       "grid. Pinning the shown gamma and delta (--gamma, --delta) replays a configuration without a climb.";
        return result;
      },
      ranges};
  statement.budget = budgets::identity;
  statement.form = LogicalForm::implication;
  statement.quantifiers = quantifiers;
  return statement;
}

}  // namespace icsr::properties
