#include "reports/report.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "properties/registry.hpp"
#include "properties/sweeps/empirical_n0.hpp"
#include "properties/sweeps/figure_data.hpp"
#include "reports/evidence.hpp"
#include "reports/plots.hpp"
#include "reports/progress.hpp"
#include "reports/section6.hpp"

namespace icsr::reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kPaper =
    "Liu, Zhou, Shen, Yang: On the Learn-to-Optimize Capabilities of Transformers in In-Context Sparse Recovery "
    "(ICLR 2025)";

struct Unit {
  std::string kind;  // "statement" or "dataset"
  std::string name;
  std::string path() const { return (kind == "statement" ? "statements/" : "data/") + name + ".json"; }
};

std::vector<Unit> all_units(const ReportOptions& options) {
  const std::vector<std::string>& only = options.only;
  for (const std::string& id : only) properties::find_statement(id);         // throws for an unknown id
  for (const std::string& name : options.sweeps) properties::find_dataset(name);  // and for an unknown dataset
  std::vector<Unit> units;
  for (const properties::Statement& statement : properties::registry()) {
    if (only.empty() || std::find(only.begin(), only.end(), statement.id) != only.end()) {
      units.push_back({"statement", statement.id});
    }
  }
  for (const properties::Dataset& dataset : properties::datasets()) {
    if (options.all_sweeps || std::find(options.sweeps.begin(), options.sweeps.end(), dataset.name) != options.sweeps.end()) {
      units.push_back({"dataset", dataset.name});
    }
  }
  return units;
}

// Whether a unit list leaves out a registered statement or dataset.
bool is_partial(const json& units) {
  std::size_t statements = 0, datasets = 0;
  for (const json& unit : units) (unit.at("kind") == "statement" ? statements : datasets) += 1;
  return statements < properties::registry().size() || datasets < properties::datasets().size();
}

// The JSON of a unit that threw: its name and the cause, with the verdict "error" so that no page or
// table can read it as a verdict about the paper.
json unit_error(const Unit& unit, const std::string& cause) {
  json document = {{"verdict", "error"}, {"error", cause}};
  if (unit.kind == "statement") {
    const properties::Statement& statement = properties::find_statement(unit.name);
    document.update({{"id", unit.name}, {"paper_label", statement.label}, {"claim", statement.claim}});
  } else {
    document["name"] = unit.name;
  }
  return document;
}

json units_json(const std::vector<Unit>& units) {
  json out = json::array();
  for (const Unit& unit : units) out.push_back({{"kind", unit.kind}, {"name", unit.name}});
  return out;
}

json options_json(const properties::CheckOptions& options) {
  return {{"budget", properties::to_string(options.budget)},
          {"seed", options.seed},
          {"c", options.c > 0.0 ? json(options.c) : json("derived")},
          {"c_used", properties::effective_c(options)},
          {"alpha", options.alpha},
          {"device", options.device},
          {"witness_search", options.search_witnesses}};
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string hostname() {
  char name[256] = {0};
  return gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
}

json read_json(const fs::path& path) { return read_json_file(path.string()); }

// A report directory written whole or not at all. The report is written into a fresh stage directory
// beside `out` and swapped into place when complete (one atomic renameat2 exchange when `out` exists),
// so an interrupted run leaves the old report untouched. An exclusive lock on a file beside `out`
// refuses a second run on the same directory; stages left by killed runs are removed under that lock.
class StagedDirectory {
 public:
  explicit StagedDirectory(const std::string& out) : out_(fs::absolute(out).lexically_normal()) {
    if (out_.filename().empty()) out_ = out_.parent_path();
    if (fs::exists(out_) && !fs::is_directory(out_)) {
      throw std::invalid_argument("--out " + out + " exists and is not a directory");
    }
    const fs::path parent = out_.parent_path();
    fs::create_directories(parent);
    const std::string name = out_.filename().string();
    const fs::path lock_path = parent / ("." + name + ".icsr-lock");
    lock_ = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_ < 0) throw std::runtime_error("cannot create the lock file " + lock_path.string());
    if (::flock(lock_, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_);
      throw std::invalid_argument("another icsr run is writing into " + out_.string() + " (it holds " +
                                  lock_path.string() + "); wait for it or choose another --out");
    }
    const std::string stale_prefix = "." + name + ".icsr-stage-";
    for (const auto& entry : fs::directory_iterator(parent)) {
      if (entry.path().filename().string().rfind(stale_prefix, 0) == 0) fs::remove_all(entry.path());
    }
    stage_ = parent / fmt::format("{}{}", stale_prefix, ::getpid());
    fs::create_directories(stage_);
  }
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  ~StagedDirectory() {
    if (lock_ >= 0) ::close(lock_);  // releases the lock; an uncommitted stage stays for inspection
  }

  const fs::path& stage() const { return stage_; }

  void commit() {
    if (fs::exists(out_)) {
      if (::renameat2(AT_FDCWD, stage_.c_str(), AT_FDCWD, out_.c_str(), RENAME_EXCHANGE) != 0) {
        throw std::runtime_error("cannot move the finished report into " + out_.string() + ": " + std::strerror(errno));
      }
      fs::remove_all(stage_);  // now the old report
    } else {
      fs::rename(stage_, out_);
    }
  }

 private:
  fs::path out_;
  fs::path stage_;
  int lock_ = -1;
};

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, path);
}

