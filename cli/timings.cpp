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
  auto training = std::make_shared<std::string>();
  command->add_option("--training", *training, "Also print the training-throughput table from scripts/bench_training.sh's JSON")
      ->check(CLI::ExistingFile);
  auto large_batch = std::make_shared<std::string>();
  command->add_option("--large-batch", *large_batch, "Also print the large-batch table from scripts/compare_large_batch.sh's JSON")
      ->check(CLI::ExistingFile);
  auto build = std::make_shared<std::string>();
  command->add_option("--build", *build, "Also print the build-time table from scripts/time_build.sh's JSON")
      ->check(CLI::ExistingFile);
  return {command, [file, targeted, training, large_batch, build] {
            std::cout << reports::kTimingsBegin << "\n" << reports::timings_markdown(*file) << reports::kTimingsEnd << "\n";
            if (!targeted->empty()) {
              std::cout << "\n" << reports::kTargetedBegin << "\n" << reports::targeted_markdown(*targeted) << reports::kTargetedEnd << "\n";
            }
            if (!training->empty()) {
              std::cout << "\n" << reports::kTrainingBegin << "\n" << reports::training_markdown(*training) << reports::kTrainingEnd << "\n";
            }
            if (!large_batch->empty()) {
              std::cout << "\n" << reports::kLargeBatchBegin << "\n" << reports::large_batch_markdown(*large_batch)
                        << reports::kLargeBatchEnd << "\n";
            }
            if (!build->empty()) {
              std::cout << "\n" << reports::kBuildBegin << "\n" << reports::build_markdown(*build) << reports::kBuildEnd << "\n";
            }
            return kExitHolds;
          }};
}

}  // namespace icsr::cli
