// Theorem 4.1 (with Proposition 1 and Theorem C.1): the constructed Transformer computes LISTA-VM.
#pragma once

#include <torch/torch.h>

#include "properties/harness/construction_cases.hpp"
#include "properties/harness/runner.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

// How the key-silencing constant B is chosen for a trial.
enum class BChoice {
  proof,      // the bound in the proof of Proposition 1 (the paper's own)
  data,       // 2 * required + 1, read off the instance
  too_small,  // half the smallest B that silences every odd key: a negative control
};

// Runs the construction on one configuration and compares the beta block of every odd token 2n+1
// (n = 0..N) after every layer k with the LISTA-VM iterate on the first n examples, and the query
// read-out of the last token with x_{N+1}^T beta^(K+1). The tolerance is a float64 (or float32)
// rounding budget propagated through the layers; see thm4_1_equivalence.cpp.
TrialOutcome evaluate_equivalence(const ConstructionCase& value, BChoice choice, const torch::Device& device,
                                  torch::Dtype dtype = torch::kFloat64);

Statement thm4_1_statement();
Statement corD1_construction_statement();

}  // namespace icsr::properties
