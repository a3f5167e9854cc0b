// The statement registry: one entry per lemma, theorem, remark or conjecture of the paper. Each entry
// knows its paper label, its claim in words, and how to check itself; `icsr check` and the ctest
// cases call the same `check`, only the budget differs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace icsr::properties {

// unresolved: an existential statement whose proof's witness fails and for which no admissible witness
// was found (and no refutation is known): neither shown nor refuted.
enum class Verdict { holds, violated, inconclusive, vacuous, unresolved };

// The statement's logical shape, which decides what can establish or refute it (printed with every verdict):
//   identity      ∀ inputs: an equality within a tolerance
//   implication   ∀ inputs meeting the hypotheses: an inequality (deterministic lemmas)
//   probabilistic ∀ settings: with probability at least 1 - level, an inequality
//   existential   ∃ parameters (a witness): then a ∀ or a probabilistic claim. A failed witness refutes the
//                 proof that chose it, not the statement; the statement is refuted only by an argument that
//                 holds for every admissible witness.
//   qualitative   a claim about trained models or experiments (Section 6)
enum class LogicalForm { identity, implication, probabilistic, existential, qualitative };
enum class Budget { quick, full };

// Where a statement runs: on the CPU always, or on the device the user selects (--device), for the
// statements that run Transformers through LibTorch.
enum class Device { cpu, selected };

// How much one budget level checks: configurations, trials per configuration (0: enough for power at
// the claimed level) and the cap on trials. Statements read it from CheckOptions::counts.
struct BudgetCounts {
  int configurations = 0;
  int trials = 0;
  int max_trials = 0;
};

// A budget by name, declared once per kind of check (properties/harness/spec.hpp lists them).
struct NamedBudget {
  std::string name = "unnamed";
  BudgetCounts quick, full;

  const BudgetCounts& at(Budget budget) const { return budget == Budget::quick ? quick : full; }
};

std::string to_string(Verdict verdict);
std::string to_string(LogicalForm form);
std::string to_string(Budget budget);
Budget budget_from_string(const std::string& name);  // throws std::invalid_argument

// Parameters fixed on the command line (--d 20 --delta 0.05 ...); the generators draw the rest over
// the statement's stated ranges. A pin outside a statement's range is rejected before anything runs.
struct Pins {
  std::optional<int> d, S, N, n, K;
  std::optional<double> delta, gamma;

  bool empty() const { return !d && !S && !N && !n && !K && !delta && !gamma; }
};

// Throws std::invalid_argument naming the parameter: delta outside (0, 1), gamma <= 0, d < 1, S < 1,
// S > d, N < 1, n < 1, K < 1.
void validate(const Pins& pins);
nlohmann::json describe(const Pins& pins);

struct CheckOptions {
  Budget budget = Budget::quick;
  std::uint64_t seed = 1;
  std::string device = "cpu";  // "cpu" or "cuda"; the LibTorch device the Transformers run on
  double c = 0.0;              // Lemma 3's sub-exponential constant; 0 means the derived Gaussian value
  double alpha = 0.05;         // family-wise false-alarm level of probabilistic verdicts
  Pins pins;                   // parameters fixed by the user
  BudgetCounts counts;         // the statement's named budget at this level (set by Statement::check)
  bool search_witnesses = true;  // existential statements: also search for an admissible witness (--proof-only: no)
  // Property evaluations RapidCheck may spend shrinking after the first failure; -1: no limit; kBudgetShrink:
  // the budget's own (no limit at quick, kFullShrinkBudget at full). Once spent, the remaining shrink candidates
  // are skipped (they pass untried), so the counterexample is the smallest found within the budget; it still
  // replays from its RC_PARAMS. The verdict does not depend on it.
  static constexpr int kBudgetShrink = -2;
  static constexpr int kFullShrinkBudget = 100;
  int shrink_budget = kBudgetShrink;
};

// The c a run uses: options.c when set, else theory::derived_gaussian_c().
double effective_c(const CheckOptions& options);

// A failing case, shrunk by RapidCheck, and how to replay it.
struct Counterexample {
  std::string shown;          // the shrunk configuration, as RapidCheck shows it
  nlohmann::json parameters;  // the same configuration as data
  nlohmann::json observed;    // what the shrunk case gave: error, tolerance, where
  std::string failure;        // the failed assertion and the logged numbers behind it
  std::string replay;         // a shell command that re-runs the search and finds this case again
  std::string rc_params;      // RC_PARAMS value that replays the shrunk case directly (no search)
  int shrink_evaluations = 0; // property evaluations spent shrinking
  bool shrink_cut = false;    // the shrink budget ran out: smaller failing cases may exist
};

// A run of the same property with something deliberately broken, to show the check can fail.
struct Control {
  std::string name;
  Verdict expected = Verdict::violated;
  Verdict observed = Verdict::inconclusive;
  std::string detail;
  std::optional<Counterexample> counterexample;

  bool caught() const { return expected == observed; }
};

// One way of meeting an existential statement: a parameter choice and its judgement on the same draws.
struct WitnessJudgement {
  std::string witness;        // which parameters, in words
  bool admissible = true;     // reads only what the statement lets a witness read
  std::string reads;          // what it reads; for an inadmissible one, the sample it looks at
  Verdict verdict = Verdict::inconclusive;
  nlohmann::json figures;     // the judgement's evidence, as a probabilistic result's figures
  std::optional<Counterexample> counterexample;  // a configuration where this witness fails
};

