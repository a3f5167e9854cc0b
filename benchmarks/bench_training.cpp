// Training throughput of the C++ trainer (models/training/icl_training.hpp: icl_training_step, the function
// train_icl runs) for the paper's Small TF and GPT-2 at batch 64 with Adam: steps per second.
// Its reference, measured in the same run by scripts/bench_training.sh, is benchmarks/reference_train.py:
// the same models, batch, data and optimizer in eager PyTorch (Python).
//
//   ICSR_BENCH_DEVICE=cuda|cpu   (default: cuda when available)
//   ICSR_BENCH_PRECISION=fp32|tf32
// Each benchmark iteration is 10 steps followed by one synchronisation (the loss read back).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "models/training/icl_training.hpp"

namespace {

using namespace icsr::models;

std::string bench_device() {
  if (const char* chosen = std::getenv("ICSR_BENCH_DEVICE")) return chosen;
  return torch::cuda::is_available() ? "cuda" : "cpu";
}

void TrainingSteps(benchmark::State& state) {
  const Architecture architecture = state.range(0) == 0 ? Architecture::small_tf : Architecture::gpt2;
  IclTrainingConfig config;
  config.model = paper_options(architecture, 20, 10);
  config.batch = 64;
  config.device = bench_device();
  if (const char* precision = std::getenv("ICSR_BENCH_PRECISION")) config.precision = precision;
  if (config.precision == "tf32") at::globalContext().setFloat32MatmulPrecision("high");
  torch::manual_seed(1);
  IclModel model(config.model);
  model->to(torch::Device(config.device));
  model->train();
  std::vector<torch::Tensor> trainable;
  for (const auto& p : model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  torch::optim::Adam adam(trainable, torch::optim::AdamOptions(config.lr));
  constexpr int kStepsPerIteration = 10;
  std::int64_t step = 0;
  for (int warm = 0; warm < 5; ++warm) icl_training_step(model, adam, config, ++step);
  for (auto _ : state) {
    torch::Tensor loss;
    for (int i = 0; i < kStepsPerIteration; ++i) loss = icl_training_step(model, adam, config, ++step);
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * kStepsPerIteration);
  state.SetLabel(to_string(architecture) + " batch 64 " + config.device + " " + config.precision);
}
BENCHMARK(TrainingSteps)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(5.0);

}  // namespace

BENCHMARK_MAIN();