std::string csv_cell(const json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number()) {
    const double x = value.get<double>();
    return std::isfinite(x) ? fmt::format("{:.10g}", x) : "NaN";
  }
  if (value.is_null()) return "NaN";
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string csv(const std::vector<std::string>& columns, const std::vector<std::vector<json>>& rows) {
  std::string text;
  for (std::size_t i = 0; i < columns.size(); ++i) text += (i ? "," : "") + columns[i];
  text += "\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + csv_cell(row[i]);
    text += "\n";
  }
  return text;
}

std::string table_csv(const json& table) {
  std::vector<std::vector<json>> rows;
  for (const auto& row : table.at("rows")) rows.push_back(row.get<std::vector<json>>());
  return csv(table.at("columns").get<std::vector<std::string>>(), rows);
}

bool probabilistic(const json& result) {
  return result.contains("figures") && result.at("figures").is_object() &&
         result.at("figures").contains("per_configuration");
}

std::string short_text(std::string text, std::size_t limit = 140) {
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  for (char& ch : text) {
    if (ch == '|' || ch == '\n') ch = ' ';
  }
  return text;
}

bool is_error(const json& result) { return result.value("verdict", "") == "error"; }

std::string evidence_summary(const json& result) {
  if (is_error(result)) return "no verdict: the run failed (" + short_text(result.value("error", ""), 200) + ")";
  std::string text;
  if (probabilistic(result)) {
    const json& f = result.at("figures");
    text = fmt::format("{} configurations: {} hold, {} violated, {} inconclusive, {} vacuous",
                       f.value("configurations", 0), f.value("holds", 0), f.value("violated", 0),
                       f.value("inconclusive", 0), f.value("vacuous", 0));
    if (f.value("inconclusive_no_power", 0) > 0) {
      text += fmt::format(" ({} of the inconclusive for lack of power)", f.value("inconclusive_no_power", 0));
    }
  } else {
    text = fmt::format("{} configurations; worst error/tolerance {:.3g}", result.value("trials", 0),
                       result.value("worst_ratio", 0.0));
    if (result.contains("figures") && result.at("figures").contains("targeted")) {
      const json& targeted = result.at("figures").at("targeted");
      text += fmt::format(" (best by sampling {:.3g}, by the targeted climb {:.3g})", targeted.value("random_best_ratio", 0.0),
                          targeted.value("targeted_best_ratio", 0.0));
    }
  }
  if (result.contains("counterexample") && !result.at("counterexample").is_null()) {
    text += "; shrunk counterexample " + short_text(result.at("counterexample").value("shown", ""), 90);
  }
  return text;
}

std::string tightness(const json& result) {
  if (is_error(result)) return "n/a (error)";
  if (!probabilistic(result)) return fmt::format("{:.3g} (worst error/tolerance)", result.value("worst_ratio", 0.0));
  std::vector<double> medians;
  for (const auto& configuration : result.at("figures").at("per_configuration")) {
    const json& evidence = configuration.at("evidence");
    if (configuration.value("verdict", "") == "vacuous" || !evidence.contains("tightness_median")) continue;
    if (evidence.at("tightness_median").is_number()) medians.push_back(evidence.at("tightness_median").get<double>());
  }
  if (medians.empty()) {
    bool all_vacuous = true;
    for (const auto& configuration : result.at("figures").at("per_configuration")) {
      all_vacuous = all_vacuous && configuration.value("verdict", "") == "vacuous";
    }
    return all_vacuous ? "n/a (every configuration vacuous)" : "n/a";
  }
  std::sort(medians.begin(), medians.end());
  return fmt::format("{:.3g} (median observed/bound)", medians[medians.size() / 2]);
}

