// Training of the learned baselines as Section 6 and Appendix F describe: K = 12 layers, loss
// sum ||beta^ - beta||^2, Adam. Classical L2O trains on one fixed X (50,000 fresh instances per epoch);
// meta-training draws 100 matrices x 500 instances per epoch. Evaluation on the training X ("fixed X")
// and on fresh X ("varying X"): the mean of ||beta^ - beta||^2 over instances.
//
// Resumable: every epoch ends with an atomic safetensors checkpoint (parameters, the training X, the
// optimizer state, and metadata: config, seed, epochs, device, wall time, per-epoch losses, git
// revision). Epoch e draws its data from seed and e alone, so a resumed run continues the same
// sequence. Model and optimizer share one file, so a kill at any instant leaves a consistent pair; a
// resume that finds no usable optimizer state restarts Adam with a warning and records it under
// "optimizer_resets" ([{epoch, reason}]) in the metadata. A NaN or infinite loss stops training with an error naming the epoch and the last good
// checkpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/baselines.hpp"

namespace icsr::models {

struct TrainingConfig {
  Method method = Method::lista_vm;
  bool meta = false;              // true: a fresh X per group of instances (meta-training)
  int d = 20, N = 10, K = 12, S = 3;
  double support_probability = 0.0;  // > 0: Bernoulli(p)-Gaussian signals (the Open-L2O setting) instead of exactly S non-zeros
  std::vector<int> support_prior; // the data's support lies inside it (and lista_vm_ss uses it); empty: none
  int epochs = 340;
  int instances_per_epoch = 50000;
  int matrices_per_epoch = 100;   // meta-training: instances_per_epoch / matrices_per_epoch share one X
  int batch = 500;
  double lr = 1e-3;
  std::string lr_schedule = "constant";  // or "cosine": epoch e trains at lr (1 + cos(pi (e - 1) / epochs)) / 2
  double alpha = 0.05;
  std::uint64_t seed = 1;
  std::string device = "cpu";
  std::string checkpoint;         // resumed when the file exists
  int eval_instances = 2000;
  double max_seconds = 0.0;       // stop after the epoch that crosses this wall time (0: no limit)
  std::string revision = "unknown";
};

nlohmann::json to_json(const TrainingConfig& config);
TrainingConfig training_config_from_json(const nlohmann::json& json);  // throws std::invalid_argument

// Throws std::invalid_argument naming the flag as `icsr train` spells it, its range and the value, when
// a value is non-finite or out of range: --d, --N in [1, kMaxDimension]; --K in [1, kMaxLayers]; --S in
// [1, d] (or the support prior's size); --bernoulli in [0, 1]; --epochs >= 1; --batch in [1, kMaxBatch];
// --instances >= --batch; --lr > 0; --eval-instances in [1, kMaxEvalInstances]; --max-minutes >= 0;
// alpha >= 0; --matrices >= 1; --lr-schedule constant or cosine; support prior indices distinct and in [0, d); --device cpu or
// cuda[:i]. train_baseline and load_baseline call it (the bounds are in models/training/safetensors.hpp).
void validate(const TrainingConfig& config);

struct EpochRecord {
  int epoch = 0;             // 1-based
  double train_loss = 0.0;   // mean ||beta^ - beta||^2 over the epoch's instances
  double eval_fixed = 0.0;   // on the training X
  double eval_varying = 0.0; // on fresh X
  double seconds = 0.0;
};

struct TrainedBaseline {
  Baseline model{nullptr};
  TrainingConfig config;
  torch::Tensor train_X;               // (N, d), float64
  std::vector<EpochRecord> history;
  nlohmann::json metadata;
};

// Draws B instances: X (B, n, d) standard Gaussian (or copies of `fixed_X` (n, d) when defined, or
// `matrices` distinct X each shared by B / matrices instances), beta with S non-zeros N(0,1) on a
// uniform support inside the prior, y = X beta. Uses the global torch generator.
struct Batch {
  torch::Tensor X, y, beta;
};
// With support_probability > 0 each entry is non-zero with that probability (S is then ignored).
Batch sample_batch(int B, int n, int d, int S, const std::vector<int>& prior, const torch::Tensor& fixed_X, int matrices,
                   const torch::TensorOptions& options, double support_probability = 0.0);

// Mean ||beta^ - beta||^2 over `instances` draws seeded by `seed`, on `fixed_X` when defined, else on
// fresh X; n = rows (the training N unless the method takes any n).
double evaluate(Baseline& model, int instances, int n, int S, const std::vector<int>& prior, const torch::Tensor& fixed_X,
                std::uint64_t seed, const torch::Device& device, double support_probability = 0.0);

// NMSE in dB on `instances` draws (the Open-L2O metric), two ways: pooled, 10 log10(sum ||x^ - x||^2 /
// sum ||x||^2), and the per-sample mean of 10 log10(||x^ - x||^2 / ||x||^2) (instances with x = 0 skipped).
struct Nmse {
  double pooled_db = 0.0;
  double per_sample_mean_db = 0.0;
};
Nmse nmse_db(TrainedBaseline& trained, int instances, bool fresh_X, std::uint64_t seed);

// The learning rate of 1-based `epoch` under config.lr_schedule.
double learning_rate(const TrainingConfig& config, int epoch);

// The seed of the evaluation on the training X; the one on fresh X is this plus 1.
std::uint64_t evaluation_seed(const TrainingConfig& config);

// Trains (or resumes) and returns the model; calls `on_epoch` after each epoch, once its checkpoint is
// committed (so a log written from it never runs ahead of the checkpoint). Removes a stale PATH.tmp
// left by a killed save. Throws std::invalid_argument on an invalid config (validate) and
// std::runtime_error on a non-finite loss.
TrainedBaseline train_baseline(const TrainingConfig& config, const std::function<void(const EpochRecord&)>& on_epoch);

// Loads a checkpoint written by train_baseline; throws std::invalid_argument when it is corrupt, holds
// non-finite weights, its configuration is out of range (validate), or the file does not hold what the
// configuration describes. All of it is checked before the model is built.
TrainedBaseline load_baseline(const std::string& path);

}  // namespace icsr::models
