// Bad and hostile input against the icsr program: every case must end in the right exit code with a
// message naming the problem, and nothing may crash or turn an error into a verdict about the paper.
//   exit 2: bad input (a flag, a pin outside a statement's stated range, an unreadable checkpoint)
//   exit 4: a run-time failure (an error inside a trial, a model whose errors are not finite)
// The cases come from a review of about 300 hostile inputs (issue 16); each one failed before.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "properties/harness/probabilistic.hpp"
#include "properties/harness/runner.hpp"
#include "reports/evidence.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using icsr::testing::run_command;

std::string icsr(const std::string& arguments) { return std::string(ICSR_BINARY) + " " + arguments; }

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("icsr_bad_input_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

struct Case {
  std::string arguments;
  int exit_code;
  std::string mention;  // a part of the message that names the problem
};

void expect_case(const Case& c) {
  const auto run = run_command(icsr(c.arguments));
  EXPECT_EQ(run.exit_code, c.exit_code) << c.arguments << "\n" << run.output;
  EXPECT_NE(run.output.find(c.mention), std::string::npos) << c.arguments << "\n" << run.output;
  EXPECT_EQ(run.output.find("violated"), std::string::npos) << "an error became a verdict: " << c.arguments;
  EXPECT_EQ(run.output.find("1797693134862315708"), std::string::npos) << "DBL_MAX printed in full: " << c.arguments;
}

// Copies a safetensors file with every floating-point tensor overwritten by NaN.
fs::path nan_copy(const fs::path& source, const fs::path& target) {
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  const nlohmann::json header = nlohmann::json::parse(bytes.substr(8, header_size));
  const std::size_t data = 8 + header_size;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string dtype = entry.at("dtype");
    const std::size_t begin = entry.at("data_offsets")[0], end = entry.at("data_offsets")[1];
    if (dtype == "F32") {
      const float nan = std::numeric_limits<float>::quiet_NaN();
      for (std::size_t at = data + begin; at < data + end; at += 4) std::memcpy(&bytes[at], &nan, 4);
    } else if (dtype == "F64") {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      for (std::size_t at = data + begin; at < data + end; at += 8) std::memcpy(&bytes[at], &nan, 8);
    }
  }
  std::ofstream(target, std::ios::binary) << bytes;
  return target;
}

std::string checkpoint(const std::string& stem) {
  return std::string(ICSR_SOURCE_DIR) + "/models/checkpoints/" + stem + ".safetensors";
}

TEST(BadInput, FlagsAreRejectedWhenParsedNamingTheFlagAndItsRange) {
  for (const Case& c : {
           Case{"check lemma3 --alpha nan", 2, "--alpha"},
           Case{"check lemma3 --c nan", 2, "--c"},
           Case{"check lemma3 --c inf", 2, "--c"},
           Case{"check lemma1 --gamma inf", 2, "--gamma"},
           Case{"check lemma1 --gamma nan", 2, "--gamma"},
           Case{"check lemma3 --delta nan", 2, "--delta"},
           Case{"check thm4.1 --seed -1", 2, "--seed"},
           Case{"check thm4.1 --seed 18446744073709551616", 2, "--seed"},
           Case{"check thm4.1 --seed 99999999999999999999999", 2, "--seed"},
           Case{"report --seed -1 --out /nonexistent/never", 2, "--seed"},
           Case{"train --epochs 0 --checkpoint /nonexistent/x.safetensors", 2, "--epochs"},
           Case{"train --bernoulli nan --checkpoint /nonexistent/x.safetensors", 2, "--bernoulli"},
           Case{"train --lr -1 --checkpoint /nonexistent/x.safetensors", 2, "--lr"},
           Case{"train --lr inf --checkpoint /nonexistent/x.safetensors", 2, "--lr"},
           Case{"train-tf --clip nan --checkpoint /nonexistent/x.safetensors", 2, "--clip"},
           Case{"train-tf --target-loss nan --checkpoint /nonexistent/x.safetensors", 2, "--target-loss"},
           Case{"train-tf --max-minutes -3 --checkpoint /nonexistent/x.safetensors", 2, "--max-minutes"},
           Case{"train-tf --step cuda-graph --checkpoint /nonexistent/x.safetensors", 2, "--step cuda-graph needs --device cuda"},
           Case{"train-tf --step graph --checkpoint /nonexistent/x.safetensors", 2, "--step"},
           Case{"train-tf --lr-scaling cubic --checkpoint /nonexistent/x.safetensors", 2, "--lr-scaling"},
           Case{"empirical-n0 --gamma nan", 2, "--gamma"},
       }) {
    expect_case(c);
  }
}

