// Eq. (C.3): the MLP of eq. (C.2) applies the soft threshold S_theta to the beta block of a token and
// leaves every other row unchanged.
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "models/construction.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct MlpCase {
  int d = 1;
  int theta_index = 0;     // theta = 0 for index 0, else 10^(-4 + 5 (index - 1) / 39): [1e-4, 10]
  std::uint64_t seed = 0;  // the token h
};

void showValue(const MlpCase& value, std::ostream& os);
nlohmann::json describe(const MlpCase& value);
double mlp_case_theta(const MlpCase& value);
MlpCase mlp_case_from_json(const nlohmann::json& parameters);

// Runs the generic Transformer layer's MLP, loaded with eq. (C.2), on one token and compares with
// [h_{1:d+1}; S_theta(h_{d+2:2d+1}); h_{2d+2}] entry by entry (tolerance 8 eps (|h_i| + theta)).
// The worst entry of the MLP's output against S_theta on the configuration's token, and along a targeted climb of
// `climb_evaluations` margin evaluations over every token from it (targeted_outcome; 1: the drawn token only).
inline constexpr int kMlpClimbEvaluations = 40;
TrialOutcome evaluate_mlp(const MlpCase& value, models::MlpBias bias, int climb_evaluations = kMlpClimbEvaluations);

Statement c3_mlp_statement();            // the weights as printed: a recorded finding
Statement c3_mlp_corrected_statement();  // -theta in both threshold blocks

}  // namespace icsr::properties
