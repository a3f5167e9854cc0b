// icsr report: every statement and the figure sweeps, written as DIR/index.md with pages, CSV, JSON and
// figures; --shard and --merge split a run across machines.
#include <torch/torch.h>

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "reports/report.hpp"

namespace icsr::cli {
namespace {

struct ReportFlags {
  reports::ReportOptions options;
  std::string budget = "quick", shard = "1/1", only, sweeps = "all";
  int threads = 1;
  std::vector<std::string> merge_dirs;
  bool only_given = false;
};

int run_report(ReportFlags& flags) {
  reports::ReportOptions& options = flags.options;
  if (!flags.merge_dirs.empty()) {
    if (flags.shard != "1/1") throw std::invalid_argument("--merge and --shard exclude each other");
    const int errors = reports::merge_report(flags.merge_dirs, options.out);
    std::cerr << "merged " << flags.merge_dirs.size() << " shard(s) into " << options.out << "/index.md\n";
    return errors > 0 ? kExitFailed : kExitHolds;
  }
  options.check.budget = properties::budget_from_string(flags.budget);
  options.shard = reports::parse_shard(flags.shard);
  if (flags.only_given) {
    std::stringstream only(flags.only);
    for (std::string id; std::getline(only, id, ',');) {
      if (id.empty()) throw std::invalid_argument("--only '" + flags.only + "': an empty statement id");
      options.only.push_back(id);
    }
    if (options.only.empty()) throw std::invalid_argument("--only names no statement");
  }
  options.all_sweeps = flags.sweeps == "all";
  if (!options.all_sweeps && flags.sweeps != "none") {
    std::stringstream sweeps(flags.sweeps);
    for (std::string name; std::getline(sweeps, name, ',');) {
      if (name.empty()) throw std::invalid_argument("--sweeps '" + flags.sweeps + "': an empty dataset name");
      options.sweeps.push_back(name);
    }
  }
  require_device(options.check.device);
  set_compute_threads(flags.threads);
  torch::manual_seed(static_cast<std::uint64_t>(options.check.seed));
  const int errors = reports::run_report(options);
  std::cerr << (options.shard.whole() ? "report written to " + options.out + "/index.md\n"
                                      : "shard written to " + options.out +
                                            "; combine the shards with `icsr report --merge DIR... --out OUT`\n");
  if (errors > 0) {
    std::cerr << fmt::format("icsr: {} unit(s) ended in an error, not a verdict (marked in the report)\n", errors);
    return kExitFailed;
  }
  return kExitHolds;
}

}  // namespace

Command add_report(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "report", "Run every statement and the figure sweeps; write DIR/index.md, one page per statement, CSV, JSON and "
                "figures (gnuplot)");
  auto flags = std::make_shared<ReportFlags>();
  add_check_flags(*command, flags->options.check, flags->budget, flags->threads);
  command->add_option("--out", flags->options.out, "Report directory")->capture_default_str();
  command->add_option("--shard", flags->shard, "Run units i, i+n, ... only and write their JSON (no pages); combine with --merge")
      ->capture_default_str();
  command->add_option("--merge", flags->merge_dirs, "Combine these shard directories into --out and render it");
  command->add_option("--only", flags->only, "Comma-separated statement ids (a partial report)");
  command->add_option("--sweeps", flags->sweeps,
                      "Figure datasets to compute: all, none, or comma-separated names (an unknown name lists the known ones)")
      ->capture_default_str();
  return {command, [flags, command] {
            flags->only_given = command->count("--only") > 0;
            return run_report(*flags);
          }};
}

}  // namespace icsr::cli
