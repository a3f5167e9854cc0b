// Recorded findings, replayed: each file in properties/findings/ holds a counterexample found by
// `icsr check`; the tests assert it still fails, so a change that alters it is noticed.
#include <gtest/gtest.h>

#include <fstream>

#include "properties/c3_mlp_soft_threshold.hpp"
#include "test_support.hpp"

namespace icsr::properties {
namespace {

nlohmann::json load_finding(const std::string& id) {
  std::ifstream in(std::string(ICSR_SOURCE_DIR) + "/properties/findings/" + id + ".json");
  EXPECT_TRUE(in.good()) << "missing finding " << id;
  return nlohmann::json::parse(in);
}

TEST(Findings, PrintedMlpBiasCounterexampleStillFails) {
  const nlohmann::json finding = load_finding("c3.mlp");
  const MlpCase value = mlp_case_from_json(finding.at("counterexample"));
  const TrialOutcome printed = evaluate_mlp(value, models::MlpBias::paper_literal);
  EXPECT_FALSE(printed.passed()) << printed.details.dump();
  EXPECT_EQ(printed.details, finding.at("observed").at("where"));
  EXPECT_NEAR(printed.details.at("mlp").get<double>(), printed.details.at("input").get<double>() - mlp_case_theta(value),
              1e-12);  // x - theta
  EXPECT_TRUE(evaluate_mlp(value, models::MlpBias::corrected).passed());
}

TEST(Findings, PrintedMlpBiasSearchFindsTheRecordedCase) {
  const nlohmann::json finding = load_finding("c3.mlp");
  CheckOptions options;
  options.seed = finding.at("seed").get<std::uint64_t>();
  options.budget = budget_from_string(finding.at("budget").get<std::string>());
  const StatementResult result = find_statement("c3.mlp").check(options);
  ASSERT_EQ(result.verdict, Verdict::violated);
  EXPECT_EQ(result.counterexample->parameters, finding.at("counterexample"));
}

TEST(Findings, RcParamsReplaysTheShrunkCase) {
  const nlohmann::json finding = load_finding("c3.mlp");
  const auto run = testing::run_command("RC_PARAMS=\"" + finding.at("rc_params").get<std::string>() + "\" " +
                                        ICSR_BINARY + " check c3.mlp");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find(finding.at("counterexample").dump()), std::string::npos) << run.output;
}

}  // namespace
}  // namespace icsr::properties
