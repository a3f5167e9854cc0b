// Recorded findings, replayed: each file in properties/findings/ holds a counterexample that
// `icsr check --record-findings` found. The tests assert that the same seed still finds it, that the
// RC_PARAMS string replays it, and (for the MLP finding) that the case itself still fails, so a
// change elsewhere that alters a finding is noticed. The files are read through load_finding, which
// checks their schema (tests/test_findings_loader.cpp).
#include <gtest/gtest.h>

#include "properties/registry.hpp"
#include "properties/statements/c3_mlp_soft_threshold.hpp"
#include "properties/findings/loader.hpp"
#include "test_support.hpp"

namespace icsr::properties {
namespace {

std::vector<Finding> recorded_findings() {
  return load_findings(std::string(ICSR_SOURCE_DIR) + "/properties/findings");
}

TEST(Findings, EveryRecordedFindingIsFoundAgainFromItsSeed) {
  const auto findings = recorded_findings();
  ASSERT_GE(findings.size(), 1u);
  for (const Finding& finding : findings) {
    CheckOptions options;
    options.seed = finding.seed;
    options.budget = finding.budget;
    options.search_witnesses = false;  // a finding is about the proof's witness (or a ∀ statement)
    const StatementResult result = find_statement(finding.id).check(options);
    // The proof's verdict: for an existential statement the finding is about the proof's witness.
    ASSERT_EQ(proof_verdict(result), Verdict::violated) << finding.path;
    EXPECT_EQ(result.counterexample->parameters, finding.counterexample) << finding.path;
  }
}

TEST(Findings, RcParamsReplaysEachShrunkCase) {
  for (const Finding& finding : recorded_findings()) {
    const auto run = testing::run_command("RC_PARAMS=\"" + finding.rc_params + "\" " + ICSR_BINARY + " check " +
                                          finding.id + " --budget " + to_string(finding.budget) + " --proof-only");
    EXPECT_EQ(run.exit_code, 1) << finding.path << "\n" << run.output;
    EXPECT_NE(run.output.find("violated"), std::string::npos) << finding.path << "\n" << run.output;
  }
}

TEST(Findings, PrintedMlpBiasCounterexampleStillFails) {
  const Finding finding = load_finding(std::string(ICSR_SOURCE_DIR) + "/properties/findings/c3.mlp.json");
  const MlpCase value = mlp_case_from_json(finding.counterexample);
  const TrialOutcome printed = evaluate_mlp(value, models::MlpBias::paper_literal);
  EXPECT_FALSE(printed.passed()) << printed.details.dump();
  EXPECT_EQ(printed.details, finding.observed.at("where"));
  EXPECT_NEAR(printed.details.at("mlp").get<double>(), printed.details.at("input").get<double>() - mlp_case_theta(value),
              1e-12);  // x - theta
  EXPECT_TRUE(evaluate_mlp(value, models::MlpBias::corrected).passed());
}

}  // namespace
}  // namespace icsr::properties
