// Section 6 as a reader compares it (issue 14): the README's tables are what `icsr section6` writes,
// every paper value sits beside the quantity icsr reads it as, with intervals, and both LISTA-VM forms
// (Theorem 4.1's per-layer M^(k), and the shared M^V) are in the table.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "properties/sweeps/section6.hpp"
#include "reports/section6.hpp"

namespace icsr {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int column(const nlohmann::json& table, const std::string& name) {
  const auto& columns = table.at("columns");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

class Section6 : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    properties::CheckOptions options;  // quick budget, seed 1: what the README holds
    baselines_ = new nlohmann::json(properties::section6_baselines(options));
    robustness_ = new nlohmann::json(properties::section6_robustness(options));
  }
  static void TearDownTestSuite() {
    delete baselines_;
    delete robustness_;
  }
  static nlohmann::json* baselines_;
  static nlohmann::json* robustness_;
};
nlohmann::json* Section6::baselines_ = nullptr;
nlohmann::json* Section6::robustness_ = nullptr;

TEST_F(Section6, ReadmeTablesAreWhatTheProgramWrites) {
  const std::string readme = read(std::string(ICSR_SOURCE_DIR) + "/README.md");
  EXPECT_EQ(reports::section6_block(readme), reports::section6_markdown(*baselines_, *robustness_))
      << "README.md's Section 6 tables differ from what the program writes; regenerate them with "
         "`./build/icsr section6` and paste the output over the block between the markers";
}

TEST_F(Section6, PaperValuesSitBesideTheirQuantityWithIntervals) {
  const auto& table = *baselines_;
  std::set<std::string> checkpoints;
  int with_paper = 0;
  for (const auto& row : table.at("rows")) {
    checkpoints.insert(row[column(table, "checkpoint")].get<std::string>());
    for (const std::string prefix : {"error", "label"}) {
      const double mean = row[column(table, prefix + "_mean")], median = row[column(table, prefix + "_median")];
      EXPECT_LE(row[column(table, prefix + "_mean_low")].get<double>(), mean);
      EXPECT_GE(row[column(table, prefix + "_mean_high")].get<double>(), mean);
      EXPECT_LE(row[column(table, prefix + "_median_low")].get<double>(), median);
      EXPECT_GE(row[column(table, prefix + "_median_high")].get<double>(), median);
    }
    if (row[column(table, "paper_value")] == "") continue;
    ++with_paper;
    const std::string quantity = row[column(table, "paper_quantity")];
    EXPECT_TRUE(quantity == "mean error" || quantity == "mean label loss") << quantity;
    EXPECT_EQ(row[column(table, "X")], "fresh X") << "the paper's values are on varying X";
  }
  EXPECT_GE(with_paper, 6);  // meta LISTA, LISTA-CP; LISTA-VM and LISTA-VM-SS in both forms
  for (const char* name : {"lista_vm_per_layer_meta", "lista_vm_meta", "lista_vm_ss_per_layer_meta", "lista_vm_ss_meta",
                           "lista_vm_per_layer_prior_meta", "lista_vm_prior_meta",
                           "lasso", "min_norm_ls"}) {
    EXPECT_TRUE(checkpoints.count(name)) << name;
  }
}

// The references are what they claim: with the support prior and n = N = 10 = |𝕊|, X^+ y on 𝕊 recovers
// beta exactly (noiseless); the exact Lasso is far below ISTA at K = 12.
TEST_F(Section6, ReferencesBehaveAsTheTheorySays) {
  const auto& table = *baselines_;
  double lasso = -1, ista = -1;
  for (const auto& row : table.at("rows")) {
    const std::string name = row[column(table, "checkpoint")];
    const bool prior = row[column(table, "support")] == "support in first 10";
    if (name == "min_norm_ls" && prior) {
      EXPECT_LT(row[column(table, "error_mean")].get<double>(), 1e-6);
    }
    if (name == "lasso" && !prior) lasso = row[column(table, "error_mean")];
    if (name == "ista" && row[column(table, "X")] == "fresh X") ista = row[column(table, "error_mean")];
  }
  ASSERT_GT(lasso, 0.0);
  ASSERT_GT(ista, 0.0);
  EXPECT_LT(lasso, ista);
}

}  // namespace
}  // namespace icsr