std::string verdict_cell(const std::string& verdict) {
  return verdict == "violated" ? "**violated**" : verdict == "holds" ? "**holds**" : verdict == "error" ? "*error*" : verdict;
}

// A proof checked step by step (properties::proof_chains): each step's verdict, how often its premises were unmet,
// its worst error/tolerance, and the first step that fails. Steps not in this run are listed as not run.
std::string proof_chain_section(const properties::ProofChain& chain, const json& statements) {
  std::string text = fmt::format("### {}\n\n| step | paper | premises unmet / draws | verdict | worst error/tolerance |\n"
                                 "|---|---|---|---|---|\n",
                                 chain.proof);
  for (const std::string& id : chain.steps) {
    if (!statements.contains(id)) {
      text += fmt::format("| `{}` | | | not run | |\n", id);
      continue;
    }
    const json& result = statements.at(id);
    const json& figures = result.value("figures", json::object());
    text += fmt::format("| [`{0}`](statements/{0}.md) | {1} | {2} / {3} | {4} | {5:.3g} |\n", id,
                        short_text(result.value("paper_label", ""), 90), figures.value("premise_unmet", 0),
                        result.value("trials", 0), verdict_cell(result.value("verdict", "")), result.value("worst_ratio", 0.0));
  }
  const std::string first = properties::first_failing_step(chain, [&](const std::string& id) {
    return statements.contains(id) ? statements.at(id).value("verdict", "") : std::string();
  });
  text += first.empty() ? "\nNo step of this run fails.\n\n"
                        : fmt::format("\nFirst failing step: [`{0}`](statements/{0}.md) ({1}).\n\n", first,
                                      short_text(statements.at(first).value("claim", ""), 300));
  return text;
}

// Issue 13's comparison: per ∀ statement (identity or implication), the best error/tolerance that random sampling reached
// and the best that the targeted search reached (figures.targeted), or that it was not searched.
std::string targeted_section(const std::vector<std::string>& order, const json& statements) {
  std::string text = "| statement | form | configurations searched | best error/tolerance, sampling | best, targeted search | "
                     "configurations where the search beat the draw |\n|---|---|---|---|---|---|\n";
  for (const std::string& id : order) {
    const json& result = statements.at(id);
    const std::string form = result.value("logical_form", "");
    if (form != "∀-identity" && form != "∀-implication") continue;
    const json& figures = result.value("figures", json::object());
    if (!figures.is_object() || !figures.contains("targeted")) {
      text += fmt::format("| [`{0}`](statements/{0}.md) | {1} | not searched | {2:.3g} | | |\n", id, form, result.value("worst_ratio", 0.0));
      continue;
    }
    const json& targeted = figures.at("targeted");
    const auto number = [&](const char* key) {
      return targeted.contains(key) && targeted.at(key).is_number() ? fmt::format("{:.3g}", targeted.at(key).get<double>())
                                                                    : std::string("none (premises unmet)");
    };
    text += fmt::format("| [`{0}`](statements/{0}.md) | {1} | {2} | {3} | {4} | {5} |\n", id, form, targeted.value("evaluations", 0),
                        number("random_best_ratio"), number("targeted_best_ratio"), targeted.value("targeted_beat_random", 0));
  }
  return text;
}

// An existential statement's judgements, for its page: the proof's witness, the searched witness, the
// refutation, and whether the proof is defective.
std::string witness_section(const json& result) {
  if (result.value("logical_form", "") != "∃-witness") return "";
  std::string text = "## Witnesses\n\nThe statement is existential: a failed witness refutes the proof that chose it, not "
                     "the statement.\n\n";
  const auto counts = [](const json& judgement) {
    const json& f = judgement.value("figures", json::object());
    if (!f.is_object() || !f.contains("configurations")) return std::string();
    return fmt::format(" ({} configurations: {} hold, {} violated, {} inconclusive, {} of them for lack of power, {} vacuous)",
                       f.value("configurations", 0), f.value("holds", 0), f.value("violated", 0), f.value("inconclusive", 0),
                       f.value("inconclusive_no_power", 0), f.value("vacuous", 0));
  };
  if (result.contains("proof_witness")) {
    const json& proof = result.at("proof_witness");
    text += fmt::format("- **The proof's witness** ({}): {}{}.{}\n", proof.value("witness", ""),
                        verdict_cell(proof.value("verdict", "")), counts(proof),
                        proof.value("admissible", true) ? "" : " Not an admissible witness: it reads " + proof.value("reads", "") + ".");
  }
  if (result.contains("searched_witness")) {
    const json& searched = result.at("searched_witness");
    std::map<std::string, int> chosen;
    for (const auto& configuration : searched.at("figures").value("per_configuration", json::array())) {
      if (configuration.at("parameters").contains("witness")) ++chosen[configuration.at("parameters").at("witness").get<std::string>()];
    }
    std::string picked;
    for (const auto& [name, count] : chosen) picked += fmt::format("{}`{}` ({})", picked.empty() ? "" : ", ", name, count);
    text += fmt::format("- **A searched witness** ({}): {}{}. Chosen: {}. It reads {}.\n", searched.value("witness", ""),
                        verdict_cell(searched.value("verdict", "")), counts(searched), picked.empty() ? "none" : picked,
                        searched.value("reads", ""));
  } else {
    text += "- **A searched witness**: none searched for this statement yet.\n";
  }
  text += "- **A refutation**: " + result.value("refutation", std::string("none known")) + ".\n";
  if (result.value("proof_defect", false)) {
    text += "\n**Proof defect:** the statement holds with the searched witness, but the proof's witness fails.\n";
  }
  return text + "\n";
}

