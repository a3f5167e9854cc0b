// The paper's experimental claims (Section 6, Appendix F) as checked conjectures, on the committed
// baseline checkpoints (models/checkpoints/, trained by scripts/train_baselines.sh):
//
//   exp.fixed_degrades   LISTA, LISTA-CP and ALISTA trained on one fixed X do worse on fresh X
//   exp.vm_beats_ista    meta-trained LISTA-VM beats ISTA and FISTA at K = 12 on varying X
//   exp.meta_no_rescue   meta-training does not rescue LISTA or LISTA-CP: LISTA-VM still beats them
//   exp.ss_beats_vm      with the support prior, LISTA-VM-SS beats LISTA-VM
//
// Each comparison of method A with method B draws T instances and pairs them; a pair "fails" when A's
// error ||beta^ - beta||^2 is not below B's. The claim "A beats B" is judged by an exact binomial test
// of the failure probability against 1/2 (violated: A loses more often than not), Bonferroni over the
// comparisons of the statement.
#pragma once

#include <torch/torch.h>

#include <string>

#include "properties/statement.hpp"

namespace icsr::properties {

// Where the checkpoints are read from: $ICSR_CHECKPOINTS, else the source tree's models/checkpoints.
std::string checkpoint_dir();

// Throws TrialError (an error, never a verdict) when `values` holds a NaN or an infinity: a model whose
// errors are not finite cannot be said to beat or lose to another.
void require_finite(const torch::Tensor& values, const std::string& what);

Statement experiment_fixed_degrades();
Statement experiment_vm_beats_ista();
Statement experiment_meta_no_rescue();
Statement experiment_ss_beats_vm();

}  // namespace icsr::properties
