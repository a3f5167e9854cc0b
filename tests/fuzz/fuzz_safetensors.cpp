// libFuzzer target for the checkpoint reader, icsr::models::load_safetensors. A rejection must be a
// std::invalid_argument; any other exception, a crash, a sanitizer report, or an allocation over
// -malloc_limit_mb (metadata driving allocation) is a finding. Run with scripts/run_fuzzers.sh.
#include <cstdint>
#include <stdexcept>

#include "models/training/safetensors.hpp"
#include "tests/fuzz/fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = icsr::fuzz::input_file(data, size);
  try {
    const icsr::models::Checkpoint checkpoint = icsr::models::load_safetensors(path);
    for (const auto& [name, tensor] : checkpoint.tensors) {
      if (!tensor.defined() || !tensor.is_contiguous()) std::abort();  // the header promises CPU, contiguous tensors
    }
  } catch (const std::invalid_argument&) {
    // an expected rejection
  } catch (const std::exception& error) {
    icsr::fuzz::unexpected_exception(error);
  }
  return 0;
}
