// A stand-in for properties/registry.cpp in fuzz_findings: the loader only needs find_statement to know
// which ids exist, and linking the real registry would pull every property and LibTorch into the
// sanitizer build. The ids are those of the recorded findings (properties/findings/); the checks
// are never run.
#include "properties/registry.hpp"

#include <stdexcept>

namespace icsr::properties {

const std::vector<Statement>& registry() {
  static const std::vector<Statement> statements = [] {
    std::vector<Statement> list;
    for (const char* id : {"c3.mlp", "corD.1", "corE.1", "lemma1", "lemma2", "lemma3", "lemma3.offdiag", "lemma3.upper",
                           "lemma4", "remark2", "conj.rate2x", "thm5.1.iso", "thm5.1", "thmD.1.iso", "thmD.1"}) {
      list.emplace_back(id, id, "fuzzing stand-in", [](const CheckOptions&) { return StatementResult{}; });
    }
    return list;
  }();
  return statements;
}

const Statement& find_statement(const std::string& id) {
  for (const Statement& statement : registry()) {
    if (statement.id == id) return statement;
  }
  throw std::invalid_argument("unknown statement '" + id + "'");
}

}  // namespace icsr::properties
