#include "reports/verdict_table.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "properties/findings/loader.hpp"
#include "properties/registry.hpp"

namespace icsr::reports {
namespace {

std::string cell(const std::optional<properties::Verdict>& verdict) {
  if (!verdict) return "—";
  const std::string text = properties::to_string(*verdict);
  return text == "holds" || text == "violated" ? "**" + text + "**" : text;
}

}  // namespace

std::string findings_dir() { return ICSR_FINDINGS_DIR; }

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
  out += "\nRecorded findings (`properties/findings/`, replayed by `Findings.*` from their seed and their RC_PARAMS):\n\n";
  for (const properties::Finding& finding : properties::load_findings(findings)) {
    out += fmt::format("- `{}` ({}; {} budget, seed {}): `{}`. Replay: `{}`\n", finding.id, finding.paper_label,
                       properties::to_string(finding.budget), finding.seed, finding.counterexample.dump(), finding.replay);
  }
  return out;
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
