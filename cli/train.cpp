// icsr train: a baseline of Section 6 / Appendix F into a resumable safetensors checkpoint.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/common.hpp"
#include "models/training/baseline_training.hpp"
#include "reports/evidence.hpp"

namespace icsr::cli {
namespace {

struct TrainFlags {
  models::TrainingConfig config;
  std::string method = "lista_vm";
  bool support_first10 = false;
  double max_minutes = 0.0;
};

int run_train(TrainFlags& flags) {
  models::TrainingConfig& config = flags.config;
  config.method = models::method_from_string(flags.method);
  if (flags.support_first10) {
    for (int i = 0; i < 10; ++i) config.support_prior.push_back(i);
  }
  if (models::uses_support_prior(config.method) && config.support_prior.empty()) {
    throw std::invalid_argument("--method " + flags.method + " needs --support-first10");
  }
  config.max_seconds = 60.0 * flags.max_minutes;
  require_device(config.device);
  config.revision = reports::provenance(properties::CheckOptions{}).value("git_revision", "unknown");
  const int total = config.epochs;
  const auto trained = models::train_baseline(config, [&](const models::EpochRecord& record) {
    std::cerr << fmt::format("epoch {}/{}: train loss {:.4f}, error on the training X {:.4f}, on fresh X {:.4f} "
                             "({:.1f} s; checkpoint saved)\n",
                             record.epoch, total, record.train_loss, record.eval_fixed, record.eval_varying, record.seconds);
  });
  if (trained.history.empty()) throw std::runtime_error("training ran no epoch");
  std::cout << fmt::format("{}: {} epoch(s) done; error on the training X {:.4f}, on fresh X {:.4f}; {}\n", flags.method,
                           trained.history.size(), trained.history.back().eval_fixed, trained.history.back().eval_varying,
                           config.checkpoint);
  return kExitHolds;
}

}  // namespace

Command add_train(CLI::App& app) {
  CLI::App* train = app.add_subcommand("train", "Train a baseline (Section 6 / Appendix F) into a resumable safetensors checkpoint");
  auto flags = std::make_shared<TrainFlags>();
  models::TrainingConfig& config = flags->config;
  train->add_option("--method", flags->method, "ista, fista, lista, lista_cp, alista, lista_vm, lista_vm_ss, lista_vm_per_layer or "
                    "lista_vm_ss_per_layer (the per-layer M^(k) of Theorem 4.1)")->capture_default_str();
  train->add_flag("--meta", config.meta, "Meta-train: a fresh X for every group of instances (100 x 500 per epoch)");
  train->add_flag("--support-first10", flags->support_first10, "Support inside the first 10 entries (Figure 1b; lista_vm_ss)");
  train->add_option("--epochs", config.epochs, "Epochs (the paper: 340)")->check(CLI::Range(1, 1000000))->capture_default_str();
  train->add_option("--instances", config.instances_per_epoch, "Fresh instances per epoch")->check(kPositiveInt)->capture_default_str();
  train->add_option("--batch", config.batch, "Batch size")->check(kPositiveInt)->capture_default_str();
  train->add_option("--lr", config.lr, "Adam learning rate")->check(kPositiveReal)->capture_default_str();
  train->add_option("--lr-schedule", config.lr_schedule, "constant, or cosine (decays to 0 over --epochs)")
      ->check(CLI::IsMember({"constant", "cosine"}))->capture_default_str();
  train->add_option("--matrices", config.matrices_per_epoch,
                    "Meta-training: distinct X per epoch; instances per X = --instances / --matrices (the paper: 100)")
      ->check(kPositiveInt)->capture_default_str();
  train->add_option("--seed", config.seed, "Seed")->check(kSeed)->capture_default_str();
  train->add_option("--device", config.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  train->add_option("--checkpoint", config.checkpoint, "Checkpoint file (.safetensors); resumed when present")->required();
  train->add_option("--max-minutes", flags->max_minutes, "Stop after the epoch that crosses this wall time (chunks)")
      ->check(kNonNegativeReal);
  train->add_option("--eval-instances", config.eval_instances, "Instances per evaluation")->check(kPositiveInt)->capture_default_str();
  train->add_option("--d", config.d, "Signal dimension d (Open-L2O: 512)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--N", config.N, "Measurements N (Open-L2O: 256)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--K", config.K, "Layers K (Open-L2O: 16)")->check(kPositiveInt)->capture_default_str();
  train->add_option("--S", config.S, "Non-zeros S")->check(kPositiveInt)->capture_default_str();
  train->add_option("--bernoulli", config.support_probability,
                    "Bernoulli(p)-Gaussian signals instead of exactly S non-zeros (Open-L2O: 0.1)")
      ->check(real_in(0.0, 1.0));
  return {train, [flags] { return run_train(*flags); }};
}

}  // namespace icsr::cli
