// The declarative statement spec: what a statement declares besides its science.
//
//   - budgets: named budgets, so that "how much is checked" is written once per kind of check;
//   - Draw: draws a configuration over a statement's range table, honouring the user's pins, so that one
//     table drives the generator, the pin checks (validate_pins) and the notes (ranges_text);
//   - showValue for every configuration type that nlohmann-json can serialise
//     (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE), so RapidCheck prints a counterexample as JSON;
//   - ProbabilisticSpec / probabilistic_statement: a "with probability at least 1 - level" statement as
//     one value: id, label, claim, ranges, budget, device, expected verdict, draw, plan and trial;
//   - for an existential statement ("there exist parameters such that, with probability ..."), the same
//     value also names the proof's witness (what `trial` runs) and what it reads, and an admissible family
//     of witnesses that a search picks from on training draws and validates on the judged draws.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <map>
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
// A searched witness is validated on the configurations of its statement's budget with trials by the power
// rule (it holds only with power), capped here (quick, full).
inline constexpr int kWitnessTrialCap[2] = {4000, 40000};
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

// One admissible witness of an existential statement: a parameter rule built only from what the
// statement lets a witness read (never the judged draws' X, y or beta*).
struct WitnessRule {
  std::string name;
  nlohmann::json parameters;  // enough to replay it
};

// FNV-1a of a text: a seed that is the same on every platform (std::hash is not).
std::uint64_t stable_hash(const std::string& text);

// The search: on `draws` training draws per rule (seeded from the key alone), the rule with the fewest
// failures, then the smallest median observed/bound. Returns the rule's index and the training figures.
struct WitnessChoice {
  std::size_t index = 0;
  nlohmann::json training;  // per rule: failures, draws, median observed/bound
};
WitnessChoice choose_witness(const std::vector<WitnessRule>& rules, int draws, std::uint64_t seed,
                             const std::function<ProbabilisticTrial(const WitnessRule&, std::mt19937_64&)>& trial);

// Existential statements checked without a search: the original verdict becomes the proof's witness's,
// and the statement's verdict follows (unresolved where the proof's witness fails or reads the sample).
Statement existential_without_search(Statement statement, std::string witness, std::string reads);

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
  // Logical form and quantifiers. For LogicalForm::existential, `trial` runs the proof's witness:
  LogicalForm form = LogicalForm::probabilistic;
  std::string quantifiers;
  std::string proof_witness = "the proof's parameters";
  std::string proof_reads;               // non-empty: the proof's choice reads the judged sample (inadmissible)
  std::vector<WitnessRule> witnesses;    // the admissible family searched; empty: no search
  std::function<ProbabilisticTrial(const Config&, const WitnessRule&, std::mt19937_64&, const CheckOptions&)> witness_trial;
  // What a witness may depend on (no n where one parameter set serves every n, no sample), and the
  // configuration the search trains on; configurations with the same key get the same witness.
  std::function<nlohmann::json(const Config&, const CheckOptions&)> witness_key;
  std::function<Config(const Config&)> training_config;
  std::string witness_reads;             // what the family reads, in words
  int search_draws = 40;
  // Optional: the trial the search scores the rules with (default: witness_trial), e.g. a cheaper reference the
  // statement is shown equal to (thm4.1: the LISTA-VM reference of the Transformer). Validation runs witness_trial.
  std::function<ProbabilisticTrial(const Config&, const WitnessRule&, std::mt19937_64&, const CheckOptions&)> search_trial;
  std::string refutation;                // an argument against every admissible witness; empty: none known
};

// The searched witness's judgement: per configuration, the rule chosen on training draws seeded from the
// configuration's witness key, validated on the configuration's own draws (the proof's draws) with the
// same exact test. Runs under its own RapidCheck id (<id>/witness), so RC_PARAMS replays touch the proof only.
template <typename Config>
WitnessJudgement searched_witness(const ProbabilisticSpec<Config>& spec, const CheckOptions& options) {
  std::map<std::string, WitnessChoice> chosen;
  const auto choice = [&](const Config& value) -> const WitnessChoice& {
    const std::string key = spec.witness_key(value, options).dump();
    auto found = chosen.find(key);
    if (found == chosen.end()) {
      const Config training = spec.training_config(value);
      found = chosen
                  .emplace(key, choose_witness(spec.witnesses, spec.search_draws, stable_hash(key),
                                               [&](const WitnessRule& rule, std::mt19937_64& rng) {
                                                 return spec.search_trial ? spec.search_trial(training, rule, rng, options)
                                                                          : spec.witness_trial(training, rule, rng, options);
                                               }))
                  .first;
    }
    return found->second;
  };
  const ProbabilisticProperty<Config> property{
      spec.id + "/witness",
      [&spec, &options] { return rc::gen::exec([&spec, pins = options.pins] { return spec.draw(Draw(spec.ranges, pins)); }); },
      [&spec, &options](const Config& value) { return spec.plan(value, options); },
      [&](const Config& value, std::mt19937_64& rng) {
        return spec.witness_trial(value, spec.witnesses[choice(value).index], rng, options);
      },
      [&](const Config& value) {
        nlohmann::json out = spec.describe ? spec.describe(value, options) : nlohmann::json(value);
        const auto picked = chosen.find(spec.witness_key(value, options).dump());
        if (picked == chosen.end()) return out;  // a vacuous configuration: nothing was searched
        out["witness"] = spec.witnesses[picked->second.index].name;
        out["witness_parameters"] = spec.witnesses[picked->second.index].parameters;
        out["witness_key"] = spec.witness_key(value, options);
        out["search"] = picked->second.training;
        return out;
      },
      [](const Config& value) { return value.seed; }};
  BudgetCounts counts = options.counts;  // the statement's configurations; trials by the power rule
  counts.trials = 0;
  counts.max_trials = budgets::kWitnessTrialCap[options.budget == Budget::quick ? 0 : 1];
  const ProbabilisticRun run = run_probabilistic(property, counts, options);
  WitnessJudgement judgement;
  judgement.witness = "searched: per configuration, the best of " + std::to_string(spec.witnesses.size()) +
                      " admissible rules on " + std::to_string(spec.search_draws) +
                      " training draws each, validated with trials by the power rule (at most " +
                      std::to_string(counts.max_trials) + ")";
  judgement.reads = spec.witness_reads;
  judgement.verdict = run.verdict;
  judgement.figures = probabilistic_result(spec.id, spec.label, run, options).figures;
  judgement.counterexample = run.counterexample;
  return judgement;
}

