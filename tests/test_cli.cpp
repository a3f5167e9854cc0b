// The icsr program end to end: list, check, the JSON evidence, and the exit codes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace {

using icsr::testing::run_command;

std::string icsr(const std::string& arguments) { return std::string(ICSR_BINARY) + " " + arguments; }

TEST(Cli, ListsEveryStatementWithItsLabel) {
  const auto run = run_command(icsr("list"));
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("thm4.1"), std::string::npos);
  EXPECT_NE(run.output.find("Theorem 4.1"), std::string::npos);
  EXPECT_NE(run.output.find("c3.mlp"), std::string::npos);
}

TEST(Cli, CheckThatHoldsExitsZeroAndWritesEvidence) {
  const std::string path = ::testing::TempDir() + "icsr_cli_evidence.json";
  const auto run = run_command(icsr("check c3.mlp.corrected prop1.B --seed 5 --json " + path));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(path);
  const nlohmann::json evidence = nlohmann::json::parse(in);
  ASSERT_EQ(evidence.at("statements").size(), 2u);
  const nlohmann::json& first = evidence.at("statements")[0];
  for (const char* key : {"id", "paper_label", "verdict", "trials", "seed", "worst_parameters", "figures"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first.at("verdict"), "holds");
  EXPECT_EQ(first.at("seed"), 5);
  EXPECT_TRUE(evidence.at("provenance").contains("git_revision"));
  std::remove(path.c_str());
}

// --jobs: each statement in its own process gives the evidence one process gives (every statement seeds
// itself), in list order, with the worst exit code; --timings writes the wall times apart from the evidence.
TEST(Cli, ParallelCheckGivesTheSerialEvidence) {
  const std::string serial = ::testing::TempDir() + "icsr_serial.json", parallel = ::testing::TempDir() + "icsr_parallel.json",
                    timings = ::testing::TempDir() + "icsr_timings.json";
  const std::string ids = "c3.mlp.corrected lemma4 prop1.B";
  const auto one = run_command(icsr("check " + ids + " --json " + serial));
  const auto two = run_command(icsr("check " + ids + " --jobs 2 --json " + parallel + " --timings " + timings));
  EXPECT_EQ(one.exit_code, 1) << one.output;  // lemma4 is violated
  EXPECT_EQ(two.exit_code, 1) << two.output;
  std::ifstream a(serial), b(parallel), t(timings);
  const nlohmann::json first = nlohmann::json::parse(a), second = nlohmann::json::parse(b), times = nlohmann::json::parse(t);
  EXPECT_EQ(first.at("statements"), second.at("statements"));
  EXPECT_EQ(second.at("statements")[1].at("id"), "lemma4");
  EXPECT_EQ(times.at("wall_seconds").size(), 3u);
  EXPECT_EQ(times.at("jobs"), 2);
  // ... and each statement's verdicts, as its evidence says them.
  EXPECT_EQ(times.at("verdicts").at("lemma4").at("verdict"), "violated");
  EXPECT_EQ(times.at("verdicts").at("c3.mlp.corrected").at("proof_verdict"), "holds");
  EXPECT_EQ(times.at("verdicts").size(), 3u);
  EXPECT_FALSE(second.contains("wall_seconds"));  // the evidence carries no time
}

// --schedule FILE starts the statements that took longest in an earlier --timings file first (absent ones before
// all); the evidence is the list-order evidence all the same. A file that is not a timings file is bad input.
TEST(Cli, ScheduleStartsTheLongestFirstWithoutChangingTheEvidence) {
  const std::string schedule = ::testing::TempDir() + "icsr_schedule.json", serial = ::testing::TempDir() + "icsr_sched_serial.json",
                    parallel = ::testing::TempDir() + "icsr_sched_parallel.json";
  std::ofstream(schedule) << R"({"wall_seconds": {"c3.mlp.corrected": 1.0, "lemma4": 50.0, "prop1.B": 100.0}})";
  const std::string ids = "c3.mlp.corrected lemma4 prop1.B lemma1.support";
  const auto one = run_command(icsr("check " + ids + " --json " + serial));
  const auto two = run_command(icsr("check " + ids + " --jobs 2 --schedule " + schedule + " --json " + parallel));
  EXPECT_EQ(two.exit_code, one.exit_code) << two.output;
  const std::size_t absent = two.output.find("started lemma1.support"), longest = two.output.find("started prop1.B"),
                    middle = two.output.find("started lemma4"), shortest = two.output.find("started c3.mlp.corrected");
  ASSERT_NE(shortest, std::string::npos) << two.output;
  EXPECT_LT(absent, longest);
  EXPECT_LT(longest, middle);
  EXPECT_LT(middle, shortest);
  std::ifstream a(serial), b(parallel);
  EXPECT_EQ(nlohmann::json::parse(a).at("statements"), nlohmann::json::parse(b).at("statements"));
  std::ofstream(schedule) << R"({"not": "timings"})";
  EXPECT_EQ(run_command(icsr("check " + ids + " --jobs 2 --schedule " + schedule)).exit_code, 2);
  EXPECT_EQ(run_command(icsr("check lemma4 --schedule /no/such/file.json")).exit_code, 2);
}

// --shrink-budget 0: the first failing case is reported unshrunk, says so, and the verdict is unchanged.
TEST(Cli, ShrinkBudgetCutsShrinkingButNotTheVerdict) {
  const std::string path = ::testing::TempDir() + "icsr_shrink.json";
  const auto run = run_command(icsr("check lemma4 --shrink-budget 0 --json " + path));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  std::ifstream in(path);
  const nlohmann::json counterexample = nlohmann::json::parse(in).at("statements")[0].at("counterexample");
  EXPECT_TRUE(counterexample.at("shrink").at("budget_spent").get<bool>()) << counterexample.dump();
  EXPECT_EQ(counterexample.at("shrink").at("evaluations"), 0);
  EXPECT_EQ(run_command(icsr("check lemma4 --shrink-budget -2")).exit_code, 2);
}

TEST(Cli, EvidenceDirectoryHoldsOneFilePerStatement) {
  const std::string dir = ::testing::TempDir() + "icsr_evidence_dir";
  const auto run = run_command(icsr("check lemma1.support lemma3.offdiag --evidence-dir " + dir));
  // Quick budget, the default seed 1: lemma1.support holds and lemma3.offdiag is inconclusive (their declared
  // verdicts), but lemma3.offdiag's proof's witness is violated (its full-budget case, from the example database),
  // so check exits 1.
  EXPECT_EQ(run.exit_code, 1) << run.output;
  for (const char* id : {"lemma1.support", "lemma3.offdiag"}) {
    std::ifstream in(dir + "/" + id + ".json");
    ASSERT_TRUE(in.good()) << id;
    const nlohmann::json evidence = nlohmann::json::parse(in);
    EXPECT_EQ(evidence.at("statements")[0].at("id"), id);
    EXPECT_EQ(evidence.at("statements")[0].at("verdict"), std::string(id) == "lemma1.support" ? "holds" : "inconclusive");
    EXPECT_EQ(evidence.at("statements")[0].at("seed"), 1);
  }
}

TEST(Cli, CheckShardsSplitTheStatementList) {
  const std::string list = "check c3.mlp.corrected prop1.B c3.mlp --json ";
  const std::string first = ::testing::TempDir() + "icsr_shard1.json", second = ::testing::TempDir() + "icsr_shard2.json";
  run_command(icsr(list + first + " --shard 1/2"));
  run_command(icsr(list + second + " --shard 2/2"));
  std::ifstream in1(first), in2(second);
  const nlohmann::json one = nlohmann::json::parse(in1), two = nlohmann::json::parse(in2);
  ASSERT_EQ(one.at("statements").size(), 2u);
  ASSERT_EQ(two.at("statements").size(), 1u);
  EXPECT_EQ(one.at("statements")[0].at("id"), "c3.mlp.corrected");
  EXPECT_EQ(one.at("statements")[1].at("id"), "c3.mlp");
  EXPECT_EQ(two.at("statements")[0].at("id"), "prop1.B");
  EXPECT_EQ(run_command(icsr("check prop1.B --shard 3/2")).exit_code, 2);
}

TEST(Cli, ViolatedStatementExitsOneWithReplay) {
  const auto run = run_command(icsr("check c3.mlp"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("violated"), std::string::npos);
  EXPECT_NE(run.output.find("replay: icsr check c3.mlp"), std::string::npos);
}

TEST(Cli, BadInputExitsTwoNamingTheProblem) {
  struct Case {
    std::string arguments;
    std::string mention;
  };
  for (const Case& bad : {Case{"check no.such", "no.such"}, Case{"check thm4.1 --budget huge", "huge"},
                          Case{"check thm4.1 --seed abc", "abc"}, Case{"check thm4.1 --device tpu", "tpu"},
                          Case{"check", "ids"}, Case{"frobnicate", "frobnicate"},
                          Case{"check thm5.1 --delta 1.5", "--delta"}, Case{"check thm5.1 --delta 0", "--delta"},
                          Case{"check thm5.1 --gamma 0", "--gamma"}, Case{"check thm5.1 --gamma 1.55", "(0, 1.5]"},
                          Case{"check thmD.1 --gamma 1.6", "1.6"}, Case{"check lemma3 --S 5 --d 3", "S=5 > d=3"},
                          Case{"check thm4.1 --K 0", "--K"}, Case{"check thm4.1 --delta 0.1", "not a parameter"},
                          Case{"check lemma3 --c -1", "--c"}, Case{"check lemma3 --alpha 2", "--alpha"}}) {
    const auto run = run_command(icsr(bad.arguments));
    EXPECT_EQ(run.exit_code, 2) << bad.arguments << "\n" << run.output;
    EXPECT_NE(run.output.find(bad.mention), std::string::npos) << bad.arguments << "\n" << run.output;
  }
}

TEST(Cli, EmpiricalN0ReportsTheTableAndTheTheoreticalValue) {
  const std::string path = ::testing::TempDir() + "icsr_n0.json";
  const auto run = run_command(icsr("empirical-n0 --trials 200 --json " + path));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("theoretical N_0"), std::string::npos);
  std::ifstream in(path);
  const nlohmann::json table = nlohmann::json::parse(in);
  EXPECT_GT(table.at("theoretical_N0").get<double>(), 1e4);
  EXPECT_EQ(table.at("paper_N"), 10);
  EXPECT_TRUE(table.at("provenance").contains("git_revision"));
  for (const char* witness : {"proof", "searched"}) {
    EXPECT_FALSE(table.at("witnesses").at(witness).at("rows").empty()) << witness;
  }
  EXPECT_TRUE(table.at("witnesses").at("searched").at("admissible").get<bool>());
  EXPECT_FALSE(table.at("witnesses").at("proof").at("admissible").get<bool>());
  EXPECT_EQ(run_command(icsr("empirical-n0 --gamma 2")).exit_code, 2);
  EXPECT_EQ(run_command(icsr("empirical-n0 --readme --d 5")).exit_code, 2);  // the README block has fixed settings
}

TEST(Cli, HelpDocumentsCheck) {
  const auto run = run_command(icsr("check --help"));
  EXPECT_EQ(run.exit_code, 0);
  for (const char* word : {"--budget", "--seed", "--json", "--device", "quick"}) {
    EXPECT_NE(run.output.find(word), std::string::npos) << word;
  }
}

}  // namespace

