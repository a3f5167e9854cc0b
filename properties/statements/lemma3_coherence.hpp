// Lemma 3: the generalised coherence of D_n = X_{1:n} M^V^T / (2n+1), M^V = (2/sigma_d^2) I, with X.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>

#include <nlohmann/json.hpp>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/spec.hpp"
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

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CoherenceCase, d, S, n, delta, anisotropic, seed)

void showValue(const CoherenceCase& value, std::ostream& os);
nlohmann::json describe(const CoherenceCase& value, double c);

// One draw: X (n x d), a uniformly random support of size S, and the three coherence quantities
// against their bounds. `failed` refers to the chosen bound (or to any of them for Lemma3Bound::all).
// With a witness (lemma3_witnesses), the same draw with that M^V instead of the proof's (2/sigma_d^2) I.
ProbabilisticTrial lemma3_trial(const CoherenceCase& value, Lemma3Bound which, double c, std::mt19937_64& rng,
                                const WitnessRule* witness = nullptr);

// Lemma 3's admissible witnesses: M^V = (2/sigma_d^2) I (the proof's), 2 Sigma^{-1}, ((2n+1)/(n+2))
// Sigma^{-1}, which centres D_i^T X_i on the bounds' n/(n+2), and a(n, S, delta, c) Sigma^{-1}, which puts the
// chi-square_n quantiles at delta/(2S) and 1 - delta/(2S) of D_i^T X_i = a chi2_n/(2n+1) inside the two diagonal
// bounds (the delta-dependent rule an earlier referee showed is needed at n = 1). They read n, S, delta, c and
// Sigma only.
std::vector<WitnessRule> lemma3_witnesses();

Statement lemma3_statement(Lemma3Bound which);

}  // namespace icsr::properties
