// The statistical verdict for "with probability at least 1 - level" statements: T independent trials,
// k failures, and exact one-sided Clopper-Pearson bounds on the failure probability (Boost.Math) at a
// stated false-alarm level alpha (already Bonferroni-divided by the caller over the configurations).
//
//   violated      the lower bound on the failure probability exceeds the claimed level;
//   holds         the upper bound is at or below the claimed level, and the test has power: it would call
//                 a true failure rate of min(1, 2 x the claimed level) violated with probability >= 0.8;
//   inconclusive  otherwise: more trials are needed (a "holds" without power is inconclusive, and says so).
#pragma once

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct BinomialJudgement {
  int trials = 0;
  int failures = 0;
  double claimed_level = 0.0;  // the failure probability the statement allows (delta, 3 delta, ...)
  double alpha = 0.0;          // one-sided false-alarm level of each bound
  double lower = 0.0;          // Clopper-Pearson lower bound on the failure probability
  double upper = 1.0;          // Clopper-Pearson upper bound
  // The smallest true failure rate that this test calls violated with probability >= kDetectionPower
  // (+inf when even `trials` failures out of `trials` would not be), and whether it is at most
  // min(1, kPowerFactor x claimed_level).
  double detectable = 0.0;
  bool powered = false;
  Verdict verdict = Verdict::inconclusive;
};

inline constexpr double kDetectionPower = 0.8;
inline constexpr double kPowerFactor = 2.0;

void to_json(nlohmann::json& out, const BinomialJudgement& value);

// Throws std::invalid_argument for trials < 1, failures outside [0, trials], a level outside [0, 1] or
// alpha outside (0, 1).
BinomialJudgement judge_failure_rate(int failures, int trials, double claimed_level, double alpha);

// For "with probability at least 1 - level - delta'" statements whose proof names the good events
// (delta' = the probability that they fail): a draw is excused when those events fail.
//   holds     when the upper bound on P{failed and not excused} is <= level (then P{failed} <= level +
//             delta' follows, since P{not excused} >= 1 - delta');
//   violated  when the lower bound on P{failed} exceeds level + excused_upper, an upper confidence
//             bound on delta' from an independent sample;
//   inconclusive otherwise. Each bound is at alpha / 2. lower/upper in the result are those two bounds.
BinomialJudgement judge_failure_rate_with_excuses(int failures, int unexcused_failures, int trials, double claimed_level,
                                                  double excused_upper, double alpha);

// The fewest failures out of `trials` whose Clopper-Pearson lower bound at alpha exceeds the claimed
// level (the rule's "violated"); trials + 1 when no count is.
int fewest_violating_failures(int trials, double claimed_level, double alpha);

// The smallest true failure rate p with P{Bin(trials, p) >= fewest_violating_failures} >= power; +inf
// when no failure count is called violated.
double detectable_failure_rate(int trials, double claimed_level, double alpha, double power = kDetectionPower);

// The number of trials at which a true failure rate of `factor` times the claimed level is judged
// violated with probability at least `power` (the design rule of the full budget).
int trials_for_power(double claimed_level, double alpha, double factor = 2.0, double power = 0.99);

}  // namespace icsr::properties
