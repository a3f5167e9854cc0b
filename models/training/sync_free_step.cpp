#include "models/training/sync_free_step.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#if ICSR_TORCH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace icsr::models {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

}  // namespace

DeviceAdam::DeviceAdam(std::vector<torch::Tensor> params, double lr, double clip)
    : params_(std::move(params)), lr_(lr), clip_(clip) {
  if (params_.empty()) throw std::invalid_argument("DeviceAdam: no parameters");
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& p : params_) {
    exp_avg_.push_back(torch::zeros_like(p));
    exp_avg_sq_.push_back(torch::zeros_like(p));
  }
  step_ = torch::zeros({1}, torch::TensorOptions().dtype(torch::kFloat64).device(params_.front().device()));
}

void DeviceAdam::update(const std::vector<torch::Tensor>& grads, const torch::Tensor& apply) {
  if (grads.size() != params_.size()) throw std::invalid_argument("DeviceAdam::update: one gradient per parameter");
  torch::NoGradGuard no_grad;
  // torch::optim::Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t)
  // + eps). The step-dependent scalars are computed in float64 on the device, as Adam computes them on the host.
  // Every update is in place, weighted by a = apply (1 or 0): with a = 0 the moments move by 0 * (g - m) and the
  // parameters by 0 * m / denom, which leaves them bit for bit as they were, once a non-finite g is zeroed.
  const torch::Tensor a = apply.to(torch::kFloat64);
  const torch::Tensor next = step_ + 1.0;
  const torch::Tensor scale = (a * lr_ / (1.0 - torch::pow(kBeta1, next))).to(torch::kFloat32);
  const torch::Tensor root_correction2 = torch::sqrt(1.0 - torch::pow(kBeta2, next)).to(torch::kFloat32);
  const torch::Tensor weight1 = (a * (1.0 - kBeta1)).to(torch::kFloat32), weight2 = (a * (1.0 - kBeta2)).to(torch::kFloat32);
  const torch::Tensor skip = torch::logical_not(apply);
  torch::Tensor coefficient;
  if (clip_ > 0.0) {
    torch::Tensor squares = torch::zeros({1}, grads.front().options());
    for (const torch::Tensor& g : grads) {
      if (g.defined()) squares += g.pow(2).sum();
    }
    coefficient = torch::clamp_max(clip_ / (torch::sqrt(squares) + 1e-6), 1.0);
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!grads[i].defined()) continue;
    torch::Tensor g = coefficient.defined() ? grads[i] * coefficient : grads[i].clone();
    g.masked_fill_(skip, 0.0);
    exp_avg_[i].lerp_(g, weight1);
    exp_avg_sq_[i].lerp_(g.mul_(g), weight2);
    torch::Tensor step = exp_avg_sq_[i].sqrt();
    step.div_(root_correction2).add_(kEps).reciprocal_().mul_(exp_avg_[i]).mul_(scale);
    params_[i].sub_(step);
  }
  step_.add_(a);
}

std::int64_t DeviceAdam::steps() const { return static_cast<std::int64_t>(step_.item<double>()); }

void DeviceAdam::save(Checkpoint& state) const {
  state.tensors["device_adam.step"] = step_.cpu();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    state.tensors[fmt::format("device_adam.exp_avg.{}", i)] = exp_avg_[i].to(torch::kCPU, torch::kFloat32).contiguous();
    state.tensors[fmt::format("device_adam.exp_avg_sq.{}", i)] = exp_avg_sq_[i].to(torch::kCPU, torch::kFloat32).contiguous();
  }
}

