// The registry: every statement icsr checks, paper statements and conjectures, in paper order. It sits
// above the harness and the statements (it lists them); nothing below it includes it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

// Every registered statement, in paper order.
const std::vector<Statement>& registry();

// The statement with this id; throws std::invalid_argument listing the known ids if none.
const Statement& find_statement(const std::string& id);

// A proof checked step by step: its registered step statements in the proof's order. The report and the README
// draw it as a chain, each step with its verdict, and name the first step that fails.
struct ProofChain {
  std::string proof;               // e.g. "Theorem D.1 (Proposition 2, Appendix D.1)"
  std::vector<std::string> steps;  // statement ids
};
const std::vector<ProofChain>& proof_chains();

// The first step of a chain whose verdict (by `verdict_of`) is violated, or "" if none.
std::string first_failing_step(const ProofChain& chain, const std::function<std::string(const std::string&)>& verdict_of);

}  // namespace icsr::properties
