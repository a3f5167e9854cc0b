#include "properties/harness/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace icsr::properties {
namespace {

// high / step as an integer when it is one up to rounding (1.6 / 0.01 = 160.00000000000003).
double grid_index(double value, double step) {
  const double index = value / step;
  return std::abs(index - std::round(index)) < 1e-9 ? std::round(index) : index;
}

}  // namespace

std::optional<double> pinned(const Pins& pins, const std::string& name) {
  const nlohmann::json all = describe(pins);
  if (!all.contains(name)) return std::nullopt;
  return all.at(name).get<double>();
}

std::string ranges_text(const std::vector<ParameterRange>& ranges) {
  std::string text;
  for (const ParameterRange& range : ranges) {
    std::string grid;
    if (range.grid == Grid::linear) grid = fmt::format(" in steps of {}", range.resolution);
    if (range.grid == Grid::log) grid = fmt::format(" on a log grid of {} points", range.resolution);
    text += (text.empty() ? "" : ", ") + range.name + " in " + range.text() + grid;
  }
  return text;
}

const ParameterRange& Draw::range(const std::string& name) const {
  const auto found = std::find_if(ranges_.begin(), ranges_.end(), [&](const ParameterRange& r) { return r.name == name; });
  if (found == ranges_.end()) throw std::logic_error("Draw: no range for parameter '" + name + "'");
  return *found;
}

int Draw::integer(const std::string& name) const {
  const ParameterRange& r = range(name);
  return integer(name, static_cast<int>(r.low), static_cast<int>(r.high));
}

int Draw::integer(const std::string& name, int low, int high) const {
  const ParameterRange& r = range(name);
  if (r.grid != Grid::integers) throw std::logic_error("Draw::integer: '" + name + "' is not an integer range");
  const std::optional<double> pin = pinned(pins_, name);
  const int from = std::max(low, static_cast<int>(r.low)), to = std::min(high, static_cast<int>(r.high));
  return *gen_pinned(pin ? std::optional<int>(static_cast<int>(*pin)) : std::nullopt, from, to);
}

double Draw::real(const std::string& name) const {
  const ParameterRange& r = range(name);
  rc::Gen<double> grid = rc::gen::just(r.low);
  if (r.grid == Grid::log) {
    grid = gen_log_grid(r.low, r.high, static_cast<int>(r.resolution));
  } else if (r.grid == Grid::linear) {
    const double first = grid_index(r.low, r.resolution), last = grid_index(r.high, r.resolution);
    const int from = static_cast<int>(r.low_open && first == std::floor(first) ? first + 1 : std::ceil(first));
    const int to = static_cast<int>(r.high_open && last == std::floor(last) ? last - 1 : std::floor(last));
    grid = gen_linear_grid(r.resolution, from, to);
  } else {
    throw std::logic_error("Draw::real: '" + name + "' is an integer range");
  }
  return *gen_pinned(pinned(pins_, name), grid);
}

std::optional<nlohmann::json> database_example(const std::string& id, const CheckOptions& options) {
  if (options.budget != Budget::quick || !describe(options.pins).empty()) return std::nullopt;
  const std::filesystem::path path = std::filesystem::path(ICSR_EXAMPLE_DATABASE) / (id + ".json");
  if (!std::filesystem::exists(path)) return std::nullopt;
  // The record's schema is properties/findings/loader.hpp's (checked by ctest); here only its budget and case are read,
  // and a record without them is an error, not a silent skip.
  std::ifstream in(path);
  const nlohmann::json record = nlohmann::json::parse(in);
  if (!record.contains("budget") || !record.at("budget").is_string() || !record.contains("counterexample") ||
      !record.at("counterexample").is_object()) {
    throw std::invalid_argument(path.string() + ": a recorded finding needs a string 'budget' and an object 'counterexample'");
  }
  if (record.at("budget") != "full") return std::nullopt;
  return record.at("counterexample");
}

std::uint64_t stable_hash(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  }
  return hash;
}

WitnessChoice choose_witness(const std::vector<WitnessRule>& rules, int draws, std::uint64_t seed,
                             const std::function<ProbabilisticTrial(const WitnessRule&, std::mt19937_64&)>& trial) {
  WitnessChoice choice;
  choice.training = nlohmann::json::array();
  int best_failures = draws + 1;
  double best_ratio = std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    std::mt19937_64 rng(seed);  // every rule on the same training draws
    int failures = 0;
    std::vector<double> ratios;
    for (int t = 0; t < draws; ++t) {
      const ProbabilisticTrial outcome = trial(rules[r], rng);
      failures += outcome.failed ? 1 : 0;
      ratios.push_back(outcome.bound > 0.0 ? outcome.observed / outcome.bound : std::numeric_limits<double>::infinity());
    }
    std::sort(ratios.begin(), ratios.end());
    const double median = ratios.empty() ? std::numeric_limits<double>::infinity() : ratios[ratios.size() / 2];
    choice.training.push_back({{"rule", rules[r].name}, {"failures", failures}, {"draws", draws}, {"median_ratio", median}});
    if (failures < best_failures || (failures == best_failures && median < best_ratio)) {
      best_failures = failures;
      best_ratio = median;
      choice.index = r;
    }
  }
  return choice;
}

Statement existential_without_search(Statement statement, std::string witness, std::string reads) {
  statement.form = LogicalForm::existential;
  statement.evaluate = [evaluate = statement.evaluate, witness, reads](const CheckOptions& options) {
    StatementResult result = evaluate(options);
    WitnessJudgement proof;
    proof.witness = witness;
    proof.admissible = reads.empty();
    proof.reads = reads;
    proof.verdict = result.verdict;
    proof.figures = result.figures;
    proof.counterexample = result.counterexample;
    result.verdict = existential_verdict(proof, std::nullopt, false);
    result.proof_witness = proof;
    return result;
  };
  return statement;
}

}  // namespace icsr::properties
