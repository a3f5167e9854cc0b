// The fuzzers' kept inputs, replayed through the normal build (no sanitizers): every file under
// tests/fuzz/corpus/NAME/ and tests/fuzz/crashes/NAME/ either loads or is rejected with
// std::invalid_argument naming the file, never another exception or a crash. Files named valid_*
// must load and files named bad_* must be rejected, so the seed corpus keeps meaning what its
// names say. The fuzzers themselves run under scripts/run_fuzzers.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "models/training/safetensors.hpp"
#include "properties/findings/loader.hpp"

namespace icsr {
namespace {

namespace fs = std::filesystem;

// kind: "corpus" or "crashes"; name: the fuzzer's input kind, "safetensors" or "findings".
std::vector<fs::path> kept_inputs(const std::string& kind, const std::string& name) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(ICSR_SOURCE_DIR) / "tests" / "fuzz" / kind / name;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void load_safetensors(const std::string& path) { models::load_safetensors(path); }
void load_finding(const std::string& path) { properties::load_finding(path); }

// Loads each input and checks the outcome; returns how many loaded.
int replay(const std::vector<fs::path>& files, const std::function<void(const std::string&)>& load) {
  int loaded = 0;
  for (const fs::path& file : files) {
    const std::string path = file.string(), stem = file.filename().string();
    try {
      load(path);
      ++loaded;
      EXPECT_NE(stem.rfind("bad_", 0), 0u) << path << " loaded, but its name says it is malformed";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(stem.rfind("valid_", 0), 0u) << path << " was rejected, but its name says it is valid: " << error.what();
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << "the rejection does not name the file: " << error.what();
    } catch (const std::exception& error) {
      ADD_FAILURE() << path << ": " << typeid(error).name() << " instead of std::invalid_argument: " << error.what();
    }
  }
  return loaded;
}

TEST(FuzzCorpus, SafetensorsInputsLoadOrAreRejectedWithInvalidArgument) {
  const auto files = kept_inputs("corpus", "safetensors");
  ASSERT_GE(files.size(), 1u);
  EXPECT_GE(replay(files, load_safetensors), 1);
}

TEST(FuzzCorpus, FindingsInputsLoadOrAreRejectedWithInvalidArgument) {
  const auto files = kept_inputs("corpus", "findings");
  ASSERT_GE(files.size(), 1u);
  EXPECT_GE(replay(files, load_finding), 1);
}

// Inputs that once crashed a loader (tests/fuzz/crashes/README.md): each must now load or be rejected.
TEST(FuzzCrashes, SafetensorsCrashInputsLoadOrAreRejectedWithInvalidArgument) {
  replay(kept_inputs("crashes", "safetensors"), load_safetensors);
}

TEST(FuzzCrashes, FindingsCrashInputsLoadOrAreRejectedWithInvalidArgument) {
  replay(kept_inputs("crashes", "findings"), load_finding);
}

}  // namespace
}  // namespace icsr
