// Lemma 4: the ball of radius C_x = d b_x b_beta (N+1) / sigma_min(X^T X) is invariant under the
// LISTA-VM step (C.12) with M^V = (2/sigma_d^2) I.
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct NormBoundCase {
  int d = 1;
  int N = 1;              // N >= d, so that sigma_min(X^T X) > 0
  int n = 0;              // prefix of the token 2n+1, in [0, N]
  int S = 1;
  double gamma = 1.0;     // (0, 3/2], Theorem 5.1's range
  bool top_direction = false;  // beta^(k) along the top eigenvector of X_{1:n}^T X_{1:n}, else random
  std::uint64_t seed = 0;
};

void showValue(const NormBoundCase& value, std::ostream& os);
// targeted = false judges the drawn beta^(k) alone, without the climb (the sampling baseline of
// benchmarks/bench_targeted.cpp).
TrialOutcome evaluate_norm_bound(const NormBoundCase& value, bool targeted = true);
Statement lemma4_statement();

}  // namespace icsr::properties