namespace {

TEST(Cli, TrainTfTrainsResumesAndEvaluates) {
  const std::string path = (std::filesystem::temp_directory_path() / ("icsr_cli_tf_" + std::to_string(::getpid()) + ".safetensors")).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".state");
  std::filesystem::remove(path + ".log");
  const std::string common = "train-tf --model small_tf --layers 1 --batch 64 --eval-instances 20 --checkpoint " + path;
  const auto first = run_command(icsr(common + " --instances 128"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("small_tf: 2 steps (128 instances, reduced"), std::string::npos) << first.output;
  const auto second = run_command(icsr(common + " --instances 256"));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("small_tf: 4 steps"), std::string::npos) << second.output;
  const auto evaluation = run_command(icsr("evaluate-tf --instances 20 --checkpoint " + path));
  ASSERT_EQ(evaluation.exit_code, 0) << evaluation.output;
  EXPECT_NE(evaluation.output.find("n = 10 examples: label loss"), std::string::npos) << evaluation.output;
  // A different learning rate on the same checkpoint is refused, naming the key.
  const auto mismatch = run_command(icsr(common + " --instances 384 --lr 0.01"));
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.output.find("lr"), std::string::npos) << mismatch.output;
}

TEST(Cli, TrainTfRejectsBadInput) {
  const std::string path = (std::filesystem::temp_directory_path() / "icsr_cli_tf_bad.safetensors").string();
  for (const std::string& arguments : {"train-tf --model gpt3 --checkpoint " + path,
                                      "train-tf --model gpt2 --readout query --checkpoint " + path,
                                      "train-tf --support-first10 --d 5 --checkpoint " + path,
                                      "train-tf --precision fp8 --checkpoint " + path, std::string("train-tf --model small_tf"),
                                      std::string("evaluate-tf --checkpoint /no/such/file.safetensors")}) {
    const auto run = run_command(icsr(arguments));
    EXPECT_EQ(run.exit_code, 2) << arguments << "\n" << run.output;
  }
}

}  // namespace
