#include "transform/column_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transform/cast.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Pair = std::pair<std::string, std::string>;

TransformSpec PolicySpecFromYaml(const std::string& transform_yaml) {
  auto spec = ParseMigrationSpec("name: t\nversion: 2\ntransform:\n" + transform_yaml, "fleet.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? spec->transform : TransformSpec{};
}

Schema SchemaOf(const std::string& text) {
  auto s = ParseSchemaText(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema{};
}

RecordBatch Batch(const Schema& schema, const std::vector<std::string>& row) {
  RecordBatch b;
  b.schema = std::make_shared<const Schema>(schema);
  for (size_t c = 0; c < schema.num_fields(); ++c) {
    Column text(DataType::String());
    text.AppendString(row[c]);
    std::vector<RowError> errors;
    auto col = CastColumn(text, schema.field(c).type, &errors);
    EXPECT_TRUE(col.ok() && errors.empty());
    b.columns.push_back(std::move(col).value());
  }
  return b;
}

const char* kFleetSkip = R"yaml(  missing_columns: skip
  rename: {user_id: account_id, ts: event_time}
  cast: {account_id: string}
  drop: [legacy_flag]
)yaml";

TEST(ColumnPolicy, SkipLeavesOutTheEntriesADatasetLacks) {
  const TransformSpec spec = PolicySpecFromYaml(kFleetSkip);
  // Has everything: every entry applies.
  DatasetColumnPlan all = PlanDatasetColumns(spec, SchemaOf("user_id: int64, ts: string, legacy_flag: bool"));
  EXPECT_THAT(all.renames, ElementsAre(Pair("user_id", "account_id"), Pair("ts", "event_time")));
  EXPECT_TRUE(all.missing.empty());
  EXPECT_EQ(all.spec.cast.size(), 1u);
  EXPECT_EQ(all.spec.drop.size(), 1u);
  // Lacks user_id (so account_id too) and legacy_flag: only the ts rename applies.
  DatasetColumnPlan some = PlanDatasetColumns(spec, SchemaOf("order_id: int64, ts: string"));
  EXPECT_THAT(some.renames, ElementsAre(Pair("ts", "event_time")));
  EXPECT_THAT(some.missing,
              ElementsAre("transform.rename.user_id", "transform.cast.account_id", "transform.drop.legacy_flag"));
  EXPECT_TRUE(some.skipped);
  EXPECT_TRUE(some.spec.cast.empty());
  EXPECT_TRUE(some.spec.drop.empty());
  EXPECT_EQ(some.spec.missing_columns, TransformSpec::MissingColumns::kFail);
}

TEST(ColumnPolicy, CastAppliesToAColumnThatAlreadyHasTheNewName) {
  const TransformSpec spec = PolicySpecFromYaml(kFleetSkip);
  DatasetColumnPlan p = PlanDatasetColumns(spec, SchemaOf("account_id: int64"));
  EXPECT_TRUE(p.renames.empty());
  ASSERT_EQ(p.spec.cast.size(), 1u);
  EXPECT_EQ(p.spec.cast[0].first, "account_id");
}

TEST(ColumnPolicy, FailKeepsEveryEntryAndSaysWhichAreMissing) {
  TransformSpec spec = PolicySpecFromYaml("  rename: {user_id: account_id}\n");
  EXPECT_EQ(spec.missing_columns, TransformSpec::MissingColumns::kFail);
  DatasetColumnPlan p = PlanDatasetColumns(spec, SchemaOf("order_id: int64"));
  EXPECT_FALSE(p.skipped);
  EXPECT_THAT(p.missing, ElementsAre("transform.rename.user_id"));
  EXPECT_EQ(p.spec.rename.size(), 1u);
  auto t = Transformer::Make(spec, SchemaOf("order_id: int64"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_THAT(t.status().message(), HasSubstr("transform.rename.user_id"));
}

TEST(ColumnPolicy, NestedPathsCountThroughStructFields) {
  TransformSpec spec =
      PolicySpecFromYaml("  missing_columns: skip\n  rename: {device.os: platform}\n  drop: [device.model]\n");
  DatasetColumnPlan has = PlanDatasetColumns(spec, SchemaOf("device: struct<os:string,model:string>"));
  EXPECT_TRUE(has.missing.empty());
  DatasetColumnPlan lacks = PlanDatasetColumns(spec, SchemaOf("device: struct<model:string>, id: int64"));
  EXPECT_THAT(lacks.missing, ElementsAre("transform.rename.device.os"));
  EXPECT_EQ(lacks.spec.drop.size(), 1u);
  DatasetColumnPlan none = PlanDatasetColumns(spec, SchemaOf("id: int64"));
  EXPECT_THAT(none.missing, ElementsAre("transform.rename.device.os", "transform.drop.device.model"));
}

// One spec over datasets of two schemas: each is transformed by what applies to it.
TEST(ColumnPolicy, OneSpecTransformsDatasetsOfTwoSchemas) {
  const TransformSpec spec = PolicySpecFromYaml(kFleetSkip);
  const Schema users = SchemaOf("user_id: int64, ts: string, legacy_flag: bool");
  const Schema orders = SchemaOf("order_id: int64, ts: string");
  auto tu = Transformer::Make(spec, users);
  ASSERT_TRUE(tu.ok()) << tu.status().ToString();
  EXPECT_EQ(tu->output_schema()->ToString(), "account_id: string, event_time: string");
  auto to = Transformer::Make(spec, orders);
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  EXPECT_EQ(to->output_schema()->ToString(), "order_id: int64, event_time: string");
  RecordBatch out;
  std::vector<RowError> rejected;
  ASSERT_TRUE(to->Apply(Batch(orders, {"7", "2024-01-01"}), &out, &rejected).ok());
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(out.columns[0].ValueToString(0), "7");
  ASSERT_TRUE(tu->Apply(Batch(users, {"42", "2024-01-02", "true"}), &out, &rejected).ok());
  EXPECT_EQ(out.columns[0].ValueToString(0), "42");
  EXPECT_TRUE(rejected.empty());
}

// Skipping governs rename, cast and drop only: a derive over a missing column still fails.
TEST(ColumnPolicy, SkipDoesNotExcuseExpressions) {
  TransformSpec spec = PolicySpecFromYaml("  missing_columns: skip\n  derive: {x: \"user_id + 1\"}\n");
  auto t = Transformer::Make(spec, SchemaOf("order_id: int64"));
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("user_id"));
}

TEST(ColumnPolicy, SpecSpellingAndHash) {
  auto bad = ParseMigrationSpec("name: t\nversion: 2\ntransform: {missing_columns: ignore}\n", "fleet.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("transform.missing_columns: expected 'fail' or 'skip', got 'ignore'"));
  auto fail = ParseMigrationSpec("name: t\nversion: 2\ntransform: {missing_columns: fail}\n", "a.yaml");
  auto none = ParseMigrationSpec("name: t\nversion: 2\n", "a.yaml");
  auto skip = ParseMigrationSpec("name: t\nversion: 2\ntransform: {missing_columns: skip}\n", "a.yaml");
  ASSERT_TRUE(fail.ok() && none.ok() && skip.ok());
  EXPECT_EQ(fail->hash, none->hash);  // the default does not change old specs' hashes
  EXPECT_NE(skip->hash, none->hash);
  EXPECT_EQ(skip->transform.missing_columns, TransformSpec::MissingColumns::kSkip);
}

}  // namespace
}  // namespace gaggle
