// Every statement icsr checks, in paper order. Adding one is one line here and one file beside it.
#include "properties/registry.hpp"

#include <stdexcept>

#include "properties/statements/c3_mlp_soft_threshold.hpp"
#include "properties/statements/experiments.hpp"
#include "properties/statements/lemma1_2_contraction.hpp"
#include "properties/statements/lemma3_coherence.hpp"
#include "properties/statements/lemma4_norm_bound.hpp"
#include "properties/statements/thm5_1_convergence.hpp"
#include "properties/statements/prop1_b_silences_keys.hpp"
#include "properties/statements/thm4_1_equivalence.hpp"
#include "properties/statements/thmE1_readout.hpp"
#include "properties/statements/trained_models.hpp"

namespace icsr::properties {
namespace {

// The verdict a statement gives at the quick budget and seed 1; ctest asserts it (test_registry.cpp).
// Conjectures declare theirs in their spec.
Statement expect(Statement statement, Verdict verdict) {
  statement.expected = verdict;
  return statement;
}

}  // namespace

// Conjectures (not in the paper): one file each in properties/conjectures/, declared here.
Statement conjecture_rate_twice_alpha();
Statement conjecture_meta_beats_fixed();

const std::vector<Statement>& registry() {
  static const std::vector<Statement> statements{
      expect(thm4_1_statement(), Verdict::holds),  // thm4.1
      expect(prop1_b_statement(), Verdict::holds),  // prop1.B
      expect(c3_mlp_statement(), Verdict::violated),  // c3.mlp
      expect(c3_mlp_corrected_statement(), Verdict::holds),  // c3.mlp.corrected
      expect(contraction_statement(ContractionClaim::lemma1), Verdict::violated),  // lemma1
      expect(contraction_statement(ContractionClaim::lemma1_support), Verdict::holds),  // lemma1.support
      expect(contraction_statement(ContractionClaim::lemma2), Verdict::holds),  // lemma2
      expect(lemma3_statement(Lemma3Bound::all), Verdict::violated),  // lemma3
      expect(lemma3_statement(Lemma3Bound::diagonal_lower), Verdict::inconclusive),  // lemma3.lower
      expect(lemma3_statement(Lemma3Bound::diagonal_upper), Verdict::violated),  // lemma3.upper
      expect(lemma3_statement(Lemma3Bound::off_diagonal), Verdict::inconclusive),  // lemma3.offdiag
      expect(convergence_statement(ConvergenceClaim::theorem51), Verdict::violated),  // thm5.1
      expect(convergence_statement(ConvergenceClaim::theorem51, true), Verdict::violated),  // thm5.1.iso
      expect(convergence_transformer_statement(), Verdict::holds),  // thm5.1.transformer
      expect(remark2_statement(), Verdict::violated),  // remark2
      expect(convergence_statement(ConvergenceClaim::theoremD1), Verdict::violated),  // thmD.1
      expect(convergence_statement(ConvergenceClaim::theoremD1, true), Verdict::violated),  // thmD.1.iso
      expect(corD1_construction_statement(), Verdict::holds),  // corD.1.construction
      expect(convergence_statement(ConvergenceClaim::corollaryD1), Verdict::violated),  // corD.1
      expect(lemma4_statement(), Verdict::violated),  // lemma4
      expect(convergence_statement(ConvergenceClaim::corollaryE1), Verdict::violated),  // corE.1
      expect(thmE1_construction_statement(), Verdict::holds),  // thmE.1.construction
      expect(thmE1_statement(), Verdict::vacuous),  // thmE.1
      expect(remark4_statement(), Verdict::inconclusive),  // remark4
      expect(experiment_fixed_degrades(), Verdict::holds),  // exp.fixed_degrades
      expect(experiment_vm_beats_ista(), Verdict::holds),  // exp.vm_beats_ista
      expect(experiment_meta_no_rescue(), Verdict::holds),  // exp.meta_no_rescue
      expect(experiment_ss_beats_vm(), Verdict::violated),  // exp.ss_beats_vm (like for like: trained on the prior)
      expect(experiment_ss_tenfold(), Verdict::violated),  // exp.ss_tenfold
      expect(trained_remark2(), Verdict::inconclusive),  // trained.remark2
      expect(trained_remark3(), Verdict::inconclusive),  // trained.remark3
      expect(trained_readout_gap(), Verdict::inconclusive),  // trained.readout_gap
      expect(trained_probe(), Verdict::inconclusive),  // trained.probe
      conjecture_rate_twice_alpha(),
      conjecture_meta_beats_fixed(),
  };
  return statements;
}

const Statement& find_statement(const std::string& id) {
  std::string known;
  for (const Statement& statement : registry()) {
    if (statement.id == id) return statement;
    known += (known.empty() ? "" : ", ") + statement.id;
  }
  throw std::invalid_argument("unknown statement '" + id + "'; known: " + known);
}

}  // namespace icsr::properties