std::string statement_csv(const json& result) {
  std::vector<std::vector<json>> rows;
  if (is_error(result)) return csv({"verdict", "error"}, {{json("error"), result.value("error", json(""))}});
  if (probabilistic(result)) {
    int index = 0;
    for (const auto& configuration : result.at("figures").at("per_configuration")) {
      const json& evidence = configuration.at("evidence");
      const json judgement = evidence.value("judgement", json::object());
      rows.push_back({++index, configuration.value("verdict", ""), configuration.at("parameters"),
                      judgement.value("failures", json()), judgement.value("trials", json()),
                      judgement.value("claimed_level", json()), judgement.value("lower", json()),
                      judgement.value("upper", json()), evidence.value("observed_median", json()),
                      evidence.value("bound_median", json()), evidence.value("tightness_median", json()),
                      evidence.value("regime", json()), evidence.value("vacuous", json(""))});
    }
    return csv({"configuration", "verdict", "parameters", "failures", "trials", "claimed_level", "cp_lower",
                "cp_upper", "observed_median", "bound_median", "tightness_median", "regime", "vacuous_reason"},
               rows);
  }
  rows.push_back({result.value("verdict", ""), result.value("trials", 0), result.value("worst_error", 0.0),
                  result.value("worst_tolerance", 0.0), result.value("worst_ratio", 0.0),
                  result.value("worst_parameters", json())});
  return csv({"verdict", "configurations", "worst_error", "worst_tolerance", "worst_ratio", "worst_parameters"}, rows);
}

std::string figure_block(const Figure& figure, const std::string& prefix) {
  return fmt::format("![{0}]({1}figures/{2}.png)\n\n*{0}.* [SVG]({1}figures/{2}.svg) · [data]({1}{3}) · "
                     "[gnuplot script]({1}figures/{2}.gp)\n\n",
                     figure.caption, prefix, figure.name, figure.data);
}

