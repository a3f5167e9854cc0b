// The layout's one rule: a source file includes only files of its own layer or of layers listed before
// it. The layers, in order (the README's "Layout"):
//   theory/ < models/ < models/training/ < properties/harness/ < properties/statements/
//   < properties/conjectures/ < properties/registry < properties/findings/ < properties/sweeps/
//   < reports/ < cli/
// So the harness includes no statement, the statements do not know the registry, and nothing below the
// registry lists statements. tests/ and benchmarks/ may include anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kLayers{"theory/",
                                       "models/",
                                       "models/training/",
                                       "properties/harness/",
                                       "properties/statements/",
                                       "properties/conjectures/",
                                       "properties/registry",
                                       "properties/findings/",
                                       "properties/sweeps/",
                                       "reports/",
                                       "cli/"};

// The layer of a path relative to the source root: the longest matching prefix; -1 when none.
int layer_of(const std::string& path) {
  int layer = -1;
  std::size_t longest = 0;
  for (std::size_t i = 0; i < kLayers.size(); ++i) {
    if (path.rfind(kLayers[i], 0) == 0 && kLayers[i].size() > longest) {
      layer = static_cast<int>(i);
      longest = kLayers[i].size();
    }
  }
  return layer;
}

struct Include {
  std::string from, to;
};

std::vector<Include> project_includes() {
  const fs::path root(ICSR_SOURCE_DIR);
  const std::regex quoted(R"re(^\s*#\s*include\s+"([^"]+)")re");
  std::vector<Include> found;
  for (const char* top : {"theory", "models", "properties", "reports", "cli"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string extension = entry.path().extension().string();
      if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
      std::ifstream in(entry.path());
      for (std::string line; std::getline(in, line);) {
        std::smatch match;
        if (std::regex_search(line, match, quoted)) {
          found.push_back({fs::relative(entry.path(), root).generic_string(), match[1].str()});
        }
      }
    }
  }
  return found;
}

TEST(Layout, LayerOfPathsMatchesTheDocumentedOrder) {
  EXPECT_EQ(layer_of("theory/bounds.hpp"), 0);
  EXPECT_EQ(layer_of("models/lista_vm.hpp"), 1);
  EXPECT_EQ(layer_of("models/training/safetensors.hpp"), 2);
  EXPECT_EQ(layer_of("properties/harness/runner.hpp"), 3);
  EXPECT_EQ(layer_of("properties/registry.hpp"), 6);
  EXPECT_EQ(layer_of("cli/common.hpp"), 10);
  EXPECT_EQ(layer_of("icsr_revision.hpp"), -1);
}

TEST(Layout, EveryIncludePointsToTheSameOrAnEarlierLayer) {
  const std::vector<Include> includes = project_includes();
  ASSERT_GT(includes.size(), 100u) << "the scan found too few includes; is ICSR_SOURCE_DIR right?";
  int checked = 0;
  for (const Include& include : includes) {
    const int from = layer_of(include.from), to = layer_of(include.to);
    if (to < 0) continue;  // generated headers (icsr_revision.hpp) and test helpers
    ASSERT_GE(from, 0) << include.from << " lies in no layer";
    EXPECT_LE(to, from) << include.from << " (layer " << kLayers[from] << ") includes " << include.to << " (layer "
                        << kLayers[to] << "), which is listed after it";
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(Layout, EveryStatementFileOpensWithTheStatementItEncodes) {
  const fs::path statements = fs::path(ICSR_SOURCE_DIR) / "properties" / "statements";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(statements)) {
    if (entry.path().extension() != ".hpp") continue;
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("//", 0), 0u) << entry.path() << " does not open with a comment stating what it encodes";
    ++files;
  }
  EXPECT_GE(files, 8);
}

}  // namespace
