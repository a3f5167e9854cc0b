// icsr check <ids...|all>: one verdict per statement, with evidence, replay commands and findings.
//
// Exit codes: 0 every checked statement holds; 1 a statement or a proof's witness is violated, or a negative
// control was not caught; 3 a verdict is inconclusive, vacuous or unresolved (and nothing is violated); 2 bad
// input; 4 an error.
#include <fmt/format.h>
#include <torch/torch.h>

#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <limits>
#include <iostream>
#include <map>
#include <sstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/common.hpp"
#include "properties/registry.hpp"
#include "reports/evidence.hpp"
#include "reports/report.hpp"

namespace icsr::cli {
namespace {

using properties::Statement;
using properties::StatementResult;
using properties::Verdict;

struct CheckFlags {
  std::vector<std::string> ids;
  std::string budget = "quick";
  properties::CheckOptions options;
  std::string json_path, evidence_dir, findings_dir, timings_path, schedule_path, shard = "1/1";
  int jobs = 1;
  int threads = 1;
};

extern "C" char** environ;

std::vector<const Statement*> select_statements(const std::vector<std::string>& ids) {
  std::vector<const Statement*> selected;
  for (const std::string& id : ids) {
    if (id == "all") {
      for (const Statement& statement : properties::registry()) selected.push_back(&statement);
    } else {
      selected.push_back(&properties::find_statement(id));
    }
  }
  return selected;
}

// The flags of this run for one statement in a child process (the same budget, seed, options and pins).
std::vector<std::string> child_arguments(const CheckFlags& flags, const std::string& id, const std::string& json_path) {
  const properties::CheckOptions& options = flags.options;
  std::vector<std::string> args{"icsr", "check", id, "--budget", flags.budget, "--seed", std::to_string(options.seed),
                                "--device", options.device, "--alpha", fmt::format("{}", options.alpha), "--json", json_path,
                                "--threads", std::to_string(flags.threads)};
  if (options.c > 0.0) args.insert(args.end(), {"--c", fmt::format("{}", options.c)});
  if (options.shrink_budget != properties::CheckOptions::kBudgetShrink) {
    args.insert(args.end(), {"--shrink-budget", std::to_string(options.shrink_budget)});
  }
  if (!options.search_witnesses) args.push_back("--proof-only");
  const nlohmann::json pins = properties::describe(options.pins);  // named: items() must not outlive it
  for (const auto& [name, value] : pins.items()) {
    args.insert(args.end(), {"--" + name, fmt::format("{}", value.get<double>())});
  }
  if (!flags.evidence_dir.empty()) args.insert(args.end(), {"--evidence-dir", flags.evidence_dir});
  if (!flags.findings_dir.empty()) args.insert(args.end(), {"--record-findings", flags.findings_dir});
  return args;
}

// --timings FILE: the wall time of each statement and of the run, kept apart from the evidence (which
// carries no time, so that the same seed gives byte-identical evidence).
// With the times, each statement's verdict and its proof's-witness verdict, so that a committed full-budget run says
// which counterexamples that budget finds (Registry.QuickBudgetFindsEveryFullBudgetCounterexample).
void write_timings(const CheckFlags& flags, const nlohmann::json& seconds, double total, const nlohmann::json& verdicts) {
  if (flags.timings_path.empty()) return;
  reports::write_json_atomically(flags.timings_path, {{"budget", flags.budget}, {"seed", flags.options.seed}, {"jobs", flags.jobs},
                                                      {"cores", std::thread::hardware_concurrency()},
                                                      {"total_wall_seconds", total}, {"wall_seconds", seconds},
                                                      {"verdicts", verdicts},
                                                      {"provenance", reports::provenance(flags.options)}});
  std::cerr << "timings written to " << flags.timings_path << "\n";
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The order in which --jobs starts the statements: list order, or with --schedule FILE (a --timings file of an
// earlier run) the longest first, statements absent from the file before all others (longest-processing-time
// first: with two workers, a long statement started last no longer runs alone at the end). The evidence does
// not depend on the order.
std::vector<std::size_t> start_order(const std::vector<const Statement*>& selected, const std::string& schedule_path) {
  std::vector<std::size_t> order(selected.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (schedule_path.empty()) return order;
  std::ifstream in(schedule_path);
  if (!in) throw std::invalid_argument("--schedule " + schedule_path + ": cannot read it");
  nlohmann::json seconds;
  try {
    seconds = nlohmann::json::parse(in).at("wall_seconds");
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument("--schedule " + schedule_path + ": not a timings file of `icsr check --timings` (" + error.what() + ")");
  }
  const auto cost = [&](std::size_t i) {
    const auto found = seconds.find(selected[i]->id);
    return found != seconds.end() && found->is_number() ? found->get<double>() : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost(a) > cost(b); });
  return order;
}

// --jobs N: every selected statement in its own `icsr check <id>` process, N at a time, started in list order
// or in the order of --schedule (start_order). Outputs are printed in list order, the evidence merged, and the exit
// code is the worst of the children's (4 for a child that ended in an error or bad input).
int run_check_parallel(const CheckFlags& flags, const std::vector<const Statement*>& selected) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::temp_directory_path() / fmt::format("icsr-check-{}", ::getpid());
  fs::create_directories(folder);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  struct Child {
    std::size_t index;
    pid_t pid;
    std::chrono::steady_clock::time_point began;
  };
  std::deque<std::size_t> waiting;
  for (std::size_t i : start_order(selected, flags.schedule_path)) waiting.push_back(i);
  std::map<pid_t, Child> running;
  std::vector<int> codes(selected.size(), kExitFailed);
  std::vector<double> seconds(selected.size(), 0.0);
  const auto start = std::chrono::steady_clock::now();
  std::size_t finished = 0;
  while (!waiting.empty() || !running.empty()) {
    while (!waiting.empty() && static_cast<int>(running.size()) < flags.jobs) {
      const std::size_t i = waiting.front();
      waiting.pop_front();
      const std::string id = selected[i]->id;
      std::vector<std::string> args = child_arguments(flags, id, (folder / (id + ".json")).string());
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (folder / (id + ".out")).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (folder / (id + ".err")).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      pid_t pid = 0;
      const int spawned = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (spawned != 0) throw std::runtime_error(fmt::format("could not start a child for {}: error {}", id, spawned));
      running[pid] = {i, pid, std::chrono::steady_clock::now()};
      std::cerr << fmt::format("started {}\n", id);
    }
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, 0);
    if (done < 0) throw std::runtime_error("waitpid failed while checking statements in parallel");
    const auto found = running.find(done);
    if (found == running.end()) continue;
    const Child child = found->second;
    running.erase(found);
    codes[child.index] = WIFEXITED(status) ? WEXITSTATUS(status) : kExitFailed;
    seconds[child.index] = std::chrono::duration<double>(std::chrono::steady_clock::now() - child.began).count();
    std::cerr << fmt::format("[{}/{}] {} done: exit {}, {:.1f} s\n", ++finished, selected.size(), selected[child.index]->id,
                             codes[child.index], seconds[child.index]);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json merged, timings = nlohmann::json::object(), verdicts = nlohmann::json::object();
  int exit_code = kExitHolds;
  bool error = false;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const std::string id = selected[i]->id;
    std::cout << read_text(folder / (id + ".out")) << std::flush;
    timings[id] = seconds[i];
    const int code = codes[i];
    if (code != kExitHolds && code != kExitViolated && code != kExitUndecided) {
      error = true;
      std::cerr << fmt::format("{}: the child exited {}; its error output:\n{}", id, code, read_text(folder / (id + ".err")));
      verdicts[id] = {{"verdict", "error"}, {"proof_verdict", "error"}};  // an error, not a verdict
      continue;
    }
    if (code == kExitViolated) exit_code = kExitViolated;
    if (code == kExitUndecided && exit_code == kExitHolds) exit_code = kExitUndecided;
    const nlohmann::json document = nlohmann::json::parse(read_text(folder / (id + ".json")));
    if (merged.is_null()) {
      merged = document;
      merged["statements"] = nlohmann::json::array();
    }
    for (const auto& statement : document.at("statements")) {
      merged["statements"].push_back(statement);
      verdicts[statement.at("id").get<std::string>()] = {{"verdict", statement.at("verdict")},
                                                         {"proof_verdict", statement.at("proof_verdict")}};
    }
  }
  std::cerr << fmt::format("checked {} statement(s) in {:.1f} s wall, {} at a time\n", selected.size(), total, flags.jobs);
  if (!flags.json_path.empty() && !merged.is_null()) {
    reports::write_json_atomically(flags.json_path, merged);
    std::cerr << "evidence written to " << flags.json_path << "\n";
  }
  write_timings(flags, timings, total, verdicts);
  fs::remove_all(folder);
  if (error) {
    std::cerr << "icsr: some statement(s) could not be checked (an error, not a verdict)\n";
    return kExitFailed;
  }
  return exit_code;
}

int run_check(CheckFlags& flags) {
  require_device(flags.options.device);
  set_compute_threads(flags.threads);
  flags.options.budget = properties::budget_from_string(flags.budget);
  torch::manual_seed(static_cast<std::uint64_t>(flags.options.seed));
  const properties::CheckOptions& options = flags.options;
  const reports::Shard shard = reports::parse_shard(flags.shard);
  std::vector<const Statement*> selected;
  const std::vector<const Statement*> named = select_statements(flags.ids);
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (shard.takes(static_cast<int>(i))) selected.push_back(named[i]);
  }
  if (selected.empty()) {
    throw std::invalid_argument(fmt::format("--shard {}/{} selects none of the {} named statement(s)", shard.index,
                                            shard.count, named.size()));
  }
  properties::validate_pins(selected, options.pins);
  if (!flags.json_path.empty()) check_writable_file("--json", flags.json_path);
  if (!flags.timings_path.empty()) check_writable_file("--timings", flags.timings_path);
  if (!flags.evidence_dir.empty()) check_writable_directory("--evidence-dir", flags.evidence_dir);
  if (!flags.findings_dir.empty()) check_writable_directory("--record-findings", flags.findings_dir);
  start_order(selected, flags.schedule_path);  // a bad --schedule file is bad input, refused before any work
  if (flags.jobs > 1 && selected.size() > 1) return run_check_parallel(flags, selected);
  std::vector<StatementResult> results;
  nlohmann::json timings = nlohmann::json::object(), verdicts = nlohmann::json::object();
  nlohmann::json errors = nlohmann::json::array();
  int exit_code = kExitHolds;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < selected.size(); ++i) {
    std::cerr << fmt::format("[{}/{}] checking {} ({} budget, seed {}) ...\n", i + 1, selected.size(),
                             selected[i]->id, properties::to_string(options.budget), options.seed);
    const auto began = std::chrono::steady_clock::now();
    StatementResult result;
    try {
      result = selected[i]->check(options);
    } catch (const std::exception& error) {
      // Not a verdict: report it, keep the other statements' evidence, and exit 4 at the end.
      std::cout << fmt::format("{:<18} {:<10} {}\n    {}\n", selected[i]->id, "ERROR", selected[i]->label, error.what())
                << std::flush;
      errors.push_back({{"id", selected[i]->id}, {"error", error.what()}});
      verdicts[selected[i]->id] = {{"verdict", "error"}, {"proof_verdict", "error"}};
      continue;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::cout << reports::render_verdict(result) << std::flush;
    std::cerr << fmt::format("    ({} took {:.1f} s)\n", result.id, seconds);
    timings[result.id] = seconds;
    verdicts[result.id] = {{"verdict", properties::to_string(result.verdict)},
                           {"proof_verdict", properties::to_string(properties::proof_verdict(result))}};
    bool controls_caught = true;
    for (const auto& control : result.controls) controls_caught = controls_caught && control.caught();
    // A violated proof's witness is a finding about the paper too (exit 1), even where the statement stands.
    if (result.verdict == Verdict::violated || properties::proof_verdict(result) == Verdict::violated || !controls_caught) {
      exit_code = kExitViolated;
    } else if (result.verdict != Verdict::holds && exit_code == kExitHolds) {
      exit_code = kExitUndecided;
    }
    if (!flags.evidence_dir.empty()) {
      reports::write_json_atomically(flags.evidence_dir + "/" + result.id + ".json", reports::evidence_document({result}, options));
    }
    if (!flags.findings_dir.empty() && properties::proof_verdict(result) == Verdict::violated && result.counterexample) {
      const std::string path = flags.findings_dir + "/" + result.id + ".json";
      reports::write_json_atomically(path, reports::finding_record(result, options));
      std::cerr << "finding recorded in " << path << "\n";
    }
    results.push_back(std::move(result));
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format("checked {} statement(s) in {:.1f} s\n", results.size(), total);
  if (!flags.json_path.empty()) {
    nlohmann::json document = reports::evidence_document(results, options);
    if (!errors.empty()) document["errors"] = errors;
    reports::write_json_atomically(flags.json_path, document);
    std::cerr << "evidence written to " << flags.json_path << "\n";
  }
  write_timings(flags, timings, total, verdicts);
  if (!errors.empty()) {
    std::cerr << fmt::format("icsr: {} statement(s) could not be checked (an error, not a verdict)\n", errors.size());
    return kExitFailed;
  }
  return exit_code;
}

}  // namespace

Command add_check(CLI::App& app) {
  CLI::App* command = app.add_subcommand("check", "Check statements and print one verdict each, with evidence");
  auto flags = std::make_shared<CheckFlags>();
  command->add_option("ids", flags->ids, "Statement ids (see `icsr list`), or all")->required();
  add_check_flags(*command, flags->options, flags->budget, flags->threads);
  command->add_option("--json", flags->json_path, "Write the evidence (one object per statement) to this file");
  properties::Pins& pins = flags->options.pins;
  command->add_option("--d", pins.d, "Fix the dimension d instead of drawing it");
  command->add_option("--S", pins.S, "Fix the sparsity S");
  command->add_option("--N", pins.N, "Fix the number of in-context examples N (thm4.1, prop1.B)");
  command->add_option("--n", pins.n, "Fix the prefix length n (Lemma 3, Theorem 5.1 family)");
  command->add_option("--K", pins.K, "Fix the number of layers K");
  command->add_option("--delta", pins.delta, "Fix the probability parameter delta in (0, 1)")->check(real_in(0.0, 1.0, true, true));
  command->add_option("--gamma", pins.gamma, "Fix the step size gamma")->check(kPositiveReal);
  command->add_option("--shard", flags->shard,
                      "Check only statements i, i+n, i+2n, ... of the list (1-based), e.g. 2/4: a deterministic split")
      ->capture_default_str();
  command->add_option("--evidence-dir", flags->evidence_dir,
                      "Write one evidence file per statement, DIR/<id>.json, as soon as it is checked");
  command->add_option("--record-findings", flags->findings_dir,
                      "Write each violated statement's counterexample to DIR/<id>.json (ctest replays "
                      "properties/findings/)");
  command->add_option("--jobs", flags->jobs,
                      "Check up to this many statements at once, each in its own process (outputs in list order, "
                      "evidence merged); 1: one after another in this process")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->add_option("--timings", flags->timings_path,
                      "Write each statement's wall time and the run's to this JSON file (the evidence carries no time)");
  command->add_option("--schedule", flags->schedule_path,
                      "With --jobs: start the statements that took longest in this earlier --timings file first (those "
                      "not in it before all); the evidence does not depend on the order")
      ->check(CLI::ExistingFile);
  return {command, [flags] { return run_check(*flags); }};
}

}  // namespace icsr::cli
