// icsr section6: the README's Section 6 tables (like-for-like numbers beside the paper's, the robustness
// runs), computed from the committed checkpoints and printed as Markdown.
#include <iostream>
#include <memory>
#include <string>

#include "cli/common.hpp"
#include "properties/sweeps/section6.hpp"
#include "reports/section6.hpp"

namespace icsr::cli {
namespace {

struct Section6Flags {
  properties::CheckOptions options;
  std::string budget = "quick";
};

int run_section6(Section6Flags& flags) {
  flags.options.budget = properties::budget_from_string(flags.budget);
  std::cout << reports::kSection6Begin << "\n"
            << reports::section6_markdown(properties::section6_baselines(flags.options),
                                          properties::section6_robustness(flags.options))
            << reports::kSection6End << "\n";
  return kExitHolds;
}

}  // namespace

Command add_section6(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "section6", "Print the README's Section 6 tables (means and medians with intervals beside the paper's values; "
                  "the LISTA-VM robustness runs) from the committed checkpoints");
  auto flags = std::make_shared<Section6Flags>();
  command->add_option("--budget", flags->budget, "quick (2,000 instances) or full (20,000)")
      ->check(CLI::IsMember({"quick", "full"}))->capture_default_str();
  command->add_option("--seed", flags->options.seed, "Seed")->check(kSeed)->capture_default_str();
  return {command, [flags] { return run_section6(*flags); }};
}

}  // namespace icsr::cli
