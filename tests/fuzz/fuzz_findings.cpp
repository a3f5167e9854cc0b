// libFuzzer target for the findings loader, icsr::properties::load_finding. A rejection must be a
// std::invalid_argument naming the file; any other exception, a crash or a sanitizer report is a
// finding. An accepted record must satisfy the schema the loader promises. Run with
// scripts/run_fuzzers.sh.
#include <cstdint>
#include <stdexcept>

#include "properties/findings/loader.hpp"
#include "tests/fuzz/fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = icsr::fuzz::input_file(data, size);
  try {
    const icsr::properties::Finding finding = icsr::properties::load_finding(path);
    if (!finding.counterexample.is_object() || !finding.observed.is_object() || !finding.provenance.is_object()) std::abort();
    icsr::properties::find_statement(finding.id);  // throws if the loader let an unknown id through
  } catch (const std::invalid_argument& error) {
    if (std::string(error.what()).find(path) == std::string::npos) {
      icsr::fuzz::unexpected_exception(error);  // a rejection that does not name the file
    }
  } catch (const std::exception& error) {
    icsr::fuzz::unexpected_exception(error);
  }
  return 0;
}
