// Data-driven transform tests over nested data: every file under testdata/transforms is a
// case file (format in testdata/README.md). Adding a case is adding a file (or a block).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "columnar/value_json.h"
#include "common/source_dir_test_util.h"
#include "formats/jsonl/jsonl_reader.h"
#include "spec/migration_spec.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

std::string CaseTrim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

struct SpecCase {
  std::string name;
  int line = 0;
  std::string yaml;  // the transform section's lines
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::vector<std::string> expect;                       // output rows as JSON objects
  std::vector<std::pair<size_t, std::string>> rejected;  // input row, reason substring
};

struct SpecCaseFile {
  std::string schema;
  std::vector<std::string> rows;  // JSON lines
  std::vector<SpecCase> cases;
};

bool ParseSpecCaseFile(const std::string& path, SpecCaseFile* f, std::string* error) {
  std::ifstream in(path);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = CaseTrim(line);
    if (t.empty() || t[0] == '#') continue;
    const size_t colon = t.find(':');
    if (colon == std::string::npos) {
      *error = "line " + std::to_string(lineno) + ": expected 'key: value'";
      return false;
    }
    const std::string key = t.substr(0, colon), value = CaseTrim(t.substr(colon + 1));
    if (key == "schema") {
      f->schema = value;
    } else if (key == "row") {
      f->rows.push_back(value);
    } else if (key == "case") {
      f->cases.push_back(SpecCase{value, lineno, "", {}, {}, {}, {}});
    } else if (f->cases.empty()) {
      *error = "line " + std::to_string(lineno) + ": '" + key + "' before any 'case:'";
      return false;
    } else if (key == "transform") {
      f->cases.back().yaml += "  " + value + "\n";
    } else if (key == "output") {
      f->cases.back().output = value;
    } else if (key == "error") {
      f->cases.back().error = value;
    } else if (key == "expect") {
      f->cases.back().expect.push_back(value);
    } else if (key == "rejected") {
      const size_t space = value.find(' ');
      f->cases.back().rejected.emplace_back(std::stoul(value.substr(0, space)),
                                            space == std::string::npos ? "" : CaseTrim(value.substr(space)));
    } else {
      *error = "line " + std::to_string(lineno) + ": unknown key '" + key + "'";
      return false;
    }
  }
  return true;
}

RecordBatch ReadRows(const SpecCaseFile& f, const std::string& name) {
  const std::string path = ::testing::TempDir() + "transform_case_" + name + ".jsonl";
  {
    std::ofstream out(path);
    for (const std::string& r : f.rows) out << r << "\n";
  }
  ReadOptions options;
  auto schema = ParseSchemaText(f.schema);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  options.schema = *schema;
  auto reader = OpenJsonlReader(FileSystem::Default(), path, options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch b = RecordBatch::Empty(std::make_shared<const Schema>(*schema));
  if (!reader.ok()) return b;
  RecordBatch more;
  auto got = (*reader)->Next(&more);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (got.ok() && *got) b = std::move(more);
  EXPECT_EQ(b.num_rows(), f.rows.size());
  return b;
}

std::string RowJson(const RecordBatch& b, size_t i) {
  std::string out = "{";
  for (size_t c = 0; c < b.columns.size(); ++c) {
    if (c) out += ",";
    AppendJsonQuoted(b.schema->field(c).name, &out);
    out += ":";
    AppendValueJson(b.columns[c], i, &out);
  }
  return out + "}";
}

void RunCase(const RecordBatch& in, const SpecCase& c) {
  auto spec = ParseMigrationSpec("name: t\nversion: 2\ntransform:\n" + c.yaml, "case.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  auto t = Transformer::Make(spec->transform, *in.schema);
  if (c.error) {
    ASSERT_FALSE(t.ok()) << "planned to " << t->output_schema()->ToString() << ", expected an error";
    EXPECT_NE(t.status().message().find(*c.error), std::string::npos) << "error was: " << t.status().message();
    return;
  }
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  if (c.output) {
    EXPECT_EQ(t->output_schema()->ToString(), *c.output);
  }
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  std::vector<uint32_t> kept;
  ASSERT_TRUE(t->Apply(in, &out, &rejected, &stats, &kept).ok());
  ASSERT_TRUE(out.Validate().ok()) << out.Validate().ToString();
  EXPECT_EQ(*out.schema, *t->output_schema());
  ASSERT_EQ(out.num_rows(), c.expect.size()) << "one 'expect:' per output row";
  for (size_t i = 0; i < out.num_rows(); ++i) EXPECT_EQ(RowJson(out, i), c.expect[i]) << "output row " << i;
  ASSERT_EQ(rejected.size(), c.rejected.size()) << (rejected.empty() ? "" : rejected[0].reason);
  for (size_t i = 0; i < rejected.size(); ++i) {
    EXPECT_EQ(rejected[i].row, c.rejected[i].first);
    EXPECT_NE(rejected[i].reason.find(c.rejected[i].second), std::string::npos) << rejected[i].reason;
  }
  EXPECT_EQ(stats.rows_in, in.num_rows());
  EXPECT_EQ(stats.rows_out + stats.rows_rejected + stats.rows_filtered, in.num_rows());
  EXPECT_EQ(kept.size(), out.num_rows());
}

TEST(TransformCases, AllNestedTransformFiles) {
  std::vector<std::string> files;
  const std::string root = gaggle::testing::SourceRoot() + "/src/transform/testdata/transforms";
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 4u);
  for (const std::string& path : files) {
    SpecCaseFile f;
    std::string error;
    ASSERT_TRUE(ParseSpecCaseFile(path, &f, &error)) << path << ": " << error;
    ASSERT_FALSE(f.cases.empty()) << path;
    const RecordBatch in = ReadRows(f, std::filesystem::path(path).stem().string());
    for (const SpecCase& c : f.cases) {
      SCOPED_TRACE(path + ":" + std::to_string(c.line) + ": " + c.name);
      RunCase(in, c);
    }
  }
}

}  // namespace
}  // namespace gaggle
