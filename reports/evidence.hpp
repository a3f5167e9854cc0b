// Turns statement results into what leaves the program: the JSON evidence file of `icsr check --json`
// (one object per statement, with provenance) and the verdict lines printed on the terminal.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/statement.hpp"

namespace icsr::reports {

// Git revision, machine, device, library versions; no date, so the same seed gives byte-identical
// JSON (`icsr report` keeps dates and wall times apart, in run.json).
nlohmann::json provenance(const properties::CheckOptions& options);

// {"provenance": ..., "options": ..., "statements": [one object per statement]}.
nlohmann::json evidence_document(const std::vector<properties::StatementResult>& results,
                                 const properties::CheckOptions& options);

// Writes to a temporary file beside `path`, then renames it, so a reader never sees half a file.
void write_json_atomically(const std::string& path, const nlohmann::json& document);

// The record of a violated statement kept under properties/findings/ and replayed by ctest: the shrunk
// counterexample, what it gave, and how to replay it. Throws std::invalid_argument if not violated.
nlohmann::json finding_record(const properties::StatementResult& result, const properties::CheckOptions& options);

// A few lines per statement: verdict, evidence, counterexample and replay, controls.
std::string render_verdict(const properties::StatementResult& result);

}  // namespace icsr::reports
