// Conjecture (not in the paper), the README's second worked example, about trained checkpoints: what lets
// an L2O model work across measurement matrices is meta-training, not the architecture alone. On fresh X,
// meta-trained LISTA-VM has a lower error ||beta^ - beta||^2 than LISTA and ALISTA trained on one fixed X.
#include "properties/statements/experiments.hpp"

namespace icsr::properties {

Statement conjecture_meta_beats_fixed() {
  Statement statement = paired_experiment(
      "conj.meta_beats_fixed", "Conjecture (not in the paper): meta-trained LISTA-VM beats fixed-X LISTA and ALISTA on fresh X",
      "On fresh X, meta-trained LISTA-VM's error is below that of LISTA and of ALISTA trained on one fixed X, on the same "
      "instances.",
      {{"lista_vm_meta", true, "lista_fixed", true, false}, {"lista_vm_meta", true, "alista_fixed", true, false}});
  statement.expected = Verdict::holds;
  return statement;
}

}  // namespace icsr::properties
