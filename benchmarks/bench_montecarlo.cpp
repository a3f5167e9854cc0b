// Monte Carlo throughput of the Theorem 5.1 check at d = 20, S = 3, K = 12, gamma = 1 and n = N_0
// (about 2.3e4 with c = 1/4, delta = 0.05), in trials per second on one core, next to a plain reference
// loop measured in the same run: naive Eigen that draws X (n x d), forms X^T X once, and runs the 12
// LISTA-VM iterations with the same thresholds. The harness draws X^T X from its Wishart law instead
// (theory::sample_gram), which is exact in distribution and costs O(d^3) whatever n is.
//
//   ./build/benchmarks/bench_montecarlo
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "properties/statements/thm5_1_convergence.hpp"
#include "theory/bounds.hpp"
#include "theory/problem.hpp"

namespace {

using namespace icsr;

constexpr double kC = 0.25;

properties::ConvergenceCase paper_case() {
  properties::ConvergenceCase value;
  value.d = 20;
  value.S = 3;
  value.K = 12;
  value.gamma = 1.0;
  value.delta = 0.05;
  value.n_step = 0;         // n = N_0
  value.seed = 7;
  return value;
}

// The reference: one trial of the same check, the obvious way.
double reference_trial(const properties::ConvergenceCase& value, long n, std::mt19937_64& rng) {
  theory::ProblemConfig config;
  config.d = value.d;
  config.S = value.S;
  const theory::SparseBeta sparse = theory::sample_sparse_beta(value.d, value.S, rng);
  const Eigen::VectorXd& beta_star = sparse.beta;
  const std::vector<int>& indices = sparse.support;
  const Eigen::MatrixXd X = theory::sample_design(config, static_cast<int>(n), rng);
  const Eigen::MatrixXd gram = X.transpose() * X;
  const Eigen::VectorXd correlation = X.transpose() * (X * beta_star);
  const double scale = 2.0 / (2.0 * n + 1.0);
  double sigma_min = std::numeric_limits<double>::infinity();
  for (int k = 0; k < value.S; ++k) sigma_min = std::min(sigma_min, scale * gram(indices[k], indices[k]));
  Eigen::MatrixXd off = (scale * gram).cwiseAbs();
  off.diagonal().setZero();
  const double sigma_max = off.maxCoeff(), gamma = 1.0, c1 = beta_star.lpNorm<1>();
  const double c2 = theory::lemma1_c2(gamma, value.S, sigma_min, sigma_max);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(value.d);
  for (int k = 1; k <= value.K; ++k) {
    beta = theory::soft_threshold(beta - gamma * scale * (gram * beta - correlation),
                                  theory::lemma1_theta(k, gamma, sigma_max, c1, c2));
  }
  return (beta - beta_star).norm();
}

void BM_ReferenceTrial(benchmark::State& state) {
  const auto value = paper_case();
  const auto setting = properties::convergence_setting(value, properties::ConvergenceClaim::theorem51, kC);
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(reference_trial(value, setting.n, rng));
  state.SetItemsProcessed(state.iterations());
  state.counters["n"] = static_cast<double>(setting.n);
}

void BM_HarnessTrial(benchmark::State& state) {
  const auto value = paper_case();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(properties::convergence_trial(value, properties::ConvergenceClaim::theorem51, kC, rng));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ReferenceTrial)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HarnessTrial)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
