#include "validate/validation_checks.h"

#include <gtest/gtest.h>

#include <string>

namespace gaggle {
namespace {

const ValidationCheck* Find(const ValidationResult& r, const std::string& name, const std::string& column = "") {
  for (const ValidationCheck& c : r.checks) {
    if (c.name == name && c.column == column) return &c;
  }
  return nullptr;
}

ColumnSummary Numeric(const std::string& name, std::vector<double> sample, int64_t rows, int64_t nulls) {
  ColumnSummary s;
  s.name = name;
  s.type = DataType::Double();
  s.rows = rows;
  s.nulls = nulls;
  s.sample = std::move(sample);
  return s;
}

ColumnSummary Category(const std::string& name, std::vector<std::pair<uint64_t, int64_t>> counts, int64_t rows) {
  ColumnSummary s;
  s.name = name;
  s.type = DataType::String();
  s.rows = rows;
  s.categories = std::move(counts);
  s.categories_exact = true;
  return s;
}

// A clean comparison of 1000 rows: old = new + 10 dead-lettered + 0 filtered.
ValidationResult CleanResult() {
  ValidationResult r;
  Schema schema({{"x", DataType::Double()}, {"c", DataType::String()}});
  r.old_side.schema = schema;
  r.new_side.schema = schema;
  r.old_side.rows = 1000;
  r.old_side.rows_compared = 990;
  r.new_side.rows = 990;
  r.new_side.rows_compared = 990;
  r.old_side.checksum = r.new_side.checksum = "00000000000000aa";
  r.rejected = 1;
  r.dead_lettered = 1;
  r.old_side.columns = {Numeric("x", {1, 2, 3, 4}, 990, 0), Category("c", {{1, 500}, {2, 490}}, 990)};
  r.new_side.columns = r.old_side.columns;
  return r;
}

TEST(ValidationChecksTest, DeadLetterMinCountPassesAFewRowsWhateverTheirShare) {
  ValidationResult r = CleanResult();
  r.dead_lettered = 10;  // 1% of 1000, over a 0.5% limit
  r.rejected = 10;
  GatesSpec gates;
  gates.max_dlq_fraction = 0.005;
  EvaluateChecks(gates, 9, &r);
  EXPECT_FALSE(Find(r, "dead_letter_fraction", "")->passed);
  EvaluateChecks(gates, 10, &r);
  EXPECT_TRUE(Find(r, "dead_letter_fraction", "")->passed) << r.ToText();
  EXPECT_NE(Find(r, "dead_letter_fraction", "")->message.find("dead_letter.min_count 10"), std::string::npos);
}

TEST(ValidationChecksTest, CleanResultPassesEveryCheck) {
  ValidationResult r = CleanResult();
  r.dead_lettered = 10;  // row count balances: 990 + 10
  r.rejected = 10;
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(r.passed()) << r.ToText();
  ASSERT_NE(Find(r, "ks", "x"), nullptr);
  EXPECT_EQ(*Find(r, "ks", "x")->observed, 0.0);
  ASSERT_NE(Find(r, "category_tv", "c"), nullptr);
  ASSERT_NE(Find(r, "null_rate_delta", "c"), nullptr);
  EXPECT_TRUE(Find(r, "manifest")->skipped);
  EXPECT_EQ(r.FailureSummary(), "");
}

TEST(ValidationChecksTest, RowCountToleranceIsInclusive) {
  ValidationResult r = CleanResult();  // 1000 vs 990 + 1: 9 rows = 0.9% unaccounted
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  gates.row_count_tolerance = 0.009;
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "row_count");
  EXPECT_TRUE(c->passed) << c->message;
  EXPECT_NEAR(*c->observed, 0.009, 1e-12);
  gates.row_count_tolerance = 0.0089;
  EvaluateChecks(gates, 0, &r);
  c = Find(r, "row_count");
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->message.find("9 rows unaccounted for"), std::string::npos) << c->message;
  EXPECT_EQ(r.FailureSummary(), "row_count");
}

TEST(ValidationChecksTest, EmptyOldSide) {
  ValidationResult r;
  GatesSpec gates;
  EvaluateChecks(gates, 0, &r);
  EXPECT_EQ(*Find(r, "row_count")->observed, 0.0);
  r.new_side.rows = 3;
  EvaluateChecks(gates, 0, &r);
  EXPECT_FALSE(Find(r, "row_count")->passed);
}

TEST(ValidationChecksTest, ChecksumMismatchNamesTheColumn) {
  ValidationResult r = CleanResult();
  r.new_side.checksum = "00000000000000bb";
  r.new_side.columns[1].fingerprint = 77;
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "checksum");
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->message.find("columns whose values differ: c"), std::string::npos) << c->message;
  gates.checksum = false;
  EvaluateChecks(gates, 0, &r);
  c = Find(r, "checksum");
  EXPECT_TRUE(c->passed);
  EXPECT_TRUE(c->skipped);
}

TEST(ValidationChecksTest, SchemaDifferencesAreListed) {
  ValidationResult r = CleanResult();
  r.new_side.schema = Schema({{"x", DataType::Int64()}, {"d", DataType::String()}});
  GatesSpec gates;
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "schema");
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->message.find("column 'x' is int64, target double"), std::string::npos) << c->message;
  EXPECT_NE(c->message.find("missing column 'c'"), std::string::npos) << c->message;
  EXPECT_NE(c->message.find("extra column 'd'"), std::string::npos) << c->message;
  // Same columns, other order.
  r.new_side.schema = Schema({{"c", DataType::String()}, {"x", DataType::Double()}});
  EvaluateChecks(gates, 0, &r);
  EXPECT_FALSE(Find(r, "schema")->passed);
  // Nullability alone is a note, not a failure.
  r.new_side.schema = Schema({{"x", DataType::Double(), false}, {"c", DataType::String()}});
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(Find(r, "schema")->passed);
  EXPECT_NE(Find(r, "schema")->message.find("nullability"), std::string::npos);
}

