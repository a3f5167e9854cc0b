// The verdict engine for statements about trained models: sub-tests (paired sign tests, one-sided
// Student-t bounds on a mean) tallied into one verdict, and the figures every such statement reports.
// Statements built from several sub-tests (exp.*, trained.*, conjectures about checkpoints) use it.
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

// One-sided Student-t bounds on the mean of a sample, each at level alpha.
struct MeanBounds {
  double mean = 0.0, lower = 0.0, upper = 0.0;
  int n = 0;
};

// Throws TrialError when `values` holds a non-finite number.
MeanBounds mean_bounds(const torch::Tensor& values, double alpha);
nlohmann::json to_json(const MeanBounds& bounds);

// "mean > 0": holds when the lower bound is above 0, violated when the upper bound is below 0.
Verdict judge_positive(const MeanBounds& bounds);

// Sub-test verdicts and their rows ({parameters, verdict, evidence}); overall: violated if any is,
// else inconclusive if any is, else holds.
struct Tally {
  int holds = 0, violated = 0, inconclusive = 0;
  nlohmann::json rows = nlohmann::json::array();

  void add(const nlohmann::json& parameters, Verdict verdict, const nlohmann::json& evidence);
  Verdict overall() const;
  // The figures shared by every tallied statement: counts, the family level, the rows.
  nlohmann::json figures(std::size_t configurations, double alpha_family) const;
};

}  // namespace icsr::properties
