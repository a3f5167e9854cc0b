// Runs a deterministic identity ("for every configuration, error <= tolerance") as a RapidCheck
// property with an explicit seed and trial count, and turns RapidCheck's result into a verdict with
// evidence: the worst case seen, the shrunk counterexample and the commands that replay it.
//
// A failure found this way can be replayed two ways: the same seed and budget re-run the same search
// (RapidCheck is deterministic given the seed), and RC_PARAMS="reproduce=..." replays the shrunk case
// at once (the runner honours RapidCheck's reproduce map, keyed by statement id).
#pragma once

#include <rapidcheck.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

// An error inside a trial: an exception, or a non-finite observed value. It says something about icsr
// or its input, never about the paper: it is never a verdict and never a finding (the CLI exits 4).
class TrialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws TrialError when `observed` is not finite or `bound` is NaN (an infinite bound is a trivial one).
void require_finite(const std::string& what, double observed, double bound, const nlohmann::json& where);

struct TrialOutcome {
  double error = 0.0;      // the observed discrepancy
  double tolerance = 0.0;  // what the statement allows
  nlohmann::json details;  // where and why
  bool vacuous = false;    // the statement's premise is unmet for this configuration

  bool passed() const { return vacuous || error <= tolerance; }  // false for NaN
  double ratio() const;
};

struct IdentityRun {
  Verdict verdict = Verdict::inconclusive;
  int trials = 0;
  int vacuous = 0;  // configurations whose premise was unmet
  TrialOutcome worst;
  nlohmann::json worst_parameters;
  nlohmann::json distribution;  // RC_TAG classification counts
  std::optional<Counterexample> counterexample;
};

// What the property body reports for each evaluated configuration.
class RunRecorder {
 public:
  void record(const TrialOutcome& outcome, const nlohmann::json& parameters);
  const TrialOutcome& worst() const { return worst_; }
  const nlohmann::json& worst_parameters() const { return worst_parameters_; }
  const nlohmann::json& last_failure_parameters() const { return last_failure_parameters_; }
  const TrialOutcome& last_failure() const { return last_failure_; }
  int vacuous() const { return vacuous_; }

 private:
  bool failed_ = false;
  TrialOutcome worst_;
  nlohmann::json worst_parameters_;
  nlohmann::json last_failure_parameters_;
  TrialOutcome last_failure_;
  int vacuous_ = 0;
};

// The RapidCheck plumbing, shared by every identity property. `body` draws a configuration and asserts.
// An exception escaping `body` (other than RapidCheck's own) stops the run: later cases are skipped and
// a TrialError naming the statement and the cause is thrown once RapidCheck returns.
IdentityRun run_rapidcheck(const std::string& id, const std::function<void()>& body, const RunRecorder& recorder,
                           int trials, const CheckOptions& options);

// A deterministic identity over configurations of type Config.
template <typename Config>
struct IdentityProperty {
  std::string id;
  std::function<rc::Gen<Config>()> generator;
  std::function<TrialOutcome(const Config&)> evaluate;
  std::function<nlohmann::json(const Config&)> describe;
  std::function<std::vector<std::string>(const Config&)> tags;
};

template <typename Config>
IdentityRun run_identity(const IdentityProperty<Config>& property, int trials, const CheckOptions& options) {
  RunRecorder recorder;
  const rc::Gen<Config> generator = property.generator();
  const auto body = [&]() {
    const Config config = *generator;
    for (const std::string& tag : property.tags(config)) RC_TAG(tag);
    const TrialOutcome outcome = property.evaluate(config);
    if (outcome.vacuous) RC_TAG(std::string("premise unmet"));
    if (!outcome.vacuous) require_finite("error", outcome.error, outcome.tolerance, property.describe(config));
    recorder.record(outcome, property.describe(config));
    RC_LOG() << "error=" << outcome.error << " tolerance=" << outcome.tolerance << " details=" << outcome.details.dump()
             << "\n";
    RC_ASSERT(outcome.passed());
  };
  return run_rapidcheck(property.id, body, recorder, trials, options);
}

// The fields every statement's result carries: id, label, verdict, trials, seed, budget, device.
StatementResult base_result(const std::string& id, const std::string& label, Verdict verdict, int trials,
                            const CheckOptions& options);

// The common part of a statement's result: verdict, trials, worst case, counterexample.
StatementResult statement_result(const std::string& id, const std::string& label, const IdentityRun& run,
                                 const CheckOptions& options);

// Generators whose range does not shrink with RapidCheck's size: every draw covers the whole range,
// while shrinking still moves towards `low`.
rc::Gen<int> gen_uniform_int(int low, int high_inclusive);
rc::Gen<std::uint64_t> gen_inner_seed();

// The pinned value when the user fixed one, else the generator.
rc::Gen<int> gen_pinned(const std::optional<int>& pin, int low, int high_inclusive);
rc::Gen<double> gen_pinned(const std::optional<double>& pin, const rc::Gen<double>& generator);

// A log-uniform grid as a generator that shrinks towards `low`: low * (high/low)^(i/steps), i in [0, steps).
rc::Gen<double> gen_log_grid(double low, double high, int steps);
// A linear grid: step * i for i in [first, last].
rc::Gen<double> gen_linear_grid(double step, int first, int last);

}  // namespace icsr::properties
