#include "properties/harness/runner.hpp"

#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace icsr::properties {
namespace {

class SilentListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

std::string show_counterexample(const rc::detail::Example& example) {
  std::string shown;
  for (const auto& [type, value] : example) shown += (shown.empty() ? "" : "\n") + value;
  return shown;
}

nlohmann::json distribution_json(const rc::detail::Distribution& distribution) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [tags, count] : distribution) {
    std::string key;
    for (const auto& tag : tags) key += (key.empty() ? "" : ", ") + tag;
    out[key.empty() ? "untagged" : key] = count;
  }
  return out;
}

}  // namespace

void require_finite(const std::string& what, double observed, double bound, const nlohmann::json& where) {
  if (std::isfinite(observed) && !std::isnan(bound)) return;
  throw TrialError(fmt::format("non-finite value: {} = {} against bound {} at {}", what, observed, bound, where.dump()));
}

double TrialOutcome::ratio() const {
  if (std::isnan(error)) return std::numeric_limits<double>::infinity();
  if (tolerance > 0.0) return error / tolerance;
  return error > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}

void RunRecorder::record(const TrialOutcome& outcome, const nlohmann::json& parameters) {
  if (!outcome.passed()) {
    last_failure_parameters_ = parameters;
    last_failure_ = outcome;
  }
  // After the first failure RapidCheck only shrinks; those cases are not new trials.
  if (failed_) return;
  if (outcome.vacuous) {
    ++vacuous_;
    return;
  }
  if (outcome.ratio() >= worst_.ratio() || worst_parameters_.is_null()) {
    worst_ = outcome;
    worst_parameters_ = parameters;
  }
  if (!outcome.passed()) failed_ = true;
}

IdentityRun run_rapidcheck(const std::string& id, const std::function<void()>& body, const RunRecorder& recorder,
                           int trials, const CheckOptions& options) {
  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = trials;
  params.maxSize = rc::kNominalSize;
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  metadata.description = id;
  SilentListener listener;
  std::string trial_error;
  bool failed = false, cut = false;
  int shrink_evaluations = 0;
  const int shrink_budget = options.shrink_budget != CheckOptions::kBudgetShrink ? options.shrink_budget
                            : options.budget == Budget::full                   ? CheckOptions::kFullShrinkBudget
                                                                               : -1;
  const auto guarded = [&]() {
    if (!trial_error.empty()) return;  // the run is already void: skip the remaining cases
    if (failed && shrink_budget >= 0 && shrink_evaluations >= shrink_budget) {
      cut = true;  // the shrink budget is spent: this candidate passes untried
      return;
    }
    if (failed) ++shrink_evaluations;
    try {
      body();
    } catch (const rc::detail::CaseResult& result) {
      failed = failed || result.type == rc::detail::CaseResult::Type::Failure;
      throw;  // RC_ASSERT and friends: a verdict, handled by RapidCheck
    } catch (const rc::GenerationFailure&) {
      throw;
    } catch (const std::exception& error) {
      trial_error = error.what();
    } catch (...) {
      trial_error = "an exception of unknown type";
    }
  };
  // RapidCheck's global configuration (RC_PARAMS) is read only when set: reading it otherwise prints a
  // random seed that this run does not use.
  static const std::unordered_map<std::string, rc::detail::Reproduce> none;
  const auto& reproduce = std::getenv("RC_PARAMS") ? rc::detail::configuration().reproduce : none;
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(guarded), metadata, params, listener, reproduce);
  if (!trial_error.empty()) {
    throw TrialError(id + ": a trial could not be evaluated (" + trial_error +
                     "); this is an error of icsr or of its input, not a verdict about the paper");
  }

  IdentityRun run;
  run.vacuous = recorder.vacuous();
  run.worst = recorder.worst();
  run.worst_parameters = recorder.worst_parameters();
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(success)) {
    run.verdict = success.numSuccess > run.vacuous ? Verdict::holds : Verdict::vacuous;
    run.trials = success.numSuccess;
    run.distribution = distribution_json(success.distribution);
  } else if (result.match(failure)) {
    run.verdict = Verdict::violated;
    run.trials = failure.numSuccess + 1;
    rc::detail::Configuration replay_config;
    replay_config.reproduce[id] = failure.reproduce;
    Counterexample counterexample;
    counterexample.shown = show_counterexample(failure.counterExample);
    counterexample.parameters = recorder.last_failure_parameters();
    counterexample.observed = {{"error", recorder.last_failure().error},
                               {"tolerance", recorder.last_failure().tolerance},
                               {"where", recorder.last_failure().details}};
    counterexample.failure = failure.description;
    counterexample.replay = replay_command(id, options);
    counterexample.rc_params = rc::detail::configToMinimalString(replay_config);
    counterexample.shrink_evaluations = shrink_evaluations;
    counterexample.shrink_cut = cut;
    run.counterexample = counterexample;
  } else if (result.match(gave_up)) {
    run.verdict = Verdict::inconclusive;
    run.trials = gave_up.numSuccess;
  } else if (result.match(error)) {
    throw std::runtime_error("RapidCheck could not run " + id + ": " + error.description);
  }
  return run;
}

StatementResult base_result(const std::string& id, const std::string& label, Verdict verdict, int trials,
                            const CheckOptions& options) {
  StatementResult result;
  result.id = id;
  result.label = label;
  result.verdict = verdict;
  result.trials = trials;
  result.seed = options.seed;
  result.budget = options.budget;
  result.device = options.device;
  return result;
}

StatementResult statement_result(const std::string& id, const std::string& label, const IdentityRun& run,
                                 const CheckOptions& options) {
  StatementResult result = base_result(id, label, run.verdict, run.trials, options);
  result.worst_error = run.worst.error;
  result.worst_tolerance = run.worst.tolerance;
  result.worst_ratio = run.worst.ratio();
  result.worst_parameters = {{"case", run.worst_parameters}, {"where", run.worst.details}};
  result.figures = {{"distribution", run.distribution}, {"premise_unmet", run.vacuous}};
  result.counterexample = run.counterexample;
  return result;
}

rc::Gen<int> gen_uniform_int(int low, int high_inclusive) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange(low, high_inclusive + 1));
}

rc::Gen<std::uint64_t> gen_inner_seed() {
  return rc::gen::resize(rc::kNominalSize, rc::gen::arbitrary<std::uint64_t>());
}

}  // namespace icsr::properties

namespace icsr::properties {

rc::Gen<int> gen_pinned(const std::optional<int>& pin, int low, int high_inclusive) {
  return pin ? rc::gen::just(*pin) : gen_uniform_int(low, high_inclusive);
}

rc::Gen<double> gen_pinned(const std::optional<double>& pin, const rc::Gen<double>& generator) {
  return pin ? rc::gen::just(*pin) : generator;
}

rc::Gen<double> gen_log_grid(double low, double high, int steps) {
  return rc::gen::map(gen_uniform_int(0, steps - 1),
                      [=](int i) { return low * std::pow(high / low, static_cast<double>(i) / steps); });
}

rc::Gen<double> gen_linear_grid(double step, int first, int last) {
  return rc::gen::map(gen_uniform_int(first, last), [=](int i) { return step * i; });
}

}  // namespace icsr::properties
