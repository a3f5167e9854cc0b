// `icsr report`: runs every registered statement and every figure dataset (the "units"), writes their
// JSON, then renders DIR/index.md, one page per statement, CSV tables and gnuplot figures.
//
// Layout of DIR:
//   index.md                 the verdict table, the figures, the findings, provenance
//   report.json              what the report was made from: options, revision, libraries, unit list
//   run.json                 the volatile part: dates, wall times, machines (one entry per shard)
//   statements/<id>.{md,json,csv}, data/<name>.{json,csv}, figures/<name>.{png,svg,gp}
//
// Scaling out: `--shard i/n` runs units i, i+n, i+2n, ... (in registry order, 1-based) and writes only
// their JSON plus shard.json; `--merge DIR...` checks that the shards agree (seed, budget, c, alpha,
// revision) and cover every unit once, copies their JSON and renders. The unit JSON carries no date or
// timing, so a merged report is byte-identical to a single run with the same seed (run.json aside).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/harness/statement.hpp"

namespace icsr::reports {

struct Shard {
  int index = 1;  // 1-based
  int count = 1;
  bool whole() const { return count == 1; }
  bool takes(int unit) const { return unit % count == index - 1; }  // unit is 0-based
};

// Parses "i/n" with 1 <= i <= n; throws std::invalid_argument naming the value.
Shard parse_shard(const std::string& text);

struct ReportOptions {
  properties::CheckOptions check;
  std::string out = "report";
  Shard shard;
  std::vector<std::string> only;    // statement ids to run (empty: all)
  std::vector<std::string> sweeps;  // figure datasets to compute, by name
  bool all_sweeps = true;           // every dataset (then `sweeps` is ignored)
};

// Runs the units of this shard and writes their JSON; renders the report when the shard is the whole.
// The directory is written whole or not at all (staged beside it, then swapped in), under a lock that
// refuses a second run on the same directory. A unit that throws is recorded as an error (never as a
// verdict) and the other units still run. Returns the number of units that ended in an error.
int run_report(const ReportOptions& options);

// Combines shard directories into `out` and renders it, staged and locked as run_report. Throws
// std::invalid_argument when the shards disagree or do not cover every unit exactly once. Returns the
// number of units that ended in an error.
int merge_report(const std::vector<std::string>& shard_dirs, const std::string& out);

// Renders index.md, the pages, CSV and figures from the unit JSON already in `dir`. Returns the number
// of units recorded as errors.
int render_report(const std::string& dir);

}  // namespace icsr::reports
