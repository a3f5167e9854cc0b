// The numbers behind the report's figures that no single statement produces: sweeps of Theorem 5.1's
// error and bound over (n, K) and (gamma, n), Lemma 3's coherences against n, and the regime map of
// N_0. Each dataset is computed here, from theory/ and models/, and only rendered by reports/.
//
// A dataset is a table: {"name", "title", "parameters", "columns": [...], "rows": [[...], ...]}, so
// it goes to CSV as it is. Same options (seed, budget, c) -> same numbers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::properties {

struct Dataset {
  std::string name;   // file stem, e.g. "thm5.1_grid"
  std::string title;  // one line for the report
  std::function<nlohmann::json(const CheckOptions&)> compute;
};

// Every dataset, in report order.
const std::vector<Dataset>& datasets();

// The dataset with this name; throws std::invalid_argument listing the known names if none.
const Dataset& find_dataset(const std::string& name);

}  // namespace icsr::properties
