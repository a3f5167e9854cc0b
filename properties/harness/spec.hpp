// The declarative statement spec: what a statement declares besides its science.
//
//   - budgets: named budgets, so that "how much is checked" is written once per kind of check;
//   - Draw: draws a configuration over a statement's range table, honouring the user's pins, so that one
//     table drives the generator, the pin checks (validate_pins) and the notes (ranges_text);
//   - showValue for every configuration type that nlohmann-json can serialise
//     (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE), so RapidCheck prints a counterexample as JSON;
//   - ProbabilisticSpec / probabilistic_statement: a "with probability at least 1 - level" statement as
//     one value: id, label, claim, ranges, budget, device, expected verdict, draw, plan and trial.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

namespace budgets {
// Deterministic identities: configurations at the quick and the full budget.
inline const NamedBudget identity{"identity", {1000, 0, 0}, {10000, 0, 0}};
// Probabilistic statements: configurations, trials per configuration (0: enough for power at the
// claimed level, see trials_for_power) and the cap on trials.
inline const NamedBudget probability{"probability", {12, 300, 40000}, {60, 0, 40000}};
// Theorem 5.1 through the constructed Transformer: few, small configurations (thm5.1.transformer). Its
// delta lies near 1, where a fixed 25 trials could not reject (0.9^25 > alpha): the trials follow the
// power rule at both budgets, capped (a capped configuration is inconclusive for lack of power).
inline const NamedBudget transformer_probability{"transformer-probability", {4, 0, 200}, {30, 0, 2000}};
// Theorem E.1's read-out at small sizes (thmE.1), and Remark 4's excused draws (remark4).
inline const NamedBudget readout_probability{"readout-probability", {16, 200, 4000}, {24, 0, 4000}};
inline const NamedBudget readout_excused{"readout-excused", {3, 40, 200}, {12, 200, 200}};
// The Appendix E.1 construction run through the Transformer: each configuration is expensive.
inline const NamedBudget construction_identity{"construction-identity", {60, 0, 0}, {500, 0, 0}};
// Paired comparisons of trained models: instances per comparison (trials).
inline const NamedBudget paired_comparison{"paired-comparison", {0, 1000, 0}, {0, 20000, 0}};
inline const NamedBudget trained{"trained", {0, 500, 0}, {0, 5000, 0}};
}  // namespace budgets

// The pin the user set for a parameter of this name, if any.
std::optional<double> pinned(const Pins& pins, const std::string& name);

// "d in [1, 32], delta in [1e-06, 1) (log grid of 600), ...": the notes' account of a range table.
std::string ranges_text(const std::vector<ParameterRange>& ranges);

// Draws parameters inside rc::gen::exec over a statement's range table: the pin when the user set one,
// else the table's grid. Integer ranges are drawn uniformly (shrinking towards the low end), real ones on
// the table's grid. `within` narrows a range by another parameter (S <= d), never widens it.
class Draw {
 public:
  Draw(const std::vector<ParameterRange>& ranges, const Pins& pins) : ranges_(ranges), pins_(pins) {}
  int integer(const std::string& name) const;
  int integer(const std::string& name, int low, int high) const;  // the table's range intersected with [low, high]
  double real(const std::string& name) const;
  std::optional<double> pin(const std::string& name) const { return pinned(pins_, name); }

 private:
  const ParameterRange& range(const std::string& name) const;
  const std::vector<ParameterRange>& ranges_;
  const Pins& pins_;
};

// RapidCheck shows a configuration through showValue, found by argument-dependent lookup: every
// configuration type in this namespace that nlohmann-json can serialise is shown as its JSON.
template <typename T, typename = std::enable_if_t<std::is_class_v<T> && nlohmann::detail::has_to_json<nlohmann::json, T>::value>>
void showValue(const T& value, std::ostream& os) {
  os << nlohmann::json(value).dump();
}

// A probabilistic statement as one value. Config must be serialisable (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE)
// and carry the seed of its inner generator in a member `seed`.
template <typename Config>
struct ProbabilisticSpec {
  std::string id, label, claim;
  std::vector<ParameterRange> ranges;  // drives the draw, the pin checks and the notes
  NamedBudget budget = budgets::probability;
  Device device = Device::cpu;
  std::optional<Verdict> expected;     // at the quick budget and seed 1
  std::function<Config(const Draw&)> draw;
  std::function<ConfigurationPlan(const Config&, const CheckOptions&)> plan;
  std::function<ProbabilisticTrial(const Config&, std::mt19937_64&, const CheckOptions&)> trial;
  std::string notes;                   // how constants were chosen; the ranges are appended
  // Optional: notes that depend on the options (used instead of `notes`), and a description of a
  // configuration richer than its JSON (derived quantities such as n and N_0).
  std::function<std::string(const CheckOptions&)> notes_for;
  std::function<nlohmann::json(const Config&, const CheckOptions&)> describe;
};

template <typename Config>
Statement probabilistic_statement(const ProbabilisticSpec<Config>& spec) {
  Statement statement{spec.id, spec.label, spec.claim, [spec](const CheckOptions& options) {
                        const ProbabilisticProperty<Config> property{
                            spec.id,
                            [&spec, &options] {
                              return rc::gen::exec([&spec, pins = options.pins] { return spec.draw(Draw(spec.ranges, pins)); });
                            },
                            [&spec, &options](const Config& value) { return spec.plan(value, options); },
                            [&spec, &options](const Config& value, std::mt19937_64& rng) { return spec.trial(value, rng, options); },
                            [&spec, &options](const Config& value) {
                              return spec.describe ? spec.describe(value, options) : nlohmann::json(value);
                            },
                            [](const Config& value) { return value.seed; }};
                        StatementResult result = probabilistic_result(spec.id, spec.label,
                                                                      run_probabilistic(property, options.counts, options), options);
                        result.notes = (spec.notes_for ? spec.notes_for(options) : spec.notes) + " Ranges: " +
                                       ranges_text(spec.ranges) + ".";
                        return result;
                      },
                      spec.ranges};
  statement.budget = spec.budget;
  statement.device = spec.device;
  statement.expected = spec.expected;
  return statement;
}

}  // namespace icsr::properties
