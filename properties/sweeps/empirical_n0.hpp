// Empirical N_0: in the paper's experimental setting, the smallest n at which the conclusion of
// Theorem 5.1 holds with probability >= 1 - delta, next to the theoretical N_0 and the paper's N = 10.
#pragma once

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct EmpiricalN0Options {
  int d = 20;
  int S = 3;
  int K = 12;
  double gamma = 1.0;
  double delta = 0.05;
  int trials = 2000;     // per n
  double alpha = 0.05;   // family-wise, Bonferroni over the n grid
  double c = 0.0;        // 0: derived Gaussian value
  std::uint64_t seed = 1;
};

// Scans n over a doubling grid from 1 to 2 N_0 (plus N_0 itself). For each n: the failure count, its
// Clopper-Pearson bounds, the verdict against delta, alpha_n, and the median error against the bound.
// Returns {"setting", "theoretical_N0", "paper_N", "rows", "empirical_N0", "first_nontrivial_n"}:
// empirical_N0 is the smallest grid n from which every larger grid n holds; first_nontrivial_n the
// smallest n where alpha_n > 0 (below it the bound exceeds ||beta*||_1); empirical_N0_at_rate_of_N0
// the smallest grid n from which ||beta^(K+1) - beta*|| <= c1 e^{-alpha_{N_0} K} (the rate the theorem
// guarantees at N_0) holds with probability >= 1 - delta at every larger grid n.
nlohmann::json empirical_n0(const EmpiricalN0Options& options);

}  // namespace icsr::properties
