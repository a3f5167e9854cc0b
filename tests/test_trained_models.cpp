// The trained-model statements (properties/statements/trained_models.hpp) on small checkpoints trained here in
// seconds: every statement runs end to end, reduced checkpoints cap the verdict at inconclusive while
// the raw outcome is kept, the construction control of the probe statement is caught (its probe error
// must fall geometrically), and missing checkpoints are reported.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "models/training/icl_training.hpp"
#include "models/training/safetensors.hpp"
#include "properties/statements/trained_models.hpp"
#include "test_support.hpp"

namespace {

using namespace icsr;
namespace fs = std::filesystem;

class TrainedStatements : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("icsr_trained_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const auto train = [](const std::string& name, models::Architecture architecture, models::Readout readout, bool prior) {
      models::IclTrainingConfig config;
      config.model = models::paper_options(architecture, 20, 10);
      config.model.layers = 2;
      config.model.readout = readout;
      if (architecture == models::Architecture::gpt2) {
        config.model.embed = 16;
        config.model.heads = 2;
      }
      config.support_first10 = prior;
      config.instances = 64 * 3;
      config.eval_instances = 50;
      config.checkpoint = (dir_ / (name + ".safetensors")).string();
      models::train_icl(config, {});
    };
    train("small_tf_linear", models::Architecture::small_tf, models::Readout::linear, false);
    train("small_tf_query", models::Architecture::small_tf, models::Readout::query, false);
    train("small_tf_query_dagger", models::Architecture::small_tf, models::Readout::query_dagger, false);
    train("small_tf_support", models::Architecture::small_tf, models::Readout::linear, true);
    train("gpt2", models::Architecture::gpt2, models::Readout::linear, false);
    train("gpt2_support", models::Architecture::gpt2, models::Readout::linear, true);
    fs::copy_file(fs::path(ICSR_SOURCE_DIR) / "models/checkpoints/lista_vm_meta.safetensors", dir_ / "lista_vm_meta.safetensors",
                  fs::copy_options::overwrite_existing);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override { setenv("ICSR_CHECKPOINTS", dir_.string().c_str(), 1); }
  void TearDown() override { unsetenv("ICSR_CHECKPOINTS"); }

  static fs::path dir_;
};
fs::path TrainedStatements::dir_;

TEST_F(TrainedStatements, ReducedCheckpointsGiveInconclusiveWithTheRawOutcomeKept) {
  for (const auto& statement : {properties::trained_remark2(), properties::trained_remark3(), properties::trained_readout_gap(),
                                properties::trained_probe()}) {
    const properties::StatementResult result = statement.check(icsr::testing::quick_options());
    EXPECT_EQ(result.verdict, properties::Verdict::inconclusive) << statement.id;
    EXPECT_TRUE(result.figures.at("reduced").get<bool>()) << statement.id;
    EXPECT_TRUE(result.figures.contains("verdict_on_these_checkpoints")) << statement.id;
    EXPECT_FALSE(result.figures.at("per_configuration").empty()) << statement.id;
    if (result.figures.at("verdict_on_these_checkpoints") != "inconclusive") {
      EXPECT_NE(result.notes.find("REDUCED"), std::string::npos) << statement.id;
    }
  }
}

TEST_F(TrainedStatements, SubTestsAreThoseTheStatementsName) {
  const auto remark2 = properties::trained_remark2().check(icsr::testing::quick_options());
  // Per model: one sign test, and 10 prefixes x 2 designs of the no-blow-up test.
  EXPECT_EQ(remark2.figures.at("per_configuration").size(), 2u * (1 + 2 * 10));
  const auto gap = properties::trained_readout_gap().check(icsr::testing::quick_options());
  EXPECT_EQ(gap.figures.at("per_configuration").size(), 4u);
  EXPECT_EQ(gap.figures.at("curve").at("rows").size(), 10u);
}

// The probe statement's control: the paper's construction, with the committed LISTA-VM's parameters,
// probed alike; its hidden states carry the LISTA-VM iterates, so its probe error must fall.
TEST_F(TrainedStatements, ProbeControlOnTheConstructionIsCaught) {
  const auto result = properties::trained_probe().check(icsr::testing::quick_options());
  ASSERT_EQ(result.controls.size(), 1u) << result.notes;
  EXPECT_TRUE(result.controls[0].caught()) << result.controls[0].detail;
  const auto& probe = result.figures.at("probe");
  EXPECT_EQ(probe.at("error_by_layer").size(), 3u);  // k = 0, 1, 2 for the 2-layer test model
  EXPECT_EQ(probe.at("construction").at("error_by_layer").size(), 13u);
  EXPECT_TRUE(probe.at("comparison").contains("query_sensitivity"));
  // The construction's prediction is x_{N+1}^T beta^(K+1): its gradient in the query is beta^(K+1),
  // close to beta* when LISTA-VM converges.
  EXPECT_GT(probe.at("comparison").at("query_sensitivity").at("cosine_constructed_vs_beta").get<double>(), 0.5);
}

// With the reduced flag cleared, the verdict is the raw outcome.
TEST_F(TrainedStatements, FullCheckpointsAreJudged) {
  const fs::path copy = dir_ / "full";
  fs::create_directories(copy);
  for (const std::string name : {"small_tf_linear", "small_tf_query", "small_tf_query_dagger"}) {
    models::Checkpoint checkpoint = models::load_safetensors((dir_ / (name + ".safetensors")).string());
    checkpoint.metadata["reduced"] = false;
    models::save_safetensors((copy / (name + ".safetensors")).string(), checkpoint);
  }
  setenv("ICSR_CHECKPOINTS", copy.string().c_str(), 1);
  const auto result = properties::trained_readout_gap().check(icsr::testing::quick_options());
  EXPECT_FALSE(result.figures.at("reduced").get<bool>());
  EXPECT_EQ(properties::to_string(result.verdict), result.figures.at("verdict_on_these_checkpoints").get<std::string>());
}

TEST_F(TrainedStatements, MissingCheckpointsAreInconclusiveAndNamed) {
  const fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  setenv("ICSR_CHECKPOINTS", empty.string().c_str(), 1);
  const auto result = properties::trained_remark3().check(icsr::testing::quick_options());
  EXPECT_EQ(result.verdict, properties::Verdict::inconclusive);
  EXPECT_NE(result.notes.find("Missing checkpoints"), std::string::npos);
  EXPECT_NE(result.notes.find("gpt2_support.safetensors"), std::string::npos);
}

}  // namespace
