// The Transformer training step without host synchronisation (issue 15, part 3).
//
// icl_training_step, the reference, reads the loss back to the host in every step (loss.item(), to skip
// a batch whose loss is not finite) and runs torch::optim::Adam and clip_grad_norm_, which decide on the
// host. Here the same step is tensor operations only: the loss, its gradients (torch::autograd::grad),
// the gradient-norm clip, Adam with a step count held on the device, and the skip, which becomes a
// device-side flag `apply = isfinite(loss)` that weights the in-place update by 1 or 0. Nothing is read
// back within a step, so steps queue without waiting; on CUDA the whole step (forward, backward, clip,
// Adam) is captured once in a CUDA graph and replayed.
//
// tests/test_icl_models.cpp, SyncFreeStep.*: step by step against icl_training_step
// (EqualsTheEagerStepStepByStep), the same batches skipped on overflow (SkipsTheBatchesTheEagerStepSkips),
// a skipped update changing nothing (AFalseApplyFlagLeavesEverythingAsItWas), resuming bit for bit; the
// CUDA graph against the sync-free step runs only on a GPU (CudaGraphEqualsTheSyncFreeStep).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/icl_transformers.hpp"
#include "models/training/icl_training.hpp"
#include "models/training/safetensors.hpp"

namespace icsr::models {

// Adam (torch's defaults: betas 0.9, 0.999, eps 1e-8, no weight decay) with the gradient norm clipped at
// `clip` (0: none) as clip_grad_norm_ clips it (coefficient clip / (norm + 1e-6), at most 1). Its state
// lives on the parameters' device: the moments and one step count (float64), shared by all parameters
// since each update moves them all.
class DeviceAdam {
 public:
  DeviceAdam(std::vector<torch::Tensor> params, double lr, double clip);
  // One update from `grads` (one per parameter; an undefined one leaves its parameter alone), applied
  // where the 0-dim boolean `apply` is true; where it is false, parameters, moments and the step count
  // stay exactly as they were. No value is read back to the host.
  void update(const std::vector<torch::Tensor>& grads, const torch::Tensor& apply);
  // Updates taken so far (synchronises).
  std::int64_t steps() const;
  // Into a state file: "device_adam.step", "device_adam.exp_avg.<i>", "device_adam.exp_avg_sq.<i>".
  void save(Checkpoint& state) const;
  // From a state file written by save; returns why it could not (empty: restored). Copies in place, so a
  // captured CUDA graph keeps pointing at the same tensors.
  std::string restore(const Checkpoint& state);
  const std::vector<torch::Tensor>& params() const { return params_; }

 private:
  std::vector<torch::Tensor> params_, exp_avg_, exp_avg_sq_;
  torch::Tensor step_;  // (1,) float64 on the device
  double lr_, clip_;
};

// True when this build's LibTorch has CUDA, so that --step cuda-graph can run (given a GPU).
bool cuda_graphs_compiled();

// Trains `model` step by step without synchronising: step s draws the same batch icl_training_step draws
// (icl_step_batch), takes the all-prefix label loss, its gradients, and the update of DeviceAdam.
// With cuda_graph (the model on a CUDA device, a CUDA build) the first call warms up on a side stream with
// updates switched off, captures the step in a CUDA graph, and every call then copies its batch into the
// graph's input buffers and replays it.
class SyncFreeStepper {
 public:
  SyncFreeStepper(IclModel model, const IclTrainingConfig& config, bool cuda_graph);
  ~SyncFreeStepper();
  SyncFreeStepper(const SyncFreeStepper&) = delete;
  SyncFreeStepper& operator=(const SyncFreeStepper&) = delete;
  // Step s; returns its loss, a 0-dim float32 tensor on the device, not finite when the batch was skipped.
  torch::Tensor step(std::int64_t s);
  DeviceAdam& adam() { return adam_; }

 private:
  torch::Tensor body(const torch::Tensor& X, const torch::Tensor& y, const torch::Tensor& enable);
  struct Graph;
  IclModel model_;
  IclTrainingConfig config_;
  DeviceAdam adam_;
  torch::Tensor enabled_;
  std::unique_ptr<Graph> graph_;
};

}  // namespace icsr::models
