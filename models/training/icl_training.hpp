// Training of Small TF and GPT-2 on in-context sparse recovery (Section 6), resumable in chunks.
//
// Data: d = 20, S = 3 non-zeros N(0, 1), X with N(0, 1) entries, noiseless y = X beta, a fresh X per
// instance ("varying X"); with support_first10 the support lies inside the first 10 entries (Figure
// 1b). The paper trains on 64 instances per epoch for 10^6 epochs (64 * 10^6 instances), on the label
// loss of y_{N+1} alone. icsr trains on every prefix: the loss is the mean over n = 1..N+1 of
// (y_n - y^_n)^2, where y^_n has seen n - 1 examples, so that one model gives the curves against n of
// Figure 1 (a deviation from the paper, stated in every checkpoint).
//
// Adam (lr 1e-4, batch 64: Garg et al.'s values; the paper gives neither), gradient norm clipped at 1. Step s draws its batch from
// (seed, s) alone, so a resumed run continues the same sequence. Files per run:
//   PATH          the model: parameters (float32, or float16 when float32 would exceed 25 MB; the effect
//                 of that rounding on the evaluation is measured and recorded) and the metadata: config,
//                 seed, steps, instances, device, precision, wall time, history, final evaluation curve,
//                 git revision, "reduced" (stopped before the paper's budget and its error), the name of
//                 its state file, and "optimizer_resets" ([{step, reason}], absent when none).
//   PATH.state-S  float32 parameters and the Adam state of step S, to resume; not meant to be committed.
//                 It is written before the model file that names it, and older ones are removed after,
//                 so a kill at any instant leaves a model file whose named state matches it. A resume
//                 that finds no matching state goes on with a fresh Adam, warns, and records the reset.
//   PATH.log      one line per evaluation, written only once the checkpoint covering it is committed.
// Stale PATH.tmp and state files past the last commit are removed when training starts. A batch whose
// loss is not finite is skipped (no update; counted as skipped_steps in the metadata and logged); when
// more steps of an evaluation window are skipped than taken, training stops with an error naming the
// steps and the last good checkpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/icl_transformers.hpp"

