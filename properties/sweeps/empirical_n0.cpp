#include "properties/sweeps/empirical_n0.hpp"

#include <cmath>
#include <random>
#include <vector>

#include "properties/statements/thm5_1_convergence.hpp"
#include "properties/harness/verdict.hpp"
#include "theory/bounds.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {

nlohmann::json empirical_n0(const EmpiricalN0Options& options) {
  const double c = options.c > 0.0 ? options.c : theory::derived_gaussian_c();
  const double N0 = theory::theorem51_N0(options.d, options.S, options.delta, c);
  std::vector<long> grid;
  for (long n = 1; n < 2 * N0; n *= 2) grid.push_back(n);
  grid.push_back(static_cast<long>(std::ceil(N0)));
  grid.push_back(static_cast<long>(std::ceil(2 * N0)));
  std::sort(grid.begin(), grid.end());
  const double alpha = options.alpha / grid.size();
  ConvergenceCase at_N0;
  at_N0.d = options.d;
  at_N0.S = options.S;
  at_N0.K = options.K;
  at_N0.gamma = options.gamma;
  at_N0.delta = options.delta;
  at_N0.n_pinned = static_cast<long>(std::ceil(N0));
  const double alpha_at_N0 = convergence_setting(at_N0, ConvergenceClaim::theorem51, c).alpha;

  nlohmann::json rows = nlohmann::json::array();
  std::vector<Verdict> verdicts;
  long first_nontrivial = -1;
  for (long n : grid) {
    ConvergenceCase value;
    value.d = options.d;
    value.S = options.S;
    value.K = options.K;
    value.gamma = options.gamma;
    value.delta = options.delta;
    value.n_pinned = n;
    value.seed = options.seed;
    const ConvergenceSetting setting = convergence_setting(value, ConvergenceClaim::theorem51, c);
    std::mt19937_64 rng(options.seed * 1000003u + static_cast<std::uint64_t>(n));
    int failures = 0, target_failures = 0;
    std::vector<double> errors;
    double bound = 0.0;
    for (int t = 0; t < options.trials; ++t) {
      if (std::isnan(setting.alpha)) break;
      const ProbabilisticTrial trial = convergence_trial(value, ConvergenceClaim::theorem51, c, rng);
      failures += trial.failed ? 1 : 0;
      // The rate Theorem 5.1 guarantees at N_0: ||beta - beta*|| <= c1 e^{-alpha_{N_0} K}.
      target_failures += trial.observed > trial.bound * std::exp((setting.alpha - alpha_at_N0) * options.K) ? 1 : 0;
      errors.push_back(trial.observed / std::max(trial.bound, 1e-300));
      bound = trial.bound;
    }
    nlohmann::json row = {{"n", n}, {"alpha_n", std::isnan(setting.alpha) ? nlohmann::json() : nlohmann::json(setting.alpha)}};
    if (errors.empty()) {
      row["verdict"] = "vacuous";
      verdicts.push_back(Verdict::vacuous);
    } else {
      const BinomialJudgement judgement = judge_failure_rate(failures, options.trials, options.delta, alpha);
      std::sort(errors.begin(), errors.end());
      row["judgement"] = judgement;
      const BinomialJudgement target = judge_failure_rate(target_failures, options.trials, options.delta, alpha);
      row["rate_of_N0"] = target;
      row["verdict"] = to_string(judgement.verdict);
      row["median_error_over_bound"] = errors[errors.size() / 2];
      row["last_bound"] = bound;
      verdicts.push_back(judgement.verdict);
    }
    if (first_nontrivial < 0 && !std::isnan(setting.alpha) && setting.alpha > 0.0) first_nontrivial = n;
    rows.push_back(row);
  }
  long empirical = -1, empirical_rate = -1;
  for (std::size_t i = grid.size(); i-- > 0;) {
    if (verdicts[i] != Verdict::holds) break;
    empirical = grid[i];
  }
  for (std::size_t i = grid.size(); i-- > 0;) {
    if (!rows[i].contains("rate_of_N0") || rows[i]["rate_of_N0"]["verdict"] != "holds") break;
    empirical_rate = grid[i];
  }
  return {{"setting",
           {{"d", options.d}, {"S", options.S}, {"K", options.K}, {"gamma", options.gamma}, {"delta", options.delta},
            {"c", c}, {"trials_per_n", options.trials}, {"alpha_family", options.alpha}, {"seed", options.seed}}},
          {"theoretical_N0", N0},
          {"paper_N", 10},
          {"rows", rows},
          {"empirical_N0", empirical < 0 ? nlohmann::json() : nlohmann::json(empirical)},
          {"first_nontrivial_n", first_nontrivial < 0 ? nlohmann::json() : nlohmann::json(first_nontrivial)},
          {"alpha_at_N0", alpha_at_N0},
          {"empirical_N0_at_rate_of_N0", empirical_rate < 0 ? nlohmann::json() : nlohmann::json(empirical_rate)}};
}

}  // namespace icsr::properties