TEST(ValidationChecksTest, AnUndeclaredChangeOfTimestampSemanticsFails) {
  ValidationResult r = CleanResult();
  // The target keeps the source's naive timestamps; the new files hold instants (the values may
  // be the same numbers: what changed is their meaning).
  r.old_side.schema = Schema({{"x", DataType::Double()}, {"ts", DataType::LocalTimestamp()}});
  r.new_side.schema = Schema({{"x", DataType::Double()}, {"ts", DataType::Timestamp()}});
  GatesSpec gates;
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "schema");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->message.find("column 'ts' is timestamp (an instant, UTC-adjusted), target timestamp_ntz (naive"),
            std::string::npos)
      << c->message;
  EXPECT_NE(c->message.find("declare it with a cast"), std::string::npos) << c->message;
  // The reverse too.
  std::swap(r.old_side.schema, r.new_side.schema);
  EvaluateChecks(gates, 0, &r);
  EXPECT_FALSE(Find(r, "schema")->passed);
  // A cast in the spec makes the target say the same: then nothing is reported.
  r.old_side.schema = r.new_side.schema;
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(Find(r, "schema")->passed) << Find(r, "schema")->message;
}

TEST(ValidationChecksTest, DeadLetterFraction) {
  ValidationResult r = CleanResult();
  r.dead_lettered = 10;
  r.rejected = 10;
  GatesSpec gates;
  gates.max_dlq_fraction = 0.001;  // 10 of 1000 = 1%
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "dead_letter_fraction");
  EXPECT_FALSE(c->passed);
  EXPECT_DOUBLE_EQ(*c->observed, 0.01);
  EXPECT_DOUBLE_EQ(*c->threshold, 0.001);
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(Find(r, "dead_letter_fraction")->passed);
}

TEST(ValidationChecksTest, DriftThresholds) {
  ValidationResult r = CleanResult();
  r.new_side.columns[0] = Numeric("x", {3, 4, 5, 6}, 990, 99);       // KS 0.5, null rate +10%
  r.new_side.columns[1] = Category("c", {{1, 250}, {2, 740}}, 990);  // TV ~ 0.25
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  EXPECT_FALSE(Find(r, "ks", "x")->passed);
  EXPECT_DOUBLE_EQ(*Find(r, "ks", "x")->observed, 0.5);
  EXPECT_FALSE(Find(r, "null_rate_delta", "x")->passed);
  EXPECT_NEAR(*Find(r, "null_rate_delta", "x")->observed, 0.1, 1e-12);
  EXPECT_FALSE(Find(r, "category_tv", "c")->passed);
  EXPECT_EQ(r.FailureSummary(), "null_rate_delta(x), ks(x), category_tv(c)");
  gates.ks_max = 0.5;
  gates.null_rate_delta_max = 0.2;
  gates.category_tv_max = 0.3;
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(r.passed()) << r.ToText();
}

TEST(ValidationChecksTest, InexactCategoriesUseTheHashedHistogram) {
  ValidationResult r = CleanResult();
  r.old_side.columns[1].categories_exact = false;
  r.old_side.columns[1].histogram = {10, 10, 0, 0};
  r.new_side.columns[1].histogram = {10, 10, 0, 0};
  r.new_side.columns[1].categories = {{9, 1}};  // would be TV 1 if used
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  EXPECT_EQ(*Find(r, "category_tv", "c")->observed, 0.0);
  EXPECT_NE(Find(r, "category_tv", "c")->message.find("hashed bins"), std::string::npos);
}

TEST(ValidationChecksTest, ManifestMustAgreeWithTheData) {
  ValidationResult r = CleanResult();
  Manifest m;
  m.counts = {1000, 990, 1, 0};
  m.content_checksum = "00000000000000aa";
  r.manifest = m;
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  EXPECT_TRUE(Find(r, "manifest")->passed) << Find(r, "manifest")->message;
  r.manifest->counts.rows_out = 995;
  r.manifest->content_checksum = "00000000000000cc";
  EvaluateChecks(gates, 0, &r);
  const ValidationCheck* c = Find(r, "manifest");
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->message.find("rows out: manifest 995, found 990"), std::string::npos) << c->message;
  EXPECT_NE(c->message.find("content checksum"), std::string::npos) << c->message;
}

TEST(ValidationChecksTest, JsonCarriesEveryCheck) {
  ValidationResult r = CleanResult();
  r.new_side.checksum = "ff";
  GatesSpec gates;
  gates.max_dlq_fraction = 0.01;
  EvaluateChecks(gates, 0, &r);
  nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["failed_checks"], nlohmann::json::array({"checksum"}));
  EXPECT_EQ(j["checks"].size(), r.checks.size());
  EXPECT_EQ(j["counts"]["old_rows"], 1000);
  EXPECT_EQ(j["new"]["columns"][0]["name"], "x");
  const std::string text = r.ToText();
  EXPECT_NE(text.find("validation FAILED: 1 of"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  checksum"), std::string::npos) << text;
}

}  // namespace
}  // namespace gaggle
