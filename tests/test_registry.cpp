// ctest over the registry: every statement runs at the quick budget and seed 1, and its verdict must be
// the one it declares (Statement::expected). A statement that changes verdict fails here by name; update
// its declaration only with an explanation in the note.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "properties/findings/loader.hpp"
#include "properties/harness/spec.hpp"
#include "properties/registry.hpp"
#include "reports/evidence.hpp"
#include "reports/verdict_table.hpp"
#include "test_support.hpp"

namespace icsr::properties {
namespace {

std::vector<std::string> registered_ids() {
  std::vector<std::string> ids;
  for (const Statement& statement : registry()) ids.push_back(statement.id);
  return ids;
}

// Every binomial judgement under `json` that says "holds" had power: its test calls a true failure rate of
// min(1, 2 x its claimed level) violated with probability >= 0.8. Returns how many it checked.
int expect_every_holds_powered(const nlohmann::json& json, const std::string& id) {
  int checked = 0;
  if (json.is_object() && json.contains("powered") && json.contains("claimed_level") && json.contains("verdict")) {
    if (json.at("verdict") == "holds") {
      ++checked;
      EXPECT_TRUE(json.at("powered").get<bool>()) << id << ": a holds without power: " << json.dump();
      const double level = json.at("claimed_level").get<double>();
      EXPECT_TRUE(json.at("detectable").is_number()) << id << ": " << json.dump();
      if (json.at("detectable").is_number()) {
        EXPECT_LE(json.at("detectable").get<double>(), std::min(1.0, 2.0 * level)) << id << ": " << json.dump();
      }
    }
  }
  if (json.is_structured()) {
    for (const auto& item : json) checked += expect_every_holds_powered(item, id);
  }
  return checked;
}

class DeclaredVerdict : public ::testing::TestWithParam<std::string> {};

TEST_P(DeclaredVerdict, QuickBudgetSeedOneGivesTheDeclaredVerdict) {
  const Statement& statement = find_statement(GetParam());
  ASSERT_TRUE(statement.expected.has_value()) << statement.id << " declares no expected verdict";
  CheckOptions options;
  options.budget = Budget::quick;
  options.seed = 1;
  const StatementResult result = statement.check(options);
  std::cout << reports::render_verdict(result);
  EXPECT_EQ(to_string(result.verdict), to_string(*statement.expected)) << statement.id;
  EXPECT_EQ(result.device, "cpu");  // --device defaults to cpu, and every statement reports where it ran
  EXPECT_EQ(result.id, statement.id);
  EXPECT_EQ(result.form, statement.form) << statement.id;
  if (result.proof_witness) {
    ASSERT_TRUE(statement.expected_proof.has_value()) << statement.id << " declares no expected proof's-witness verdict";
    EXPECT_EQ(to_string(result.proof_witness->verdict), to_string(*statement.expected_proof)) << statement.id;
  }
  EXPECT_EQ(result.form == LogicalForm::existential, result.proof_witness.has_value()) << statement.id;
  const int judged = expect_every_holds_powered(result.figures, statement.id) +
                     (result.searched_witness ? expect_every_holds_powered(result.searched_witness->figures, statement.id) : 0);
  std::cout << statement.id << ": " << judged << " binomial 'holds' judgements, each checked for power\n";
}

INSTANTIATE_TEST_SUITE_P(Registry, DeclaredVerdict, ::testing::ValuesIn(registered_ids()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

// The registry against a hand-written list: the paper's statements in paper order, then the conjectures.
TEST(Registry, ListsThePaperStatementsInPaperOrderThenTheConjectures) {
  const std::vector<std::string> expected{
      "thm4.1",     "prop1.B",   "c3.mlp",     "c3.mlp.corrected", "lemma1",       "lemma1.support",     "lemma2",
      "lemma3",     "lemma3.lower", "lemma3.upper", "lemma3.offdiag", "thm5.1",     "thm5.1.iso",         "thm5.1.transformer",
      "remark2",    "thmD.1",    "thmD.1.iso", "thmD.1.step.D9", "thmD.1.step.D10", "thmD.1.step.D14", "thmD.1.step.D11",
      "thmD.1.step.D6", "thmD.1.step.D5", "thmD.1.step.rate", "thmD.1.step.prop2",
      "corD.1.construction", "corD.1",     "lemma4",             "corE.1", "corE.1.step.norm", "corE.1.step.cs",
      "corE.1.step.thm5.1",
      "thmE.1.construction", "thmE.1", "thmE.1.step.E4", "thmE.1.step.E5", "thmE.1.step.E6", "thmE.1.step.E8", "thmE.1.step.E3E7", "thmE.1.step.E9", "remark4", "exp.fixed_degrades", "exp.vm_beats_ista", "exp.meta_no_rescue",
      "exp.ss_beats_vm", "exp.ss_tenfold", "trained.remark2", "trained.remark3", "trained.readout_gap", "trained.probe", "conj.rate2x",
      "conj.meta_beats_fixed"};
  EXPECT_EQ(registered_ids(), expected);
  EXPECT_THROW(find_statement("no.such.statement"), std::invalid_argument);
  EXPECT_EQ(find_statement("lemma4").id, "lemma4");
}

// Declarations a reader can check by hand against the paper and the budgets.
TEST(Registry, DeclarationsMatchThePaperAndTheNamedBudgets) {
  EXPECT_EQ(find_statement("thm4.1").device, Device::selected);  // runs the Transformer on --device
  EXPECT_EQ(find_statement("lemma3").device, Device::cpu);       // pure Eigen
  // Quantifiers as the paper states them: Lemma 3 at 1 - 3 delta, each bound of its proof at 1 - delta.
  EXPECT_EQ(find_statement("lemma3").form, LogicalForm::existential);
  EXPECT_NE(find_statement("lemma3").quantifiers.find("≥ 1 − 3δ"), std::string::npos);
  EXPECT_NE(find_statement("lemma3.upper").quantifiers.find("≥ 1 − δ"), std::string::npos);
  EXPECT_NE(find_statement("thm5.1").quantifiers.find("0 < γ ≤ 3/2"), std::string::npos);
  EXPECT_NE(find_statement("thmD.1").quantifiers.find("≥ 1 − 3δ"), std::string::npos);
  EXPECT_EQ(find_statement("thm5.1").budget.name, "probability");
  EXPECT_EQ(find_statement("thm5.1").budget.quick.configurations, 12);
  EXPECT_EQ(find_statement("lemma4").budget.name, "identity");
  EXPECT_EQ(find_statement("lemma4").budget.full.configurations, 10000);
  // Theorem 5.1 takes gamma in (0, 3/2]; Theorem D.1 in (0, 1.6); delta in (0, 1) is checked on [1e-6, 1).
  const ParameterRange* gamma51 = find_statement("thm5.1").range("gamma");
  ASSERT_NE(gamma51, nullptr);
  EXPECT_EQ(gamma51->text(), "(0, 1.5]");
  EXPECT_EQ(find_statement("thmD.1").range("gamma")->text(), "(0, 1.6)");
  EXPECT_EQ(find_statement("conj.rate2x").range("delta")->text(), "[1e-06, 1)");
  std::set<std::string> ids;
  for (const Statement& statement : registry()) {
    EXPECT_TRUE(ids.insert(statement.id).second) << statement.id << " is registered twice";
    EXPECT_NE(statement.budget.name, "unnamed") << statement.id << " declares no named budget";
  }
}

// The README's verdict table and findings list are generated (`icsr verdicts`): no hand-typed verdict.
TEST(Registry, ReadmeVerdictTableIsWhatTheProgramWrites) {
  std::ifstream file(std::string(ICSR_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(reports::marked_block(readme, reports::kVerdictsBegin, reports::kVerdictsEnd),
            reports::verdicts_markdown(std::string(ICSR_SOURCE_DIR) + "/properties/findings"))
      << "README.md's verdict table differs from what the program writes; regenerate it with `./build/icsr verdicts` "
         "and paste the output over the block between the markers";
  EXPECT_EQ(reports::marked_block(readme, reports::kFindingsBegin, reports::kFindingsEnd),
            reports::findings_markdown(std::string(ICSR_SOURCE_DIR) + "/reports/findings.json"))
      << "README.md's findings differ from what the program writes; regenerate them with `./build/icsr verdicts`";
  EXPECT_THROW(reports::marked_block("no markers", reports::kVerdictsBegin, reports::kVerdictsEnd), std::runtime_error);
}

// The README's full-budget timings are the committed run's own wall times (benchmarks/full_budget_timings.json,
// written by `icsr check all --budget full --jobs 2 --timings ...`).
TEST(Registry, ReadmeTimingTableIsWhatTheProgramWrites) {
  std::ifstream file(std::string(ICSR_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string timings = std::string(ICSR_SOURCE_DIR) + "/benchmarks/full_budget_timings.json";
  ASSERT_TRUE(std::ifstream(timings).good()) << timings;
  EXPECT_EQ(reports::marked_block(readme, reports::kTimingsBegin, reports::kTimingsEnd), reports::timings_markdown(timings))
      << "README.md's timing table differs from " << timings << "; regenerate it with `./build/icsr timings " << timings << "`";
  std::ifstream in(timings);
  const nlohmann::json run = nlohmann::json::parse(in);
  EXPECT_EQ(run.at("budget"), "full");
  EXPECT_EQ(run.at("wall_seconds").size(), registry().size());  // every statement, none left out
  // The time-to-first-counterexample table (issue 13) is benchmarks/bench_targeted's own JSON.
  const std::string targeted = std::string(ICSR_SOURCE_DIR) + "/benchmarks/targeted.json";
  EXPECT_EQ(reports::marked_block(readme, reports::kTargetedBegin, reports::kTargetedEnd), reports::targeted_markdown(targeted))
      << "README.md's time-to-first-counterexample table differs from " << targeted;
  // Issue 15's CPU measurements: the training throughput (scripts/bench_training.sh) and the large-batch
  // comparison at equal instances (scripts/compare_large_batch.sh), each its script's own JSON.
  const std::string training = std::string(ICSR_SOURCE_DIR) + "/benchmarks/training_cpu.json";
  EXPECT_EQ(reports::marked_block(readme, reports::kTrainingBegin, reports::kTrainingEnd), reports::training_markdown(training))
      << "README.md's training-throughput table differs from " << training;
  const std::string large_batch = std::string(ICSR_SOURCE_DIR) + "/benchmarks/large_batch_cpu.json";
  EXPECT_EQ(reports::marked_block(readme, reports::kLargeBatchBegin, reports::kLargeBatchEnd),
            reports::large_batch_markdown(large_batch))
      << "README.md's large-batch table differs from " << large_batch;
  // The cold build and the README's ctest command, timed by scripts/time_build.sh.
  const std::string build = std::string(ICSR_SOURCE_DIR) + "/benchmarks/build_cpu.json";
  EXPECT_EQ(reports::marked_block(readme, reports::kBuildBegin, reports::kBuildEnd), reports::build_markdown(build))
      << "README.md's build-time table differs from " << build;
}

// The build-time table renders a build-only run (CTEST=0) as such, and refuses a file that lacks its fields,
// naming the file.
TEST(Registry, BuildTableRendersABuildOnlyRunAndRefusesAForeignFile) {
  const std::string file = ::testing::TempDir() + "icsr_build_times.json";
  nlohmann::json record = {{"context", {{"host", "h"}, {"cpus", 2}, {"cpu", "c"}, {"compiler", "g"}, {"cmake", "m"}}},
                           {"runs", {{{"label", "only built"}, {"revision", "abc"}, {"cmake_options", "-DX=ON"}, {"jobs", 2},
                                      {"build_seconds", 12.4}, {"ctest_seconds", nullptr}, {"tests", nullptr},
                                      {"date", "d"}}}}};
  std::ofstream(file) << record.dump();
  EXPECT_NE(reports::build_markdown(file).find("| only built | `-DX=ON` | 2 | 12 | not run | — | abc | d |"), std::string::npos)
      << reports::build_markdown(file);
  record["runs"][0].erase("build_seconds");
  std::ofstream(file) << record.dump();
  try {
    reports::build_markdown(file);
    ADD_FAILURE() << "a run without build_seconds was rendered";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(file + " is not a time_build.sh result"), std::string::npos) << error.what();
  }
}

// Issue 13: the quick budget finds every counterexample that the full budget finds. The committed full-budget run
// (benchmarks/full_budget_timings.json, `icsr check all --budget full --seed 1 --jobs 2 --timings ...`) records each
// statement's verdict and its proof's-witness verdict; wherever either is violated there, the quick budget's declared
// verdict is violated too (and DeclaredVerdict runs the quick budget against those declarations).
TEST(Registry, QuickBudgetFindsEveryFullBudgetCounterexample) {
  std::ifstream in(std::string(ICSR_SOURCE_DIR) + "/benchmarks/full_budget_timings.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json run = nlohmann::json::parse(in);
  ASSERT_TRUE(run.contains("verdicts")) << "the committed full-budget run records no verdicts; rerun it with --timings";
  EXPECT_EQ(run.at("seed"), 1);
  int violated = 0;
  for (const Statement& statement : registry()) {
    ASSERT_TRUE(run.at("verdicts").contains(statement.id)) << statement.id << " is not in the committed full-budget run";
    const nlohmann::json& full = run.at("verdicts").at(statement.id);
    if (full.at("verdict") == "violated") {
      ++violated;
      ASSERT_TRUE(statement.expected.has_value()) << statement.id;
      EXPECT_EQ(to_string(*statement.expected), "violated") << statement.id << ": violated at the full budget only";
    }
    const bool existential = statement.form == LogicalForm::existential;
    if (existential && full.at("proof_verdict") == "violated") {
      ++violated;
      ASSERT_TRUE(statement.expected_proof.has_value()) << statement.id;
      EXPECT_EQ(to_string(*statement.expected_proof), "violated")
          << statement.id << ": its proof's witness fails at the full budget only";
    }
  }
  EXPECT_GT(violated, 0);  // the full budget does find counterexamples; the check above is not empty
}

// Each finding's kind against the verdicts the registry declares: a "statement false" names a statement
// declared violated; a "proof witness fails" names one whose proof's witness is declared violated; a "proof step
// false" or "hypothesis missing" names one that is violated, proof-violated or vacuous (a proof that proves
// nothing) at the quick budget, or has a recorded counterexample in properties/findings/ (found at the full one).
TEST(Registry, FindingsAreClassifiedAgainstTheVerdicts) {
  std::ifstream in(std::string(ICSR_SOURCE_DIR) + "/reports/findings.json");
  const nlohmann::json catalogue = nlohmann::json::parse(in);
  int number = 0;
  for (const auto& finding : catalogue.at("findings")) {
    EXPECT_EQ(finding.at("number").get<int>(), ++number);  // numbered in order, none skipped
    EXPECT_FALSE(finding.at("locus").get<std::string>().empty()) << number;
    EXPECT_TRUE(!finding.at("kinds").empty() || finding.at("kind_note").get<std::string>().rfind("none: ", 0) == 0) << number;
    const auto any = [&](const std::function<bool(const Statement&)>& test) {
      for (const auto& id : finding.at("statements")) {
        if (test(find_statement(id.get<std::string>()))) return true;
      }
      return false;
    };
    const auto violated = [](const std::optional<Verdict>& verdict) { return verdict && *verdict == Verdict::violated; };
    for (const auto& kind : finding.at("kinds")) {
      if (kind == "statement false") {
        EXPECT_TRUE(any([&](const Statement& s) { return violated(s.expected); })) << number;
      } else if (kind == "proof witness fails") {
        EXPECT_TRUE(any([&](const Statement& s) { return violated(s.expected_proof); })) << number;
      } else if (kind == "proof step false" || kind == "hypothesis missing") {
        EXPECT_TRUE(any([&](const Statement& s) {
          return violated(s.expected) || violated(s.expected_proof) || s.expected_proof == Verdict::vacuous ||
                 std::ifstream(std::string(ICSR_SOURCE_DIR) + "/properties/findings/" + s.id + ".json").good();
        })) << number;
      }
    }
  }
  EXPECT_THROW(reports::findings_markdown("/no/such/catalogue.json"), std::runtime_error);
}

// The findings' texts take the figures of recorded runs from properties/findings/ (fill_placeholders), so a
// re-recorded counterexample cannot leave a stale number in the README.
TEST(Registry, FindingTextsTakeTheirFiguresFromTheRecordedFindings) {
  const std::string dir = std::string(ICSR_SOURCE_DIR) + "/properties/findings";
  const Finding lemma4 = load_finding(dir + "/lemma4.json");
  EXPECT_EQ(reports::fill_placeholders("γ = {{lemma4:/counterexample/gamma}}, n = {{lemma4:/counterexample/n}}", dir),
            fmt::format("γ = {:.3g}, n = {}", lemma4.counterexample.at("gamma").get<double>(),
                        lemma4.counterexample.at("n").get<int>()));
  EXPECT_EQ(reports::fill_placeholders("{{lemma4:/counterexample/gamma|.1f}}", dir),
            fmt::format("{:.1f}", lemma4.counterexample.at("gamma").get<double>()));
  EXPECT_EQ(reports::fill_placeholders("no placeholder", dir), "no placeholder");
  EXPECT_THROW(reports::fill_placeholders("{{lemma4:/counterexample/no_such_field}}", dir), std::runtime_error);
  EXPECT_THROW(reports::fill_placeholders("{{no_such_name}}", dir), std::runtime_error);
  EXPECT_THROW(reports::fill_placeholders("{{lemma4:/counterexample/gamma", dir), std::runtime_error);
  EXPECT_THROW(reports::fill_placeholders("{{thm4.1:/counterexample/d}}", dir), std::invalid_argument);  // none recorded
  // The rendered findings carry the recorded failure count of Lemma 3's shrunk case, and no placeholder is left.
  const Finding lemma3 = load_finding(dir + "/lemma3.json");
  const std::string rendered = reports::findings_markdown(std::string(ICSR_SOURCE_DIR) + "/reports/findings.json");
  EXPECT_NE(rendered.find(fmt::format("with {}/{} failures", lemma3.observed.at("judgement").at("failures").get<int>(),
                                      lemma3.observed.at("judgement").at("trials").get<int>())),
            std::string::npos);
  EXPECT_EQ(rendered.find("{{"), std::string::npos);
}

// Finding 14's table against the closed form K < 1 + 2 sqrt(2) (4S - 2)(1 - 2 gamma/3), by hand at two cells.
TEST(Registry, EtaLayersTableFollowsTheClosedForm) {
  const std::string table = reports::eta_layers_markdown();
  // S = 3: gamma = 1 gives 1 + 2 sqrt(2) 10 / 3 = 10.4, so K <= 10; gamma = 1.4 gives 2.886, K <= 2; K = 12 needs
  // 11 < 28.28 (1 - 2 gamma/3), gamma < 0.9166. S = 1, gamma = 0.5: 1 + 2 sqrt(2) 2 (2/3) = 4.77, K <= 4. gamma = 1.5:
  // the numerator 1 - 2 gamma/3 is 0, no K.
  EXPECT_NE(table.find("| 3 | 19 | 10 | 6 | 2 | none | γ ≤ 0.91 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| 1 | 4 | 2 | 2 | 1 | none | none |"), std::string::npos) << table;
}

}  // namespace
}  // namespace icsr::properties
