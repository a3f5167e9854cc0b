#include "properties/harness/probabilistic.hpp"

#include <boost/math/distributions/binomial.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace icsr::properties {

namespace {

// The smallest r in [1, T] with P{Bin(T, q) <= r - 1} >= level, or T + 1 if none: a bisection, since the CDF
// grows with r (a linear scan cost up to T incomplete-beta evaluations, a quarter of thmD.1's time at 40,000
// trials; test_properties compares the two).
std::size_t first_order_reaching(std::size_t T, double q, double level) {
  const boost::math::binomial_distribution<> counts(static_cast<double>(T), q);
  std::size_t low = 1, high = T + 1;  // the answer lies in [low, high]
  while (low < high) {
    const std::size_t middle = low + (high - low) / 2;
    if (boost::math::cdf(counts, static_cast<double>(middle - 1)) >= level) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

}  // namespace

double quantile_upper_confidence(std::vector<double> values, double q, double confidence) {
  if (values.empty()) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end());
  // Smallest r with P{Bin(T, q) <= r - 1} >= confidence.
  const std::size_t r = first_order_reaching(values.size(), q, confidence);
  return r <= values.size() ? values[r - 1] : std::numeric_limits<double>::infinity();
}

QuantileInterval quantile_interval(std::vector<double> values, double q, double confidence) {
  if (values.empty()) throw std::invalid_argument("quantile_interval: empty sample");
  const double tail = (1.0 - confidence) / 2.0;
  QuantileInterval interval;
  interval.high = quantile_upper_confidence(values, q, 1.0 - tail);
  std::sort(values.begin(), values.end());
  const std::size_t T = values.size();
  interval.point = values[std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(q * T)), 1, T) - 1];
  // The largest l with P{Bin(T, q) <= l - 1} <= tail: one below the first order whose CDF exceeds the tail
  // (the next representable level above it).
  const std::size_t l = first_order_reaching(T, q, std::nextafter(tail, 2.0)) - 1;
  interval.low = l >= 1 ? values[l - 1] : -std::numeric_limits<double>::infinity();
  return interval;
}

nlohmann::json configuration_evidence(const ConfigurationPlan& plan, const std::vector<ProbabilisticTrial>& trials,
                                      const BinomialJudgement& judgement) {
  std::vector<double> observed, bound, ratio;
  for (const auto& trial : trials) {
    observed.push_back(trial.observed);
    bound.push_back(trial.bound);
    ratio.push_back(trial.bound > 0.0 ? trial.observed / trial.bound : std::numeric_limits<double>::infinity());
  }
  const auto quantile = [](std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    const std::size_t index = std::min(values.size() - 1, static_cast<std::size_t>(std::floor(q * (values.size() - 1))));
    return values[index];
  };
  const double q = 1.0 - plan.claimed_level;
  nlohmann::json evidence = {{"judgement", judgement},
                             {"regime", plan.regime},
                             {"bound_median", quantile(bound, 0.5)},
                             {"observed_median", quantile(observed, 0.5)},
                             {"observed_quantile_level", q},
                             {"observed_quantile", quantile(observed, q)},
                             {"observed_quantile_upper_95", quantile_upper_confidence(observed, q, 0.95)},
                             {"tightness_median", quantile(ratio, 0.5)},
                             {"tightness_quantile", quantile(ratio, q)}};
  return evidence;
}

void ProbabilisticRecorder::record(const nlohmann::json& parameters, const nlohmann::json& evidence, Verdict verdict,
                                   bool shrinking) {
  if (verdict == Verdict::violated) last_failure_ = {{"parameters", parameters}, {"evidence", evidence}};
  if (shrinking) return;  // shrink steps are not new configurations
  configurations_.push_back({{"parameters", parameters}, {"verdict", to_string(verdict)}, {"evidence", evidence}});
  verdicts_.push_back(verdict);
  if (verdict == Verdict::violated) failed_ = true;
}

int ProbabilisticRecorder::count(Verdict verdict) const {
  return static_cast<int>(std::count(verdicts_.begin(), verdicts_.end(), verdict));
}

ProbabilisticRun finish_probabilistic(const std::string& id, const std::function<void()>& body,
                                      const ProbabilisticRecorder& recorder, int configurations,
                                      const CheckOptions& options) {
  const RunRecorder unused;
  const IdentityRun identity = run_rapidcheck(id, body, unused, configurations, options);
  ProbabilisticRun run;
  run.evidence = recorder.configurations();
  run.configurations = static_cast<int>(run.evidence.size());
  run.holds = recorder.count(Verdict::holds);
  run.violated = recorder.count(Verdict::violated);
  run.inconclusive = recorder.count(Verdict::inconclusive);
  run.vacuous = recorder.count(Verdict::vacuous);
  if (identity.verdict == Verdict::violated) {
    run.verdict = Verdict::violated;
    run.counterexample = identity.counterexample;
    if (run.counterexample && !recorder.last_failure().is_null()) {
      run.counterexample->parameters = recorder.last_failure().at("parameters");
      run.counterexample->observed = recorder.last_failure().at("evidence");
    }
  } else if (run.holds == 0 && run.inconclusive == 0) {
    run.verdict = Verdict::vacuous;
  } else if (run.inconclusive > 0) {
    run.verdict = Verdict::inconclusive;
  } else {
    run.verdict = Verdict::holds;
  }
  return run;
}

StatementResult probabilistic_result(const std::string& id, const std::string& label, const ProbabilisticRun& run,
                                     const CheckOptions& options) {
  StatementResult result = base_result(id, label, run.verdict, run.configurations, options);
  result.counterexample = run.counterexample;
  double worst = -1.0;
  int no_power = 0;  // inconclusive configurations whose test could not have rejected (see verdict.hpp)
  for (const auto& configuration : run.evidence) {
    if (configuration.at("verdict") == "vacuous") continue;
    const auto& evidence = configuration.at("evidence");
    const auto& judgement = evidence.at("judgement");
    if (configuration.at("verdict") == "inconclusive" && !judgement.at("powered").get<bool>()) ++no_power;
    const double level = evidence.at("judgement").at("claimed_level").get<double>();
    const double lower = evidence.at("judgement").at("lower").get<double>();
    const double ratio = lower / level;
    if (ratio > worst) {
      worst = ratio;
      result.worst_error = lower;
      result.worst_tolerance = level;
      result.worst_ratio = ratio;
      result.worst_parameters = configuration;
    }
  }
  result.figures = {{"c", options.c > 0.0 ? nlohmann::json(options.c) : nlohmann::json("derived per configuration")},
                    {"alpha_family", options.alpha},
                    {"configurations", run.configurations},
                    {"holds", run.holds},
                    {"violated", run.violated},
                    {"inconclusive", run.inconclusive},
                    {"inconclusive_no_power", no_power},
                    {"vacuous", run.vacuous},
                    {"per_configuration", run.evidence}};
  return result;
}

}  // namespace icsr::properties
