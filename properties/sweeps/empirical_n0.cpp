#include "properties/sweeps/empirical_n0.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/spec.hpp"
#include "properties/harness/verdict.hpp"
#include "properties/statements/thm5_1_convergence.hpp"
#include "theory/bounds.hpp"
#include "theory/subexponential.hpp"

namespace icsr::properties {
namespace {

constexpr double kIntervalConfidence = 0.95;
constexpr int kPaperN = 10;

ConvergenceCase case_at(const EmpiricalN0Options& options, long n) {
  ConvergenceCase value;
  value.d = options.d;
  value.S = options.S;
  value.K = options.K;
  value.gamma = options.gamma;
  value.delta = options.delta;
  value.n_pinned = n;
  value.seed = options.seed;
  return value;
}

double alpha_at(const EmpiricalN0Options& options, long n, double c) {
  return convergence_setting(case_at(options, n), ConvergenceClaim::theorem51, c).alpha;
}

// The witness `icsr check thm5.1` picks for this setting: the same family, key, seed and training draws.
struct Picked {
  WitnessRule rule;
  nlohmann::json key, training;
};
Picked search_witness(const EmpiricalN0Options& options, double c) {
  const ConvergenceCase training = case_at(options, 0);  // n_pinned = 0, n_step = 0: n = N_0
  const nlohmann::json key = convergence_witness_key(training, c);
  const std::vector<WitnessRule> rules = convergence_witnesses();
  const WitnessChoice choice = choose_witness(rules, ProbabilisticSpec<ConvergenceCase>().search_draws,
                                              stable_hash(key.dump()), [&](const WitnessRule& rule, std::mt19937_64& rng) {
                                                return convergence_trial(training, ConvergenceClaim::theorem51, c, rng, &rule);
                                              });
  return {rules[choice.index], key, choice.training};
}

nlohmann::json finite_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

// One witness at one n: `trials` draws seeded from (seed, n), so both witnesses see the same draws.
nlohmann::json row_at(const EmpiricalN0Options& options, long n, double c, double alpha_N0, double family_alpha,
                      const WitnessRule* witness) {
  const ConvergenceCase value = case_at(options, n);
  const double alpha_n = alpha_at(options, n, c);
  std::mt19937_64 rng(options.seed * 1000003u + static_cast<std::uint64_t>(n));
  int failures = 0, rate_failures = 0;
  std::vector<double> rates, ratios;
  for (int t = 0; t < options.trials; ++t) {
    const ConvergenceOutcome outcome = convergence_outcome(value, ConvergenceClaim::theorem51, c, rng, witness);
    const double relative = std::max(outcome.error, std::numeric_limits<double>::min()) / outcome.scale;
    rates.push_back(-std::log(relative) / options.K);  // error = c1 e^{-rate K}
    if (std::isfinite(alpha_n)) failures += outcome.error > theory::convergence_bound(outcome.scale, alpha_n, options.K) ? 1 : 0;
    rate_failures += outcome.error > theory::convergence_bound(outcome.scale, alpha_N0, options.K) ? 1 : 0;
    ratios.push_back(relative);
  }
  const QuantileInterval rate = quantile_interval(rates, options.delta, kIntervalConfidence);
  std::sort(ratios.begin(), ratios.end());
  nlohmann::json row = {{"n", n},
                        {"n_over_d", static_cast<double>(n) / options.d},
                        {"alpha_n", finite_or_null(alpha_n)},
                        {"rate_quantile", rate.point},
                        {"rate_low", finite_or_null(rate.low)},
                        {"rate_high", finite_or_null(rate.high)},
                        {"median_error_over_c1", ratios[ratios.size() / 2]},
                        {"rate_of_N0", judge_failure_rate(rate_failures, options.trials, options.delta, family_alpha)}};
  if (std::isfinite(alpha_n)) {
    const BinomialJudgement judgement = judge_failure_rate(failures, options.trials, options.delta, family_alpha);
    row["judgement"] = judgement;
    row["verdict"] = to_string(judgement.verdict);
  } else {
    row["verdict"] = "vacuous";  // alpha_n undefined: the theorem claims nothing at this n
  }
  return row;
}

// The smallest grid n from which every larger grid n's `verdict(row)` is "holds".
nlohmann::json smallest_holding(const nlohmann::json& rows, const std::function<std::string(const nlohmann::json&)>& verdict) {
  nlohmann::json smallest;
  for (std::size_t i = rows.size(); i-- > 0;) {
    if (verdict(rows[i]) != "holds") break;
    smallest = rows[i].at("n");
  }
  return smallest;
}

std::string thousands(double value) {
  std::string digits = fmt::format("{:.0f}", value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::string n_cell(const nlohmann::json& value) { return value.is_null() ? "none on the grid" : thousands(value.get<double>()); }

std::string rate_cell(const nlohmann::json& row) {
  return fmt::format("{:.3g} [{}, {}]", row.at("rate_quantile").get<double>(),
                     row.at("rate_low").is_null() ? "−∞" : fmt::format("{:.3g}", row.at("rate_low").get<double>()),
                     row.at("rate_high").is_null() ? "∞" : fmt::format("{:.3g}", row.at("rate_high").get<double>()));
}

const nlohmann::json& row_with_n(const nlohmann::json& rows, long n) {
  for (const auto& row : rows) {
    if (row.at("n").get<long>() == n) return row;
  }
  throw std::logic_error("empirical_n0: no row at n = " + std::to_string(n));
}

}  // namespace

const std::vector<std::pair<int, int>>& empirical_n0_settings() {
  static const std::vector<std::pair<int, int>> settings{{20, 3}, {10, 2}, {40, 4}};
  return settings;
}

EmpiricalN0Options readme_empirical_n0_options() {
  EmpiricalN0Options options;
  options.trials = 1000;
  return options;
}

nlohmann::json empirical_n0(const EmpiricalN0Options& options) {
  if (options.S < 1 || options.S > options.d) throw std::invalid_argument("empirical_n0: S must lie in [1, d]");
  const double c = options.c > 0.0 ? options.c : theory::derived_gaussian_c();
  const double N0 = theory::theorem51_N0(options.d, options.S, options.delta, c);
  std::vector<long> grid{kPaperN, static_cast<long>(std::ceil(N0)), static_cast<long>(std::ceil(2 * N0))};
  for (long n = 1; n < 2 * N0; n *= 2) grid.push_back(n);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  const double family_alpha = options.alpha / grid.size();
  const double alpha_N0 = alpha_at(options, static_cast<long>(std::ceil(N0)), c);
  const Picked picked = search_witness(options, c);

  nlohmann::json witnesses;
  for (const bool searched : {false, true}) {
    nlohmann::json rows = nlohmann::json::array();
    for (long n : grid) rows.push_back(row_at(options, n, c, alpha_N0, family_alpha, searched ? &picked.rule : nullptr));
    nlohmann::json witness = {
        {"rows", rows},
        {"empirical_N0", smallest_holding(rows, [](const nlohmann::json& row) { return row.at("verdict").get<std::string>(); })},
        {"empirical_N0_at_rate_of_N0", smallest_holding(rows, [](const nlohmann::json& row) {
           return row.at("rate_of_N0").at("verdict").get<std::string>();
         })}};
    if (searched) {
      witness.update({{"name", picked.rule.name}, {"parameters", picked.rule.parameters}, {"key", picked.key},
                      {"training", picked.training}, {"admissible", true}});
    } else {
      witness.update({{"name", "the proof's: M^V = 2I, gamma^(k) = gamma, Lemma 1's theta^(k) from the realised draw"},
                      {"admissible", false}});
    }
    witnesses[searched ? "searched" : "proof"] = witness;
  }
  long first_nontrivial = -1;
  for (long n : grid) {
    const double alpha = alpha_at(options, n, c);
    if (first_nontrivial < 0 && std::isfinite(alpha) && alpha > 0.0) first_nontrivial = n;
  }
  return {{"setting",
           {{"d", options.d}, {"S", options.S}, {"K", options.K}, {"gamma", options.gamma}, {"delta", options.delta},
            {"c", c}, {"rows", "isotropic"}, {"trials_per_n", options.trials}, {"alpha_family", options.alpha},
            {"interval_confidence", kIntervalConfidence}, {"seed", options.seed}}},
          {"theoretical_N0", N0},
          {"paper_N", kPaperN},
          {"alpha_at_N0", alpha_N0},
          {"first_nontrivial_n", first_nontrivial < 0 ? nlohmann::json() : nlohmann::json(first_nontrivial)},
          {"witnesses", witnesses}};
}

nlohmann::json empirical_n0_study(const EmpiricalN0Options& options, int gamma_trials) {
  nlohmann::json settings = nlohmann::json::array();
  for (const auto& [d, S] : empirical_n0_settings()) {
    EmpiricalN0Options one = options;
    one.d = d;
    one.S = S;
    settings.push_back(empirical_n0(one));
  }
  // The paper setting across gamma: both witnesses at N_0 and 16 N_0 on the same draws.
  const std::vector<double> gammas{0.5, 0.9, 1.0, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5};
  const double cell_alpha = options.alpha / (gammas.size() * 4);
  nlohmann::json gamma_rows = nlohmann::json::array();
  for (double gamma : gammas) {
    EmpiricalN0Options one = options;
    one.d = 20;
    one.S = 3;
    one.K = 12;
    one.gamma = gamma;
    const double c = one.c > 0.0 ? one.c : theory::derived_gaussian_c();
    const double N0 = theory::theorem51_N0(one.d, one.S, one.delta, c);
    const Picked picked = search_witness(one, c);
    nlohmann::json row = {{"gamma", gamma}, {"searched_witness", picked.rule.name}};
    for (const int multiple : {1, 16}) {
      const long n = static_cast<long>(std::ceil(multiple * N0));
      for (const bool searched : {false, true}) {
        std::mt19937_64 rng(one.seed * 1000003u + static_cast<std::uint64_t>(n));
        int failures = 0;
        double ratio_sum = 0.0;
        for (int t = 0; t < gamma_trials; ++t) {
          const ProbabilisticTrial trial =
              convergence_trial(case_at(one, n), ConvergenceClaim::theorem51, c, rng, searched ? &picked.rule : nullptr);
          failures += trial.failed ? 1 : 0;
          ratio_sum += trial.observed / trial.bound;
        }
        const std::string cell = fmt::format("{}_at_{}N0", searched ? "searched" : "proof", multiple);
        row[cell] = judge_failure_rate(failures, gamma_trials, one.delta, cell_alpha);
        row[cell + "_mean_ratio"] = ratio_sum / gamma_trials;
      }
    }
    gamma_rows.push_back(row);
  }
  return {{"settings", settings},
          {"gamma_table",
           {{"d", 20}, {"S", 3}, {"K", 12}, {"delta", options.delta}, {"trials", gamma_trials}, {"alpha_per_cell", cell_alpha},
            {"seed", options.seed}, {"rows", gamma_rows}}}};
}

std::string empirical_n0_markdown(const nlohmann::json& study) {
  const nlohmann::json& first = study.at("settings").at(0).at("setting");
  std::string out = fmt::format(
      "Theorem 5.1 at K = {}, γ = {}, δ = {}, isotropic rows, c = {:.4g} (derived), {} draws per n and witness, seed {}; "
      "each n judged by Clopper–Pearson at family-wise {} per witness (Bonferroni over the n grid). The proof's witness "
      "reads the judged draw (Lemma 1's thresholds); the searched witness is the rule `icsr check thm5.1` picks for the "
      "same (d, S, K, γ, δ, c, Σ). \"Bound met from n\": the smallest grid n from which every larger grid n meets "
      "c1 e^{{−α_n K}} with probability ≥ 1 − δ (below the n where α_n > 0 that bound exceeds c1, so it is met "
      "trivially unless the iteration diverges); \"rate of N_0 met from n\": the same for c1 e^{{−α_{{N_0}} K}}, the "
      "rate the theorem guarantees at N_0 (the empirical N_0). α̂(n): the "
      "δ-quantile of the per-draw rate −log(‖β^(K+1) − β*‖/c1)/K with a distribution-free 95% interval; the claim at n "
      "holds when it is ≥ α_n.\n\n",
      first.at("K").get<int>(), first.at("gamma").get<double>(), first.at("delta").get<double>(), first.at("c").get<double>(),
      first.at("trials_per_n").get<int>(), first.at("seed").get<std::uint64_t>(), first.at("alpha_family").get<double>());
  out += "| (d, S) | theoretical N_0 | paper's N | α_n > 0 from n | searched witness | bound met from n: proof's | searched | "
         "rate of N_0 met from n: proof's | searched | α_{N_0} | α̂(N_0): proof's | searched | α̂(10): proof's | searched |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& setting : study.at("settings")) {
    const nlohmann::json& proof = setting.at("witnesses").at("proof");
    const nlohmann::json& searched = setting.at("witnesses").at("searched");
    const long N0 = static_cast<long>(std::ceil(setting.at("theoretical_N0").get<double>()));
    const long paper = setting.at("paper_N").get<long>();
    out += fmt::format("| ({}, {}) | {} | {} | {} | {} | {} | {} | {} | {} | {:.3g} | {} | {} | {} | {} |\n",
                       setting.at("setting").at("d").get<int>(), setting.at("setting").at("S").get<int>(), thousands(N0 * 1.0),
                       paper, n_cell(setting.at("first_nontrivial_n")), searched.at("name").get<std::string>(),
                       n_cell(proof.at("empirical_N0")), n_cell(searched.at("empirical_N0")),
                       n_cell(proof.at("empirical_N0_at_rate_of_N0")), n_cell(searched.at("empirical_N0_at_rate_of_N0")),
                       setting.at("alpha_at_N0").get<double>(), rate_cell(row_with_n(proof.at("rows"), N0)),
                       rate_cell(row_with_n(searched.at("rows"), N0)), rate_cell(row_with_n(proof.at("rows"), paper)),
                       rate_cell(row_with_n(searched.at("rows"), paper)));
  }
  const nlohmann::json& gamma = study.at("gamma_table");
  out += fmt::format(
      "\nThe paper's setting (d = {}, S = {}, K = {}, δ = {}) across γ: failures of the bound in {} draws per cell, the "
      "same draws for both witnesses; a cell is judged at δ with family-wise α = 0.05 over the table (verdict in "
      "brackets); the mean observed/bound beside.\n\n"
      "| γ | proof's at N_0 | proof's at 16 N_0 | proof's mean observed/bound at 16 N_0 | searched witness | searched at "
      "N_0 | searched at 16 N_0 |\n|---|---|---|---|---|---|---|\n",
      gamma.at("d").get<int>(), gamma.at("S").get<int>(), gamma.at("K").get<int>(), gamma.at("delta").get<double>(),
      gamma.at("trials").get<int>());
  const auto count = [](const nlohmann::json& judgement) {
    return fmt::format("{}/{} ({})", judgement.at("failures").get<int>(), judgement.at("trials").get<int>(),
                       judgement.at("verdict").get<std::string>());
  };
  for (const auto& row : gamma.at("rows")) {
    out += fmt::format("| {} | {} | {} | {:.2g} | {} | {} | {} |\n", row.at("gamma").get<double>(), count(row.at("proof_at_1N0")),
                       count(row.at("proof_at_16N0")), row.at("proof_at_16N0_mean_ratio").get<double>(),
                       row.at("searched_witness").get<std::string>(), count(row.at("searched_at_1N0")),
                       count(row.at("searched_at_16N0")));
  }
  return out;
}

nlohmann::json empirical_n0_table(const nlohmann::json& study) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& setting : study.at("settings")) {
    for (const char* name : {"proof", "searched"}) {
      for (const auto& row : setting.at("witnesses").at(name).at("rows")) {
        rows.push_back({setting.at("setting").at("d"), setting.at("setting").at("S"), name, row.at("n"), row.at("n_over_d"),
                        row.at("alpha_n"), row.at("rate_quantile"), row.at("rate_low"), row.at("rate_high"),
                        row.contains("judgement") ? row.at("judgement").at("failures") : nlohmann::json(),
                        row.at("rate_of_N0").at("trials"), row.at("verdict")});
      }
    }
  }
  return {{"name", "empirical_n0"},
          {"title", "Where Theorem 5.1's claim starts to hold: empirical N_0 and the empirical rate against alpha_n, for "
                    "the proof's and the searched witness"},
          {"parameters", study.at("settings").at(0).at("setting")},
          {"columns", {"d", "S", "witness", "n", "n_over_d", "alpha_n", "rate_quantile", "rate_low", "rate_high", "failures",
                       "trials", "verdict"}},
          {"rows", rows},
          {"study", study}};
}

}  // namespace icsr::properties