std::string statement_page(const json& result, const std::vector<Figure>& figures) {
  const std::string id = result.at("id");
  std::string page = fmt::format("# `{}`: {}\n\n[Back to the index](../index.md)\n\n", id, result.value("paper_label", ""));
  page += fmt::format("**Verdict: {}** (budget {}, seed {}, device {}). Logical form: {}.\n\n", result.value("verdict", ""),
                      result.value("budget", ""), result.value("seed", 0ULL), result.value("device", ""),
                      result.value("logical_form", "not recorded"));
  page += "## Claim\n\n" + result.value("claim", std::string("")) + "\n\n";
  if (!result.value("quantifiers", std::string()).empty()) page += "Quantifiers: " + result.value("quantifiers", std::string()) + "\n\n";
  page += witness_section(result);
  page += "## How it was checked\n\n" + result.value("notes", std::string("")) + "\n\n";
  page += "## Evidence\n\n" + evidence_summary(result) + ".\n\nTightness: " + tightness(result) + ".\n\n";
  if (probabilistic(result)) {
    const json& f = result.at("figures");
    page += fmt::format("c: {}; family-wise false-alarm level α = {} (Bonferroni over configurations).\n\n",
                        f.value("c", json("?")).dump(), f.value("alpha_family", 0.05));
    page += "| # | parameters | verdict | failures/trials | claimed level | CP lower | CP upper | median observed/bound | "
            "regime or reason |\n|---|---|---|---|---|---|---|---|---|\n";
    int index = 0;
    for (const auto& configuration : f.at("per_configuration")) {
      if (++index > 40) {
        page += fmt::format("| ... | {} more in the CSV and JSON | | | | | | | |\n", f.at("per_configuration").size() - 40);
        break;
      }
      const json& evidence = configuration.at("evidence");
      const json judgement = evidence.value("judgement", json::object());
      const std::string reason =
          evidence.contains("vacuous") ? evidence.at("vacuous").get<std::string>() : evidence.value("regime", json()).dump();
      page += fmt::format("| {} | `{}` | {} | {}/{} | {:.3g} | {:.3g} | {:.3g} | {} | {} |\n", index,
                          short_text(configuration.at("parameters").dump(), 200), configuration.value("verdict", ""),
                          judgement.value("failures", 0), judgement.value("trials", 0),
                          judgement.value("claimed_level", 0.0), judgement.value("lower", 0.0),
                          judgement.value("upper", 1.0),
                          evidence.contains("tightness_median") && evidence.at("tightness_median").is_number()
                              ? fmt::format("{:.3g}", evidence.at("tightness_median").get<double>())
                              : "",
                          short_text(reason, 160));
    }
    page += "\n";
  } else if (!is_error(result)) {
    page += fmt::format("Worst case: error {:.3g} against tolerance {:.3g}, at `{}`.\n\n", result.value("worst_error", 0.0),
                        result.value("worst_tolerance", 0.0), short_text(result.value("worst_parameters", json()).dump(), 300));
  }
  if (result.contains("controls") && !result.at("controls").empty()) {
    page += "## Negative controls\n\n";
    for (const auto& control : result.at("controls")) {
      page += fmt::format("- {}: expected {}, observed {}{}\n", control.value("name", ""), control.value("expected", ""),
                          control.value("observed", ""), control.value("caught", false) ? " (caught)" : " (**not caught**)");
    }
    page += "\n";
  }
  if (result.contains("counterexample") && !result.at("counterexample").is_null()) {
    const json& ce = result.at("counterexample");
    page += "## Finding: shrunk counterexample\n\n";
    page += fmt::format("```\n{}\n```\n\nWhat it gave: `{}`\n\nReplay the search: `{}`\n\nReplay the shrunk case "
                        "directly: `RC_PARAMS=\"{}\" {}`\n\nRecorded findings are kept in `properties/findings/` and "
                        "replayed by ctest (label `findings`).\n\n",
                        ce.value("shown", ""), short_text(ce.value("observed", json()).dump(), 600), ce.value("replay", ""),
                        ce.value("rc_params", ""), ce.value("replay", ""));
  }
  std::string shown;
  for (const Figure& figure : figures) {
    if (std::find(figure.statements.begin(), figure.statements.end(), id) != figure.statements.end()) {
      shown += figure_block(figure, "../");
    }
  }
  if (!shown.empty()) page += "## Figures\n\n" + shown;
  page += fmt::format("## Data\n\n[JSON]({0}.json) · [CSV]({0}.csv)\n", id);
  return page;
}

json stable_provenance(const properties::CheckOptions& options) {
  json provenance = reports::provenance(options);
  provenance.erase("cpu");
  provenance.erase("cuda_available");
  return provenance;
}

json run_record(const properties::CheckOptions& options, const Shard& shard, double seconds,
                const json& unit_seconds) {
  const json full = reports::provenance(options);
  return {{"date_utc", utc_now()},
          {"host", hostname()},
          {"cpu", full.value("cpu", "unknown")},
          {"cuda_available", torch::cuda::is_available()},
          {"gpu", torch::cuda::is_available() ? "CUDA device present" : "none"},
          {"shard", fmt::format("{}/{}", shard.index, shard.count)},
          {"wall_seconds", seconds},
          {"unit_seconds", unit_seconds}};
}

}  // namespace

Shard parse_shard(const std::string& text) {
  Shard shard;
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    std::size_t used = 0;
    shard.index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("");
    shard.count = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument("--shard: expected i/n (e.g. 2/8), got '" + text + "'");
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw std::invalid_argument("--shard: need 1 <= i <= n, got '" + text + "'");
  }
  return shard;
}

