// The paper's experimental claims (Section 6, Appendix F) as checked conjectures, on the committed
// baseline checkpoints (models/checkpoints/, trained by scripts/train_baselines.sh):
//
//   exp.fixed_degrades   LISTA, LISTA-CP and ALISTA trained on one fixed X do worse on fresh X
//   exp.vm_beats_ista    meta-trained LISTA-VM beats ISTA and FISTA at K = 12 on varying X
//   exp.meta_no_rescue   meta-training does not rescue LISTA or LISTA-CP: LISTA-VM still beats them
//   exp.ss_beats_vm      with the support prior, LISTA-VM-SS beats LISTA-VM (both trained on the prior)
//   exp.ss_tenfold       "almost 10 times better": LISTA-VM's mean label loss at least 5 times LISTA-VM-SS's
//
// LISTA-VM is checked in both forms: Theorem 4.1's, with its own M^(k) in every layer (the
// *_per_layer_* checkpoints; what Section 6 evaluates), and Theorem C.1's special case M^(k) = gamma_k
// M^V with one shared M^V (lista_vm_meta, lista_vm_ss_meta; a deviation kept for comparison).
//
// Each comparison of method A with method B draws T instances and pairs them; a pair "fails" when A's
// error ||beta^ - beta||^2 is not below B's. The claim "A beats B" is judged by an exact binomial test
// of the failure probability against 1/2 (violated: A loses more often than not), Bonferroni over the
// comparisons of the statement.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

// One paired comparison: A (the claimed winner) against B, each on fresh X or on its training X.
struct Comparison {
  std::string winner;   // checkpoint stem of A
  bool winner_fresh;    // A evaluated on fresh X (else on its training X)
  std::string loser;    // checkpoint stem of B
  bool loser_fresh;
  bool support_first10; // the instances' support lies in the first 10 entries
};

// A statement made of paired comparisons on the committed checkpoints (budgets::paired_comparison);
// conjectures about trained checkpoints use it too.
Statement paired_experiment(const std::string& id, const std::string& label, const std::string& claim,
                            const std::vector<Comparison>& comparisons);

Statement experiment_fixed_degrades();
Statement experiment_vm_beats_ista();
Statement experiment_meta_no_rescue();
Statement experiment_ss_beats_vm();
Statement experiment_ss_tenfold();

}  // namespace icsr::properties