// The example database, as Hypothesis keeps one: the shrunk configuration of a statement's recorded finding
// (properties/findings/<id>.json) when it was found at a larger budget than this run's, so that a cheaper run judges
// again what a costlier one found. None when there is no such record, or when the user pinned parameters.
std::optional<nlohmann::json> database_example(const std::string& id, const CheckOptions& options);

// A probabilistic run of `property` that also judges the database example (if any) as one more configuration, with
// trials by the power rule up to the full budget's cap. The family's alpha is shared by every configuration, examples
// included (Bonferroni over C + 1); a violated example makes the run violated, with the example as its counterexample
// (it replays under the id "<id>/examples").
template <typename Config>
ProbabilisticRun run_with_examples(const ProbabilisticProperty<Config>& property, const ProbabilisticBudget& budget,
                                   const CheckOptions& options, const ProbabilisticBudget& full) {
  const std::optional<nlohmann::json> example = database_example(property.id, options);
  if (!example) return run_probabilistic(property, budget, options);
  CheckOptions shared = options;
  shared.alpha = options.alpha * budget.configurations / (budget.configurations + 1.0);
  ProbabilisticRun run = run_probabilistic(property, budget, shared);
  const Config config = example->get<Config>();
  ProbabilisticProperty<Config> replay = property;
  replay.id = property.id + "/examples";
  replay.generator = [config] { return rc::gen::just(config); };
  ProbabilisticBudget one = full;
  one.configurations = 1;
  one.trials = 0;
  CheckOptions single = options;
  single.alpha = options.alpha / (budget.configurations + 1.0);
  const ProbabilisticRun judged = run_probabilistic(replay, one, single);
  for (nlohmann::json configuration : judged.evidence) {
    configuration["from"] = "the example database (a recorded full-budget finding)";
    run.evidence.push_back(configuration);
  }
  run.configurations += judged.configurations;
  run.holds += judged.holds;
  run.violated += judged.violated;
  run.inconclusive += judged.inconclusive;
  run.vacuous += judged.vacuous;
  if (run.verdict != Verdict::violated && judged.verdict == Verdict::violated) run.counterexample = judged.counterexample;
  // Either run's case replays from the user's own command (the shared alpha is internal; every quick run judges the
  // example again), and from its RC_PARAMS (under "<id>" or "<id>/examples").
  if (run.counterexample) run.counterexample->replay = replay_command(property.id, options);
  for (const Verdict verdict : {Verdict::violated, Verdict::inconclusive, Verdict::holds}) {
    if (run.verdict == verdict || judged.verdict == verdict) {
      run.verdict = verdict;
      return run;
    }
  }
  return run;  // both vacuous
}

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
                        StatementResult result = probabilistic_result(
                            spec.id, spec.label, run_with_examples(property, options.counts, options, spec.budget.full),
                            options);
                        result.notes = (spec.notes_for ? spec.notes_for(options) : spec.notes) + " Ranges: " +
                                       ranges_text(spec.ranges) + ".";
                        if (spec.form == LogicalForm::existential) {
                          WitnessJudgement proof;
                          proof.witness = spec.proof_witness;
                          proof.admissible = spec.proof_reads.empty();
                          proof.reads = spec.proof_reads;
                          proof.verdict = result.verdict;
                          proof.figures = result.figures;
                          proof.counterexample = result.counterexample;
                          if (!spec.witnesses.empty() && options.search_witnesses) {
                            result.searched_witness = searched_witness(spec, options);
                          }
                          result.refutation = spec.refutation;
                          result.verdict = existential_verdict(proof, result.searched_witness, !spec.refutation.empty());
                          result.proof_witness = proof;
                        }
                        return result;
                      },
                      spec.ranges};
  statement.budget = spec.budget;
  statement.device = spec.device;
  statement.expected = spec.expected;
  statement.form = spec.form;
  statement.quantifiers = spec.quantifiers;
  statement.searches_witness = !spec.witnesses.empty();
  return statement;
}

}  // namespace icsr::properties
