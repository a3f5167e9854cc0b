// Where Theorem 5.1 starts to hold (issue 12, item 6): the README's block is what `icsr empirical-n0 --readme`
// writes, its searched witness is the one `icsr check thm5.1` picks for the same setting, and its rows are
// paired (the two witnesses on the same draws).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "properties/registry.hpp"
#include "properties/sweeps/empirical_n0.hpp"
#include "reports/verdict_table.hpp"

namespace icsr {
namespace {

class EmpiricalN0 : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    study_ = new nlohmann::json(
        properties::empirical_n0_study(properties::readme_empirical_n0_options(), properties::kReadmeGammaTrials));
  }
  static void TearDownTestSuite() {
    delete study_;
    study_ = nullptr;
  }
  static nlohmann::json* study_;
};
nlohmann::json* EmpiricalN0::study_ = nullptr;

TEST_F(EmpiricalN0, ReadmeBlockIsWhatTheProgramWrites) {
  std::ifstream file(std::string(ICSR_SOURCE_DIR) + "/README.md");
  std::stringstream readme;
  readme << file.rdbuf();
  EXPECT_EQ(reports::marked_block(readme.str(), properties::kEmpiricalN0Begin, properties::kEmpiricalN0End),
            properties::empirical_n0_markdown(*study_))
      << "README.md's empirical-N_0 block differs from what the program writes; regenerate it with "
         "`./build/icsr empirical-n0 --readme`";
}

TEST_F(EmpiricalN0, CoversTheThreeSettingsOnAGridWithThePapersNAndN0) {
  ASSERT_EQ(study_->at("settings").size(), 3u);
  for (const auto& setting : study_->at("settings")) {
    const long N0 = static_cast<long>(std::ceil(setting.at("theoretical_N0").get<double>()));
    for (const char* witness : {"proof", "searched"}) {
      bool has_paper_N = false, has_N0 = false;
      for (const auto& row : setting.at("witnesses").at(witness).at("rows")) {
        has_paper_N = has_paper_N || row.at("n") == 10;
        has_N0 = has_N0 || row.at("n") == N0;
        // The interval brackets the quantile.
        if (row.at("rate_low").is_number()) {
          EXPECT_LE(row.at("rate_low").get<double>(), row.at("rate_quantile").get<double>());
        }
        if (row.at("rate_high").is_number()) {
          EXPECT_GE(row.at("rate_high").get<double>(), row.at("rate_quantile").get<double>());
        }
      }
      EXPECT_TRUE(has_paper_N && has_N0) << setting.at("setting").dump();
    }
  }
}

// The study's witness is the statement's: check thm5.1 pinned to the paper setting at n = N_0 and read the rule
// its search chose.
TEST_F(EmpiricalN0, SearchedWitnessIsTheOneTheStatementPicks) {
  const nlohmann::json& paper = study_->at("settings").at(0);
  properties::CheckOptions options;
  options.pins.d = 20;
  options.pins.S = 3;
  options.pins.K = 12;
  options.pins.delta = paper.at("setting").at("delta").get<double>();
  options.pins.gamma = paper.at("setting").at("gamma").get<double>();
  options.pins.n = static_cast<long>(std::ceil(paper.at("theoretical_N0").get<double>()));
  const properties::StatementResult result = properties::find_statement("thm5.1.iso").check(options);
  ASSERT_TRUE(result.searched_witness.has_value());
  ASSERT_FALSE(result.searched_witness->figures.at("per_configuration").empty());
  for (const auto& configuration : result.searched_witness->figures.at("per_configuration")) {
    EXPECT_EQ(configuration.at("parameters").at("witness"), paper.at("witnesses").at("searched").at("name"));
  }
}

}  // namespace
}  // namespace icsr
