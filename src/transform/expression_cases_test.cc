// Data-driven expression and cast tests: every file under testdata/expressions
// and testdata/casts is a case file (format in testdata/README.md). Adding a case
// is adding a file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/source_dir_test_util.h"
#include "transform/cast.h"
#include "transform/expression.h"

namespace gaggle {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits "1, 'a,b', null" at commas outside single quotes.
std::vector<std::string> SplitValues(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '\'') quoted = !quoted;
    if (c == ',' && !quoted) {
      out.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  out.push_back(Trim(cur));
  return out;
}

// 'it''s' -> it's; anything else unchanged.
std::string Unquote(const std::string& v) {
  if (v.size() < 2 || v.front() != '\'' || v.back() != '\'') return v;
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    out.push_back(v[i]);
    if (v[i] == '\'' && v[i + 1] == '\'') ++i;
  }
  return out;
}

struct Expectation {
  enum Kind { kValue, kNull, kError } kind = kValue;
  std::string text;
  int line = 0;
};

struct ExpressionCase {
  std::string expr;
  int line = 0;
  std::optional<std::string> type;
  std::optional<std::string> compile_error;
  std::vector<Expectation> expect;
};

struct CaseFile {
  Schema schema;
  std::vector<std::vector<std::string>> rows;  // raw value texts
  std::vector<ExpressionCase> cases;
};

bool ParseCaseFile(const std::string& path, CaseFile* out, std::string* error) {
  std::ifstream in(path);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t colon = t.find(':');
    if (colon == std::string::npos) {
      *error = "line " + std::to_string(lineno) + ": expected 'key: value'";
      return false;
    }
    std::string key = t.substr(0, colon), value = Trim(t.substr(colon + 1));
    if (key == "schema") {
      auto s = ParseSchemaText(value);
      if (!s.ok()) {
        *error = "line " + std::to_string(lineno) + ": " + s.status().message();
        return false;
      }
      out->schema = *s;
    } else if (key == "row") {
      out->rows.push_back(SplitValues(value));
    } else if (key == "expr") {
      out->cases.push_back(ExpressionCase{value, lineno, {}, {}, {}});
    } else if (out->cases.empty()) {
      *error = "line " + std::to_string(lineno) + ": '" + key + "' before any 'expr:'";
      return false;
    } else if (key == "type") {
      out->cases.back().type = value;
    } else if (key == "error") {
      out->cases.back().compile_error = value;
    } else if (key == "expect") {
      Expectation e;
      e.line = lineno;
      if (value == "null") {
        e.kind = Expectation::kNull;
      } else if (value == "error" || value.rfind("error ", 0) == 0) {
        e.kind = Expectation::kError;
        e.text = Trim(value.substr(5));
      } else {
        e.text = Unquote(value);
      }
      out->cases.back().expect.push_back(e);
    } else {
      *error = "line " + std::to_string(lineno) + ": unknown key '" + key + "'";
      return false;
    }
  }
  return true;
}

// Builds one column per field from the row texts, reading them with the cast rules.
bool BuildColumns(const CaseFile& f, std::vector<Column>* cols, std::string* error) {
  for (size_t c = 0; c < f.schema.num_fields(); ++c) {
    Column text(DataType::String());
    for (const auto& row : f.rows) {
      if (row.size() != f.schema.num_fields()) {
        *error =
            "a row has " + std::to_string(row.size()) + " values, the schema " + std::to_string(f.schema.num_fields());
        return false;
      }
      if (row[c] == "null") {
        text.AppendNull();
      } else {
        text.AppendString(Unquote(row[c]));
      }
    }
    std::vector<RowError> errors;
    auto col = CastColumn(text, f.schema.field(c).type, &errors);
    if (!col.ok() || !errors.empty()) {
      *error = "cannot read the rows of column '" + f.schema.field(c).name +
               "': " + (col.ok() ? errors[0].reason : col.status().message());
      return false;
    }
    cols->push_back(std::move(col).value());
  }
  return true;
}

void RunCaseFile(const std::string& path) {
  CaseFile f;
  std::string error;
  ASSERT_TRUE(ParseCaseFile(path, &f, &error)) << path << ": " << error;
  ASSERT_FALSE(f.cases.empty()) << path << ": no 'expr:' in the file";
  std::vector<Column> cols;
  ASSERT_TRUE(BuildColumns(f, &cols, &error)) << path << ": " << error;
  std::vector<const Column*> inputs;
  for (const Column& c : cols) inputs.push_back(&c);
  const size_t rows = f.rows.size();
  for (const ExpressionCase& c : f.cases) {
    SCOPED_TRACE(path + ":" + std::to_string(c.line) + ": " + c.expr);
    auto compiled = CompiledExpression::Compile(c.expr, f.schema);
    if (c.compile_error) {
      ASSERT_FALSE(compiled.ok()) << "compiled to " << compiled->type().ToString() << ", expected an error";
      EXPECT_NE(compiled.status().message().find(*c.compile_error), std::string::npos)
          << "error was: " << compiled.status().message();
      continue;
    }
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    if (c.type) {
      EXPECT_EQ(compiled->type().ToString(), *c.type);
    }
    std::vector<RowError> errors;
    Column out = compiled->Evaluate(inputs, rows, &errors);
    ASSERT_EQ(out.size(), rows);
    ASSERT_EQ(out.type(), compiled->type());
    ASSERT_EQ(c.expect.size(), rows) << "one 'expect:' per row";
    for (size_t i = 0; i < rows; ++i) {
      const Expectation& e = c.expect[i];
      SCOPED_TRACE("row " + std::to_string(i) + " (expect at line " + std::to_string(e.line) + ")");
      std::string reasons;
      for (const RowError& r : errors) {
        if (r.row == i) reasons += (reasons.empty() ? "" : "; ") + r.reason;
      }
      switch (e.kind) {
        case Expectation::kValue:
          EXPECT_TRUE(reasons.empty()) << "unexpected error: " << reasons;
          EXPECT_FALSE(out.IsNull(i)) << "got null";
          EXPECT_EQ(out.ValueToString(i), e.text);
          break;
        case Expectation::kNull:
          EXPECT_TRUE(reasons.empty()) << "unexpected error: " << reasons;
          EXPECT_TRUE(out.IsNull(i)) << "got " << out.ValueToString(i);
          break;
        case Expectation::kError:
          EXPECT_NE(reasons.find(e.text), std::string::npos) << "errors: '" << reasons << "'";
          EXPECT_TRUE(out.IsNull(i)) << "a failed row must be null, got " << out.ValueToString(i);
          break;
      }
    }
    for (const RowError& r : errors) EXPECT_LT(r.row, rows);
  }
}

std::vector<std::string> CaseFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::string root = gaggle::testing::SourceRoot() + "/src/transform/testdata/" + dir;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.path().extension() == ".txt") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ExpressionCases, AllExpressionFiles) {
  auto files = CaseFiles("expressions");
  EXPECT_GE(files.size(), 10u);
  for (const std::string& f : files) RunCaseFile(f);
}

TEST(ExpressionCases, AllCastFiles) {
  auto files = CaseFiles("casts");
  EXPECT_GE(files.size(), 8u);
  for (const std::string& f : files) RunCaseFile(f);
}

}  // namespace
}  // namespace gaggle
