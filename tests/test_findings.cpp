// Recorded findings, replayed: each file in properties/findings/ holds a counterexample that
// `icsr check --record-findings` found. The tests assert that the same seed still finds it, that the
// RC_PARAMS string replays it, and (for the MLP finding) that the case itself still fails, so a
// change elsewhere that alters a finding is noticed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "properties/c3_mlp_soft_threshold.hpp"
#include "test_support.hpp"

namespace icsr::properties {
namespace {

nlohmann::json load(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing " << path;
  return nlohmann::json::parse(in);
}

std::vector<std::filesystem::path> finding_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ICSR_SOURCE_DIR) + "/properties/findings")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Findings, EveryRecordedFindingIsFoundAgainFromItsSeed) {
  const auto files = finding_files();
  ASSERT_GE(files.size(), 1u);
  for (const auto& file : files) {
    const nlohmann::json finding = load(file);
    CheckOptions options;
    options.seed = finding.at("seed").get<std::uint64_t>();
    options.budget = budget_from_string(finding.at("budget").get<std::string>());
    const StatementResult result = find_statement(finding.at("id").get<std::string>()).check(options);
    ASSERT_EQ(result.verdict, Verdict::violated) << file;
    EXPECT_EQ(result.counterexample->parameters, finding.at("counterexample")) << file;
  }
}

TEST(Findings, RcParamsReplaysEachShrunkCase) {
  for (const auto& file : finding_files()) {
    const nlohmann::json finding = load(file);
    const std::string id = finding.at("id").get<std::string>();
    const auto run = testing::run_command("RC_PARAMS=\"" + finding.at("rc_params").get<std::string>() + "\" " +
                                          ICSR_BINARY + " check " + id + " --budget " +
                                          finding.at("budget").get<std::string>());
    EXPECT_EQ(run.exit_code, 1) << id << "\n" << run.output;
    EXPECT_NE(run.output.find("violated"), std::string::npos) << id << "\n" << run.output;
  }
}

TEST(Findings, PrintedMlpBiasCounterexampleStillFails) {
  const nlohmann::json finding = load(std::string(ICSR_SOURCE_DIR) + "/properties/findings/c3.mlp.json");
  const MlpCase value = mlp_case_from_json(finding.at("counterexample"));
  const TrialOutcome printed = evaluate_mlp(value, models::MlpBias::paper_literal);
  EXPECT_FALSE(printed.passed()) << printed.details.dump();
  EXPECT_EQ(printed.details, finding.at("observed").at("where"));
  EXPECT_NEAR(printed.details.at("mlp").get<double>(), printed.details.at("input").get<double>() - mlp_case_theta(value),
              1e-12);  // x - theta
  EXPECT_TRUE(evaluate_mlp(value, models::MlpBias::corrected).passed());
}

}  // namespace
}  // namespace icsr::properties
