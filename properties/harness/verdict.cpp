#include "properties/harness/verdict.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace icsr::properties {

void to_json(nlohmann::json& out, const BinomialJudgement& value) {
  out = {{"trials", value.trials},   {"failures", value.failures}, {"claimed_level", value.claimed_level},
         {"alpha", value.alpha},     {"lower", value.lower},       {"upper", value.upper},
         {"detectable", std::isfinite(value.detectable) ? nlohmann::json(value.detectable) : nlohmann::json("none")},
         {"powered", value.powered}, {"verdict", to_string(value.verdict)}};
}

BinomialJudgement judge_failure_rate(int failures, int trials, double claimed_level, double alpha) {
  if (trials < 1) throw std::invalid_argument("trials must be >= 1, got " + std::to_string(trials));
  if (failures < 0 || failures > trials) {
    throw std::invalid_argument("failures must lie in [0, trials], got " + std::to_string(failures));
  }
  if (!(claimed_level >= 0.0 && claimed_level <= 1.0)) {
    throw std::invalid_argument("claimed level must lie in [0, 1], got " + std::to_string(claimed_level));
  }
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::invalid_argument("alpha must lie in (0, 1), got " + std::to_string(alpha));
  using boost::math::binomial_distribution;
  BinomialJudgement out;
  out.trials = trials;
  out.failures = failures;
  out.claimed_level = claimed_level;
  out.alpha = alpha;
  out.lower = binomial_distribution<>::find_lower_bound_on_p(trials, failures, alpha);
  out.upper = binomial_distribution<>::find_upper_bound_on_p(trials, failures, alpha);
  out.detectable = detectable_failure_rate(trials, claimed_level, alpha);
  out.powered = out.detectable <= std::min(1.0, kPowerFactor * claimed_level);
  if (out.lower > claimed_level) {
    out.verdict = Verdict::violated;
  } else if (out.upper <= claimed_level && out.powered) {
    out.verdict = Verdict::holds;
  } else {
    out.verdict = Verdict::inconclusive;
  }
  return out;
}

BinomialJudgement judge_failure_rate_with_excuses(int failures, int unexcused_failures, int trials, double claimed_level,
                                                  double excused_upper, double alpha) {
  if (unexcused_failures < 0 || unexcused_failures > failures) {
    throw std::invalid_argument("unexcused failures must lie in [0, failures], got " +
                                std::to_string(unexcused_failures));
  }
  if (!(excused_upper >= 0.0)) throw std::invalid_argument("the excused level must be >= 0");
  const BinomialJudgement all = judge_failure_rate(failures, trials, std::min(1.0, claimed_level + excused_upper), alpha / 2);
  const BinomialJudgement unexcused = judge_failure_rate(unexcused_failures, trials, claimed_level, alpha / 2);
  BinomialJudgement out = all;
  out.claimed_level = claimed_level;
  out.alpha = alpha;
  out.upper = unexcused.upper;
  // all.detectable and all.powered: the power of the violation test, at its level (claimed + delta').
  if (all.verdict == Verdict::violated) {
    out.verdict = Verdict::violated;
  } else if (unexcused.verdict == Verdict::holds && all.powered) {
    out.verdict = Verdict::holds;
  } else {
    out.verdict = Verdict::inconclusive;
  }
  return out;
}

int fewest_violating_failures(int trials, double claimed_level, double alpha) {
  // The lower bound grows with the failure count, so bisect for the first count it calls violated.
  const auto violated = [&](int failures) {
    return boost::math::binomial_distribution<>::find_lower_bound_on_p(trials, failures, alpha) > claimed_level;
  };
  if (!violated(trials)) return trials + 1;
  int low = 0, high = trials;
  while (low < high) {
    const int middle = (low + high) / 2;
    if (violated(middle)) high = middle; else low = middle + 1;
  }
  return low;
}

namespace {

// P{Bin(trials, rate) >= needed}.
double detection_probability(int trials, double rate, int needed) {
  if (needed == 0) return 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::binomial_distribution<>(trials, rate), needed - 1));
}

}  // namespace

double detectable_failure_rate(int trials, double claimed_level, double alpha, double power) {
  const int needed = fewest_violating_failures(trials, claimed_level, alpha);
  if (needed > trials) return std::numeric_limits<double>::infinity();
  // The detection probability grows with the rate: bisect for the first rate that reaches `power`.
  double low = 0.0, high = 1.0;
  for (int step = 0; step < 60; ++step) {
    const double middle = (low + high) / 2;
    if (detection_probability(trials, middle, needed) >= power) high = middle; else low = middle;
  }
  return high;
}

int trials_for_power(double claimed_level, double alpha, double factor, double power) {
  const double true_rate = std::min(1.0, factor * claimed_level);
  for (int trials = 16; trials <= (1 << 26); trials = trials * 5 / 4 + 1) {
    // The fewest failures that the rule calls violated, then the chance of seeing at least that many.
    const int needed = fewest_violating_failures(trials, claimed_level, alpha);
    if (needed > trials) continue;
    if (detection_probability(trials, true_rate, needed) >= power) return trials;
  }
  throw std::invalid_argument("no trial count up to 2^26 reaches the requested power");
}

}  // namespace icsr::properties
