// Time to the first counterexample, with the targeted search (issue 13) against sampling alone, for lemma1, lemma2
// and lemma4, measured in the same run. Configurations are drawn over each statement's ranges from a plain seeded
// generator (the same sequence for both modes); a mode scans them until the first one whose judged case fails.
// Sampling judges the drawn beta^(k) only; targeting adds the climb (lemma1: derivative-free over the l1 ball;
// lemma4: gradient ascent through LibTorch autograd over the sphere) or the exact worst case (lemma2). Each
// iteration starts from a new base seed; the counters give the mean configurations and seconds per mode and
// `speedup` = sampling seconds / targeted seconds. A scan that reaches kCap configurations without a
// counterexample stops there (counted in `sampling_censored`), so the speedup is then a lower bound.
//
//   ./build/benchmarks/bench_targeted --benchmark_format=json > benchmarks/targeted.json
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <random>

#include "properties/statements/lemma1_2_contraction.hpp"
#include "properties/statements/lemma4_norm_bound.hpp"

namespace {

using namespace icsr::properties;

constexpr int kCap = 20000;

int uniform(std::mt19937_64& rng, int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); }

ContractionCase contraction_case(std::mt19937_64& rng) {  // the ranges of gen_contraction_case
  ContractionCase value;
  value.d = uniform(rng, 1, 24);
  value.S = uniform(rng, 1, value.d);
  value.n = static_cast<int>(std::floor(std::pow(2.0, uniform(rng, 0, 96) / 8.0)));
  value.paper_D = uniform(rng, 0, 1) == 0;
  value.k = uniform(rng, 1, 16);
  value.gamma = 0.02 * uniform(rng, 1, 100);
  value.eta = std::exp(std::log(1e-3) + uniform(rng, 0, 59) * (-std::log(1e-3)) / 59.0);
  value.seed = rng();
  return value;
}

NormBoundCase norm_bound_case(std::mt19937_64& rng) {  // the ranges of gen_norm_bound_case
  NormBoundCase value;
  value.d = uniform(rng, 1, 16);
  value.S = uniform(rng, 1, value.d);
  value.N = uniform(rng, value.d, 64);
  value.n = uniform(rng, 0, value.N);
  value.gamma = 0.01 * uniform(rng, 1, 150);
  value.top_direction = uniform(rng, 0, 1) == 1;
  value.seed = rng();
  return value;
}

// Configurations scanned until the first counterexample (kCap if none), and the seconds it took.
struct Scan {
  int configurations = 0;
  double seconds = 0.0;
};

Scan scan(std::uint64_t seed, const std::function<bool(std::mt19937_64&)>& fails) {
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  Scan out;
  while (out.configurations < kCap) {
    ++out.configurations;
    if (fails(rng)) break;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void compare(benchmark::State& state, const std::function<bool(std::mt19937_64&, bool targeted)>& fails) {
  double sampling_seconds = 0.0, targeted_seconds = 0.0, sampling_configurations = 0.0, targeted_configurations = 0.0;
  int censored = 0, runs = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    const Scan sampling = scan(seed, [&](std::mt19937_64& rng) { return fails(rng, false); });
    const Scan targeted = scan(seed, [&](std::mt19937_64& rng) { return fails(rng, true); });
    sampling_seconds += sampling.seconds;
    targeted_seconds += targeted.seconds;
    sampling_configurations += sampling.configurations;
    targeted_configurations += targeted.configurations;
    censored += sampling.configurations >= kCap ? 1 : 0;
    ++runs;
    ++seed;
  }
  state.counters["sampling_configurations"] = sampling_configurations / runs;
  state.counters["targeted_configurations"] = targeted_configurations / runs;
  state.counters["sampling_seconds"] = sampling_seconds / runs;
  state.counters["targeted_seconds"] = targeted_seconds / runs;
  state.counters["speedup"] = sampling_seconds / targeted_seconds;
  state.counters["sampling_censored"] = censored;
  state.counters["cap"] = kCap;
}

void BM_FirstCounterexample_lemma1(benchmark::State& state) {
  compare(state, [](std::mt19937_64& rng, bool targeted) {
    const TrialOutcome outcome = evaluate_contraction(contraction_case(rng), ContractionClaim::lemma1, targeted);
    return !outcome.passed();
  });
}

void BM_FirstCounterexample_lemma2(benchmark::State& state) {
  compare(state, [](std::mt19937_64& rng, bool targeted) {
    const TrialOutcome outcome = evaluate_contraction(contraction_case(rng), ContractionClaim::lemma2, targeted);
    return !outcome.passed();
  });
}

void BM_FirstCounterexample_lemma4(benchmark::State& state) {
  compare(state, [](std::mt19937_64& rng, bool targeted) {
    return !evaluate_norm_bound(norm_bound_case(rng), targeted).passed();
  });
}

}  // namespace

BENCHMARK(BM_FirstCounterexample_lemma1)->Iterations(50)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstCounterexample_lemma2)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstCounterexample_lemma4)->Iterations(50)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
