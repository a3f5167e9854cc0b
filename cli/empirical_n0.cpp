// icsr empirical-n0: the smallest n at which Theorem 5.1's conclusion holds with probability >= 1 - delta, and
// the empirical rate, for the proof's and the searched witness, next to the theoretical N_0; --readme prints
// the README's block (properties/sweeps/empirical_n0.hpp).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "properties/sweeps/empirical_n0.hpp"
#include "reports/evidence.hpp"

namespace icsr::cli {
namespace {

struct EmpiricalN0Flags {
  properties::EmpiricalN0Options options;
  std::string json_path;
  bool readme = false;
};

std::string rate_text(const nlohmann::json& row) {
  return fmt::format("{:.3g} [{}, {}]", row.at("rate_quantile").get<double>(),
                     row.at("rate_low").is_null() ? "-inf" : fmt::format("{:.3g}", row.at("rate_low").get<double>()),
                     row.at("rate_high").is_null() ? "inf" : fmt::format("{:.3g}", row.at("rate_high").get<double>()));
}

void print_witness(const nlohmann::json& witness) {
  std::cout << fmt::format("{:>10} {:>10} {:>14} {:>12} {:>26} {:>22}\n", "n", "alpha_n", "failures", "verdict",
                           "rate: delta-quantile [95%]", "rate of N_0: failures");
  for (const auto& row : witness.at("rows")) {
    const bool judged = row.contains("judgement");
    const std::string alpha = row.at("alpha_n").is_null() ? std::string("undefined") : fmt::format("{:.4f}", row.at("alpha_n").get<double>());
    std::cout << fmt::format(
        "{:>10} {:>10} {:>14} {:>12} {:>26} {:>22}\n", row.at("n").get<long>(), alpha,
        judged ? fmt::format("{}/{}", row.at("judgement").at("failures").get<int>(), row.at("judgement").at("trials").get<int>()) : "-",
        row.at("verdict").get<std::string>(), rate_text(row),
        fmt::format("{}/{} {}", row.at("rate_of_N0").at("failures").get<int>(), row.at("rate_of_N0").at("trials").get<int>(),
                    row.at("rate_of_N0").at("verdict").get<std::string>()));
  }
  std::cout << fmt::format("empirical N_0 = {}; smallest n reaching the rate guaranteed at N_0 = {}\n\n",
                           witness.at("empirical_N0").dump(), witness.at("empirical_N0_at_rate_of_N0").dump());
}

int run_empirical_n0(const EmpiricalN0Flags& flags) {
  if (!flags.json_path.empty()) check_writable_file("--json", flags.json_path);
  nlohmann::json document;
  if (flags.readme) {  // the README block: the three settings and the gamma table at the README's defaults
    document = properties::empirical_n0_study(properties::readme_empirical_n0_options(), properties::kReadmeGammaTrials);
    std::cout << properties::kEmpiricalN0Begin << "\n" << properties::empirical_n0_markdown(document)
              << properties::kEmpiricalN0End << "\n";
  } else {
    const properties::EmpiricalN0Options& options = flags.options;
    if (options.S > options.d) throw std::invalid_argument("--S must be <= d");
    document = properties::empirical_n0(options);
    for (const char* name : {"proof", "searched"}) {
      const nlohmann::json& witness = document.at("witnesses").at(name);
      std::cout << fmt::format("{} witness: {}\n", name, witness.at("name").get<std::string>());
      print_witness(witness);
    }
    std::cout << fmt::format("theoretical N_0 = {:.0f}; alpha_n > 0 from n = {}; paper's N = 10\n",
                             document.at("theoretical_N0").get<double>(), document.at("first_nontrivial_n").dump());
  }
  if (!flags.json_path.empty()) {
    properties::CheckOptions provenance_options;
    provenance_options.seed = flags.readme ? properties::readme_empirical_n0_options().seed : flags.options.seed;
    document["provenance"] = reports::provenance(provenance_options);
    reports::write_json_atomically(flags.json_path, document);
  }
  return kExitHolds;
}

}  // namespace

Command add_empirical_n0(CLI::App& app) {
  CLI::App* n0 = app.add_subcommand("empirical-n0",
                                     "Smallest n at which Theorem 5.1's conclusion holds with probability >= 1 - delta, and "
                                     "the empirical rate against alpha_n, for the proof's and the searched witness, next to "
                                     "the theoretical N_0");
  auto flags = std::make_shared<EmpiricalN0Flags>();
  properties::EmpiricalN0Options& options = flags->options;
  const std::vector<CLI::Option*> setting{
      n0->add_option("--d", options.d, "Dimension")->check(kPositiveInt)->capture_default_str(),
      n0->add_option("--S", options.S, "Sparsity")->check(kPositiveInt)->capture_default_str(),
      n0->add_option("--K", options.K, "Layers")->check(kPositiveInt)->capture_default_str(),
      n0->add_option("--gamma", options.gamma, "Step size gamma in (0, 3/2]")->check(real_in(0.0, 1.5, true))->capture_default_str(),
      n0->add_option("--delta", options.delta, "delta in (0, 1)")->check(real_in(0.0, 1.0, true, true))->capture_default_str(),
      n0->add_option("--trials", options.trials, "Trials per n and witness")->check(CLI::Range(10, 10000000))->capture_default_str(),
      n0->add_option("--c", options.c, "The constant c (default: derived)")->check(kNonNegativeReal),
      n0->add_option("--seed", options.seed, "Seed")->check(kSeed)->capture_default_str()};
  n0->add_option("--json", flags->json_path, "Write the table as JSON");
  CLI::Option* readme = n0->add_flag(
      "--readme", flags->readme,
      "Print the README's block instead: (d, S) in {(20,3), (10,2), (40,4)} and the paper-setting gamma table, at the "
      "README's defaults (1000 trials per n and witness, 400 per gamma cell, seed 1)");
  for (CLI::Option* option : setting) readme->excludes(option);
  return {n0, [flags] { return run_empirical_n0(*flags); }};
}

}  // namespace icsr::cli