TEST(BadInput, PinsOutsideAStatementsStatedRangeAreRejected) {
  for (const Case& c : {
           Case{"check thm4.1 --d 200", 2, "outside thm4.1's stated range [1, 24]"},
           Case{"check lemma1 --gamma 5", 2, "outside lemma1's stated range (0, 2]"},
           Case{"check lemma3 --d 2000000000 --S 1", 2, "outside lemma3's stated range [1, 32]"},
           Case{"check thm5.1 --K 1000", 2, "outside thm5.1's stated range [1, 24]"},
           Case{"check thm5.1 --gamma 1.55", 2, "(0, 1.5]"},
           Case{"check thmD.1 --gamma 1.6", 2, "(0, 1.6)"},
           Case{"check lemma3 --delta 1e-9", 2, "[1e-06, 1)"},
           Case{"check lemma4 --N 3", 2, "--N 3"},
       }) {
    expect_case(c);
  }
}

TEST(BadInput, SmallerCasesGiveExitTwo) {
  const fs::path file = scratch("a_file");
  std::ofstream(file) << "not a directory";
  const fs::path directory = scratch("a_directory");
  fs::create_directories(directory);
  std::vector<Case> cases{
      Case{"report --out " + file.string(), 2, "not a directory"},
      Case{"report --only , --out " + scratch("r").string(), 2, "--only"},
      Case{"report --only '' --out " + scratch("r").string(), 2, "--only"},
      Case{"check c3.mlp --shard 3/3", 2, "selects none"},
      Case{"check c3.mlp --json " + directory.string(), 2, "is a directory"},
      Case{"check c3.mlp --json " + file.string() + "/x.json", 2, "not a directory"},
      Case{"evaluate --checkpoint /dev/zero", 2, "/dev/zero"},
      Case{"evaluate --checkpoint " + directory.string(), 2, directory.string()},
      Case{"evaluate-tf --checkpoint " + directory.string(), 2, directory.string()},
  };
  if (!torch::cuda::is_available()) {
    cases.push_back(Case{"train --device cuda --checkpoint " + scratch("c.safetensors").string(), 2, "--device cuda"});
    cases.push_back(Case{"check thm4.1 --device cuda", 2, "--device cuda"});
  }
  for (const Case& c : cases) expect_case(c);
}

TEST(BadInput, ReplayLinesRoundTripEveryNumber) {
  icsr::properties::CheckOptions options;
  options.c = 1e-7;
  options.alpha = 0.012345678901234567;
  options.pins.gamma = 0.1 + 0.2;  // 0.30000000000000004
  const std::string replay = icsr::properties::replay_command("thm5.1", options);
  EXPECT_NE(replay.find("--c 1e-07"), std::string::npos) << replay;
  EXPECT_NE(replay.find("--gamma 0.30000000000000004"), std::string::npos) << replay;
  const std::size_t at = replay.find("--alpha ");
  ASSERT_NE(at, std::string::npos) << replay;
  EXPECT_EQ(std::stod(replay.substr(at + 8)), options.alpha) << replay;  // reads back to the same double
  // And the CLI accepts what it prints.
  const auto run = run_command(icsr("check c3.mlp.corrected --c 1e-07 --shard 1/1"));
  EXPECT_NE(run.exit_code, 2) << run.output;
}

TEST(BadInput, NonFiniteModelsAreErrorsNeverPasses) {
  const fs::path dir = scratch("nan_checkpoints");
  fs::create_directories(dir);
  for (const char* stem : {"lista_vm_meta", "ista", "fista", "small_tf_support", "small_tf_linear"}) {
    nan_copy(checkpoint(stem), dir / (std::string(stem) + ".safetensors"));
  }
  const std::string env = "ICSR_CHECKPOINTS=" + dir.string() + " ";
  const fs::path findings = scratch("findings");
  for (const std::string& arguments :
       {"check exp.vm_beats_ista --record-findings " + findings.string(), std::string("check trained.remark3")}) {
    const auto run = run_command(env + icsr(arguments));
    EXPECT_TRUE(run.exit_code == 2 || run.exit_code == 4) << arguments << "\n" << run.output;
    EXPECT_FALSE(std::regex_search(run.output, std::regex("(^|\n)[a-z0-9_.]+ +holds "))) << arguments << "\n" << run.output;
    EXPECT_NE(run.output.find("ERROR"), std::string::npos) << arguments << "\n" << run.output;
    EXPECT_NE(run.output.find("finite"), std::string::npos) << arguments << "\n" << run.output;
  }
  EXPECT_TRUE(!fs::exists(findings) || fs::is_empty(findings)) << "an error was recorded as a finding";
  for (const std::string& arguments : {"evaluate --checkpoint " + (dir / "lista_vm_meta.safetensors").string(),
                                       "evaluate-tf --instances 20 --checkpoint " + (dir / "small_tf_linear.safetensors").string()}) {
    const auto run = run_command(icsr(arguments));
    EXPECT_TRUE(run.exit_code == 2 || run.exit_code == 4) << arguments << "\n" << run.output;
    EXPECT_NE(run.output.find("finite"), std::string::npos) << arguments << "\n" << run.output;
  }
}