std::string DeviceAdam::restore(const Checkpoint& state) {
  const auto find = [&](const std::string& name, const torch::Tensor& like) -> const torch::Tensor* {
    const auto found = state.tensors.find(name);
    if (found == state.tensors.end() || found->second.sizes() != like.sizes()) return nullptr;
    return &found->second;
  };
  std::vector<const torch::Tensor*> moments;
  const torch::Tensor* step = find("device_adam.step", step_);
  if (step == nullptr) return "it holds no device Adam state (written by the eager step?)";
  for (std::size_t i = 0; i < params_.size(); ++i) {
    for (const char* kind : {"exp_avg", "exp_avg_sq"}) {
      const torch::Tensor* moment = find(fmt::format("device_adam.{}.{}", kind, i), params_[i]);
      if (moment == nullptr) return fmt::format("its device Adam state lacks {} {} or has another shape", kind, i);
      moments.push_back(moment);
    }
  }
  torch::NoGradGuard no_grad;
  step_.copy_(step->to(torch::kFloat64));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    exp_avg_[i].copy_(*moments[2 * i]);
    exp_avg_sq_[i].copy_(*moments[2 * i + 1]);
  }
  return "";
}

#if ICSR_TORCH_CUDA
struct SyncFreeStepper::Graph {
  at::cuda::CUDAGraph graph;
  torch::Tensor X, y, loss;
  bool captured = false;
};
bool cuda_graphs_compiled() { return true; }
#else
struct SyncFreeStepper::Graph {};
bool cuda_graphs_compiled() { return false; }
#endif

SyncFreeStepper::SyncFreeStepper(IclModel model, const IclTrainingConfig& config, bool cuda_graph)
    : model_(std::move(model)), config_(config), adam_(trainable_parameters(model_), effective_lr(config), config.clip) {
  const torch::Device device = model_->parameters().front().device();
  enabled_ = torch::ones({}, torch::TensorOptions().dtype(torch::kBool).device(device));
  if (!cuda_graph) return;
  if (!cuda_graphs_compiled()) {
    throw std::invalid_argument("--step cuda-graph needs a LibTorch with CUDA; this build's has none (use --step sync-free)");
  }
  if (!device.is_cuda()) throw std::invalid_argument("--step cuda-graph needs --device cuda");
  graph_ = std::make_unique<Graph>();
}

SyncFreeStepper::~SyncFreeStepper() = default;

torch::Tensor SyncFreeStepper::body(const torch::Tensor& X, const torch::Tensor& y, const torch::Tensor& enable) {
  const std::vector<torch::Tensor>& params = adam_.params();
  const torch::Tensor loss = (model_->forward(X, y) - y).pow(2).mean();
  const std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, params, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                                                  /*create_graph=*/false, /*allow_unused=*/true);
  adam_.update(grads, torch::logical_and(torch::isfinite(loss.detach()), enable));
  return loss.detach();
}

torch::Tensor SyncFreeStepper::step(std::int64_t s) {
  const IclBatch batch = icl_step_batch(config_, s);
  const torch::Device device = model_->parameters().front().device();
  if (!graph_) return body(batch.X.to(device), batch.y.to(device), enabled_);
#if ICSR_TORCH_CUDA
  Graph& g = *graph_;
  if (!g.captured) {
    g.X = batch.X.to(device);
    g.y = batch.y.to(device);
    // Warm up on a side stream with updates switched off (allocations, cuBLAS workspaces, autograd's
    // state), then capture one step there; replays run it with updates on.
    enabled_.fill_(false);
    c10::cuda::device_synchronize();
    const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
    {
      const c10::cuda::CUDAStreamGuard guard(side);
      for (int warm = 0; warm < 3; ++warm) body(g.X, g.y, enabled_);
      c10::cuda::device_synchronize();
      g.graph.capture_begin();
      g.loss = body(g.X, g.y, enabled_);
      g.graph.capture_end();
    }
    c10::cuda::device_synchronize();
    enabled_.fill_(true);
    g.captured = true;
  } else {
    g.X.copy_(batch.X.pin_memory(), /*non_blocking=*/true);
    g.y.copy_(batch.y.pin_memory(), /*non_blocking=*/true);
  }
  g.graph.replay();
  return g.loss;
#else
  throw std::logic_error("SyncFreeStepper: CUDA graph without CUDA");
#endif
}

}  // namespace icsr::models
