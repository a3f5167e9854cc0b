// What statements about trained models share: where the committed checkpoints are, and the rule that
// a model whose errors are not finite gives an error, never a verdict.
#pragma once

#include <torch/torch.h>

#include <string>

namespace icsr::properties {

// Where the checkpoints are read from: $ICSR_CHECKPOINTS, else the source tree's models/checkpoints.
std::string checkpoint_dir();

// Throws TrialError (an error, never a verdict) when `values` holds a NaN or an infinity: a model whose
// errors are not finite cannot be said to beat or lose to another.
void require_finite(const torch::Tensor& values, const std::string& what);

}  // namespace icsr::properties
