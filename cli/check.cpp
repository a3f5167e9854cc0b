// icsr check <ids...|all>: one verdict per statement, with evidence, replay commands and findings.
//
// Exit codes: 0 every checked statement holds; 1 a statement or a proof's witness is violated, or a negative
// control was not caught; 3 a verdict is inconclusive, vacuous or unresolved (and nothing is violated); 2 bad
// input; 4 an error.
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
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
  std::string json_path, evidence_dir, findings_dir, shard = "1/1";
};

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

int run_check(CheckFlags& flags) {
  require_device(flags.options.device);
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
  if (!flags.evidence_dir.empty()) check_writable_directory("--evidence-dir", flags.evidence_dir);
  if (!flags.findings_dir.empty()) check_writable_directory("--record-findings", flags.findings_dir);
  std::vector<StatementResult> results;
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
      continue;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::cout << reports::render_verdict(result) << std::flush;
    std::cerr << fmt::format("    ({} took {:.1f} s)\n", result.id, seconds);
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
  add_check_flags(*command, flags->options, flags->budget);
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
  return {command, [flags] { return run_check(*flags); }};
}

}  // namespace icsr::cli
