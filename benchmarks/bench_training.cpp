// Training throughput of the C++ trainer for the paper's Small TF and GPT-2 at batch 64 with Adam: steps
// per second, for each of train_icl's steps (--step): eager (icl_training_step: torch::optim::Adam, the
// loss read back every step), sync-free (SyncFreeStepper: nothing read back within a step) and, on a GPU
// with a CUDA build, cuda-graph (that step captured in a CUDA graph). TrainingSteps/ARCH/STEP: ARCH 0 is
// Small TF, 1 GPT-2; STEP 0 eager, 1 sync-free, 2 cuda-graph.
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
#include "models/training/sync_free_step.hpp"

namespace {

using namespace icsr::models;

std::string bench_device() {
  if (const char* chosen = std::getenv("ICSR_BENCH_DEVICE")) return chosen;
  return torch::cuda::is_available() ? "cuda" : "cpu";
}

void TrainingSteps(benchmark::State& state) {
  const Architecture architecture = state.range(0) == 0 ? Architecture::small_tf : Architecture::gpt2;
  const char* const kSteps[] = {"eager", "sync-free", "cuda-graph"};
  IclTrainingConfig config;
  config.model = paper_options(architecture, 20, 10);
  config.batch = 64;
  config.device = bench_device();
  config.step_mode = kSteps[state.range(1)];
  if (const char* precision = std::getenv("ICSR_BENCH_PRECISION")) config.precision = precision;
  if (config.precision == "tf32") at::globalContext().setFloat32MatmulPrecision("high");
  if (config.step_mode == "cuda-graph" && (config.device == "cpu" || !cuda_graphs_compiled())) {
    state.SkipWithError("cuda-graph needs a CUDA build and --device cuda");
    return;
  }
  torch::manual_seed(1);
  IclModel model(config.model);
  model->to(torch::Device(config.device));
  model->train();
  torch::optim::Adam adam(trainable_parameters(model), torch::optim::AdamOptions(effective_lr(config)));
  std::unique_ptr<SyncFreeStepper> stepper;
  if (config.step_mode != "eager") stepper = std::make_unique<SyncFreeStepper>(model, config, config.step_mode == "cuda-graph");
  const auto one_step = [&](std::int64_t step) {
    return stepper ? stepper->step(step) : icl_training_step(model, adam, config, step);
  };
  constexpr int kStepsPerIteration = 10;
  std::int64_t step = 0;
  for (int warm = 0; warm < 5; ++warm) one_step(++step);
  for (auto _ : state) {
    torch::Tensor loss;
    for (int i = 0; i < kStepsPerIteration; ++i) loss = one_step(++step);
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * kStepsPerIteration);
  state.SetLabel(to_string(architecture) + " batch 64 " + config.device + " " + config.precision + " " + config.step_mode);
}
// The minimum time and repetitions come from the command line (scripts/bench_training.sh).
BENCHMARK(TrainingSteps)->ArgsProduct({{0, 1}, {0, 1, 2}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