TEST(BadInput, ASecondReportOnTheSameDirectoryIsRefused) {
  const fs::path out = scratch("locked_report");
  const fs::path lock = out.parent_path() / ("." + out.filename().string() + ".icsr-lock");
  const int fd = ::open(lock.c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);  // as a running report holds it
  const auto run = run_command(icsr("report --only c3.mlp --out " + out.string()));
  ::close(fd);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("another icsr run is writing into"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(out / "index.md"));
}

TEST(BadInput, AnInterruptedReportLeavesTheOldOneWhole) {
  const fs::path out = scratch("old_report");
  fs::create_directories(out);
  std::ofstream(out / "index.md") << "the old report\n";
  std::ofstream(out / "marker") << "old";
  // SIGKILL once the run has started writing its stage (so the interruption falls mid-report, not before
  // it began), then a short while more. (Not SIGINT: a non-interactive shell's background job ignores it.)
  const std::string stage = (out.parent_path() / ("." + out.filename().string() + ".icsr-stage-")).string();
  const auto run = run_command("sh -c '" + icsr("report --only c3.mlp --out " + out.string()) +
                               " & p=$!; for i in $(seq 1200); do ls -d " + stage +
                               "* >/dev/null 2>&1 && echo STAGED && break; sleep 0.05; done; sleep 0.5; "
                               "kill -KILL $p; wait $p'");
  EXPECT_NE(run.output.find("STAGED"), std::string::npos) << "the report never started its stage\n" << run.output;
  EXPECT_EQ(run.output.find("report written"), std::string::npos) << "the report finished before the interrupt";
  std::ifstream index(out / "index.md");
  const std::string text((std::istreambuf_iterator<char>(index)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "the old report\n");
  EXPECT_TRUE(fs::exists(out / "marker"));
  EXPECT_FALSE(fs::exists(out / "statements"));
}

// An exception or a non-finite value inside a trial is an error of the run, never a verdict.
TEST(BadInput, ErrorsInsideTrialsAreErrorsNotVerdicts) {
  using namespace icsr::properties;
  const CheckOptions options = icsr::testing::quick_options();
  const auto identity = [](std::function<TrialOutcome(const int&)> evaluate) {
    return IdentityProperty<int>{"test.identity", [] { return gen_uniform_int(1, 100); }, std::move(evaluate),
                                 [](const int& value) { return nlohmann::json{{"value", value}}; },
                                 [](const int&) { return std::vector<std::string>{}; }};
  };
  const auto throws = identity([](const int& value) -> TrialOutcome {
    if (value > 50) throw std::bad_alloc();
    return {0.0, 1.0, {}, false};
  });
  EXPECT_THROW(run_identity(throws, 200, options), TrialError);
  const auto nan = identity([](const int& value) -> TrialOutcome {
    return {value > 50 ? std::nan("") : 0.0, 1.0, {}, false};
  });
  EXPECT_THROW(run_identity(nan, 200, options), TrialError);
  const auto fine = identity([](const int&) -> TrialOutcome { return {0.5, 1.0, {}, false}; });
  EXPECT_EQ(run_identity(fine, 200, options).verdict, Verdict::holds);

  const ProbabilisticProperty<int> probabilistic{
      "test.probabilistic", [] { return gen_uniform_int(1, 100); },
      [](const int&) { return ConfigurationPlan{0.1, "", {}}; },
      [](const int&, std::mt19937_64&) { return ProbabilisticTrial{false, std::nan(""), 1.0}; },
      [](const int& value) { return nlohmann::json{{"value", value}}; }, [](const int& value) { return std::uint64_t(value); }};
  EXPECT_THROW(run_probabilistic(probabilistic, ProbabilisticBudget{3, 50, 50}, options), TrialError);
}

TEST(BadInput, EvidenceKeepsInfinityAndNaN) {
  const nlohmann::json evidence = {{"ratio", std::numeric_limits<double>::infinity()},
                                   {"low", -std::numeric_limits<double>::infinity()},
                                   {"median", std::nan("")},
                                   {"rows", {1.5, std::numeric_limits<double>::infinity()}},
                                   {"text", "kept"}};
  const nlohmann::json written = icsr::reports::encode_non_finite(evidence);
  EXPECT_EQ(written.at("ratio"), "+Infinity");
  EXPECT_EQ(written.at("low"), "-Infinity");
  EXPECT_EQ(written.at("median"), "NaN");
  EXPECT_EQ(written.at("rows")[1], "+Infinity");
  const fs::path path = scratch("evidence.json");
  icsr::reports::write_json_atomically(path.string(), evidence);
  const nlohmann::json read = icsr::reports::read_json_file(path.string());
  EXPECT_TRUE(std::isinf(read.at("ratio").get<double>()) && read.at("ratio").get<double>() > 0);
  EXPECT_TRUE(std::isinf(read.at("low").get<double>()) && read.at("low").get<double>() < 0);
  EXPECT_TRUE(std::isnan(read.at("median").get<double>()));
  EXPECT_EQ(read.at("rows")[0].get<double>(), 1.5);
  EXPECT_EQ(read.at("text"), "kept");
}

}  // namespace
