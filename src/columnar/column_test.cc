#include "columnar/column.h"

#include <gtest/gtest.h>

#include "columnar/record_batch.h"
#include "columnar/value_format.h"

namespace gaggle {
namespace {

TEST(Column, ValidityIsMaterializedOnlyWhenNeeded) {
  Column c(DataType::Int64());
  c.Append<int64_t>(1);
  c.Append<int64_t>(2);
  EXPECT_FALSE(c.may_have_nulls());
  c.AppendNull();
  c.Append<int64_t>(4);
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_TRUE(c.IsNull(2));
  EXPECT_EQ(c.Get<int64_t>(3), 4);
  EXPECT_EQ(c.ValueToString(2), "null");
}

TEST(Column, StringsUseOffsets) {
  Column c(DataType::String());
  c.AppendString("héllo");
  c.AppendString("");
  c.AppendNull();
  EXPECT_EQ(c.GetString(0), "héllo");
  EXPECT_EQ(c.GetString(1), "");
  EXPECT_TRUE(c.IsNull(2));
  Column d(DataType::String());
  d.AppendFrom(c, 0);
  d.AppendFrom(c, 2);
  EXPECT_EQ(d.GetString(0), "héllo");
  EXPECT_TRUE(d.IsNull(1));
}

TEST(Column, WideDecimalsAreStoredIn128Bits) {
  Column c(DataType::Decimal(38, 2));
  EXPECT_EQ(c.type().byte_width(), 16);
  c.Append<Int128>(-Pow10Int128(37));
  c.AppendNull();
  EXPECT_EQ(c.ValueToString(0), "-" + std::string("1") + std::string(35, '0') + ".00");
  EXPECT_EQ(c.ValueToString(1), "null");
  Column d(DataType::Decimal(38, 2));
  d.AppendFrom(c, 0);
  EXPECT_EQ(d.Get<Int128>(0), -Pow10Int128(37));
  EXPECT_EQ(Column(DataType::Decimal(18, 2)).type().byte_width(), 8);
}

TEST(DataType, TimestampsAreInstantsOrNaive) {
  EXPECT_EQ(DataType::Timestamp().ToString(), "timestamp");
  EXPECT_EQ(DataType::LocalTimestamp().ToString(), "timestamp_ntz");
  EXPECT_NE(DataType::Timestamp(), DataType::LocalTimestamp());
  EXPECT_EQ(ParseDataType("timestamp_ntz"), DataType::LocalTimestamp());
  EXPECT_EQ(ParseDataType("local_timestamp"), DataType::LocalTimestamp());
  EXPECT_EQ(ParseDataType("timestamptz"), DataType::Timestamp());
  EXPECT_EQ(ParseDataType("decimal(38,10)"), DataType::Decimal(38, 10));
  EXPECT_FALSE(ParseDataType("decimal(39,10)").has_value());
  // The flag only matters for timestamps.
  DataType a = DataType::Int64();
  DataType b = a;
  b.utc = false;
  EXPECT_EQ(a, b);
  Column ts(DataType::LocalTimestamp());
  ts.Append<int64_t>(86400000000LL + 1);
  EXPECT_EQ(ts.ValueToString(0), "1970-01-02T00:00:00.000001");
}

TEST(RecordBatch, ValidateCatchesLengthAndNullability) {
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"a", DataType::Int32(), false}, {"b", DataType::String()}});
  RecordBatch b = RecordBatch::Empty(schema);
  b.columns[0].Append<int32_t>(1);
  EXPECT_FALSE(b.Validate().ok());
  b.columns[1].AppendNull();
  EXPECT_TRUE(b.Validate().ok());
  b.columns[0].AppendNull();
  b.columns[1].AppendString("x");
  EXPECT_FALSE(b.Validate().ok());
}

TEST(Schema, ParsesText) {
  auto s = ParseSchemaText("id:int64 not null, price: decimal(10,2), name:string");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->num_fields(), 3u);
  EXPECT_FALSE(s->field(0).nullable);
  EXPECT_EQ(s->field(1).type, DataType::Decimal(10, 2));
  EXPECT_EQ(s->field(2).name, "name");
  EXPECT_FALSE(ParseSchemaText("id:int64, id:string").ok());
  EXPECT_FALSE(ParseSchemaText("id:varchar2").ok());
}

}  // namespace
}  // namespace gaggle