int run_report(const ReportOptions& options) {
  const std::vector<Unit> units = all_units(options);
  StagedDirectory staged(options.out);
  const fs::path out = staged.stage();
  std::vector<Unit> mine;
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (options.shard.takes(static_cast<int>(k))) mine.push_back(units[k]);
  }
  Progress progress(options.shard.whole() ? "report" : fmt::format("report shard {}/{}", options.shard.index,
                                                                    options.shard.count),
                    static_cast<int>(mine.size()));
  const auto begin = std::chrono::steady_clock::now();
  json unit_seconds = json::object();
  int errors = 0;
  for (const Unit& unit : mine) {
    progress.start(unit.name);
    const auto started = std::chrono::steady_clock::now();
    json document;
    std::string outcome;
    try {
      if (unit.kind == "statement") {
        const properties::Statement& statement = properties::find_statement(unit.name);
        document = statement.check(options.check);
        document["claim"] = statement.claim;
        outcome = document.at("verdict").get<std::string>();
      } else {
        document = properties::find_dataset(unit.name).compute(options.check);
        outcome = fmt::format("{} rows", document.at("rows").size());
      }
    } catch (const std::exception& error) {
      // An error is not a verdict: the unit is marked, the other units still run, and the exit code says so.
      ++errors;
      document = unit_error(unit, error.what());
      outcome = std::string("ERROR: ") + error.what();
      std::cerr << fmt::format("icsr: {} failed: {}\n", unit.name, error.what());
    }
    write_json_atomically((out / unit.path()).string(), document);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    unit_seconds[unit.name] = seconds;
    progress.finish(unit.name, outcome);
  }
  progress.done();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const json shard_record = {{"program", "icsr"},
                             {"options", options_json(options.check)},
                             {"provenance", stable_provenance(options.check)},
                             {"only", options.only},
                             {"shard", {{"index", options.shard.index}, {"count", options.shard.count}}},
                             {"units", units_json(units)},
                             {"mine", units_json(mine)}};
  const json run = run_record(options.check, options.shard, seconds, unit_seconds);
  if (!options.shard.whole()) {
    write_json_atomically((out / "shard.json").string(), shard_record);
    write_json_atomically((out / "run.json").string(), run);
  } else {
    write_json_atomically((out / "report.json").string(),
                          {{"program", "icsr"}, {"paper", kPaper}, {"options", options_json(options.check)},
                           {"provenance", stable_provenance(options.check)}, {"only", options.only},
                           {"partial", is_partial(units_json(units))}, {"units", units_json(units)}});
    write_json_atomically((out / "run.json").string(), {{"runs", json::array({run})}});
    render_report(out.string());
  }
  staged.commit();
  return errors;
}

int merge_report(const std::vector<std::string>& shard_dirs, const std::string& out_dir) {
  if (shard_dirs.empty()) throw std::invalid_argument("--merge needs at least one shard directory");
  std::vector<json> records;
  for (const std::string& dir : shard_dirs) {
    if (!fs::exists(fs::path(dir) / "shard.json")) {
      throw std::invalid_argument("--merge: " + dir + " has no shard.json (was it written by `icsr report --shard i/n`?)");
    }
    records.push_back(read_json(fs::path(dir) / "shard.json"));
  }
  const json& first = records.front();
  const int count = first.at("shard").at("count");
  std::map<int, std::string> seen;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const json& record = records[i];
    for (const char* key : {"options", "provenance", "only", "units"}) {
      if (record.at(key) != first.at(key)) {
        throw std::invalid_argument(fmt::format("--merge: {} and {} disagree on {}: {} vs {}", shard_dirs[0],
                                                shard_dirs[i], key, first.at(key).dump(), record.at(key).dump()));
      }
    }
    if (record.at("shard").at("count") != count) {
      throw std::invalid_argument("--merge: shards were cut into different counts (" + shard_dirs[i] + ")");
    }
    const int index = record.at("shard").at("index");
    if (seen.count(index)) {
      throw std::invalid_argument(fmt::format("--merge: shard {}/{} given twice ({} and {})", index, count, seen[index],
                                              shard_dirs[i]));
    }
    seen[index] = shard_dirs[i];
  }
  std::string missing;
  for (int index = 1; index <= count; ++index) {
    if (!seen.count(index)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", index, count);
  }
  if (!missing.empty()) throw std::invalid_argument("--merge: missing shard(s) " + missing);

  StagedDirectory staged(out_dir);
  const fs::path out = staged.stage();
  json runs = json::array();
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (const auto& unit : records[i].at("mine")) {
      const Unit u{unit.at("kind"), unit.at("name")};
      const fs::path source = fs::path(shard_dirs[i]) / u.path();
      if (!fs::exists(source)) throw std::invalid_argument("--merge: " + source.string() + " is missing");
      fs::create_directories((out / u.path()).parent_path());
      fs::copy_file(source, out / u.path(), fs::copy_options::overwrite_existing);
    }
    const fs::path run = fs::path(shard_dirs[i]) / "run.json";
    if (fs::exists(run)) runs.push_back(read_json(run));
  }
  write_json_atomically((out / "report.json").string(),
                        {{"program", "icsr"}, {"paper", kPaper}, {"options", first.at("options")},
                         {"provenance", first.at("provenance")}, {"only", first.at("only")},
                         {"partial", is_partial(first.at("units"))}, {"units", first.at("units")}});
  write_json_atomically((out / "run.json").string(), {{"runs", runs}});
  const int errors = render_report(out.string());
  staged.commit();
  return errors;
}

