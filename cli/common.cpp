#include "cli/common.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>

namespace icsr::cli {

CLI::Validator real_in(double low, double high, bool low_open, bool high_open) {
  const std::string range = fmt::format("{}{}, {}{}", low_open ? "(" : "[", low, std::isinf(high) ? "inf" : fmt::format("{}", high),
                                        high_open || std::isinf(high) ? ")" : "]");
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double value = 0.0;
        if (!CLI::detail::lexical_cast(text, value)) return "must be a number, got '" + text + "'";
        const bool inside = std::isfinite(value) && (low_open ? value > low : value >= low) &&
                            (high_open ? value < high : value <= high);
        return inside ? std::string() : "must be a finite number in " + range + ", got " + text;
      },
      "REAL in " + range);
}
const CLI::Validator kPositiveReal = real_in(0.0, std::numeric_limits<double>::infinity(), true);
const CLI::Validator kNonNegativeReal = real_in(0.0, std::numeric_limits<double>::infinity());
const CLI::Validator kPositiveInt = CLI::Range(1, std::numeric_limits<int>::max());
const CLI::Validator kPositiveCount = CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max());

const CLI::Validator kSeed(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return "must be a decimal integer in [0, 18446744073709551615], got '" + text + "'";
      }
      return std::string();
    },
    "UINT64");

void check_writable_file(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (fs::is_directory(target)) throw std::invalid_argument(flag + " " + path + " is a directory");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (fs::exists(parent) && !fs::is_directory(parent)) throw std::invalid_argument(flag + " " + path + ": " + parent.string() + " is not a directory");
  fs::create_directories(parent);
  if (::access(parent.c_str(), W_OK) != 0) throw std::invalid_argument(flag + " " + path + ": cannot write into " + parent.string());
}

void check_writable_directory(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(path) && !fs::is_directory(path)) throw std::invalid_argument(flag + " " + path + " exists and is not a directory");
  fs::create_directories(path);
  if (::access(path.c_str(), W_OK) != 0) throw std::invalid_argument(flag + " " + path + ": not writable");
}

void require_device(const std::string& device) {
  if (device == "cuda" && !torch::cuda::is_available()) {
    throw std::invalid_argument("--device cuda: this build of LibTorch sees no CUDA device (a CPU build, or no GPU)");
  }
}

void set_compute_threads(int threads) {
  if (threads < 1) throw std::invalid_argument("--threads must be >= 1, got " + std::to_string(threads));
  torch::set_num_threads(threads);
  using SetThreads = void (*)(int);
  if (void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) reinterpret_cast<SetThreads>(symbol)(threads);
}

void keep_freed_memory() {
  ::mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());  // never give the top of the heap back
  ::mallopt(M_TOP_PAD, 256 << 20);                                // grow the heap in large steps
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);                          // tensors up to 32 MiB come from the heap
}

void add_check_flags(CLI::App& command, properties::CheckOptions& options, std::string& budget, int& threads) {
  command.add_option("--threads", threads,
                     "LibTorch and OpenBLAS threads in each process (the checks' matrices are small: use --jobs to "
                     "check statements side by side instead)")
      ->check(kPositiveInt)
      ->capture_default_str();
  command.add_option("--budget", budget, "quick (CI-sized, minutes) or full (statistically decisive)")
      ->check(CLI::IsMember({"quick", "full"}))
      ->capture_default_str();
  command.add_option("--seed", options.seed, "RapidCheck seed of every statement; the same seed replays the same configurations")
      ->check(kSeed)
      ->capture_default_str();
  command.add_option("--device", options.device, "Where the Transformers run: cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  command.add_option("--c", options.c, "Lemma 3's sub-exponential constant c (default: derived for the Gaussian design, "
                                       "(1 - log 2)/2 = 0.1534)")
      ->check(kPositiveReal);
  command.add_option("--alpha", options.alpha, "Family-wise false-alarm level of probabilistic verdicts (Bonferroni)")
      ->check(real_in(1e-12, 0.5))
      ->capture_default_str();
  command.add_option("--shrink-budget", options.shrink_budget,
                     "Property evaluations spent shrinking a counterexample after the first failure (-1: no limit; "
                     "default: no limit at quick, 100 at full); the verdict does not depend on it")
      ->check(CLI::Range(-1, std::numeric_limits<int>::max()));
  command.add_flag("--proof-only{false}", options.search_witnesses,
                   "Existential statements: judge the proof's witness only, without the witness search (faster; the "
                   "statement's verdict is then unresolved or inconclusive unless the proof's witness decides it)");
}

}  // namespace icsr::cli
