// icsr evaluate-tf: a Small TF / GPT-2 checkpoint's label loss against n.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "models/training/icl_training.hpp"

namespace icsr::cli {
namespace {

struct EvaluateTfFlags {
  std::string path;
  int instances = 2000;
};

int run_evaluate_tf(const EvaluateTfFlags& flags) {
  models::TrainedIcl trained = models::load_icl(flags.path);
  const std::uint64_t seed = models::icl_evaluation_seed(trained.config) + 17;
  const std::vector<double> curve =
      models::label_loss_curve(trained.model, flags.instances, trained.config.S, trained.config.support_first10, seed);
  std::cout << fmt::format("{}: {} ({} read-out), {} steps, {} instances{}, config {}\n", flags.path,
                           models::to_string(trained.config.model.architecture), models::to_string(trained.config.model.readout),
                           trained.steps_done, trained.metadata.value("instances_done", std::int64_t{0}),
                           trained.metadata.value("reduced", true) ? " (reduced)" : "", trained.metadata.at("config").dump());
  for (std::size_t n = 0; n < curve.size(); ++n) {
    std::cout << fmt::format("  n = {:>2} examples: label loss {:.4f}\n", n, curve[n]);
  }
  std::cout << fmt::format("  ({} instances, seed {})\n", flags.instances, seed);
  if (std::any_of(curve.begin(), curve.end(), [](double loss) { return !std::isfinite(loss); })) {
    std::cerr << "icsr: failed: " << flags.path << " gives a non-finite label loss\n";
    return kExitFailed;
  }
  return kExitHolds;
}

}  // namespace

Command add_evaluate_tf(CLI::App& app) {
  CLI::App* command = app.add_subcommand("evaluate-tf", "Evaluate a Small TF / GPT-2 checkpoint: label loss against n");
  auto flags = std::make_shared<EvaluateTfFlags>();
  command->add_option("--checkpoint", flags->path, "Checkpoint file")->required();
  command->add_option("--instances", flags->instances, "Instances")->check(kPositiveInt)->capture_default_str();
  return {command, [flags] { return run_evaluate_tf(*flags); }};
}

}  // namespace icsr::cli
