// Every statement icsr checks, in paper order. Adding one is one line here and one file beside it.
#include "properties/c3_mlp_soft_threshold.hpp"
#include "properties/prop1_b_silences_keys.hpp"
#include "properties/statement.hpp"
#include "properties/thm4_1_equivalence.hpp"

namespace icsr::properties {

const std::vector<Statement>& registry() {
  static const std::vector<Statement> statements{
      thm4_1_statement(),
      prop1_b_statement(),
      c3_mlp_statement(),
      c3_mlp_corrected_statement(),
  };
  return statements;
}

}  // namespace icsr::properties
