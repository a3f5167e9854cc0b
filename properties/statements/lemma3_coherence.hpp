// Lemma 3: the generalised coherence of D_n = X_{1:n} M^V^T / (2n+1), M^V = (2/sigma_d^2) I, with X.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>

#include <nlohmann/json.hpp>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

enum class Lemma3Bound { all, diagonal_lower, diagonal_upper, off_diagonal };

struct CoherenceCase {
  int d = 2;
  int S = 1;
  int n = 1;
  double delta = 0.1;        // drawn log-uniform on [1e-6, 1) (grid of 600), or pinned
  bool anisotropic = false;  // sigma_i log-uniform in [0.5, 2] (sorted, sigma_d the smallest) instead of 1
  std::uint64_t seed = 0;
};

void showValue(const CoherenceCase& value, std::ostream& os);
nlohmann::json describe(const CoherenceCase& value, double c);

// One draw: X (n x d), a uniformly random support of size S, and the three coherence quantities
// against their bounds. `failed` refers to the chosen bound (or to any of them for Lemma3Bound::all).
ProbabilisticTrial lemma3_trial(const CoherenceCase& value, Lemma3Bound which, double c, std::mt19937_64& rng);

Statement lemma3_statement(Lemma3Bound which);

}  // namespace icsr::properties
