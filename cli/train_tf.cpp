// icsr train-tf: Small TF or GPT-2 (Section 6) on every prefix, resumable in chunks.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "cli/common.hpp"
#include "models/training/icl_training.hpp"
#include "reports/evidence.hpp"

namespace icsr::cli {
namespace {

struct TrainTfFlags {
  models::IclTrainingConfig config;
  std::string model = "small_tf", readout = "linear";
  double max_minutes = 0.0;
  int layers = 0, heads = 0, embed = 0;
};

int run_train_tf(TrainTfFlags& flags) {
  models::IclTrainingConfig& config = flags.config;
  const int d = config.model.d, N = config.model.N;
  config.model = models::paper_options(models::architecture_from_string(flags.model), d, N);
  config.model.readout = models::readout_from_string(flags.readout);
  if (flags.layers > 0) config.model.layers = flags.layers;
  if (flags.heads > 0) config.model.heads = flags.heads;
  if (flags.embed > 0) config.model.embed = flags.embed;
  config.max_seconds = 60.0 * flags.max_minutes;
  config.revision = reports::provenance(properties::CheckOptions{}).value("git_revision", "unknown");
  models::validate(config);
  require_device(config.device);
  const std::int64_t total_steps = (config.instances + config.batch - 1) / config.batch;
  const auto trained = models::train_icl(
      config,
      [&](const models::IclEvalRecord& r) {
        std::cerr << fmt::format("step {}/{} ({} instances): train loss {:.4f}, label loss at n = N+1 {:.4f} ({:.0f} s; "
                                 "checkpoint saved)\n",
                                 r.step, total_steps, r.instances, r.train_loss, r.eval_loss, r.seconds);
      },
      [&](std::int64_t step, double loss, double rate) {
        std::cerr << fmt::format("  step {}/{}: loss {:.4f}, {:.0f} instances/s, about {:.0f} min to the budget\n", step,
                                 total_steps, loss, rate, (total_steps - step) * config.batch / rate / 60.0);
      });
  std::cout << fmt::format("{}: {} steps ({} instances{}); label loss at n = N+1: {:.4f}; {}\n", flags.model,
                           trained.steps_done, trained.steps_done * config.batch,
                           trained.metadata.value("reduced", true) ? ", reduced: below the paper's budget and error" : "",
                           trained.history.empty() ? std::nan("") : trained.history.back().eval_loss, config.checkpoint);
  return kExitHolds;
}

}  // namespace

Command add_train_tf(CLI::App& app) {
  CLI::App* train_tf = app.add_subcommand(
      "train-tf", "Train Small TF or GPT-2 (Section 6) on every prefix, resumable in chunks, into a safetensors checkpoint");
  auto flags = std::make_shared<TrainTfFlags>();
  models::IclTrainingConfig& config = flags->config;
  train_tf->add_option("--model", flags->model, "small_tf or gpt2")->check(CLI::IsMember({"small_tf", "gpt2"}))->capture_default_str();
  train_tf->add_option("--readout", flags->readout, "small_tf read-out: linear, query or query_dagger")
      ->check(CLI::IsMember({"linear", "query", "query_dagger"}))->capture_default_str();
  train_tf->add_flag("--support-first10", config.support_first10, "Support inside the first 10 entries (Figure 1b)");
  train_tf->add_option("--instances", config.instances, "Training instances in all (the paper: 64,000,000)")
      ->check(kPositiveCount)->capture_default_str();
  train_tf->add_option("--batch", config.batch, "Batch size (the paper: 64)")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--lr", config.lr, "Adam learning rate at batch 64")->check(kPositiveReal)->capture_default_str();
  train_tf->add_option("--lr-scaling", config.lr_scaling,
                       "For a batch other than 64: none, linear (lr * batch / 64) or sqrt (lr * sqrt(batch / 64))")
      ->check(CLI::IsMember({"none", "linear", "sqrt"}))->capture_default_str();
  train_tf->add_option("--step", config.step_mode,
                       "eager (torch::optim::Adam; reads the loss back every step), sync-free (no host synchronisation "
                       "within a step) or cuda-graph (the sync-free step captured in a CUDA graph; --device cuda)")
      ->check(CLI::IsMember({"eager", "sync-free", "cuda-graph"}))->capture_default_str();
  train_tf->add_option("--clip", config.clip, "Gradient-norm clipping (0: none)")->check(kNonNegativeReal)->capture_default_str();
  train_tf->add_option("--seed", config.seed, "Seed")->check(kSeed)->capture_default_str();
  train_tf->add_option("--device", config.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  train_tf->add_option("--precision", config.precision, "fp32, or tf32 (CUDA matmuls in TF32)")
      ->check(CLI::IsMember({"fp32", "tf32"}))->capture_default_str();
  train_tf->add_option("--checkpoint", config.checkpoint, "Model file (.safetensors); resumed when present")->required();
  train_tf->add_option("--max-minutes", flags->max_minutes, "Stop and save after this wall time (a chunk)")->check(kNonNegativeReal);
  train_tf->add_option("--target-loss", config.target_loss, "Stop once the evaluation loss at n = N+1 is at or below it")
      ->check(kNonNegativeReal);
  train_tf->add_option("--eval-instances", config.eval_instances, "Instances per evaluation")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--eval-every", config.eval_every, "Steps between evaluations and checkpoints")
      ->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--d", config.model.d, "Dimension d")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--N", config.model.N, "Longest context N")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--S", config.S, "Non-zeros S")->check(kPositiveInt)->capture_default_str();
  train_tf->add_option("--layers", flags->layers, "Layers (default: the paper's 12)")->check(kPositiveInt);
  train_tf->add_option("--heads", flags->heads, "Heads (default: small_tf 4, gpt2 8)")->check(kPositiveInt);
  train_tf->add_option("--embed", flags->embed, "gpt2 embedding (default 256)")->check(kPositiveInt);
  return {train_tf, [flags] { return run_train_tf(*flags); }};
}

}  // namespace icsr::cli
