#include "transform/row_keeping.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TransformSpec RowSpecFromYaml(const std::string& transform_yaml) {
  auto spec = ParseMigrationSpec("name: t\nversion: 2\ntransform:\n" + transform_yaml, "keep.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? spec->transform : TransformSpec{};
}

Schema RowSchemaOf(const std::string& text) {
  auto s = ParseSchemaText(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema{};
}

TEST(RowKeeping, CastsThatNeverFail) {
  EXPECT_TRUE(CastNeverFails(DataType::Int32(), DataType::Int64()));
  EXPECT_TRUE(CastNeverFails(DataType::Int64(), DataType::Double()));
  EXPECT_TRUE(CastNeverFails(DataType::Decimal(15, 2), DataType::Double()));
  EXPECT_TRUE(CastNeverFails(DataType::Decimal(10, 2), DataType::Decimal(12, 3)));
  EXPECT_TRUE(CastNeverFails(DataType::Date(), DataType::String()));
  EXPECT_TRUE(CastNeverFails(DataType::LocalTimestamp(), DataType::Timestamp()));
  EXPECT_FALSE(CastNeverFails(DataType::Int64(), DataType::Int32()));                // overflow
  EXPECT_FALSE(CastNeverFails(DataType::String(), DataType::Int64()));               // 'abc'
  EXPECT_FALSE(CastNeverFails(DataType::Double(), DataType::Int64()));               // NaN, 1e300
  EXPECT_FALSE(CastNeverFails(DataType::Decimal(10, 2), DataType::Decimal(10, 3)));  // fewer integer digits
}

struct RowKeepingCase {
  const char* transform;
  bool keeps;
};

TEST(RowKeeping, WhichSpecsKeepEveryRow) {
  const Schema source = RowSchemaOf("id: int32, qty: decimal(15,2), name: string, ts: timestamp_ntz");
  const RowKeepingCase cases[] = {
      {"  rename: {id: key, qty: quantity}\n", true},
      {"  rename: {qty: quantity}\n  cast: {quantity: double, id: int64}\n  drop: [name]\n", true},
      {"  add: {region: {type: string, default: eu}}\n", true},
      {"  cast: {name: int64}\n", false},
      {"  filter: \"id > 0\"\n", false},
      {"  derive: {x: \"id + 1\"}\n", false},
      {"  required: [name]\n", false},
      {"  rename: {qty: quantity}\n  cast: {qty: double}\n", false},  // the old name: in doubt
      {"  missing_columns: skip\n  rename: {user_id: account_id}\n  cast: {account_id: int64}\n", true},
  };
  for (const RowKeepingCase& c : cases) {
    EXPECT_EQ(TransformKeepsEveryRow(RowSpecFromYaml(c.transform), source), c.keeps) << c.transform;
  }
}

}  // namespace
}  // namespace gaggle
