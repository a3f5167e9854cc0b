// icsr empirical-n0: the smallest n at which Theorem 5.1's conclusion holds with probability >= 1 - delta,
// in the paper's setting, next to the theoretical N_0.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/common.hpp"
#include "properties/sweeps/empirical_n0.hpp"
#include "reports/evidence.hpp"

namespace icsr::cli {
namespace {

struct EmpiricalN0Flags {
  properties::EmpiricalN0Options options;
  std::string json_path;
};

int run_empirical_n0(const EmpiricalN0Flags& flags) {
  const properties::EmpiricalN0Options& options = flags.options;
  if (options.S > options.d) throw std::invalid_argument("--S must be <= d");
  if (!flags.json_path.empty()) check_writable_file("--json", flags.json_path);
  const nlohmann::json table = properties::empirical_n0(options);
  std::cout << fmt::format("{:>10} {:>10} {:>14} {:>12} {:>22} {:>22}\n", "n", "alpha_n", "failures", "verdict",
                           "median error/bound", "rate of N_0: failures");
  for (const auto& row : table.at("rows")) {
    const bool judged = row.contains("judgement");
    const std::string alpha = row.at("alpha_n").is_null() ? std::string("undefined") : fmt::format("{:.4f}", row.at("alpha_n").get<double>());
    std::cout << fmt::format(
        "{:>10} {:>10} {:>14} {:>12} {:>22} {:>22}\n", row.at("n").get<long>(), alpha,
        judged ? fmt::format("{}/{}", row.at("judgement").at("failures").get<int>(), row.at("judgement").at("trials").get<int>()) : "-",
        row.at("verdict").get<std::string>(),
        judged ? fmt::format("{:.3g}", row.at("median_error_over_bound").get<double>()) : "-",
        judged ? fmt::format("{}/{} {}", row.at("rate_of_N0").at("failures").get<int>(), row.at("rate_of_N0").at("trials").get<int>(),
                             row.at("rate_of_N0").at("verdict").get<std::string>())
               : "-");
  }
  std::cout << fmt::format("theoretical N_0 = {:.0f}; empirical N_0 = {} (the bound is trivial below n = {}, "
                           "alpha_n <= 0); smallest n reaching the rate guaranteed at N_0 = {}; paper's N = 10\n",
                           table.at("theoretical_N0").get<double>(), table.at("empirical_N0").dump(),
                           table.at("first_nontrivial_n").dump(), table.at("empirical_N0_at_rate_of_N0").dump());
  if (!flags.json_path.empty()) {
    nlohmann::json document = table;
    properties::CheckOptions provenance_options;
    provenance_options.seed = options.seed;
    document["provenance"] = reports::provenance(provenance_options);
    reports::write_json_atomically(flags.json_path, document);
  }
  return kExitHolds;
}

}  // namespace

Command add_empirical_n0(CLI::App& app) {
  CLI::App* n0 = app.add_subcommand("empirical-n0",
                                     "Smallest n at which Theorem 5.1's conclusion holds with probability >= 1 - delta, "
                                     "in the paper's setting, next to the theoretical N_0");
  auto flags = std::make_shared<EmpiricalN0Flags>();
  properties::EmpiricalN0Options& options = flags->options;
  n0->add_option("--d", options.d, "Dimension")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--S", options.S, "Sparsity")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--K", options.K, "Layers")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--gamma", options.gamma, "Step size gamma in (0, 3/2]")->check(real_in(0.0, 1.5, true))->capture_default_str();
  n0->add_option("--delta", options.delta, "delta in (0, 1)")->check(real_in(0.0, 1.0, true, true))->capture_default_str();
  n0->add_option("--trials", options.trials, "Trials per n")->check(CLI::Range(10, 10000000))->capture_default_str();
  n0->add_option("--c", options.c, "The constant c (default: derived)")->check(kNonNegativeReal);
  n0->add_option("--seed", options.seed, "Seed")->check(kSeed)->capture_default_str();
  n0->add_option("--json", flags->json_path, "Write the table as JSON");
  return {n0, [flags] { return run_empirical_n0(*flags); }};
}

}  // namespace icsr::cli
