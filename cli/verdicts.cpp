// icsr verdicts: the README's verdict table and recorded findings, from the registry's declarations and
// properties/findings/, and the numbered findings of reports/findings.json, printed as Markdown between the
// README's markers.
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "reports/verdict_table.hpp"

namespace icsr::cli {

Command add_verdicts(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "verdicts", "Print the README's verdict table (declared verdicts, asserted by ctest), the recorded counterexamples and the numbered findings (from reports/findings.json)");
  return {command, [] {
            std::cout << reports::kVerdictsBegin << "\n" << reports::verdicts_markdown(reports::findings_dir())
                      << reports::kVerdictsEnd << "\n\n"
                      << reports::kFindingsBegin << "\n" << reports::findings_markdown(reports::findings_catalogue())
                      << reports::kFindingsEnd << "\n";
            return kExitHolds;
          }};
}

}  // namespace icsr::cli