int render_report(const std::string& dir) {
  const fs::path out(dir);
  const json report = read_json(out / "report.json");
  json statements = json::object(), data = json::object();
  std::vector<std::string> order;
  std::vector<std::pair<std::string, std::string>> errors;  // unit, cause
  for (const auto& unit : report.at("units")) {
    const Unit u{unit.at("kind"), unit.at("name")};
    const json document = read_json(out / u.path());
    if (document.value("verdict", "") == "error") errors.emplace_back(u.name, document.value("error", "unknown error"));
    if (u.kind == "dataset" && document.contains("error")) continue;  // its figures are left out
    if (u.kind == "statement") {
      statements[u.name] = document;
      order.push_back(u.name);
    } else {
      data[u.name] = document;
      write_text(out / "data" / (u.name + ".csv"), table_csv(document));
    }
  }
  if (statements.contains("remark4") && statements.at("remark4").at("figures").contains("curve")) {
    const json& curve = statements.at("remark4").at("figures").at("curve");
    std::vector<std::vector<json>> rows;
    for (const auto& point : curve.at("points")) {
      rows.push_back({point.at("n"), point.at("n_over_N0"), point.at("linear_error_median"), point.at("query_error_median"),
                      point.value("gap_median", json()), point.at("linear_bound_median"), point.at("query_bound_median"),
                      point.at("draws")});
    }
    write_text(out / "data" / "remark4_curve.csv",
               csv({"n", "n_over_N0", "linear_error_median", "query_error_median", "gap_median", "linear_bound_median",
                    "query_bound_median", "draws"},
                   rows));
  }
  const std::vector<Figure> figures = render_figures(dir, data, statements);
  for (const std::string& id : order) {
    write_text(out / "statements" / (id + ".md"), statement_page(statements.at(id), figures));
    write_text(out / "statements" / (id + ".csv"), statement_csv(statements.at(id)));
  }

  const json& options = report.at("options");
  std::string index = "# icsr report\n\n";
  index += fmt::format("Checks of *{}*, statement by statement, as randomized properties. Budget **{}**, seed **{}**, "
                       "c = {} ({}), false-alarm level α = {}, device {}.{}\n\n",
                       report.value("paper", ""), options.value("budget", ""), options.value("seed", 0ULL),
                       fmt::format("{:.4g}", options.value("c_used", 0.0)),
                       options.at("c").is_string() ? "derived for the Gaussian design" : "set with --c",
                       options.value("alpha", 0.05), options.value("device", "cpu"),
                       report.value("partial", false) ? " **Partial report: only some statements or figure sweeps were run.**" : "");
  index += "Verdicts: **holds** (the exact test shows the claimed probability and could have caught twice the claimed failure rate with "
           "probability 0.8, or the identity is within its tolerance), **violated** (the failure rate is above the claimed level with confidence, or the identity "
           "fails; a shrunk counterexample is given), inconclusive (more trials needed, or no power), vacuous (the premise is "
           "unmet or the bound is trivial in every configuration tried), unresolved (an existential statement whose proof's "
           "witness fails or reads the judged sample, with no admissible witness found and no refutation known). An "
           "existential (∃-witness) statement holds when an admissible witness holds, is violated only by a refutation, and "
           "its proof's witness is judged beside it (\"proof defect\": the statement holds, the proof's witness fails).\n\n";
  if (!errors.empty()) {
    index += fmt::format("**{} unit(s) of this run ended in an error, not a verdict; `icsr report` exited 4.** "
                         "Their rows below say *error*:\n\n",
                         errors.size());
    for (const auto& [name, cause] : errors) index += fmt::format("- `{}`: {}\n", name, short_text(cause, 300));
    index += "\n";
  }
  index += "## Verdicts\n\n| statement | paper label | form | verdict | proof's witness | evidence | tightness | page |\n"
           "|---|---|---|---|---|---|---|---|\n";
  std::map<std::string, int> counts;
  for (const std::string& id : order) {
    const json& result = statements.at(id);
    const std::string verdict = result.value("verdict", "");
    ++counts[verdict];
    const std::string proof = result.contains("proof_witness")
                                  ? verdict_cell(result.at("proof_witness").value("verdict", "")) +
                                        (result.value("proof_defect", false) ? " (proof defect)" : "")
                                  : "—";
    index += fmt::format("| `{0}` | {1} | {2} | {3} | {4} | {5} | {6} | [{0}](statements/{0}.md) |\n", id,
                         short_text(result.value("paper_label", ""), 90), result.value("logical_form", ""),
                         verdict_cell(verdict), proof, evidence_summary(result), tightness(result));
  }
  index += fmt::format("\n{} statements: {} hold, {} violated, {} unresolved, {} inconclusive, {} vacuous{}.\n\n", order.size(),
                       counts["holds"], counts["violated"], counts["unresolved"], counts["inconclusive"], counts["vacuous"],
                       counts["error"] > 0 ? fmt::format(", {} ended in an error", counts["error"]) : "");
  index += "## Proof chains\n\nEach step of a proof checked as its own ∀-implication under the premises the proof has at "
           "that point; a draw where they fail counts as premise unmet (a premise that never holds shows as a vacuous step).\n\n";
  for (const properties::ProofChain& chain : properties::proof_chains()) index += proof_chain_section(chain, statements);
  index += "## Random sampling against the targeted search\n\nFor each ∀ statement, the best margin (error/tolerance; above 1 "
           "is a violation) that the random draws reached and the best that the targeted search reached from them "
           "(properties/harness/targeted.hpp: a climb per configuration, judged as the worse of the two).\n\n" +
           targeted_section(order, statements) + "\n";
  if (data.contains("section6_baselines") && data.contains("section6_robustness")) {
    index += "## Section 6 like for like\n\n" + section6_markdown(data.at("section6_baselines"), data.at("section6_robustness")) +
             "\n";
  }
  if (data.contains("empirical_n0") && data.at("empirical_n0").contains("study")) {
    index += "## Where Theorem 5.1 starts to hold (empirical N_0)\n\n" +
             properties::empirical_n0_markdown(data.at("empirical_n0").at("study")) + "\n";
  }
  index += "## Figures\n\n";
  for (const Figure& figure : figures) index += figure_block(figure, "");
  index += "## Findings (violated statements, and failed proofs' witnesses)\n\n";
  for (const std::string& id : order) {
    const json& result = statements.at(id);
    if (result.value("verdict", "") != "violated" && result.value("proof_verdict", "") != "violated") continue;
    index += fmt::format("- [`{0}`](statements/{0}.md) ({1})", id, short_text(result.value("paper_label", ""), 90));
    if (result.contains("counterexample") && !result.at("counterexample").is_null()) {
      index += fmt::format(": `{}`. Replay: `{}`", short_text(result.at("counterexample").value("shown", ""), 160),
                           result.at("counterexample").value("replay", ""));
    }
    index += "\n";
  }
  index += "\n## Data\n\n";
  for (const auto& [name, table] : data.items()) {
    index += fmt::format("- [{0}.csv](data/{0}.csv) ([JSON](data/{0}.json)): {1}\n", name, table.value("title", ""));
  }
  index += "- Per statement: `statements/<id>.json` (the full evidence) and `statements/<id>.csv` (one row per "
           "configuration).\n\n";
  const json& provenance = report.at("provenance");
  index += "## Provenance\n\n";
  index += fmt::format("- git revision: `{}`\n", provenance.value("git_revision", "unknown"));
  index += fmt::format("- seed {}, budget {}, c {}, α {}\n", options.value("seed", 0ULL), options.value("budget", ""),
                       options.at("c").dump(), options.value("alpha", 0.05));
  index += fmt::format("- libraries: {}\n", provenance.value("libraries", json::object()).dump());
  index += "- date, machine (CPU, GPU), wall times per unit: [run.json](run.json), summarised below\n\n";
  index += "<!-- run record: the only part that differs between runs with the same seed -->\n";
  const json run = read_json(out / "run.json");
  for (const auto& record : run.at("runs")) {
    index += fmt::format("- shard {}: {} on {} ({}; GPU: {}), {:.0f} s\n", record.value("shard", "1/1"),
                         record.value("date_utc", ""), record.value("host", ""), record.value("cpu", ""),
                         record.value("gpu", "none"), record.value("wall_seconds", 0.0));
  }
  write_text(out / "index.md", index);
  return static_cast<int>(errors.size());
}

}  // namespace icsr::reports
