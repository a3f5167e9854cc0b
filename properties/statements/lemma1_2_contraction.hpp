// Lemma 1 (one-step contraction of LISTA-type iterations under (D.2)) and Lemma 2 (the support stays
// inside 𝕊), as deterministic statements over random D, X, beta* and beta^(k).
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

enum class ContractionClaim {
  lemma1,          // as stated: any beta^(k) with ||beta^(k) - beta*||_1 <= c1 e^{-c2 (k-2)}
  lemma1_support,  // with support(beta^(k)) in 𝕊 too, which the proof takes from Lemma 2 (diagnostic)
  lemma2,          // support(beta^(k)) in 𝕊 and ||beta_𝕊^(k) - beta*_𝕊|| <= c1 e^{-c2 (k-1)} => support(beta^(k+1)) in 𝕊
};

struct ContractionCase {
  int d = 1;
  int S = 1;
  int n = 1;
  bool paper_D = true;   // D = X_{1:n} M^V^T/(2n+1) with M^V = 2I (Theorem 4.1's); else D = Q diag(w) + eta E
  int k = 1;             // the layer index in theta^(k) and the hypothesis radius
  double gamma = 1.0;    // drawn on 0.02, 0.04, ..., 2
  double eta = 0.01;     // perturbation of the general D, log-uniform in [1e-3, 1]
  std::uint64_t seed = 0;
};

void showValue(const ContractionCase& value, std::ostream& os);
nlohmann::json describe(const ContractionCase& value);

// error/tolerance: Lemma 1, ||beta^(k+1) - beta*||_1 against c1 e^{-c2 (k-1)} (plus a rounding allowance);
// Lemma 2, the largest |beta_i^(k+1)| off the support against 0. Vacuous when (D.2) fails.
// targeted = false judges the drawn beta^(k) alone (no climb for Lemma 1, no exact worst case for Lemma 2): the
// sampling baseline of benchmarks/bench_targeted.cpp.
TrialOutcome evaluate_contraction(const ContractionCase& value, ContractionClaim claim, bool targeted = true);

Statement contraction_statement(ContractionClaim claim);

}  // namespace icsr::properties
