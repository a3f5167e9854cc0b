// What every icsr subcommand shares: exit codes, validated flag types, the checks made before any work
// starts, and the one declaration of the flags that `check` and `report` have in common.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "properties/harness/statement.hpp"

namespace icsr::cli {

constexpr int kExitHolds = 0;
constexpr int kExitViolated = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUndecided = 3;
constexpr int kExitFailed = 4;  // a run-time failure: a file could not be written, gnuplot failed

// A real-valued flag must be a finite number inside its stated range; the message names the range in
// short form (CLI11's own ranges print DBL_MAX in full).
CLI::Validator real_in(double low, double high, bool low_open = false, bool high_open = false);
extern const CLI::Validator kPositiveReal;
extern const CLI::Validator kNonNegativeReal;
extern const CLI::Validator kPositiveInt;
extern const CLI::Validator kPositiveCount;
// A seed is a decimal integer in [0, 2^64 - 1]: no sign, nothing that would wrap or be clamped.
extern const CLI::Validator kSeed;

// Paths that results will be written to, checked before any work starts so that a bad path does not
// discard a run's results at its end. Throw std::invalid_argument naming the flag.
void check_writable_file(const std::string& flag, const std::string& path);
void check_writable_directory(const std::string& flag, const std::string& path);
// Throws std::invalid_argument for --device cuda when LibTorch sees no CUDA device.
void require_device(const std::string& device);

// Threads of LibTorch (intra-op) and OpenBLAS in this process. The checks multiply many small matrices, where
// more threads mostly spin (thm5.1.transformer at the full budget: 430 s in two processes of two threads each,
// 124 s in one process of one thread), so `check` and `report` default to 1 and parallelise across statements
// with --jobs. OpenBLAS is reached through dlsym: a LibTorch built without it is left as it is.
void set_compute_threads(int threads);
// glibc returns freed heap to the system at once by default, so each trial's fresh tensors fault their pages in
// again (a third of thm5.1.transformer's time went to the kernel). Keeps freed memory for reuse instead.
void keep_freed_memory();

// --budget, --seed, --device, --c, --alpha, --shrink-budget, --proof-only and --threads, declared once for
// `check` and `report`.
void add_check_flags(CLI::App& command, properties::CheckOptions& options, std::string& budget, int& threads);

// A subcommand: its parsed CLI11 app and what runs when it was named. Each cli/<name>.cpp adds one.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_list(CLI::App& app);
Command add_check(CLI::App& app);
Command add_report(CLI::App& app);
Command add_train(CLI::App& app);
Command add_evaluate(CLI::App& app);
Command add_train_tf(CLI::App& app);
Command add_evaluate_tf(CLI::App& app);
Command add_empirical_n0(CLI::App& app);
Command add_section6(CLI::App& app);
Command add_verdicts(CLI::App& app);
Command add_timings(CLI::App& app);

}  // namespace icsr::cli
