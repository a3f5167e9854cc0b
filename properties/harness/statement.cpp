#include "properties/harness/statement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "theory/subexponential.hpp"

namespace icsr::properties {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::holds: return "holds";
    case Verdict::violated: return "violated";
    case Verdict::inconclusive: return "inconclusive";
    case Verdict::vacuous: return "vacuous";
    case Verdict::unresolved: return "unresolved";
  }
  return "unknown";
}

std::string to_string(LogicalForm form) {
  switch (form) {
    case LogicalForm::identity: return "∀-identity";
    case LogicalForm::implication: return "∀-implication";
    case LogicalForm::probabilistic: return "∀-probabilistic";
    case LogicalForm::existential: return "∃-witness";
    case LogicalForm::qualitative: return "qualitative";
  }
  return "unknown";
}

Verdict proof_verdict(const StatementResult& result) {
  return result.proof_witness ? result.proof_witness->verdict : result.verdict;
}

bool proof_defect(const StatementResult& result) {
  return result.proof_witness && result.proof_witness->verdict == Verdict::violated && result.verdict == Verdict::holds;
}

Verdict existential_verdict(const WitnessJudgement& proof, const std::optional<WitnessJudgement>& searched,
                            bool refuted) {
  if (searched && searched->admissible && searched->verdict == Verdict::holds) return Verdict::holds;
  if (proof.admissible && proof.verdict == Verdict::holds) return Verdict::holds;
  if (refuted) return Verdict::violated;
  const bool searched_vacuous = !searched || searched->verdict == Verdict::vacuous;
  if (proof.verdict == Verdict::vacuous && searched_vacuous) return Verdict::vacuous;
  if (searched && searched->verdict == Verdict::inconclusive) return Verdict::inconclusive;
  if (!searched && proof.verdict == Verdict::inconclusive) return Verdict::inconclusive;
  return Verdict::unresolved;
}

std::string exact_number(double value) { return fmt::format("{}", value); }

bool ParameterRange::contains(double value) const {
  if (!std::isfinite(value)) return false;
  const bool above_low = low_open ? value > low : value >= low;
  const bool below_high = high_open ? value < high : value <= high;
  return above_low && below_high;
}

std::string ParameterRange::text() const {
  return fmt::format("{}{}, {}{}", low_open ? "(" : "[", low, high, high_open ? ")" : "]");
}

StatementResult Statement::check(const CheckOptions& options) const {
  CheckOptions with_counts = options;
  with_counts.counts = budget.at(options.budget);
  StatementResult result = evaluate(with_counts);
  result.device = device == Device::cpu ? "cpu" : options.device;
  result.form = form;
  result.quantifiers = quantifiers;
  return result;
}

Statement declared(Statement statement, const NamedBudget& budget, Device device) {
  statement.budget = budget;
  statement.device = device;
  return statement;
}

const ParameterRange* Statement::range(const std::string& name) const {
  const auto found = std::find_if(ranges.begin(), ranges.end(), [&](const ParameterRange& r) { return r.name == name; });
  return found == ranges.end() ? nullptr : &*found;
}

void validate_pins(const std::vector<const Statement*>& selected, const Pins& pins) {
  validate(pins);
  const nlohmann::json pinned = describe(pins);
  for (const auto& [name, value] : pinned.items()) {
    bool taken = false;
    for (const Statement* statement : selected) {
      const ParameterRange* range = statement->range(name);
      if (!range) continue;
      taken = true;
      if (!range->contains(value.get<double>())) {
        throw std::invalid_argument(fmt::format("--{} {} is outside {}'s stated range {}", name,
                                                exact_number(value.get<double>()), statement->id, range->text()));
      }
    }
    if (!taken) throw std::invalid_argument("--" + name + " is not a parameter of any selected statement");
  }
  for (const Statement* statement : selected) {
    if (statement->validate_pins) statement->validate_pins(pins);
  }
}

void validate(const Pins& pins) {
  const auto reject = [](const std::string& message) { throw std::invalid_argument(message); };
  if (pins.delta && !(*pins.delta > 0.0 && *pins.delta < 1.0)) reject("--delta must lie in (0, 1), got " + exact_number(*pins.delta));
  if (pins.gamma && !(*pins.gamma > 0.0 && std::isfinite(*pins.gamma))) {
    reject("--gamma must be a finite number > 0, got " + exact_number(*pins.gamma));
  }
  if (pins.d && *pins.d < 1) reject("--d must be >= 1, got " + std::to_string(*pins.d));
  if (pins.S && *pins.S < 1) reject("--S must be >= 1, got " + std::to_string(*pins.S));
  if (pins.d && pins.S && *pins.S > *pins.d) {
    reject("--S must be <= d, got S=" + std::to_string(*pins.S) + " > d=" + std::to_string(*pins.d));
  }
  if (pins.N && *pins.N < 1) reject("--N must be >= 1, got " + std::to_string(*pins.N));
  if (pins.n && *pins.n < 1) reject("--n must be >= 1, got " + std::to_string(*pins.n));
  if (pins.K && *pins.K < 1) reject("--K must be >= 1, got " + std::to_string(*pins.K));
}