struct StatementResult {
  std::string id;
  std::string label;
  // The statement's verdict. For an existential statement it follows from the judgements below:
  // holds (a witness that holds is named), violated (a refutation), unresolved (the proof's witness fails
  // and no admissible witness was found), vacuous or inconclusive.
  Verdict verdict = Verdict::inconclusive;
  LogicalForm form = LogicalForm::probabilistic;
  std::string quantifiers;      // the statement's quantifiers in order, e.g. "∀ δ, γ : ∃ parameters : ∀ n : P >= 1 - δ"
  std::optional<WitnessJudgement> proof_witness;     // existential: the parameters the proof picks (a diagnostic of the proof)
  std::optional<WitnessJudgement> searched_witness;  // existential: the best admissible witness a search found
  std::string refutation;       // existential: an argument against every admissible witness; empty: none known
  int trials = 0;               // configurations checked
  std::uint64_t seed = 0;
  Budget budget = Budget::quick;
  std::string device;
  double worst_error = 0.0;     // largest observed discrepancy (in the statement's own units)
  double worst_tolerance = 0.0; // the tolerance or bound it was held to
  double worst_ratio = 0.0;     // largest error / tolerance over the trials
  nlohmann::json worst_parameters;
  nlohmann::json figures;       // statement-specific numbers
  std::optional<Counterexample> counterexample;
  std::vector<Control> controls;
  std::string notes;            // how constants were chosen, findings, caveats
  // The counterexample above is to the statement, or, for an existential statement, to the proof's witness.
};

// The proof's verdict: the proof's witness's for an existential statement, else the statement's.
Verdict proof_verdict(const StatementResult& result);

// A proof defect: an existential statement holds through a searched witness while the proof's witness is
// violated (the statement stands; its proof does not).
bool proof_defect(const StatementResult& result);

// An existential statement's verdict from its judgements (see StatementResult::verdict).
Verdict existential_verdict(const WitnessJudgement& proof, const std::optional<WitnessJudgement>& searched,
                            bool refuted);

void to_json(nlohmann::json& out, const Counterexample& value);
void to_json(nlohmann::json& out, const Control& value);
void to_json(nlohmann::json& out, const WitnessJudgement& value);
void to_json(nlohmann::json& out, const StatementResult& value);

// How a parameter is drawn over its range: uniform integers, a linear grid (multiples of `resolution`
// inside the range) or a log grid (`resolution` points low (high/low)^(i/resolution), i = 0, 1, ...).
enum class Grid { integers, linear, log };

// A pinnable parameter's stated range: the interval the statement is checked over, as its notes say.
// A pin outside it is rejected before anything runs; with a grid, it also drives the draw (Draw).
struct ParameterRange {
  std::string name;  // a Pins field: "d", "S", "N", "n", "K", "delta" or "gamma"
  double low = 0.0;
  double high = 0.0;
  bool low_open = false;
  bool high_open = false;
  Grid grid = Grid::integers;
  double resolution = 0.0;

  bool contains(double value) const;
  std::string text() const;  // e.g. "(0, 2]"
};

struct Statement {
  Statement(std::string id_, std::string label_, std::string claim_,
            std::function<StatementResult(const CheckOptions&)> evaluate_, std::vector<ParameterRange> ranges_ = {})
      : id(std::move(id_)), label(std::move(label_)), claim(std::move(claim_)), evaluate(std::move(evaluate_)),
        ranges(std::move(ranges_)) {}

  std::string id;      // e.g. "thm4.1"
  std::string label;   // e.g. "Theorem 4.1 / Proposition 1 / Theorem C.1"
  std::string claim;   // the statement in words, with its equation numbers
  std::function<StatementResult(const CheckOptions&)> evaluate;  // the check itself; call check()
  std::vector<ParameterRange> ranges;  // the Pins fields this statement accepts, with their stated ranges
  // Checks across pins that one range cannot say (e.g. N >= d for Lemma 4); may be empty.
  std::function<void(const Pins&)> validate_pins;
  NamedBudget budget;                  // how much it checks at the quick and full budgets
  Device device = Device::cpu;         // where it runs
  std::optional<Verdict> expected;     // its verdict at the quick budget and seed 1 (ctest asserts it)
  LogicalForm form = LogicalForm::probabilistic;
  std::string quantifiers;             // the order of its quantifiers, written out
  std::optional<Verdict> expected_proof;  // existential: its proof's witness's verdict at the quick budget, seed 1
  bool searches_witness = false;       // existential: a search for an admissible witness runs

  const ParameterRange* range(const std::string& name) const;  // nullptr when the parameter is not pinnable

  // Runs the statement at options.budget with its named budget's counts; the result carries the device
  // it ran on.
  StatementResult check(const CheckOptions& options) const;
};

// The statement with its named budget and its device declared.
Statement declared(Statement statement, const NamedBudget& budget, Device device = Device::cpu);

// Every pin must be a parameter of at least one selected statement and lie inside the stated range of
// each selected statement that takes it. Throws std::invalid_argument naming the flag, the value, the
// statement and its range.
void validate_pins(const std::vector<const Statement*>& selected, const Pins& pins);

// A number as the command line reads it back exactly: the shortest text that round-trips.
std::string exact_number(double value);

// The shell command that re-runs a statement with the same seed and budget.
std::string replay_command(const std::string& id, const CheckOptions& options);

}  // namespace icsr::properties
