// icsr: checks the statements of Liu, Zhou, Shen, Yang (ICLR 2025) as randomized properties.
//
//   icsr list
//   icsr train-tf --model small_tf|gpt2 [--readout linear|query|query_dagger] [--support-first10]
//                 --checkpoint FILE [--instances N] [--max-minutes M] [--target-loss L] [--device cuda] ...
//   icsr evaluate-tf --checkpoint FILE [--instances N]
//   icsr report [--budget quick|full] [--seed N] [--out DIR] [--shard i/n] [--merge DIR...] [--only ids]
//   icsr check <ids...|all> [--budget quick|full] [--seed N] [--device cpu|cuda] [--json FILE]
//              [--evidence-dir DIR] [--record-findings DIR] [--d N --S N --N N --n N --K N --delta X --gamma X]
//              [--c X] [--alpha X]
//
// Exit codes of `check`: 0 every checked statement holds; 1 a statement is violated or a negative
// control was not caught; 3 a verdict is inconclusive or vacuous (and none is violated); 2 bad input.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/baseline_training.hpp"
#include "models/icl_training.hpp"
#include "properties/empirical_n0.hpp"
#include "reports/progress.hpp"
#include "properties/statement.hpp"
#include "reports/evidence.hpp"
#include "reports/report.hpp"

namespace {

using icsr::properties::CheckOptions;
using icsr::properties::Statement;
using icsr::properties::StatementResult;
using icsr::properties::Verdict;

constexpr int kExitHolds = 0;
constexpr int kExitViolated = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUndecided = 3;
constexpr int kExitFailed = 4;  // a run-time failure: a file could not be written, gnuplot failed

// A real-valued flag must be a finite number inside its stated range; the message names the range in
// short form (CLI11's own ranges print DBL_MAX in full).
CLI::Validator real_in(double low, double high, bool low_open = false, bool high_open = false) {
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

// A seed is a decimal integer in [0, 2^64 - 1]: no sign, nothing that would wrap or be clamped.
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

// A file that an evidence document will be written to: checked before any work starts, so a bad path
// does not discard a run's results at its end.
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

int list_statements() {
  for (const Statement& statement : icsr::properties::registry()) {
    std::cout << fmt::format("{:<18} {}\n", statement.id, statement.label);
  }
  return kExitHolds;
}

std::vector<const Statement*> select_statements(const std::vector<std::string>& ids) {
  std::vector<const Statement*> selected;
  for (const std::string& id : ids) {
    if (id == "all") {
      for (const Statement& statement : icsr::properties::registry()) selected.push_back(&statement);
    } else {
      selected.push_back(&icsr::properties::find_statement(id));
    }
  }
  return selected;
}

int check_statements(const std::vector<std::string>& ids, const CheckOptions& options, const std::string& json_path,
                     const std::string& findings_dir, const std::string& evidence_dir,
                     const icsr::reports::Shard& shard) {
  std::vector<const Statement*> selected;
  const std::vector<const Statement*> named = select_statements(ids);
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (shard.takes(static_cast<int>(i))) selected.push_back(named[i]);
  }
  if (selected.empty()) {
    throw std::invalid_argument(fmt::format("--shard {}/{} selects none of the {} named statement(s)", shard.index,
                                            shard.count, named.size()));
  }
  icsr::properties::validate_pins(selected, options.pins);
  if (!json_path.empty()) check_writable_file("--json", json_path);
  if (!evidence_dir.empty()) check_writable_directory("--evidence-dir", evidence_dir);
  if (!findings_dir.empty()) check_writable_directory("--record-findings", findings_dir);
  std::vector<StatementResult> results;
  nlohmann::json errors = nlohmann::json::array();
  int exit_code = kExitHolds;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < selected.size(); ++i) {
    std::cerr << fmt::format("[{}/{}] checking {} ({} budget, seed {}) ...\n", i + 1, selected.size(),
                             selected[i]->id, icsr::properties::to_string(options.budget), options.seed);
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
    std::cout << icsr::reports::render_verdict(result) << std::flush;
    std::cerr << fmt::format("    ({} took {:.1f} s)\n", result.id, seconds);
    bool controls_caught = true;
    for (const auto& control : result.controls) controls_caught = controls_caught && control.caught();
    if (result.verdict == Verdict::violated || !controls_caught) {
      exit_code = kExitViolated;
    } else if (result.verdict != Verdict::holds && exit_code == kExitHolds) {
      exit_code = kExitUndecided;
    }
    if (!evidence_dir.empty()) {
      icsr::reports::write_json_atomically(evidence_dir + "/" + result.id + ".json",
                                           icsr::reports::evidence_document({result}, options));
    }
    if (!findings_dir.empty() && result.verdict == Verdict::violated) {
      const std::string path = findings_dir + "/" + result.id + ".json";
      icsr::reports::write_json_atomically(path, icsr::reports::finding_record(result, options));
      std::cerr << "finding recorded in " << path << "\n";
    }
    results.push_back(std::move(result));
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format("checked {} statement(s) in {:.1f} s\n", results.size(), total);
  if (!json_path.empty()) {
    nlohmann::json document = icsr::reports::evidence_document(results, options);
    if (!errors.empty()) document["errors"] = errors;
    icsr::reports::write_json_atomically(json_path, document);
    std::cerr << "evidence written to " << json_path << "\n";
  }
  if (!errors.empty()) {
    std::cerr << fmt::format("icsr: {} statement(s) could not be checked (an error, not a verdict)\n", errors.size());
    return kExitFailed;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"icsr: property-based checks of 'On the Learn-to-Optimize Capabilities of Transformers in "
               "In-Context Sparse Recovery' (Liu, Zhou, Shen, Yang; ICLR 2025)"};
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes of check: 0 every statement holds; 1 a statement is violated or a negative control was not "
      "caught; 3 inconclusive or vacuous; 2 bad input.\nReplay a RapidCheck counterexample directly with "
      "RC_PARAMS=\"reproduce=...\" (printed with each counterexample).");

