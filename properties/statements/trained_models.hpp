// The theory against trained Transformers (Small TF, GPT-2; models/training/icl_training.hpp), judged on the
// committed checkpoints in checkpoint_dir() (scripts/train_transformers.sh):
//
//   trained.remark2       Remark 2: the label loss falls as the prefix grows (N examples beat 1), and
//                         unseen X (fresh Gaussian, and uniform entries never seen in training) cause
//                         no blow-up: at no prefix is the loss above the zero predictor's.
//   trained.remark3       Remark 3 / Figure 1b: training with the support prior lowers the label loss
//                         on support-restricted tasks (the paper: about 10x for LISTA-VM-SS).
//   trained.readout_gap   Theorem 5.2 / Figure 1c: the query read-outs (learned V, and V† of the proof)
//                         have a lower loss than the linear read-out, and the gap shrinks as n grows.
//   trained.probe         Mechanism: a linear probe of beta from the hidden state after each layer k;
//                         its error falls geometrically in k (the fitted rate and its interval), next
//                         to the LISTA-VM iterate beta^(k) and to the paper's construction probed alike.
//
// Paired comparisons use exact binomial (sign) tests against 1/2; mean differences use one-sided
// Student-t bounds; all at the family level alpha, Bonferroni-divided over a statement's sub-tests.
// A checkpoint trained below the paper's budget and error is "reduced": a statement that uses one is
// at most inconclusive (its raw outcome is kept as figures.verdict_on_these_checkpoints), because the
// claims are about trained models. A missing checkpoint makes the statement inconclusive.
#pragma once

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

Statement trained_remark2();
Statement trained_remark3();
Statement trained_readout_gap();
Statement trained_probe();

// Figure 1a/1b rows for the trained Transformers, in the figure1_baselines table's columns
// (checkpoint, support, X, n, loss_mean, loss_median, instances, loss_mean_low, loss_mean_high,
// loss_median_low, loss_median_high, lasso_unconverged = 0); reduced checkpoints are named so.
nlohmann::json transformer_label_loss_rows(const CheckOptions& options);

}  // namespace icsr::properties
