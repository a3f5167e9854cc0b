// The registry: every statement icsr checks, paper statements and conjectures, in paper order. It sits
// above the harness and the statements (it lists them); nothing below it includes it.
#pragma once

#include <string>
#include <vector>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

// Every registered statement, in paper order.
const std::vector<Statement>& registry();

// The statement with this id; throws std::invalid_argument listing the known ids if none.
const Statement& find_statement(const std::string& id);

}  // namespace icsr::properties
