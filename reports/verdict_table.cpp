#include "reports/verdict_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "properties/findings/loader.hpp"
#include "properties/registry.hpp"
#include "theory/bounds.hpp"
#include "theory/subexponential.hpp"

namespace icsr::reports {
namespace {

std::string cell(const std::optional<properties::Verdict>& verdict) {
  if (!verdict) return "—";
  const std::string text = properties::to_string(*verdict);
  return text == "holds" || text == "violated" ? "**" + text + "**" : text;
}

// Whether (E.7)'s eta exists (is finite and positive) for these inputs.
bool eta_exists(double gamma, int K, int S) {
  constexpr int d = 20;
  constexpr double delta = 0.05;
  const double c = theory::derived_gaussian_c();
  try {
    return theory::theoremE1_eta(gamma, K, d, S, delta, c, theory::theorem51_N0(d, S, delta, c)) > 0.0;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace

std::string eta_layers_markdown() {
  const std::vector<double> gammas{0.5, 1.0, 1.2, 1.4, 1.5};
  std::string out =
      "Computed from `theory::theoremE1_eta` at d = 20, δ = 0.05 and the derived c, with N_0 of (D.7) (the limits do "
      "not depend on d, δ or c, since N_0 cancels them). Largest K at which η of (E.7) exists:\n\n| S |";
  for (double gamma : gammas) out += fmt::format(" γ = {} |", gamma);
  out += " largest γ (grid 0.01) with η at K = 12 |\n|---|";
  for (std::size_t i = 0; i <= gammas.size(); ++i) out += "---|";
  out += "\n";
  for (int S = 1; S <= 5; ++S) {
    out += fmt::format("| {} |", S);
    for (double gamma : gammas) {
      int largest = 0;
      for (int K = 1; K <= 200 && eta_exists(gamma, K, S); ++K) largest = K;
      out += fmt::format(" {} |", largest == 0 ? std::string("none") : std::to_string(largest));
    }
    int best = 0;
    for (int step = 1; step <= 150 && eta_exists(0.01 * step, 12, S); ++step) best = step;
    out += best == 0 ? std::string(" none |\n") : fmt::format(" γ ≤ {:.2f} |\n", 0.01 * best);
  }
  return out;
}

std::string findings_dir() { return ICSR_FINDINGS_DIR; }

std::string recorded_value(const std::string& id, const std::string& pointer, const std::string& spec, const std::string& findings) {
  const properties::Finding finding = properties::load_finding(findings + "/" + id + ".json");
  const nlohmann::json record = {{"counterexample", finding.counterexample}, {"observed", finding.observed}};
  const nlohmann::json::json_pointer at(pointer);
  if (!record.contains(at)) throw std::runtime_error(fmt::format("{}: no value at {} in the recorded finding", id, pointer));
  const nlohmann::json& value = record.at(at);
  if (value.is_number_integer()) return fmt::format(fmt::runtime("{:" + spec + "}"), value.get<std::int64_t>());
  if (value.is_number()) return fmt::format(fmt::runtime("{:" + (spec.empty() ? std::string(".3g") : spec) + "}"), value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string fill_placeholders(std::string body, const std::string& findings) {
  for (std::size_t at = body.find("{{"); at != std::string::npos; at = body.find("{{", at)) {
    const std::size_t end = body.find("}}", at);
    if (end == std::string::npos) throw std::runtime_error("an unclosed {{ in a finding's text");
    const std::string name = body.substr(at + 2, end - at - 2);
    std::string text;
    if (name == "eta_layers") {
      text = eta_layers_markdown();
    } else {
      const std::size_t colon = name.find(':'), bar = name.find('|');
      if (colon == std::string::npos) throw std::runtime_error("unknown placeholder {{" + name + "}} in a finding's text");
      const std::string pointer = name.substr(colon + 1, bar == std::string::npos ? std::string::npos : bar - colon - 1);
      text = recorded_value(name.substr(0, colon), pointer, bar == std::string::npos ? "" : name.substr(bar + 1), findings);
    }
    body.replace(at, end + 2 - at, text);
    at += text.size();
  }
  return body;
}

std::string findings_catalogue() { return ICSR_FINDINGS_CATALOGUE; }

std::string findings_markdown(const std::string& catalogue) {
  std::ifstream in(catalogue);
  if (!in) throw std::runtime_error("cannot read the findings catalogue " + catalogue);
  const nlohmann::json document = nlohmann::json::parse(in);
  const nlohmann::json& kinds = document.at("kinds");
  std::string out;
  for (const auto& finding : document.at("findings")) {
    std::string kind;
    for (const auto& name : finding.at("kinds")) {
      if (std::find(kinds.begin(), kinds.end(), name) == kinds.end()) {
        throw std::runtime_error(fmt::format("finding {}: unknown kind {}", finding.at("number").get<int>(), name.dump()));
      }
      kind += (kind.empty() ? "" : "; ") + name.get<std::string>();
    }
    const std::string note = finding.at("kind_note").get<std::string>();
    kind = kind.empty() ? note : note.empty() ? kind : kind + " (" + note + ")";
    for (const auto& id : finding.at("statements")) properties::find_statement(id.get<std::string>());  // throws if unknown
    const std::string body = fill_placeholders(finding.at("body").get<std::string>(), findings_dir());
    std::string indented;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) indented += (line.empty() ? "" : "    ") + line + "\n";
    out += fmt::format("{}{}. **{}** *Kind: {}. Locus: {}.*\n{}", out.empty() ? "" : "\n", finding.at("number").get<int>(), finding.at("title").get<std::string>(),
                       kind, finding.at("locus").get<std::string>(), indented);
  }
  return out;
}

std::string verdicts_markdown(const std::string& findings) {
  std::string out =
      "Quick budget, seed 1, CPU: the verdicts each statement declares, which `Registry/DeclaredVerdict.*` asserts "
      "on every ctest run. For an existential (∃-witness) statement the verdict is the statement's, and the proof's "
      "witness is judged beside it.\n\n"
      "| id | paper label | form | verdict | proof's witness | witness search |\n|---|---|---|---|---|---|\n";
  for (const properties::Statement& statement : properties::registry()) {
    const bool existential = statement.form == properties::LogicalForm::existential;
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", statement.id, statement.label, properties::to_string(statement.form),
                       cell(statement.expected), existential ? cell(statement.expected_proof) : "—",
                       !existential ? "—" : statement.searches_witness ? "LISTA-VM rules" : "none yet");
  }
  out += "\nProofs checked step by step (each step a ∀-implication under the premises the proof has there; the report draws "
         "the chains with their evidence):\n\n";
  for (const properties::ProofChain& chain : properties::proof_chains()) {
    const auto declared = [](const std::string& id) {
      const auto& verdict = properties::find_statement(id).expected;
      return verdict ? properties::to_string(*verdict) : std::string("undeclared");
    };
    std::string steps;
    for (const std::string& id : chain.steps) steps += fmt::format("{}`{}` {}", steps.empty() ? "" : " → ", id, cell(properties::find_statement(id).expected));
    const std::string first = properties::first_failing_step(chain, declared);
    out += fmt::format("- {}: {}. First failing step: {}.\n", chain.proof, steps, first.empty() ? "none" : "`" + first + "`");
  }
  out += "\nRecorded findings (`properties/findings/`, replayed by `Findings.*` from their seed and their RC_PARAMS):\n\n";
  for (const properties::Finding& finding : properties::load_findings(findings)) {
    out += fmt::format("- `{}` ({}; {} budget, seed {}): `{}`. Replay: `{}`\n", finding.id, finding.paper_label,
                       properties::to_string(finding.budget), finding.seed, finding.counterexample.dump(), finding.replay);
  }
  return out;
}

std::string timings_markdown(const std::string& timings_file) {
  std::ifstream in(timings_file);
  if (!in) throw std::runtime_error("cannot read the timings file " + timings_file);
  const nlohmann::json timings = nlohmann::json::parse(in);
  std::vector<std::pair<double, std::string>> rows;
  double sum = 0.0;
  for (const auto& [id, seconds] : timings.at("wall_seconds").items()) {
    rows.emplace_back(seconds.get<double>(), id);
    sum += seconds.get<double>();
  }
  std::sort(rows.rbegin(), rows.rend());
  const nlohmann::json& provenance = timings.at("provenance");
  std::string out = fmt::format(
      "`icsr check all --budget {} --seed {} --jobs {}` at revision `{}` on {} ({}): **{:.0f} s wall** for {} statements "
      "(the sum of their own wall times is {:.0f} s).\n\n| statement | wall time (s) |\n|---|---|\n",
      timings.at("budget").get<std::string>(), timings.at("seed").get<std::uint64_t>(), timings.at("jobs").get<int>(),
      provenance.value("git_revision", "unknown"), provenance.value("cpu", "unknown"),
      fmt::format("{} cores", timings.value("cores", 0)),
      timings.at("total_wall_seconds").get<double>(), rows.size(), sum);
  for (const auto& [seconds, id] : rows) out += fmt::format("| `{}` | {:.1f} |\n", id, seconds);
  return out;
}

std::string targeted_markdown(const std::string& benchmark_file) {
  std::ifstream in(benchmark_file);
  if (!in) throw std::runtime_error("cannot read the benchmark file " + benchmark_file);
  const nlohmann::json run = nlohmann::json::parse(in);
  std::string out = fmt::format(
      "`bench_targeted` on {} ({} CPUs): mean over each benchmark's iterations (one base seed each) of the "
      "configurations scanned and the seconds spent until the first counterexample; a scan stops at {} "
      "configurations (censored: the ratio is then a lower bound).\n\n"
      "| statement | configurations, sampling | configurations, targeted | seconds, sampling | seconds, targeted | "
      "sampling / targeted (time) | censored sampling scans |\n|---|---|---|---|---|---|---|\n",
      run.at("context").value("host_name", "unknown"), run.at("context").value("num_cpus", 0),
      run.at("benchmarks").empty() ? 0 : static_cast<long>(run.at("benchmarks").front().at("cap").get<double>()));
  for (const auto& benchmark : run.at("benchmarks")) {
    std::string name = benchmark.at("name").get<std::string>();
    name = name.substr(name.rfind('_') + 1);
    name = name.substr(0, name.find('/'));
    out += fmt::format("| `{}` | {:.1f} | {:.1f} | {:.3g} | {:.3g} | {:.3g} | {} |\n", name,
                       benchmark.at("sampling_configurations").get<double>(), benchmark.at("targeted_configurations").get<double>(),
                       benchmark.at("sampling_seconds").get<double>(), benchmark.at("targeted_seconds").get<double>(),
                       benchmark.at("speedup").get<double>(), benchmark.at("sampling_censored").get<double>());
  }
  return out;
}

namespace {

nlohmann::json read_json(const std::string& file, const std::string& what) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the " + what + " file " + file);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(file + " is not JSON (" + error.what() + ")");
  }
}

}  // namespace

std::string training_markdown(const std::string& bench_training_file) {
  const nlohmann::json run = read_json(bench_training_file, "training benchmark");
  try {
    const nlohmann::json& context = run.at("context");
    const nlohmann::json& results = run.at("results");
    if (results.empty()) throw std::runtime_error(bench_training_file + " holds no results");
    std::string out = fmt::format(
        "`scripts/bench_training.sh` at revision {} on {} ({} CPUs, {}), device {}, precision {}, PyTorch {}, batch {}: steps per second of "
        "the C++ trainer's steps and of the eager PyTorch reference, measured in the same run; each the median of {} "
        "repetitions (their range in brackets), the ratios of medians.\n\n"
        "| model | C++ step | C++ | eager PyTorch | C++ / PyTorch | over the eager C++ step |\n|---|---|---|---|---|---|\n",
        run.at("revision").get<std::string>(), context.value("host_name", "unknown"), context.value("num_cpus", 0),
        context.value("date", "undated"),
        results.front().at("device").get<std::string>(), results.front().at("precision").get<std::string>(),
        results.front().at("pytorch").get<std::string>(), results.front().at("batch").get<int>(),
        results.front().at("cpp_repetitions").size());
    const auto rate = [](const nlohmann::json& median, const nlohmann::json& repetitions) {
      return fmt::format("{:.3g} steps/s ({:.3g}–{:.3g})", median.get<double>(), repetitions.front().get<double>(),
                         repetitions.back().get<double>());
    };
    for (const auto& row : results) {
      const nlohmann::json& over = row.at("ratio_over_eager_cpp");
      out += fmt::format("| {} | {} | {} | {} | {:.2f}× | {} |\n", row.at("model").get<std::string>(), row.at("step").get<std::string>(),
                         rate(row.at("cpp_steps_per_second"), row.at("cpp_repetitions")),
                         rate(row.at("pytorch_steps_per_second"), row.at("pytorch_repetitions")),
                         row.at("ratio_cpp_over_pytorch").get<double>(),
                         over.is_null() ? std::string("—") : fmt::format("{:.2f}×", over.get<double>()));
    }
    return out;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(bench_training_file + " is not a bench_training.sh result (" + error.what() + ")");
  }
}

std::string large_batch_markdown(const std::string& compare_file) {
  const nlohmann::json run = read_json(compare_file, "large-batch comparison");
  try {
    const nlohmann::json& settings = run.at("settings");  // one value each, or a list when the runs differ
    const auto setting = [&](const char* key) {
      const nlohmann::json& value = settings.at(key);
      return value.is_string() ? value.get<std::string>() : value.dump();
    };
    std::string out = fmt::format(
        "`scripts/compare_large_batch.sh` (summarised on {} at {}): {} trained from seed {} for {} instances per run ({}), device {}, "
        "step {}, precision {}; label loss at n = N + 1 on {} ({} instances).\n\n"
        "| batch | lr scaling | learning rate | steps | instances | wall seconds | instances / s | label loss, n = N + 1 | skipped batches | revision |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n",
        run.at("host").get<std::string>(), run.at("summarised").get<std::string>(), run.at("model").get<std::string>(),
        setting("seed"), run.at("instances_asked").get<std::int64_t>(),
        run.at("equal_instances").get<bool>() ? "every run reached it" : "not every run reached it",
        setting("device"), setting("step"), setting("precision"),
        run.at("evaluation").get<std::string>(), setting("eval_instances"));
    for (const auto& row : run.at("runs")) {
      out += fmt::format("| {} | {} | {:.3g} | {} | {} | {:.0f} | {:.0f} | {:.4f} | {} | {} |\n", row.at("batch").get<int>(),
                         row.at("lr_scaling").get<std::string>(), row.at("lr_effective").get<double>(),
                         row.at("steps").get<std::int64_t>(), row.at("instances").get<std::int64_t>(), row.at("seconds").get<double>(),
                         row.at("instances_per_second").get<double>(), row.at("eval_loss_at_N_plus_1").get<double>(),
                         row.at("skipped_steps").get<std::int64_t>(), row.at("revision").get<std::string>().substr(0, 12));
    }
    return out;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(compare_file + " is not a compare_large_batch.sh result (" + error.what() + ")");
  }
}

std::string build_markdown(const std::string& time_build_file) {
  const nlohmann::json record = read_json(time_build_file, "build-time");
  try {
    const nlohmann::json& context = record.at("context");
    if (record.at("runs").empty()) throw std::runtime_error(time_build_file + " holds no runs");
    std::string out = fmt::format(
        "`scripts/time_build.sh` on {} ({} CPUs, {}), {}, {}: a cold build (a fresh build directory, no compiler "
        "cache, Release) with the CMake options shown, then the README's ctest command on it.\n\n"
        "| run | CMake options | jobs | build seconds | ctest seconds | tests: passed, skipped, failed of total | revision | date |\n"
        "|---|---|---|---|---|---|---|---|\n",
        context.at("host").get<std::string>(), context.at("cpus").get<int>(), context.at("cpu").get<std::string>(),
        context.at("compiler").get<std::string>(), context.at("cmake").get<std::string>());
    for (const auto& run : record.at("runs")) {
      const nlohmann::json& tests = run.at("tests");
      const std::string options = run.at("cmake_options").get<std::string>();
      out += fmt::format("| {} | {} | {} | {:.0f} | {} | {} | {} | {} |\n", run.at("label").get<std::string>(),
                         options.empty() ? std::string("(defaults)") : "`" + options + "`", run.at("jobs").get<int>(),
                         run.at("build_seconds").get<double>(),
                         run.at("ctest_seconds").is_null() ? std::string("not run") : fmt::format("{:.0f}", run.at("ctest_seconds").get<double>()),
                         tests.is_null() ? std::string("—")
                                         : fmt::format("{}, {}, {} of {}", tests.at("passed").get<int>(), tests.at("skipped").get<int>(),
                                                       tests.at("failed").get<int>(), tests.at("total").get<int>()),
                         run.at("revision").get<std::string>(), run.at("date").get<std::string>());
    }
    return out;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(time_build_file + " is not a time_build.sh result (" + error.what() + ")");
  }
}

std::string marked_block(const std::string& document, const std::string& begin, const std::string& end) {
  const std::size_t first = document.find(begin);
  const std::size_t last = document.find(end);
  if (first == std::string::npos || last == std::string::npos || last < first) {
    throw std::runtime_error("no block between '" + begin + "' and '" + end + "' in the document");
  }
  std::string block = document.substr(first + begin.size(), last - first - begin.size());
  if (!block.empty() && block.front() == '\n') block.erase(0, 1);
  return block;
}

}  // namespace icsr::reports
