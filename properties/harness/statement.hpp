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

enum class Verdict { holds, violated, inconclusive, vacuous };
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

struct StatementResult {
  std::string id;
  std::string label;
  Verdict verdict = Verdict::inconclusive;
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
};

void to_json(nlohmann::json& out, const Counterexample& value);
void to_json(nlohmann::json& out, const Control& value);
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
