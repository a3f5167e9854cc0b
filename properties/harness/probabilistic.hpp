// Runs a "with probability at least 1 - level" statement: RapidCheck draws configurations over the
// stated ranges; each configuration gets T independent trials from its own seeded generator; the
// failures are judged by exact Clopper-Pearson bounds at alpha / (number of configurations)
// (Bonferroni). A violated configuration fails the RapidCheck property, which then shrinks it.
// Configurations whose premise is unmet, or whose claim is trivial, are recorded as vacuous.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"
#include "properties/harness/verdict.hpp"

namespace icsr::properties {

// One random draw of the statement: did the claimed inequality fail, and by how much.
struct ProbabilisticTrial {
  bool failed = false;
  double observed = 0.0;  // the left-hand side
  double bound = 0.0;     // the right-hand side
  bool excused = false;   // the proof's good events failed on this draw (see ConfigurationPlan::excused_upper)
};

// What a configuration claims before any draw: its allowed failure probability, or why it is vacuous.
struct ConfigurationPlan {
  double claimed_level = 0.0;   // e.g. delta or 3 delta
  std::string vacuous_reason;   // non-empty: the premise is unmet or the claim is trivial
  nlohmann::json regime;        // e.g. n against N_0
  // Statements at level + delta' (Theorem E.1): an upper confidence bound on delta', the probability
  // that a draw is excused, estimated beforehand from an independent sample. Negative: not used.
  double excused_upper = -1.0;
};

template <typename Config>
struct ProbabilisticProperty {
  std::string id;
  std::function<rc::Gen<Config>()> generator;
  std::function<ConfigurationPlan(const Config&)> plan;
  std::function<ProbabilisticTrial(const Config&, std::mt19937_64&)> trial;
  std::function<nlohmann::json(const Config&)> describe;
  std::function<std::uint64_t(const Config&)> seed;
};

// configurations; trials per configuration (0 means trials_for_power at the claimed level); the cap
// for trials_for_power.
using ProbabilisticBudget = BudgetCounts;

// Evidence for one configuration: the judgement and the observed distribution against the bound.
nlohmann::json configuration_evidence(const ConfigurationPlan& plan, const std::vector<ProbabilisticTrial>& trials,
                                      const BinomialJudgement& judgement);

// Distribution-free upper confidence bound on the q-quantile: the order statistic X_(r) with
// P{Bin(T, q) < r} >= confidence. Returns +inf when T is too small.
double quantile_upper_confidence(std::vector<double> values, double q, double confidence);

// The q-quantile x_(ceil(qT)) with a two-sided distribution-free interval [x_(l), x_(u)] at `confidence`:
// l the largest order with P{Bin(T, q) <= l - 1} <= (1 - confidence)/2 (-inf if none), u the smallest with
// P{Bin(T, q) <= u - 1} >= (1 + confidence)/2 (+inf if none). Throws std::invalid_argument for an empty sample.
struct QuantileInterval {
  double point = 0.0, low = 0.0, high = 0.0;
};
QuantileInterval quantile_interval(std::vector<double> values, double q, double confidence);

class ProbabilisticRecorder {
 public:
  void record(const nlohmann::json& parameters, const nlohmann::json& evidence, Verdict verdict, bool shrinking);
  bool shrinking() const { return failed_; }
  const nlohmann::json& configurations() const { return configurations_; }
  const nlohmann::json& last_failure() const { return last_failure_; }
  int count(Verdict verdict) const;

 private:
  bool failed_ = false;
  nlohmann::json configurations_ = nlohmann::json::array();
  nlohmann::json last_failure_;
  std::vector<Verdict> verdicts_;
};

struct ProbabilisticRun {
  Verdict verdict = Verdict::inconclusive;
  int configurations = 0;
  nlohmann::json evidence;  // one object per configuration tried before any failure
  std::optional<Counterexample> counterexample;
  int holds = 0, violated = 0, inconclusive = 0, vacuous = 0;
};

ProbabilisticRun finish_probabilistic(const std::string& id, const std::function<void()>& body,
                                      const ProbabilisticRecorder& recorder, int configurations,
                                      const CheckOptions& options);

template <typename Config>
ProbabilisticRun run_probabilistic(const ProbabilisticProperty<Config>& property, const ProbabilisticBudget& budget,
                                   const CheckOptions& options) {
  ProbabilisticRecorder recorder;
  const rc::Gen<Config> generator = property.generator();
  const double alpha = options.alpha / budget.configurations;  // Bonferroni over the configurations
  const auto body = [&]() {
    const Config config = *generator;
    const ConfigurationPlan plan = property.plan(config);
    if (!plan.vacuous_reason.empty()) {
      RC_TAG(std::string("vacuous"));
      recorder.record(property.describe(config), {{"vacuous", plan.vacuous_reason}, {"regime", plan.regime}},
                      Verdict::vacuous, recorder.shrinking());
      return;
    }
    const int trials = budget.trials > 0 ? budget.trials
                                         : std::min(budget.max_trials, trials_for_power(plan.claimed_level, alpha));
    std::mt19937_64 rng(property.seed(config));
    std::vector<ProbabilisticTrial> draws;
    int failures = 0, unexcused = 0;
    for (int t = 0; t < trials; ++t) {
      draws.push_back(property.trial(config, rng));
      require_finite("observed", draws.back().observed, draws.back().bound, property.describe(config));
      failures += draws.back().failed ? 1 : 0;
      unexcused += draws.back().failed && !draws.back().excused ? 1 : 0;
    }
    const BinomialJudgement judgement =
        plan.excused_upper >= 0.0
            ? judge_failure_rate_with_excuses(failures, unexcused, trials, plan.claimed_level, plan.excused_upper, alpha)
            : judge_failure_rate(failures, trials, plan.claimed_level, alpha);
    RC_TAG(to_string(judgement.verdict));
    recorder.record(property.describe(config), configuration_evidence(plan, draws, judgement), judgement.verdict,
                    recorder.shrinking());
    RC_LOG() << "failures " << failures << "/" << trials << ", claimed level " << plan.claimed_level
             << ", Clopper-Pearson lower bound " << judgement.lower << "\n";
    RC_ASSERT(judgement.verdict != Verdict::violated);
  };
  return finish_probabilistic(property.id, body, recorder, budget.configurations, options);
}

// The common part of a probabilistic statement's result.
StatementResult probabilistic_result(const std::string& id, const std::string& label, const ProbabilisticRun& run,
                                     const CheckOptions& options);

}  // namespace icsr::properties
