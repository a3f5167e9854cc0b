// Every statement icsr checks, in paper order. Adding one is one line here and one file beside it.
#include "properties/c3_mlp_soft_threshold.hpp"
#include "properties/experiments.hpp"
#include "properties/lemma1_2_contraction.hpp"
#include "properties/lemma3_coherence.hpp"
#include "properties/lemma4_norm_bound.hpp"
#include "properties/thm5_1_convergence.hpp"
#include "properties/prop1_b_silences_keys.hpp"
#include "properties/statement.hpp"
#include "properties/thm4_1_equivalence.hpp"
#include "properties/thmE1_readout.hpp"
#include "properties/trained_models.hpp"

namespace icsr::properties {

// Conjectures (not in the paper): one file each in properties/conjectures/, declared here.
Statement conjecture_rate_twice_alpha();

const std::vector<Statement>& registry() {
  static const std::vector<Statement> statements{
      thm4_1_statement(),
      prop1_b_statement(),
      c3_mlp_statement(),
      c3_mlp_corrected_statement(),
      contraction_statement(ContractionClaim::lemma1),
      contraction_statement(ContractionClaim::lemma1_support),
      contraction_statement(ContractionClaim::lemma2),
      lemma3_statement(Lemma3Bound::all),
      lemma3_statement(Lemma3Bound::diagonal_lower),
      lemma3_statement(Lemma3Bound::diagonal_upper),
      lemma3_statement(Lemma3Bound::off_diagonal),
      convergence_statement(ConvergenceClaim::theorem51),
      convergence_statement(ConvergenceClaim::theorem51, true),
      convergence_transformer_statement(),
      remark2_statement(),
      convergence_statement(ConvergenceClaim::theoremD1),
      convergence_statement(ConvergenceClaim::theoremD1, true),
      corD1_construction_statement(),
      convergence_statement(ConvergenceClaim::corollaryD1),
      lemma4_statement(),
      convergence_statement(ConvergenceClaim::corollaryE1),
      thmE1_construction_statement(),
      thmE1_statement(),
      remark4_statement(),
      experiment_fixed_degrades(),
      experiment_vm_beats_ista(),
      experiment_meta_no_rescue(),
      experiment_ss_beats_vm(),
      trained_remark2(),
      trained_remark3(),
      trained_readout_gap(),
      trained_probe(),
      conjecture_rate_twice_alpha(),
  };
  return statements;
}

}  // namespace icsr::properties
