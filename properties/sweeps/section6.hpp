// Section 6 as a reader compares it: every trained baseline's numbers at n = N = 10 beside the paper's,
// the same quantity on both sides, and the robustness runs of LISTA-VM's training. Both tables are
// datasets (report data/*.csv) and the README's Section 6 tables are rendered from them
// (reports/section6.hpp, `icsr section6`).
//
//   section6_baselines   per checkpoint and evaluation regime (fresh X / its training X; uniform support /
//                        support in the first 10): mean ||beta^ - beta||^2 and mean label loss
//                        (x_q^T (beta^ - beta))^2, each with a 95% interval, and their medians with
//                        intervals; the Lasso and X^+ y references on the same instances; the paper's value
//                        and which of these quantities icsr reads it as.
//   section6_robustness  the runs in <checkpoints>/robustness/ (scripts/train_lista_vm_robustness.sh):
//                        configuration, the evaluation on fresh X by epoch (10th, last, best) and a fresh
//                        evaluation with intervals.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "models/training/baseline_training.hpp"
#include "properties/harness/statement.hpp"

namespace icsr::properties {

// The statistical references of Figure 1 and the Section 6 table, per instance of a batch: the exact Lasso
// (alpha = kReferenceLassoAlpha, FISTA to theory::LassoOptions' KKT tolerance) and X^+ y, both restricted
// to `support` when it is not empty; error ||beta^ - beta||^2 and label loss (x_q^T (beta^ - beta))^2.
inline constexpr double kReferenceLassoAlpha = 1e-3;

struct ReferenceLosses {
  std::vector<double> lasso_error, lasso_label, least_squares_error, least_squares_label;
  int lasso_unconverged = 0;  // instances where FISTA stopped before the KKT tolerance
};

ReferenceLosses reference_losses(const models::Batch& batch, const torch::Tensor& query, const std::vector<int>& support);

nlohmann::json section6_baselines(const CheckOptions& options);
nlohmann::json section6_robustness(const CheckOptions& options);

}  // namespace icsr::properties
