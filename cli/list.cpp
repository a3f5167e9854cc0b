// icsr list: every statement id with the paper's label.
#include <fmt/format.h>

#include <iostream>

#include "cli/common.hpp"
#include "properties/registry.hpp"

namespace icsr::cli {

Command add_list(CLI::App& app) {
  CLI::App* command = app.add_subcommand("list", "Print every statement id with the paper's label");
  return {command, [] {
            for (const properties::Statement& statement : properties::registry()) {
              std::cout << fmt::format("{:<18} {}\n", statement.id, statement.label);
            }
            return kExitHolds;
          }};
}

}  // namespace icsr::cli
