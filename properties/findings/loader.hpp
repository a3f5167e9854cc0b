// Recorded findings: the files `icsr check --record-findings DIR` writes (reports/evidence.cpp,
// finding_record) and ctest replays from properties/findings/. The loader checks each file's schema
// before anything is replayed, so a hand-edited or truncated file is rejected with its name and the
// field at fault instead of surfacing later as a JSON type error deep inside a test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/registry.hpp"

namespace icsr::properties {

struct Finding {
  std::string path;               // the file it was loaded from
  std::string id;                 // a registered statement id (find_statement)
  std::string paper_label;
  std::uint64_t seed = 0;         // the `icsr check --seed` that found it
  Budget budget = Budget::quick;
  nlohmann::json counterexample;  // object: the shrunk configuration, free-form
  nlohmann::json observed;        // object: what the shrunk case gave, free-form
  std::string rc_params;          // RC_PARAMS value that replays the shrunk case
  std::string replay;             // shell command that re-runs the search
  std::string notes;
  nlohmann::json provenance;      // object: program, revision, libraries, date, device
};

// Reads and validates one finding. Required fields and their JSON types:
//   id, paper_label, rc_params, replay, notes: string; budget: "quick" or "full";
//   seed: non-negative integer that fits in 64 bits; counterexample, observed, provenance: object.
// id must name a registered statement. Fields beyond these are ignored, so that a newer writer
// does not break an older reader. The contents of counterexample and observed are not constrained
// (non-finite numbers may appear there as the strings "+Infinity", "-Infinity", "NaN").
// Throws std::invalid_argument naming the file and the field (or the JSON parse error).
Finding load_finding(const std::string& path);

// load_finding on every *.json file directly in `dir`, sorted by file name. Throws
// std::invalid_argument when `dir` is not a readable directory.
std::vector<Finding> load_findings(const std::string& dir);

}  // namespace icsr::properties
