#include "reports/evidence.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <Eigen/Core>
#include <boost/version.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "icsr_revision.hpp"
#include <stdexcept>

namespace icsr::reports {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}


}  // namespace

nlohmann::json provenance(const properties::CheckOptions& options) {
  return {{"program", "icsr"},
          {"git_revision", ICSR_GIT_REVISION},
          {"cpu", cpu_model()},
          {"device", options.device},
          {"cuda_available", torch::cuda::is_available()},
          {"libraries",
           {{"libtorch", TORCH_VERSION},
            {"eigen", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
            {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
            {"fmt", FMT_VERSION},
            {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                          NLOHMANN_JSON_VERSION_PATCH)}}}};
}

nlohmann::json evidence_document(const std::vector<properties::StatementResult>& results,
                                 const properties::CheckOptions& options) {
  return {{"provenance", provenance(options)},
          {"options", {{"budget", properties::to_string(options.budget)}, {"seed", options.seed}, {"device", options.device}}},
          {"statements", results}};
}

namespace {

// The same document with `leaf` applied to every value that is neither an object nor an array.
template <typename Leaf>
nlohmann::json map_leaves(const nlohmann::json& value, const Leaf& leaf) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = map_leaves(item, leaf);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(map_leaves(item, leaf));
    return out;
  }
  return leaf(value);
}

}  // namespace

nlohmann::json encode_non_finite(const nlohmann::json& value) {
  return map_leaves(value, [](const nlohmann::json& leaf) -> nlohmann::json {
    if (!leaf.is_number_float() || std::isfinite(leaf.get<double>())) return leaf;
    const double x = leaf.get<double>();
    return std::isnan(x) ? "NaN" : x > 0 ? "+Infinity" : "-Infinity";
  });
}

nlohmann::json decode_non_finite(const nlohmann::json& value) {
  return map_leaves(value, [](const nlohmann::json& leaf) -> nlohmann::json {
    if (leaf == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (leaf == "+Infinity") return std::numeric_limits<double>::infinity();
    if (leaf == "-Infinity") return -std::numeric_limits<double>::infinity();
    return leaf;
  });
}

void write_json_atomically(const std::string& path, const nlohmann::json& document) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::filesystem::path temporary = fmt::format("{}.{}.tmp", target.string(), getpid());
  {
    std::ofstream out(temporary);
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
    out << encode_non_finite(document).dump(2) << '\n';
    if (!out) throw std::runtime_error("failed writing " + temporary.string());
  }
  std::filesystem::rename(temporary, target);
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read " + path);
  try {
    return decode_non_finite(nlohmann::json::parse(in));
  } catch (const nlohmann::json::parse_error& error) {
    throw std::invalid_argument("corrupt JSON in " + path + ": " + error.what());
  }
}

nlohmann::json finding_record(const properties::StatementResult& result, const properties::CheckOptions& options) {
  if (properties::proof_verdict(result) != properties::Verdict::violated || !result.counterexample) {
    throw std::invalid_argument("statement " + result.id + " is not violated: nothing to record");
  }
  return {{"id", result.id},
          {"paper_label", result.label},
          {"seed", result.seed},
          {"budget", properties::to_string(result.budget)},
          {"counterexample", result.counterexample->parameters},
          {"observed", result.counterexample->observed},
          {"rc_params", result.counterexample->rc_params},
          {"replay", result.counterexample->replay},
          {"notes", result.notes},
          {"provenance", provenance(options)}};
}

std::string witness_counts(const nlohmann::json& figures) {
  if (!figures.is_object() || !figures.contains("configurations")) return "";
  return fmt::format(" ({} configurations: {} hold, {} violated, {} inconclusive ({} for lack of power), {} vacuous)",
                     figures.value("configurations", 0), figures.value("holds", 0), figures.value("violated", 0),
                     figures.value("inconclusive", 0), figures.value("inconclusive_no_power", 0), figures.value("vacuous", 0));
}

// The witnesses a search picked, with how many configurations each served.
std::string chosen_witnesses(const nlohmann::json& figures) {
  std::map<std::string, int> chosen;
  if (figures.is_object() && figures.contains("per_configuration")) {
    for (const auto& configuration : figures.at("per_configuration")) {
      const auto& parameters = configuration.at("parameters");
      if (parameters.contains("witness")) ++chosen[parameters.at("witness").get<std::string>()];
    }
  }
  std::string text;
  for (const auto& [name, count] : chosen) text += fmt::format("{}{} (x{})", text.empty() ? "" : "; ", name, count);
  return text;
}

std::string render_witnesses(const properties::StatementResult& result) {
  std::string text;
  if (result.proof_witness) {
    const auto& proof = *result.proof_witness;
    text += fmt::format("    proof's witness: {}{}: {}{}\n", proof.witness,
                        proof.admissible ? "" : " [not admissible: it reads " + proof.reads + "]",
                        properties::to_string(proof.verdict), witness_counts(proof.figures));
  }
  if (result.searched_witness) {
    const auto& searched = *result.searched_witness;
    text += fmt::format("    searched witness: {}: {}{}\n", searched.witness, properties::to_string(searched.verdict),
                        witness_counts(searched.figures));
    const std::string chosen = chosen_witnesses(searched.figures);
    if (!chosen.empty()) text += fmt::format("      chosen: {}\n", chosen);
    text += fmt::format("      it reads: {}\n", searched.reads);
    if (searched.counterexample) text += fmt::format("      where it fails (shrunk): {}\n", searched.counterexample->shown);
  } else if (result.form == properties::LogicalForm::existential) {
    text += "    searched witness: none searched\n";
  }
  if (result.form == properties::LogicalForm::existential) {
    text += fmt::format("    refutation: {}\n", result.refutation.empty() ? "none known" : result.refutation);
  }
  if (properties::proof_defect(result)) {
    text += "    PROOF DEFECT: the statement holds with the searched witness, but the proof's witness fails\n";
  }
  return text;
}

std::string render_verdict(const properties::StatementResult& result) {
  std::string text = fmt::format("{:<18} {:<10} {}\n", result.id, properties::to_string(result.verdict), result.label);
  text += fmt::format("    logical form: {}{}\n", properties::to_string(result.form),
                      result.quantifiers.empty() ? "" : "; " + result.quantifiers);
  text += render_witnesses(result);
  text += fmt::format("    trials {}, seed {}, budget {}, device {}; worst error {:.3g} against tolerance {:.3g} "
                      "(ratio {:.3g})\n",
                      result.trials, result.seed, properties::to_string(result.budget), result.device,
                      result.worst_error, result.worst_tolerance, result.worst_ratio);
  if (result.counterexample) {
    text += fmt::format("    counterexample{} (shrunk): {}\n",
                        result.proof_witness ? " to the proof's witness" : "", result.counterexample->shown);
    text += fmt::format("    replay: {}\n", result.counterexample->replay);
    text += fmt::format("    replay the shrunk case directly: RC_PARAMS=\"{}\" {}\n", result.counterexample->rc_params,
                        result.counterexample->replay);
  }
  for (const auto& control : result.controls) {
    text += fmt::format("    control: {}: expected {}, observed {} ({}){}\n", control.name,
                        properties::to_string(control.expected), properties::to_string(control.observed),
                        control.caught() ? "caught" : "NOT CAUGHT", control.detail.empty() ? "" : "; " + control.detail);
    if (control.counterexample) text += fmt::format("      its counterexample: {}\n", control.counterexample->shown);
  }
  if (!result.notes.empty()) text += fmt::format("    notes: {}\n", result.notes);
  return text;
}

}  // namespace icsr::reports
