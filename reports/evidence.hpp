// Turns statement results into what leaves the program: the JSON evidence file of `icsr check --json`
// (one object per statement, with provenance) and the verdict lines printed on the terminal.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::reports {

// Git revision, machine, device, library versions; no date, so the same seed gives byte-identical
// JSON (`icsr report` keeps dates and wall times apart, in run.json).
nlohmann::json provenance(const properties::CheckOptions& options);

// {"provenance": ..., "options": ..., "statements": [one object per statement]}.
nlohmann::json evidence_document(const std::vector<properties::StatementResult>& results,
                                 const properties::CheckOptions& options);

// JSON has no infinity or NaN (nlohmann writes them as null, which then reads back as no number).
// Evidence keeps them: non-finite numbers are written as the strings "+Infinity", "-Infinity" and
// "NaN", and read back as numbers.
nlohmann::json encode_non_finite(const nlohmann::json& value);
nlohmann::json decode_non_finite(const nlohmann::json& value);

// Writes encode_non_finite(document) to a temporary file beside `path` (unique to this process), then
// renames it, so a reader never sees half a file.
void write_json_atomically(const std::string& path, const nlohmann::json& document);

// Parses a file written by write_json_atomically, decoding non-finite numbers. Throws
// std::invalid_argument naming the file when it cannot be read or is not JSON.
nlohmann::json read_json_file(const std::string& path);

// The record of a violated statement kept under properties/findings/ and replayed by ctest: the shrunk
// counterexample, what it gave, and how to replay it. Throws std::invalid_argument if not violated.
nlohmann::json finding_record(const properties::StatementResult& result, const properties::CheckOptions& options);

// A few lines per statement: verdict, evidence, counterexample and replay, controls.
std::string render_verdict(const properties::StatementResult& result);

}  // namespace icsr::reports
