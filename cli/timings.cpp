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
  return {command, [file] {
            std::cout << reports::kTimingsBegin << "\n" << reports::timings_markdown(*file) << reports::kTimingsEnd << "\n";
            return kExitHolds;
          }};
}

}  // namespace icsr::cli