nlohmann::json describe(const Pins& pins) {
  nlohmann::json out = nlohmann::json::object();
  if (pins.d) out["d"] = *pins.d;
  if (pins.S) out["S"] = *pins.S;
  if (pins.N) out["N"] = *pins.N;
  if (pins.n) out["n"] = *pins.n;
  if (pins.K) out["K"] = *pins.K;
  if (pins.delta) out["delta"] = *pins.delta;
  if (pins.gamma) out["gamma"] = *pins.gamma;
  return out;
}

double effective_c(const CheckOptions& options) {
  return options.c > 0.0 ? options.c : theory::derived_gaussian_c();
}

std::string to_string(Budget budget) { return budget == Budget::quick ? "quick" : "full"; }

Budget budget_from_string(const std::string& name) {
  if (name == "quick") return Budget::quick;
  if (name == "full") return Budget::full;
  throw std::invalid_argument("budget must be quick or full, got '" + name + "'");
}

void to_json(nlohmann::json& out, const Counterexample& value) {
  out = {{"shown", value.shown}, {"parameters", value.parameters}, {"observed", value.observed}, {"failure", value.failure},
         {"replay", value.replay}, {"rc_params", value.rc_params}};
  if (value.shrink_cut) {  // only then: a fully shrunk counterexample's record is unchanged
    out["shrink"] = {{"evaluations", value.shrink_evaluations}, {"budget_spent", true}};
  }
}

void to_json(nlohmann::json& out, const Control& value) {
  out = {{"name", value.name},         {"expected", to_string(value.expected)},
         {"observed", to_string(value.observed)}, {"caught", value.caught()},
         {"detail", value.detail}};
  out["counterexample"] = value.counterexample ? nlohmann::json(*value.counterexample) : nlohmann::json();
}

void to_json(nlohmann::json& out, const WitnessJudgement& value) {
  out = {{"witness", value.witness},     {"admissible", value.admissible}, {"reads", value.reads},
         {"verdict", to_string(value.verdict)}, {"figures", value.figures}};
  out["counterexample"] = value.counterexample ? nlohmann::json(*value.counterexample) : nlohmann::json();
}

void to_json(nlohmann::json& out, const StatementResult& value) {
  out = {{"id", value.id},
         {"paper_label", value.label},
         {"verdict", to_string(value.verdict)},
         {"logical_form", to_string(value.form)},
         {"quantifiers", value.quantifiers},
         {"proof_verdict", to_string(proof_verdict(value))},
         {"proof_defect", proof_defect(value)},
         {"trials", value.trials},
         {"seed", value.seed},
         {"budget", to_string(value.budget)},
         {"device", value.device},
         {"worst_error", value.worst_error},
         {"worst_tolerance", value.worst_tolerance},
         {"worst_ratio", value.worst_ratio},
         {"worst_parameters", value.worst_parameters},
         {"figures", value.figures},
         {"controls", value.controls},
         {"notes", value.notes}};
  out["counterexample"] = value.counterexample ? nlohmann::json(*value.counterexample) : nlohmann::json();
  if (value.proof_witness) out["proof_witness"] = *value.proof_witness;
  if (value.searched_witness) out["searched_witness"] = *value.searched_witness;
  if (value.form == LogicalForm::existential) {
    out["refutation"] = value.refutation.empty() ? "none known" : value.refutation;
  }
}

std::string replay_command(const std::string& id, const CheckOptions& options) {
  std::string command = "icsr check " + id + " --budget " + to_string(options.budget) + " --seed " +
                        std::to_string(options.seed);
  if (options.device != "cpu") command += " --device " + options.device;
  if (options.c > 0.0) command += " --c " + exact_number(options.c);
  if (options.alpha != 0.05) command += " --alpha " + exact_number(options.alpha);
  if (!options.search_witnesses) command += " --proof-only";
  const nlohmann::json pins = describe(options.pins);
  for (const auto& [name, value] : pins.items()) {
    command += " --" + name + " " + (value.is_number_integer() ? value.dump() : exact_number(value.get<double>()));
  }
  return command;
}

}  // namespace icsr::properties
