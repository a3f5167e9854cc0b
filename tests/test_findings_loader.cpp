// The findings loader's schema check (properties/findings/loader.hpp): a valid record loads field by field,
// and each kind of malformed file is rejected with std::invalid_argument naming the file and what is
// wrong with it. The recorded findings themselves are replayed by tests/test_findings.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "properties/findings/loader.hpp"

namespace icsr::properties {
namespace {

namespace fs = std::filesystem;

nlohmann::json valid_record() {
  return {{"id", "lemma3"},
          {"paper_label", "Lemma 3"},
          {"seed", 7},
          {"budget", "quick"},
          {"counterexample", {{"d", 1}, {"S", 1}, {"delta", 1e-6}}},
          {"observed", {{"ratio", "+Infinity"}, {"low", "-Infinity"}, {"median", "NaN"}, {"where", nullptr}}},
          {"rc_params", "reproduce=AAAA seed=0"},
          {"replay", "icsr check lemma3 --budget quick --seed 7"},
          {"notes", "a test record"},
          {"provenance", {{"program", "icsr"}, {"git_revision", "0123abcd"}}}};
}

class FindingsLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("icsr_findings_loader_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string write_record(const std::string& name, const nlohmann::json& record) const { return write(name, record.dump(2)); }

  // Loading `path` throws std::invalid_argument whose message names the file and contains `problem`.
  static void expect_rejected(const std::string& path, const std::string& problem) {
    try {
      load_finding(path);
      ADD_FAILURE() << path << " was accepted; expected a rejection mentioning '" << problem << "'";
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << "the message does not name the file: " << message;
      EXPECT_NE(message.find(problem), std::string::npos) << "the message does not say '" << problem << "': " << message;
    }
  }

  fs::path dir_;
};

TEST_F(FindingsLoader, ValidRecordLoadsEveryField) {
  const std::string path = write_record("lemma3.json", valid_record());
  const Finding finding = load_finding(path);
  EXPECT_EQ(finding.path, path);
  EXPECT_EQ(finding.id, "lemma3");
  EXPECT_EQ(finding.paper_label, "Lemma 3");
  EXPECT_EQ(finding.seed, 7u);
  EXPECT_EQ(finding.budget, Budget::quick);
  EXPECT_EQ(finding.counterexample.at("d"), 1);
  EXPECT_EQ(finding.observed.at("ratio"), "+Infinity");  // non-finite numbers as strings are free-form data
  EXPECT_EQ(finding.rc_params, "reproduce=AAAA seed=0");
  EXPECT_EQ(finding.replay, "icsr check lemma3 --budget quick --seed 7");
  EXPECT_EQ(finding.notes, "a test record");
  EXPECT_EQ(finding.provenance.at("program"), "icsr");
}

TEST_F(FindingsLoader, LargestSeedAndFullBudgetAndExtraFieldsAreAccepted) {
  nlohmann::json record = valid_record();
  record["seed"] = std::numeric_limits<std::uint64_t>::max();
  record["budget"] = "full";
  record["written_by"] = "a newer icsr";
  const Finding finding = load_finding(write_record("f.json", record));
  EXPECT_EQ(finding.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(finding.budget, Budget::full);
}

TEST_F(FindingsLoader, EachMissingFieldIsNamed) {
  for (const char* name : {"id", "paper_label", "seed", "budget", "counterexample", "observed", "rc_params", "replay",
                           "notes", "provenance"}) {
    nlohmann::json record = valid_record();
    record.erase(name);
    expect_rejected(write_record(std::string("missing_") + name + ".json", record), std::string("missing field '") + name + "'");
  }
}

TEST_F(FindingsLoader, EachWrongTypeIsNamed) {
  const std::vector<std::pair<std::string, nlohmann::json>> cases = {
      {"id", 3},           {"paper_label", nullptr},      {"seed", "1"},         {"seed", 1.5},
      {"seed", true},      {"budget", nlohmann::json::array({"quick"})},        {"counterexample", "d=1"},
      {"counterexample", nlohmann::json::array()},       {"observed", 0.5},     {"rc_params", 1},
      {"replay", nlohmann::json::object()},              {"notes", false},      {"provenance", "icsr"}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    nlohmann::json record = valid_record();
    record[cases[i].first] = cases[i].second;
    expect_rejected(write_record("type_" + std::to_string(i) + ".json", record), "field '" + cases[i].first + "' must be");
  }
}

TEST_F(FindingsLoader, UnknownStatementIdIsRejected) {
  nlohmann::json record = valid_record();
  record["id"] = "lemma99";
  expect_rejected(write_record("unknown.json", record), "unknown statement 'lemma99'");
}

TEST_F(FindingsLoader, BudgetOtherThanQuickOrFullIsRejected) {
  nlohmann::json record = valid_record();
  record["budget"] = "medium";
  expect_rejected(write_record("budget.json", record), "field 'budget': budget must be quick or full, got 'medium'");
}

TEST_F(FindingsLoader, NegativeOrUnrepresentableSeedIsRejected) {
  nlohmann::json record = valid_record();
  record["seed"] = -1;
  expect_rejected(write_record("negative.json", record), "field 'seed' must be a non-negative integer below 2^64, got number -1");
  std::string text = valid_record().dump();
  text.replace(text.find("\"seed\":7"), 8, "\"seed\":18446744073709551616");  // 2^64 parses as a double
  expect_rejected(write("huge.json", text), "field 'seed' must be a non-negative integer");
}

TEST_F(FindingsLoader, InvalidJsonIsRejectedWithTheParseError) {
  const std::string text = valid_record().dump();
  expect_rejected(write("truncated.json", text.substr(0, text.size() / 2)), "invalid JSON (");
  expect_rejected(write("trailing.json", text + ","), "invalid JSON (");
  expect_rejected(write("bare_nan.json", "{\"seed\": NaN}"), "invalid JSON (");
}

TEST_F(FindingsLoader, EmptyFileIsRejected) {
  expect_rejected(write("empty.json", std::string()), "the file is empty");
  expect_rejected(write("blank.json", std::string(" \n\t\n")), "the file is empty");
}

TEST_F(FindingsLoader, TopLevelOtherThanAnObjectIsRejected) {
  expect_rejected(write_record("array.json", nlohmann::json::array({valid_record()})), "the top level must be an object, got array");
  expect_rejected(write("null.json", std::string("null")), "the top level must be an object, got null");
}

TEST_F(FindingsLoader, DeepNestingIsRejected) {
  nlohmann::json record = valid_record();
  const std::string text = record.dump();
  std::string nested = std::string(200, '[') + std::string(200, ']');
  std::string deep = text.substr(0, text.size() - 1) + ",\"deep\":" + nested + "}";
  expect_rejected(write("deep.json", deep), "nested deeper than");
}

TEST_F(FindingsLoader, MissingFileDirectoryAndDeviceAreRejected) {
  expect_rejected((dir_ / "absent.json").string(), "cannot open the file");
  fs::create_directories(dir_ / "dir.json");
  expect_rejected((dir_ / "dir.json").string(), "not a regular file");
  expect_rejected("/dev/zero", "not a regular file");
}

TEST_F(FindingsLoader, DirectoryLoadsJsonFilesInNameOrderAndNamesTheBadOne) {
  nlohmann::json second = valid_record();
  second["id"] = "c3.mlp";
  write_record("b.json", second);
  write_record("a.json", valid_record());
  write("notes.txt", std::string("not a finding"));
  const std::vector<Finding> findings = load_findings(dir_.string());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "lemma3");
  EXPECT_EQ(findings[1].id, "c3.mlp");

  nlohmann::json bad = valid_record();
  bad.erase("notes");
  const std::string path = write_record("c.json", bad);
  try {
    load_findings(dir_.string());
    ADD_FAILURE() << "a directory with a bad finding was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  EXPECT_THROW(load_findings((dir_ / "absent").string()), std::invalid_argument);
}

TEST(RecordedFindings, EveryFileInTheRepositoryPassesTheSchemaCheck) {
  const auto findings = load_findings(std::string(ICSR_SOURCE_DIR) + "/properties/findings");
  EXPECT_GE(findings.size(), 1u);
}

}  // namespace
}  // namespace icsr::properties