  app.add_subcommand("list", "Print every statement id with the paper's label");

  CLI::App* check = app.add_subcommand("check", "Check statements and print one verdict each, with evidence");
  std::vector<std::string> ids;
  std::string budget = "quick";
  std::uint64_t seed = 1;
  std::string device = "cpu";
  std::string json_path;
  check->add_option("ids", ids, "Statement ids (see `icsr list`), or all")->required();
  check->add_option("--budget", budget, "quick (CI-sized) or full (statistically decisive)")
      ->check(CLI::IsMember({"quick", "full"}))
      ->capture_default_str();
  check->add_option("--seed", seed, "RapidCheck seed; the same seed replays the same configurations")
      ->check(kSeed)
      ->capture_default_str();
  check->add_option("--device", device, "Where the Transformers run: cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  double c = 0.0;
  check->add_option("--c", c, "Lemma 3's sub-exponential constant c (default: derived for the Gaussian design, "
                              "(1 - log 2)/2 = 0.1534)")
      ->check(kPositiveReal);
  double alpha = 0.05;
  check->add_option("--alpha", alpha, "Family-wise false-alarm level of probabilistic verdicts (Bonferroni)")
      ->check(real_in(1e-12, 0.5))
      ->capture_default_str();
  check->add_option("--json", json_path, "Write the evidence (one object per statement) to this file");
  icsr::properties::Pins pins;
  check->add_option("--d", pins.d, "Fix the dimension d instead of drawing it");
  check->add_option("--S", pins.S, "Fix the sparsity S");
  check->add_option("--N", pins.N, "Fix the number of in-context examples N (thm4.1, prop1.B)");
  check->add_option("--n", pins.n, "Fix the prefix length n (Lemma 3, Theorem 5.1 family)");
  check->add_option("--K", pins.K, "Fix the number of layers K");
  check->add_option("--delta", pins.delta, "Fix the probability parameter delta in (0, 1)")->check(real_in(0.0, 1.0, true, true));
  check->add_option("--gamma", pins.gamma, "Fix the step size gamma")->check(kPositiveReal);
  std::string shard_text = "1/1";
  check->add_option("--shard", shard_text,
                    "Check only statements i, i+n, i+2n, ... of the list (1-based), e.g. 2/4: a deterministic split")
      ->capture_default_str();
  std::string evidence_dir;
  check->add_option("--evidence-dir", evidence_dir,
                    "Write one evidence file per statement, DIR/<id>.json, as soon as it is checked");
  std::string findings_dir;
  check->add_option("--record-findings", findings_dir,
                    "Write each violated statement's counterexample to DIR/<id>.json (ctest replays "
                    "properties/findings/)");

  CLI::App* report = app.add_subcommand(
      "report", "Run every statement and the figure sweeps; write DIR/index.md, one page per statement, CSV, JSON and "
                "figures (gnuplot)");
  icsr::reports::ReportOptions report_options;
  std::string report_budget = "quick", report_shard = "1/1", report_only;
  std::vector<std::string> merge_dirs;
  report->add_option("--budget", report_budget, "quick (CI-sized, minutes) or full (statistically decisive, hours)")
      ->check(CLI::IsMember({"quick", "full"}))
      ->capture_default_str();
  report->add_option("--seed", report_options.check.seed, "Seed of every statement and sweep")->check(kSeed)->capture_default_str();
  report->add_option("--out", report_options.out, "Report directory")->capture_default_str();
  report->add_option("--c", report_options.check.c, "The constant c (default: derived for the Gaussian design)")
      ->check(kPositiveReal);
  report->add_option("--alpha", report_options.check.alpha, "Family-wise false-alarm level")
      ->check(real_in(1e-12, 0.5))
      ->capture_default_str();
  report->add_option("--device", report_options.check.device, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  report->add_option("--shard", report_shard,
                     "Run units i, i+n, ... only and write their JSON (no pages); combine with --merge")
      ->capture_default_str();
  report->add_option("--merge", merge_dirs, "Combine these shard directories into --out and render it");
  report->add_option("--only", report_only, "Comma-separated statement ids (a partial report; sweeps always run)");

  CLI::App* train = app.add_subcommand(
      "train", "Train a baseline (Section 6 / Appendix F) into a resumable safetensors checkpoint");
  icsr::models::TrainingConfig train_config;
  std::string train_method = "lista_vm";
  bool support_first10 = false;
  double max_minutes = 0.0;
  train->add_option("--method", train_method, "ista, fista, lista, lista_cp, alista, lista_vm or lista_vm_ss")
      ->capture_default_str();
  train->add_flag("--meta", train_config.meta, "Meta-train: a fresh X for every group of instances (100 x 500 per epoch)");
  train->add_flag("--support-first10", support_first10, "Support inside the first 10 entries (Figure 1b; lista_vm_ss)");
  train->add_option("--epochs", train_config.epochs, "Epochs (the paper: 340)")->check(CLI::Range(1, 1000000))->capture_default_str();
  train->add_option("--instances", train_config.instances_per_epoch, "Fresh instances per epoch")
      ->check(kPositiveInt)->capture_default_str();
  train->add_option("--batch", train_config.batch, "Batch size")->check(kPositiveInt)->capture_default_str();
  train->add_option("--lr", train_config.lr, "Adam learning rate")->check(kPositiveReal)->capture_default_str();
  train->add_option("--seed", train_config.seed, "Seed")->check(kSeed)->capture_default_str();
  train->add_option("--device", train_config.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  train->add_option("--checkpoint", train_config.checkpoint, "Checkpoint file (.safetensors); resumed when present")->required();
  train->add_option("--max-minutes", max_minutes, "Stop after the epoch that crosses this wall time (chunks)")
      ->check(kNonNegativeReal);
  train->add_option("--eval-instances", train_config.eval_instances, "Instances per evaluation")
      ->check(kPositiveInt)->capture_default_str();
  train->add_option("--d", train_config.d, "Signal dimension d (Open-L2O: 512)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--N", train_config.N, "Measurements N (Open-L2O: 256)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--K", train_config.K, "Layers K (Open-L2O: 16)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--S", train_config.S, "Non-zeros S")->check(kPositiveInt)->capture_default_str();
  train->add_option("--bernoulli", train_config.support_probability,
                    "Bernoulli(p)-Gaussian signals instead of exactly S non-zeros (Open-L2O: 0.1)")
      ->check(real_in(0.0, 1.0));

  CLI::App* evaluate = app.add_subcommand("evaluate", "Evaluate a baseline checkpoint: error and NMSE (dB), pooled and per sample");
  std::string evaluate_path;
  int evaluate_instances = 2000;
  evaluate->add_option("--checkpoint", evaluate_path, "Checkpoint file")->required();
  evaluate->add_option("--instances", evaluate_instances, "Instances")->check(kPositiveInt)->capture_default_str();

  CLI::App* train_tf = app.add_subcommand(
      "train-tf", "Train Small TF or GPT-2 (Section 6) on every prefix, resumable in chunks, into a safetensors checkpoint");
  icsr::models::IclTrainingConfig tf_config;
  std::string tf_model = "small_tf", tf_readout = "linear";
  double tf_max_minutes = 0.0;
  int tf_layers = 0, tf_heads = 0, tf_embed = 0;
  train_tf->add_option("--model", tf_model, "small_tf or gpt2")->check(CLI::IsMember({"small_tf", "gpt2"}))->capture_default_str();
  train_tf->add_option("--readout", tf_readout, "small_tf read-out: linear, query or query_dagger")
      ->check(CLI::IsMember({"linear", "query", "query_dagger"}))->capture_default_str();
  train_tf->add_flag("--support-first10", tf_config.support_first10, "Support inside the first 10 entries (Figure 1b)");
  train_tf->add_option("--instances", tf_config.instances, "Training instances in all (the paper: 64,000,000)")
      ->check(kPositiveCount)->capture_default_str();
  train_tf->add_option("--batch", tf_config.batch, "Batch size (the paper: 64)")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--lr", tf_config.lr, "Adam learning rate")->check(kPositiveReal)->capture_default_str();
  train_tf->add_option("--clip", tf_config.clip, "Gradient-norm clipping (0: none)")->check(kNonNegativeReal)->capture_default_str();
  train_tf->add_option("--seed", tf_config.seed, "Seed")->check(kSeed)->capture_default_str();
  train_tf->add_option("--device", tf_config.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  train_tf->add_option("--precision", tf_config.precision, "fp32, or tf32 (CUDA matmuls in TF32)")
      ->check(CLI::IsMember({"fp32", "tf32"}))->capture_default_str();
  train_tf->add_option("--checkpoint", tf_config.checkpoint, "Model file (.safetensors); resumed when present")->required();
  train_tf->add_option("--max-minutes", tf_max_minutes, "Stop and save after this wall time (a chunk)")->check(kNonNegativeReal);
  train_tf->add_option("--target-loss", tf_config.target_loss, "Stop once the evaluation loss at n = N+1 is at or below it")
      ->check(kNonNegativeReal);
  train_tf->add_option("--eval-instances", tf_config.eval_instances, "Instances per evaluation")
      ->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--eval-every", tf_config.eval_every, "Steps between evaluations and checkpoints")
      ->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--d", tf_config.model.d, "Dimension d")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--N", tf_config.model.N, "Longest context N")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--S", tf_config.S, "Non-zeros S")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--layers", tf_layers, "Layers (default: the paper's 12)")->check(kPositiveInt);
  train_tf->add_option("--heads", tf_heads, "Heads (default: small_tf 4, gpt2 8)")->check(kPositiveInt);
  train_tf->add_option("--embed", tf_embed, "gpt2 embedding (default 256)")->check(kPositiveInt);

  CLI::App* evaluate_tf = app.add_subcommand("evaluate-tf", "Evaluate a Small TF / GPT-2 checkpoint: label loss against n");
  std::string evaluate_tf_path;
  int evaluate_tf_instances = 2000;
  evaluate_tf->add_option("--checkpoint", evaluate_tf_path, "Checkpoint file")->required();
  evaluate_tf->add_option("--instances", evaluate_tf_instances, "Instances")->check(kPositiveInt)->capture_default_str();

  CLI::App* n0 = app.add_subcommand("empirical-n0",
                                     "Smallest n at which Theorem 5.1's conclusion holds with probability >= 1 - delta, "
                                     "in the paper's setting, next to the theoretical N_0");
  icsr::properties::EmpiricalN0Options n0_options;
  n0->add_option("--d", n0_options.d, "Dimension")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--S", n0_options.S, "Sparsity")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--K", n0_options.K, "Layers")->check(kPositiveInt)->capture_default_str();
  n0->add_option("--gamma", n0_options.gamma, "Step size gamma in (0, 3/2]")->check(real_in(0.0, 1.5, true))->capture_default_str();
  n0->add_option("--delta", n0_options.delta, "delta in (0, 1)")->check(real_in(0.0, 1.0, true, true))->capture_default_str();
  n0->add_option("--trials", n0_options.trials, "Trials per n")->check(CLI::Range(10, 10000000))->capture_default_str();
  n0->add_option("--c", n0_options.c, "The constant c (default: derived)")->check(kNonNegativeReal);
  n0->add_option("--seed", n0_options.seed, "Seed")->check(kSeed)->capture_default_str();
  std::string n0_json;
  n0->add_option("--json", n0_json, "Write the table as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  }

  if (app.get_subcommands().empty()) {
    std::cerr << "icsr: name a command (list, check, report, train, evaluate, train-tf, evaluate-tf or empirical-n0)\n" << app.help();
    return kExitBadInput;
  }
  try {
    if (app.got_subcommand("list")) return list_statements();
    if (app.got_subcommand("evaluate")) {
      icsr::models::TrainedBaseline trained = icsr::models::load_baseline(evaluate_path);
      const std::uint64_t seed = icsr::models::evaluation_seed(trained.config) + 17;
      const nlohmann::json metadata = trained.metadata;
      std::cout << fmt::format("{}: {} ({}), {} epochs, config {}\n", evaluate_path, icsr::models::to_string(trained.config.method),
                               trained.config.meta ? "meta-trained" : "trained on one fixed X",
                               metadata.value("epochs_done", 0), metadata.at("config").dump());
      bool finite = true;
      for (bool fresh : {false, true}) {
        const auto nmse = icsr::models::nmse_db(trained, evaluate_instances, fresh, seed + (fresh ? 1 : 0));
        finite = finite && std::isfinite(nmse.pooled_db) && std::isfinite(nmse.per_sample_mean_db);
        std::cout << fmt::format("  {:<14} NMSE pooled {:.2f} dB, per-sample mean {:.2f} dB ({} instances, seed {})\n",
                                 fresh ? "fresh X:" : "training X:", nmse.pooled_db, nmse.per_sample_mean_db,
                                 evaluate_instances, seed + (fresh ? 1 : 0));
      }
      if (!finite) {
        std::cerr << "icsr: failed: " << evaluate_path << " gives a non-finite error (the model diverges on these inputs)\n";
        return kExitFailed;
      }
      return kExitHolds;
    }
    if (app.got_subcommand("train-tf")) {
      const int d = tf_config.model.d, N = tf_config.model.N;
      const icsr::models::IclModelOptions paper =
          icsr::models::paper_options(icsr::models::architecture_from_string(tf_model), d, N);
      tf_config.model = paper;
      tf_config.model.readout = icsr::models::readout_from_string(tf_readout);
      if (tf_layers > 0) tf_config.model.layers = tf_layers;
      if (tf_heads > 0) tf_config.model.heads = tf_heads;
      if (tf_embed > 0) tf_config.model.embed = tf_embed;
      tf_config.max_seconds = 60.0 * tf_max_minutes;
      tf_config.revision = icsr::reports::provenance(CheckOptions{}).value("git_revision", "unknown");
      icsr::models::validate(tf_config);
      require_device(tf_config.device);
      const std::int64_t total_steps = (tf_config.instances + tf_config.batch - 1) / tf_config.batch;
      const auto trained = icsr::models::train_icl(
          tf_config,
          [&](const icsr::models::IclEvalRecord& r) {
            std::cerr << fmt::format("step {}/{} ({} instances): train loss {:.4f}, label loss at n = N+1 {:.4f} ({:.0f} s; "
                                     "checkpoint saved)\n",
                                     r.step, total_steps, r.instances, r.train_loss, r.eval_loss, r.seconds);
          },
          [&](std::int64_t step, double loss, double rate) {
            std::cerr << fmt::format("  step {}/{}: loss {:.4f}, {:.0f} instances/s, about {:.0f} min to the budget\n", step,
                                     total_steps, loss, rate, (total_steps - step) * tf_config.batch / rate / 60.0);
          });
      const nlohmann::json& m = trained.metadata;
      std::cout << fmt::format("{}: {} steps ({} instances{}); label loss at n = N+1: {:.4f}; {}\n", tf_model,
                               trained.steps_done, trained.steps_done * tf_config.batch,
                               m.value("reduced", true) ? ", reduced: below the paper's budget and error" : "",
                               trained.history.empty() ? std::nan("") : trained.history.back().eval_loss, tf_config.checkpoint);
      return kExitHolds;
    }
    if (app.got_subcommand("evaluate-tf")) {
      icsr::models::TrainedIcl trained = icsr::models::load_icl(evaluate_tf_path);
      const std::uint64_t seed = icsr::models::icl_evaluation_seed(trained.config) + 17;
      const std::vector<double> curve = icsr::models::label_loss_curve(trained.model, evaluate_tf_instances, trained.config.S,
                                                                       trained.config.support_first10, seed);
      std::cout << fmt::format("{}: {} ({} read-out), {} steps, {} instances{}, config {}\n", evaluate_tf_path,
                               icsr::models::to_string(trained.config.model.architecture),
                               icsr::models::to_string(trained.config.model.readout), trained.steps_done,
                               trained.metadata.value("instances_done", std::int64_t{0}),
                               trained.metadata.value("reduced", true) ? " (reduced)" : "", trained.metadata.at("config").dump());
      for (std::size_t n = 0; n < curve.size(); ++n) {
        std::cout << fmt::format("  n = {:>2} examples: label loss {:.4f}\n", n, curve[n]);
      }
      std::cout << fmt::format("  ({} instances, seed {})\n", evaluate_tf_instances, seed);
      if (std::any_of(curve.begin(), curve.end(), [](double loss) { return !std::isfinite(loss); })) {
        std::cerr << "icsr: failed: " << evaluate_tf_path << " gives a non-finite label loss\n";
        return kExitFailed;
      }
      return kExitHolds;
    }
    if (app.got_subcommand("train")) {
      train_config.method = icsr::models::method_from_string(train_method);
      if (support_first10) {
        for (int i = 0; i < 10; ++i) train_config.support_prior.push_back(i);
      }
      if (train_config.method == icsr::models::Method::lista_vm_ss && train_config.support_prior.empty()) {
        throw std::invalid_argument("--method lista_vm_ss needs --support-first10");
      }
      train_config.max_seconds = 60.0 * max_minutes;
      require_device(train_config.device);
      nlohmann::json provenance = icsr::reports::provenance(CheckOptions{});
      train_config.revision = provenance.value("git_revision", "unknown");
      const auto begin = std::chrono::steady_clock::now();
      const int total = train_config.epochs;
      const auto trained = icsr::models::train_baseline(train_config, [&](const icsr::models::EpochRecord& record) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        std::cerr << fmt::format("epoch {}/{}: train loss {:.4f}, error on the training X {:.4f}, on fresh X {:.4f} "
                                 "({:.1f} s; checkpoint saved)\n",
                                 record.epoch, total, record.train_loss, record.eval_fixed, record.eval_varying,
                                 record.seconds);
        (void)elapsed;
      });
      if (trained.history.empty()) throw std::runtime_error("training ran no epoch");
      std::cout << fmt::format("{}: {} epoch(s) done; error on the training X {:.4f}, on fresh X {:.4f}; {}\n",
                               train_method, trained.history.size(), trained.history.back().eval_fixed,
                               trained.history.back().eval_varying, train_config.checkpoint);
      return kExitHolds;
    }
    if (app.got_subcommand("report")) {
      if (!merge_dirs.empty()) {
        if (report_shard != "1/1") throw std::invalid_argument("--merge and --shard exclude each other");
        const int errors = icsr::reports::merge_report(merge_dirs, report_options.out);
        std::cerr << "merged " << merge_dirs.size() << " shard(s) into " << report_options.out << "/index.md\n";
        return errors > 0 ? kExitFailed : kExitHolds;
      }
      report_options.check.budget = icsr::properties::budget_from_string(report_budget);
      report_options.shard = icsr::reports::parse_shard(report_shard);
      if (report->count("--only") > 0) {
        std::stringstream only(report_only);
        for (std::string id; std::getline(only, id, ',');) {
          if (id.empty()) throw std::invalid_argument("--only '" + report_only + "': an empty statement id");
          report_options.only.push_back(id);
        }
        if (report_options.only.empty()) throw std::invalid_argument("--only names no statement");
      }
      require_device(report_options.check.device);
      torch::manual_seed(static_cast<std::uint64_t>(report_options.check.seed));
      const int errors = icsr::reports::run_report(report_options);
      std::cerr << (report_options.shard.whole() ? "report written to " + report_options.out + "/index.md\n"
                                                 : "shard written to " + report_options.out +
                                                       "; combine the shards with `icsr report --merge DIR... --out OUT`\n");
      if (errors > 0) {
        std::cerr << fmt::format("icsr: {} unit(s) ended in an error, not a verdict (marked in the report)\n", errors);
        return kExitFailed;
      }
      return kExitHolds;
    }
    if (app.got_subcommand("empirical-n0")) {
      if (n0_options.S > n0_options.d) throw std::invalid_argument("--S must be <= d");
      const nlohmann::json table = icsr::properties::empirical_n0(n0_options);
      std::cout << fmt::format("{:>10} {:>10} {:>14} {:>12} {:>22} {:>22}\n", "n", "alpha_n", "failures", "verdict",
                               "median error/bound", "rate of N_0: failures");
      for (const auto& row : table.at("rows")) {
        const bool judged = row.contains("judgement");
        std::cout << fmt::format("{:>10} {:>10} {:>14} {:>12} {:>22} {:>22}\n", row.at("n").get<long>(),
                                 row.at("alpha_n").is_null() ? std::string("undefined") : fmt::format("{:.4f}", row.at("alpha_n").get<double>()),
                                 judged ? fmt::format("{}/{}", row.at("judgement").at("failures").get<int>(),
                                                      row.at("judgement").at("trials").get<int>())
                                        : std::string("-"),
                                 row.at("verdict").get<std::string>(),
                                 judged ? fmt::format("{:.3g}", row.at("median_error_over_bound").get<double>()) : std::string("-"),
                                 judged ? fmt::format("{}/{} {}", row.at("rate_of_N0").at("failures").get<int>(),
                                                      row.at("rate_of_N0").at("trials").get<int>(),
                                                      row.at("rate_of_N0").at("verdict").get<std::string>())
                                        : std::string("-"));
      }
      std::cout << fmt::format("theoretical N_0 = {:.0f}; empirical N_0 = {} (the bound is trivial below n = {}, "
                               "alpha_n <= 0); smallest n reaching the rate guaranteed at N_0 = {}; paper's N = 10\n",
                               table.at("theoretical_N0").get<double>(), table.at("empirical_N0").dump(),
                               table.at("first_nontrivial_n").dump(), table.at("empirical_N0_at_rate_of_N0").dump());
      if (!n0_json.empty()) {
        nlohmann::json document = table;
        icsr::properties::CheckOptions provenance_options;
        provenance_options.seed = n0_options.seed;
        document["provenance"] = icsr::reports::provenance(provenance_options);
        icsr::reports::write_json_atomically(n0_json, document);
      }
      return kExitHolds;
    }
    require_device(device);
    CheckOptions options;
    options.budget = icsr::properties::budget_from_string(budget);
    options.seed = seed;
    options.device = device;
    options.c = c;
    options.alpha = alpha;
    options.pins = pins;
    torch::manual_seed(static_cast<std::uint64_t>(seed));
    return check_statements(ids, options, json_path, findings_dir, evidence_dir,
                            icsr::reports::parse_shard(shard_text));
  } catch (const std::invalid_argument& error) {
    std::cerr << "icsr: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "icsr: failed: " << error.what() << "\n";
    return kExitFailed;
  }
}
