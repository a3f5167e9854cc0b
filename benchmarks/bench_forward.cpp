// Forward pass of the constructed 12-layer Transformer (Appendix C.1) at d = 20, N = 10 (Section 6),
// batch 1 and 1024, float64 and float32, on CPU, next to the Eigen LISTA-VM reference computing the
// same thing: every layer's iterate for every prefix n = 0..N of every instance.
//
//   ./build/benchmarks/bench_forward --benchmark_counters_tabular=true
//
// Compare items_per_second (instances per second) between rows of the same batch size in one run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "models/construction.hpp"
#include "models/embedding.hpp"
#include "models/lista_vm.hpp"
#include "models/transformer.hpp"
#include "theory/problem.hpp"

namespace {

using namespace icsr;

constexpr int kLayers = 12;

struct Workload {
  std::vector<theory::Instance> instances;
  models::ConstructionOptions construction;
};

Workload make_workload(int batch) {
  Workload workload;
  const theory::ProblemConfig problem;  // d = 20, N = 10, S = 3, Gaussian rows
  std::mt19937_64 rng(2025);
  for (int b = 0; b < batch; ++b) workload.instances.push_back(theory::sample_instance(problem, rng));
  models::ConstructionOptions& construction = workload.construction;
  construction.d = problem.d;
  construction.gamma.assign(kLayers, 0.3);
  construction.theta.assign(kLayers, 0.01);
  construction.mv = 2.0 * Eigen::MatrixXd::Identity(problem.d, problem.d);
  // One B for the whole batch, read off the data (the proof's bound does not fit float32).
  for (const auto& instance : workload.instances) {
    construction.B = std::max(construction.B, models::data_B(construction, instance));
  }
  return workload;
}

void BM_ConstructedTransformer(benchmark::State& state, torch::Dtype dtype) {
  const int batch = static_cast<int>(state.range(0));
  const Workload workload = make_workload(batch);
  models::Transformer model = models::transformer_from_weights(
      models::construct_lista_vm_transformer(workload.construction), dtype, torch::kCPU);
  const torch::Tensor input = models::embed_batch(workload.instances, dtype, torch::kCPU);
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    torch::Tensor output = model->forward(input);
    benchmark::DoNotOptimize(output.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["threads"] = torch::get_num_threads();
}

void BM_EigenListaVm(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const Workload workload = make_workload(batch);
  const models::ListaVmParams params = models::lista_vm_params(workload.construction);
  for (auto _ : state) {
    for (const auto& instance : workload.instances) {
      auto iterates = models::lista_vm_all_prefixes(params, instance.X, instance.y);
      benchmark::DoNotOptimize(iterates.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

BENCHMARK_CAPTURE(BM_ConstructedTransformer, float64, torch::kFloat64)->Arg(1)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ConstructedTransformer, float32, torch::kFloat32)->Arg(1)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EigenListaVm)->Arg(1)->Arg(1024)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