namespace icsr::models {

constexpr std::int64_t kPaperTrainingInstances = 64'000'000;
constexpr std::int64_t kCheckpointByteLimit = 25'000'000;
constexpr int kReferenceBatch = 64;  // the batch at which --lr is meant (the paper's 64 instances per epoch)

struct IclTrainingConfig {
  IclModelOptions model;
  int S = 3;
  bool support_first10 = false;
  std::int64_t instances = kPaperTrainingInstances;  // training budget
  int batch = 64;
  double lr = 1e-4;                // at kReferenceBatch; lr_scaling scales it for other batches
  std::string lr_scaling = "none"; // none | linear (lr * batch / 64) | sqrt (lr * sqrt(batch / 64))
  std::string step_mode = "eager"; // eager: icl_training_step (torch::optim::Adam, the reference);
                                   // sync-free: SyncFreeStepper, no host synchronisation within a step;
                                   // cuda-graph: that step captured in a CUDA graph (CUDA builds, --device cuda)
  double clip = 1.0;               // gradient-norm clipping (0: none); without it Small TF's loss became NaN
                                   // after about 300 steps at lr 1e-4 (the paper gives no optimiser details)
  std::uint64_t seed = 1;
  std::string device = "cpu";
  std::string precision = "fp32";  // fp32 | tf32 (CUDA matmuls in TF32; no effect on CPU)
  std::string checkpoint;          // resumed when it exists
  double max_seconds = 0.0;        // stop (and save) once this much wall time has passed in this call
  double target_loss = 0.0;        // > 0: stop once the evaluation loss at n = N + 1 is at or below it
  int eval_instances = 2000;
  int eval_every = 500;            // steps between evaluations (and checkpoints)
  std::string revision = "unknown";
};

nlohmann::json to_json(const IclTrainingConfig& config);
IclTrainingConfig icl_training_config_from_json(const nlohmann::json& json);  // throws std::invalid_argument
// Throws std::invalid_argument naming the flag as `icsr train-tf` spells it, its range and the value, when
// a value is non-finite or out of range: --d, --N in [1, kMaxDimension]; --layers in [1, kMaxLayers];
// --heads in [1, kMaxHeads]; --embed in [1, kMaxEmbed] for gpt2; --S in [1, d] ([1, 10] with
// --support-first10, which needs d >= 10); --batch in [1, kMaxBatch]; --instances >= --batch; --lr > 0;
// --clip >= 0; --target-loss >= 0; --max-minutes >= 0; --eval-instances in [1, kMaxEvalInstances];
// --eval-every >= 1; --precision fp32 or tf32; --device cpu or cuda[:i]; --lr-scaling none, linear or sqrt;
// --step eager, sync-free or cuda-graph (cuda-graph: with --device cuda); then validate(model).
// train_icl and load_icl call it (the bounds are in models/training/safetensors.hpp).
void validate(const IclTrainingConfig& config);

// The learning rate Adam uses: lr, times batch / kReferenceBatch (linear) or its square root (sqrt).
double effective_lr(const IclTrainingConfig& config);

struct IclEvalRecord {
  std::int64_t step = 0;
  std::int64_t instances = 0;
  double train_loss = 0.0;  // mean all-prefix label loss over the steps since the last record
  double eval_loss = 0.0;   // label loss at n = N + 1 (N examples) on the fixed evaluation set
  double seconds = 0.0;     // wall time of the whole run so far (all chunks)
};

struct TrainedIcl {
  IclModel model{nullptr};
  IclTrainingConfig config;
  std::vector<IclEvalRecord> history;
  nlohmann::json metadata = nlohmann::json::object();
  std::int64_t steps_done = 0;
};

// Instances with every prefix: X (B, N+1, d), y (B, N+1), beta (B, d), from the global generator.
struct IclBatch {
  torch::Tensor X, y, beta;
};
IclBatch sample_icl_batch(int B, int N, int d, int S, bool support_first10, const torch::TensorOptions& options);

// Mean label loss per prefix on `instances` draws seeded by `seed`: entry j has seen j examples,
// j = 0..N. Evaluates in chunks of 250 on the model's device.
std::vector<double> label_loss_curve(IclModel& model, int instances, int S, bool support_first10, std::uint64_t seed);

// Per-instance squared errors (instances, N+1) on those draws, float64 on the CPU.
torch::Tensor label_errors(IclModel& model, int instances, int S, bool support_first10, std::uint64_t seed);

// Per-instance squared errors (B, n+1) on given instances X (B, n+1, d), y (B, n+1), in chunks of 250 on
// the model's device; float64 on the CPU.
torch::Tensor label_errors_on(IclModel& model, const torch::Tensor& X, const torch::Tensor& y);

// The seed of a configuration's fixed evaluation set.
std::uint64_t icl_evaluation_seed(const IclTrainingConfig& config);

// The model's parameters that require a gradient, in the model's order: what the optimizers update.
std::vector<torch::Tensor> trainable_parameters(IclModel& model);

// Step s's batch: drawn on the CPU from (seed, s) alone (torch's global generator is re-seeded), float32.
IclBatch icl_step_batch(const IclTrainingConfig& config, std::int64_t step);

// One optimisation step of the trainer (--step eager, the reference of SyncFreeStepper): step s's batch (drawn from (seed, s) on the CPU, moved to the
// model's device), the all-prefix label loss, backward, Adam. Returns the loss, undetached from the
// device (no synchronisation). train_icl and the training benchmark run this same function.
torch::Tensor icl_training_step(IclModel& model, torch::optim::Optimizer& optimizer, const IclTrainingConfig& config,
                                std::int64_t step);

// Trains (or resumes) and returns the model; calls `on_record` after each evaluation, once its checkpoint
// is committed, and `on_progress`
// (step, smoothed loss, instances per second) about every 10 s. Throws std::runtime_error on a
// non-finite loss.
TrainedIcl train_icl(const IclTrainingConfig& config, const std::function<void(const IclEvalRecord&)>& on_record,
                     const std::function<void(std::int64_t, double, double)>& on_progress = {});

// Loads a model file written by train_icl (float32 on the CPU); throws std::invalid_argument when it is
// corrupt, holds non-finite weights, its configuration is out of range (validate), or the file does not
// hold what the configuration describes. All of it is checked before the model is built.
TrainedIcl load_icl(const std::string& path);

}  // namespace icsr::models
