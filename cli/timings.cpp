// icsr timings FILE: the README's full-budget timing table from a `icsr check --timings` file, printed as
// Markdown between the README's markers (reports/verdict_table.hpp).
#include <iostream>
#include <memory>
#include <string>

#include "cli/common.hpp"
#include "reports/verdict_table.hpp"

namespace icsr::cli {

Command add_timings(CLI::App& app) {
  CLI::App* command = app.add_subcommand("timings", "Print the README's timing table from a `check --timings` file");
  auto file = std::make_shared<std::string>();
  command->add_option("file", *file, "The timings JSON written by `icsr check ... --timings FILE`")->required()->check(CLI::ExistingFile);
  auto targeted = std::make_shared<std::string>();
  command->add_option("--targeted", *targeted,
                      "Also print the README's time-to-first-counterexample table from this Google Benchmark JSON of "
                      "benchmarks/bench_targeted (--benchmark_format=json)")
      ->check(CLI::ExistingFile);
  return {command, [file, targeted] {
            std::cout << reports::kTimingsBegin << "\n" << reports::timings_markdown(*file) << reports::kTimingsEnd << "\n";
            if (!targeted->empty()) {
              std::cout << "\n" << reports::kTargetedBegin << "\n" << reports::targeted_markdown(*targeted) << reports::kTargetedEnd << "\n";
            }
            return kExitHolds;
          }};
}

}  // namespace icsr::cli
