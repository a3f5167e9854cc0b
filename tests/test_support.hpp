// Helpers shared by the tests that run statements: the pinned seed, and running the icsr binary.
#pragma once

#include <rapidcheck/detail/Configuration.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/wait.h>

#include "properties/harness/statement.hpp"

namespace icsr::testing {

// The seed of RC_PARAMS when it is set (ctest pins it), else a fixed one.
inline std::uint64_t pinned_seed() {
  return std::getenv("RC_PARAMS") ? rc::detail::configuration().testParams.seed : 20250122u;
}

inline properties::CheckOptions quick_options() {
  properties::CheckOptions options;
  options.seed = pinned_seed();
  return options;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) result.output.append(buffer.data(), read);
  const int status = pclose(pipe.release());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace icsr::testing
