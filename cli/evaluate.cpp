// icsr evaluate: a baseline checkpoint's error and NMSE (dB), pooled and per sample.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "cli/common.hpp"
#include "models/training/baseline_training.hpp"

namespace icsr::cli {
namespace {

struct EvaluateFlags {
  std::string path;
  int instances = 2000;
};

int run_evaluate(const EvaluateFlags& flags) {
  models::TrainedBaseline trained = models::load_baseline(flags.path);
  const std::uint64_t seed = models::evaluation_seed(trained.config) + 17;
  const nlohmann::json metadata = trained.metadata;
  std::cout << fmt::format("{}: {} ({}), {} epochs, config {}\n", flags.path, models::to_string(trained.config.method),
                           trained.config.meta ? "meta-trained" : "trained on one fixed X", metadata.value("epochs_done", 0),
                           metadata.at("config").dump());
  bool finite = true;
  for (bool fresh : {false, true}) {
    const auto nmse = models::nmse_db(trained, flags.instances, fresh, seed + (fresh ? 1 : 0));
    finite = finite && std::isfinite(nmse.pooled_db) && std::isfinite(nmse.per_sample_mean_db);
    std::cout << fmt::format("  {:<14} NMSE pooled {:.2f} dB, per-sample mean {:.2f} dB ({} instances, seed {})\n",
                             fresh ? "fresh X:" : "training X:", nmse.pooled_db, nmse.per_sample_mean_db, flags.instances,
                             seed + (fresh ? 1 : 0));
  }
  if (!finite) {
    std::cerr << "icsr: failed: " << flags.path << " gives a non-finite error (the model diverges on these inputs)\n";
    return kExitFailed;
  }
  return kExitHolds;
}

}  // namespace

Command add_evaluate(CLI::App& app) {
  CLI::App* command = app.add_subcommand("evaluate", "Evaluate a baseline checkpoint: error and NMSE (dB), pooled and per sample");
  auto flags = std::make_shared<EvaluateFlags>();
  command->add_option("--checkpoint", flags->path, "Checkpoint file")->required();
  command->add_option("--instances", flags->instances, "Instances")->check(kPositiveInt)->capture_default_str();
  return {command, [flags] { return run_evaluate(*flags); }};
}

}  // namespace icsr::cli
