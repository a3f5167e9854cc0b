#include "properties/findings/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace icsr::properties {
namespace {

// A finding is a few kilobytes; the caps keep a wrong path (a checkpoint, /dev/zero, a directory) or a
// hostile file from driving a large allocation or a deep recursion in later copies of the JSON.
constexpr std::uintmax_t max_file_bytes = 16u << 20;
constexpr int max_nesting = 64;

[[noreturn]] void reject(const std::string& path, const std::string& problem) {
  throw std::invalid_argument(path + ": not a valid finding: " + problem);
}

std::string read_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) reject(path, "cannot open the file");
  if (!std::filesystem::is_regular_file(status)) reject(path, "not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) reject(path, "cannot read the file size (" + error.message() + ")");
  if (size > max_file_bytes) reject(path, "file of " + std::to_string(size) + " bytes, more than a finding can be");
  std::ifstream in(path, std::ios::binary);
  if (!in) reject(path, "cannot open the file");
  std::string text;
  text.reserve(static_cast<std::size_t>(size));
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (text.size() > max_file_bytes) reject(path, "more than " + std::to_string(max_file_bytes) + " bytes");
  return text;
}

nlohmann::json parse(const std::string& path, const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) reject(path, "the file is empty");
  const nlohmann::json::parser_callback_t limit_depth = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
        depth >= max_nesting) {
      reject(path, "JSON nested deeper than " + std::to_string(max_nesting) + " levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, limit_depth);
  } catch (const nlohmann::json::exception& error) {
    reject(path, std::string("invalid JSON (") + error.what() + ")");
  }
}

const nlohmann::json& field(const std::string& path, const nlohmann::json& document, const char* name,
                            nlohmann::json::value_t type) {
  const auto found = document.find(name);
  if (found == document.end()) reject(path, std::string("missing field '") + name + "'");
  if (found->type() != type) {
    const char* wanted = type == nlohmann::json::value_t::string ? "a string" : "an object";
    reject(path, std::string("field '") + name + "' must be " + wanted + ", got " + found->type_name() + " " +
                     found->dump().substr(0, 80));
  }
  return *found;
}

std::string string_field(const std::string& path, const nlohmann::json& document, const char* name) {
  return field(path, document, name, nlohmann::json::value_t::string).get<std::string>();
}

nlohmann::json object_field(const std::string& path, const nlohmann::json& document, const char* name) {
  return field(path, document, name, nlohmann::json::value_t::object);
}

std::uint64_t seed_field(const std::string& path, const nlohmann::json& document) {
  const auto found = document.find("seed");
  if (found == document.end()) reject(path, "missing field 'seed'");
  // Integers above 2^64 - 1 parse as floating point, negative ones as number_integer: both rejected.
  if (!found->is_number_unsigned()) {
    reject(path, "field 'seed' must be a non-negative integer below 2^64, got " + std::string(found->type_name()) + " " +
                     found->dump().substr(0, 80));
  }
  return found->get<std::uint64_t>();
}

}  // namespace

Finding load_finding(const std::string& path) {
  const nlohmann::json document = parse(path, read_file(path));
  if (!document.is_object()) reject(path, std::string("the top level must be an object, got ") + document.type_name());
  Finding finding;
  finding.path = path;
  finding.id = string_field(path, document, "id");
  try {
    find_statement(finding.id);
  } catch (const std::invalid_argument& error) {
    reject(path, "field 'id': " + std::string(error.what()));
  }
  finding.paper_label = string_field(path, document, "paper_label");
  finding.seed = seed_field(path, document);
  const std::string budget = string_field(path, document, "budget");
  try {
    finding.budget = budget_from_string(budget);
  } catch (const std::invalid_argument& error) {
    reject(path, "field 'budget': " + std::string(error.what()));
  }
  finding.counterexample = object_field(path, document, "counterexample");
  finding.observed = object_field(path, document, "observed");
  finding.rc_params = string_field(path, document, "rc_params");
  finding.replay = string_field(path, document, "replay");
  finding.notes = string_field(path, document, "notes");
  finding.provenance = object_field(path, document, "provenance");
  return finding;
}

std::vector<Finding> load_findings(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) throw std::invalid_argument(dir + ": not a directory of findings");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (error) throw std::invalid_argument(dir + ": cannot list the directory (" + error.message() + ")");
  std::sort(files.begin(), files.end());
  std::vector<Finding> findings;
  for (const auto& file : files) findings.push_back(load_finding(file.string()));
  return findings;
}

}  // namespace icsr::properties
