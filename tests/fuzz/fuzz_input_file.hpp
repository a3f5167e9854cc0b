// The loaders under fuzz read a path, so each input is written to an in-memory file (memfd_create)
// and passed as /proc/self/fd/N: no disk traffic, and the file is a regular file like a real one.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

namespace icsr::fuzz {

// The path of an in-memory file holding exactly data[0, size).
inline std::string input_file(const std::uint8_t* data, std::size_t size) {
  static const int descriptor = memfd_create("icsr_fuzz_input", 0);
  if (descriptor < 0 || ftruncate(descriptor, 0) != 0) std::abort();
  std::size_t written = 0;
  while (written < size) {
    const ssize_t step = pwrite(descriptor, data + written, size - written, static_cast<off_t>(written));
    if (step <= 0) std::abort();
    written += static_cast<std::size_t>(step);
  }
  return "/proc/self/fd/" + std::to_string(descriptor);
}

// An exception other than std::invalid_argument is a finding: print its type and message, then abort
// so that libFuzzer saves the input as a crash.
[[noreturn]] inline void unexpected_exception(const std::exception& error) {
  std::fprintf(stderr, "FINDING: exception of type %s (not std::invalid_argument): %s\n", typeid(error).name(), error.what());
  std::abort();
}

}  // namespace icsr::fuzz
