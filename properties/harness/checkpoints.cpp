#include "properties/harness/checkpoints.hpp"

#include <cstdlib>

#include "properties/harness/runner.hpp"

namespace icsr::properties {

std::string checkpoint_dir() {
  if (const char* override_dir = std::getenv("ICSR_CHECKPOINTS")) return override_dir;
  return ICSR_CHECKPOINT_DIR;
}

void require_finite(const torch::Tensor& values, const std::string& what) {
  const torch::Tensor bad = values.isfinite().logical_not();
  const std::int64_t count = bad.sum().item<std::int64_t>();
  if (count == 0) return;
  throw TrialError(what + ": " + std::to_string(count) + " of " + std::to_string(values.numel()) +
                   " values are not finite (NaN or infinite); no comparison is made");
}

}  // namespace icsr::properties
