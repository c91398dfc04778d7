// Catalog import: a data-driven driver over src/catalog/testdata/<case>/ (each
// case: input/ with catalog files, and expected.txt with the canonical dump of the
// loaded catalog, or expected_error.txt with the problem count and substrings the
// one error must contain), plus focused tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog_loader.h"
#include "common/source_dir_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

std::string TestdataDir() { return gaggle::testing::SourceRoot() + "/src/catalog/testdata"; }

std::string ReadImportText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string Dump(const Catalog& c) {
  std::string out;
  for (NodeId n = 0; n < c.size(); ++n) {
    const Entity& e = c.entity(n);
    std::string line = e.is_dataset() ? "dataset " + e.id : e.id;
    if (!e.owner.empty()) line += " owner=" + e.owner;
    if (!e.type.empty()) line += " type=" + e.type;
    if (e.is_dataset()) {
      line += " uri=" + e.uri + " format=" + e.format + " tier=" + TierName(e.tier) +
              " schema_version=" + std::to_string(e.schema_version) + " size=" + std::to_string(e.size_bytes);
    }
    if (!e.labels.empty()) {
      line += " labels=";
      bool first = true;
      for (const auto& [k, v] : e.labels) line += (first ? "" : ",") + k + ":" + v, first = false;
    }
    if (!e.annotations.empty()) {
      line += " annotations=";
      bool first = true;
      for (const auto& [k, v] : e.annotations) line += (first ? "" : ",") + k, first = false;
    }
    if (!e.cadence.empty()) line += " cadence=" + e.cadence;
    if (!e.schema.empty()) line += " schema=" + e.schema;
    if (!e.queries.empty()) line += " queries=" + std::to_string(e.queries.size());
    out += line + "\n";
    for (const std::string& q : e.queries) out += "  query: " + q + "\n";
  }
  for (const auto& [u, d] : c.edges()) out += "edge " + c.entity(u).id + " -> " + c.entity(d).id + "\n";
  return out;
}

TEST(CatalogImportDataDriven, EveryCase) {
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(TestdataDir())) {
    if (!dir.is_directory()) continue;
    ++cases;
    const std::string name = dir.path().filename().string();
    SCOPED_TRACE("case " + name);
    const std::string input = (dir.path() / "input").string();
    auto loaded = LoadCatalogFromPath(input);
    if (fs::exists(dir.path() / "expected_error.txt")) {
      ASSERT_FALSE(loaded.ok()) << "expected an error";
      const std::string msg = loaded.status().message();
      EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(msg.find("nothing was imported"), std::string::npos) << msg;
      for (const std::string& want : Lines(ReadImportText(dir.path() / "expected_error.txt"))) {
        if (want.rfind("problems: ", 0) == 0) {
          std::string count = want.substr(10);
          EXPECT_NE(msg.find("catalog has " + count + " problem"), std::string::npos) << "want " << want << "\n" << msg;
        } else {
          EXPECT_NE(msg.find(want), std::string::npos) << "missing: " << want << "\n" << msg;
        }
      }
      continue;
    }
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    std::string want_dump, got_dump = Dump(loaded->catalog);
    std::vector<std::string> want_warnings;
    for (const std::string& line : Lines(ReadImportText(dir.path() / "expected.txt"))) {
      if (line.rfind("warning: ", 0) == 0) {
        want_warnings.push_back(line.substr(9));
      } else {
        want_dump += line + "\n";
      }
    }
    EXPECT_EQ(got_dump, want_dump);
    EXPECT_EQ(loaded->warnings.size(), want_warnings.size());
    for (const std::string& w : want_warnings) {
      bool found = false;
      for (const std::string& got : loaded->warnings) found |= got.find(input + "/" + w) == 0;
      EXPECT_TRUE(found) << "missing warning: " << w;
    }
  }
  EXPECT_GE(cases, 7);
}

Result<Catalog> ParseOne(const std::string& text) {
  CatalogDraft draft;
  ParseCatalogText(text, "mem.yaml", /*strict=*/true, nullptr, &draft);
  return draft.Finish();
}

TEST(CatalogImportTest, NonCatalogDocumentInAFileIsAProblem) {
  auto c = ParseOne("name: deploy\non: [push]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("mem.yaml:1:1: document 1 is neither"), std::string::npos)
      << c.status().message();
}

TEST(CatalogImportTest, ProblemsFromManyDocumentsAreReportedTogether) {
  const std::string text =
      "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: a, annotations: {gaggle.dev/tier: low}}\n"
      "spec: {type: dataset}\n"
      "---\n"
      "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: b}\nspec: {dependsOn: [resource:zz]}\n";
  auto c = ParseOne(text);
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("catalog has 3 problems"), std::string::npos) << m;
  EXPECT_NE(m.find("a: dataset has no 'gaggle.dev/uri'"), std::string::npos) << m;
  EXPECT_NE(m.find("a: dataset has no 'gaggle.dev/format'"), std::string::npos) << m;
  EXPECT_NE(m.find("mem.yaml:9:20: component:b: dependsOn names resource:default/zz"), std::string::npos) << m;
}

TEST(CatalogImportTest, HostileYamlIsAProblemNotACrash) {
  const std::string inputs[] = {
      std::string(100000, '['),                    // deep nesting
      "a: &x [*x]\n",                              // self-referencing alias
      "\x01\x02: [\n",                             // control bytes
      "apiVersion: backstage.io/v1\nkind: [1]\n",  // kind of the wrong shape
      "apiVersion: backstage.io/v1\nkind: Resource\nmetadata: [1, 2]\n",
      "gaggle_catalog: 1\ndatasets: {a: 1}\n",
      "gaggle_catalog: 2\n",
      "{},",  // yaml-cpp 0.7 LoadAll loops on these
      "{\"gaggle_catalog\": 1, \"datasets\": []},\n",
      "\"x\",",
      ",",
  };
  for (const std::string& text : inputs) {
    auto c = ParseOne(text);
    EXPECT_FALSE(c.ok()) << text.substr(0, 40);
  }
}

TEST(CatalogImportTest, MissingPathAndEmptyDirectory) {
  auto missing = LoadCatalogFromPath("/nonexistent/catalog");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  fs::path empty = fs::temp_directory_path() / ("gaggle-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  auto none = LoadCatalogFromPath(empty.string());
  EXPECT_FALSE(none.ok());
  fs::remove_all(empty);
}

TEST(CatalogImportTest, QueriesFileMustExist) {
  fs::path dir = fs::temp_directory_path() / ("gaggle-q-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "c.yaml") << "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\n"
                                   "  annotations:\n    gaggle.dev/queries: missing.sql\n";
  auto c = LoadCatalogFromPath((dir / "c.yaml").string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("queries file '" + dir.string() + "/missing.sql'"), std::string::npos)
      << c.status().message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gaggle
