// Proof of Proposition 1: B >= b_beta b_x + b_x sqrt(d) (b_beta + C_beta^K) silences every odd-token key.
#pragma once

#include "properties/harness/construction_cases.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

// error = the smallest B that silences every odd key on the instance (max |beta_{2n+1}^(k) . x_l|),
// tolerance = the proof's bound on B with Assumption 1's constants read off the instance.
TrialOutcome evaluate_b_bound(const ConstructionCase& value);

Statement prop1_b_statement();

}  // namespace icsr::properties
