#include "formats/parquet/parquet_schema.h"

#include <gtest/gtest.h>

namespace gaggle::parquet {
namespace {

using K = LogicalType::Kind;

Schema AllTypes() {
  return Schema({{"b", DataType::Bool(), true},
                 {"i", DataType::Int32(), false},
                 {"l", DataType::Int64(), true},
                 {"f", DataType::Float(), true},
                 {"d", DataType::Double(), false},
                 {"s", DataType::String(), true},
                 {"bin", DataType::Binary(), true},
                 {"day", DataType::Date(), true},
                 {"ts", DataType::Timestamp(), true},
                 {"small_dec", DataType::Decimal(9, 2), true},
                 {"big_dec", DataType::Decimal(18, 4), false}});
}

std::vector<SchemaElement> Leaf(SchemaElement leaf) {
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  if (!leaf.repetition_type) leaf.repetition_type = Repetition::kOptional;
  return {root, leaf};
}

SchemaElement Elem(PhysicalType type, std::optional<ConvertedType> converted = std::nullopt,
                   std::optional<LogicalType> logical = std::nullopt) {
  SchemaElement e;
  e.name = "x";
  e.type = type;
  e.converted_type = converted;
  e.logical_type = logical;
  return e;
}

LogicalType Logical(K kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

LogicalType Integer(int width, bool is_signed) {
  LogicalType t = Logical(K::kInteger);
  t.bit_width = static_cast<int8_t>(width);
  t.is_signed = is_signed;
  return t;
}

LogicalType Timestamp(TimeUnit unit, bool utc) {
  LogicalType t = Logical(K::kTimestamp);
  t.unit = unit;
  t.is_adjusted_to_utc = utc;
  return t;
}

LeafColumn ReadOne(const SchemaElement& e) {
  Result<ParquetSchema> r = FromParquetSchema(Leaf(e));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->leaves.at(0) : LeafColumn{};
}

Status ReadError(const SchemaElement& e) {
  Result<ParquetSchema> r = FromParquetSchema(Leaf(e));
  return r.ok() ? Status::OK() : r.status();
}

TEST(ParquetSchema, WriterMapping) {
  Result<std::vector<SchemaElement>> r = ToParquetSchema(AllTypes());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<SchemaElement>& e = *r;
  ASSERT_EQ(e.size(), 12u);
  EXPECT_EQ(e[0].num_children, 11);
  EXPECT_FALSE(e[0].type.has_value());
  EXPECT_EQ(e[1].type, PhysicalType::kBoolean);
  EXPECT_EQ(e[1].repetition_type, Repetition::kOptional);
  EXPECT_EQ(e[2].type, PhysicalType::kInt32);
  EXPECT_EQ(e[2].repetition_type, Repetition::kRequired);
  EXPECT_EQ(e[6].type, PhysicalType::kByteArray);
  EXPECT_EQ(e[6].converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(e[6].logical_type->kind, K::kString);
  EXPECT_FALSE(e[7].logical_type.has_value());
  EXPECT_EQ(e[8].logical_type->kind, K::kDate);
  EXPECT_EQ(e[9].type, PhysicalType::kInt64);
  EXPECT_EQ(e[9].logical_type, Timestamp(TimeUnit::kMicros, true));
  EXPECT_EQ(e[9].converted_type, ConvertedType::kTimestampMicros);
  EXPECT_EQ(e[10].type, PhysicalType::kInt32);
  EXPECT_EQ(e[10].precision, 9);
  EXPECT_EQ(e[10].scale, 2);
  EXPECT_EQ(e[10].converted_type, ConvertedType::kDecimal);
  EXPECT_EQ(e[11].type, PhysicalType::kInt64);
  EXPECT_EQ(e[11].logical_type->precision, 18);
}

TEST(ParquetSchema, WriterRejectsBadDecimals) {
  EXPECT_EQ(ToParquetSchema(Schema({{"d", DataType::Decimal(39, 0), true}})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ToParquetSchema(Schema({{"d", DataType::Decimal(5, 6), true}})).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ParquetSchema, RoundTripsThroughTheReaderMapping) {
  Result<std::vector<SchemaElement>> elements = ToParquetSchema(AllTypes());
  ASSERT_TRUE(elements.ok());
  Result<ParquetSchema> back = FromParquetSchema(*elements);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->schema, AllTypes());
  ASSERT_EQ(back->leaves.size(), 11u);
  EXPECT_EQ(back->leaves[0].max_definition_level, 1);
  EXPECT_EQ(back->leaves[1].max_definition_level, 0);
  EXPECT_EQ(back->leaves[9].conversion, ValueConversion::kInt32ToInt64);
  EXPECT_EQ(back->leaves[10].conversion, ValueConversion::kNone);
  EXPECT_EQ(back->leaves[10].schema_index, 11);
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(back->leaves[i].conversion, ValueConversion::kNone) << i;
}

TEST(ParquetSchema, ReaderAcceptsOtherWritersIntegers) {
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kInt8)).field.type, DataType::Int32());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kInt16)).field.type, DataType::Int32());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kUint8)).field.type, DataType::Int32());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kUint16)).field.type, DataType::Int32());
  LeafColumn u32 = ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kUint32));
  EXPECT_EQ(u32.field.type, DataType::Int64());
  EXPECT_EQ(u32.conversion, ValueConversion::kUint32ToInt64);
  LeafColumn u32l = ReadOne(Elem(PhysicalType::kInt32, std::nullopt, Integer(32, false)));
  EXPECT_EQ(u32l.conversion, ValueConversion::kUint32ToInt64);
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, std::nullopt, Integer(16, true))).field.type, DataType::Int32());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt64, std::nullopt, Integer(64, true))).conversion, ValueConversion::kNone);
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt64, ConvertedType::kUint64)).conversion, ValueConversion::kUint64ToInt64);
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt64, std::nullopt, Integer(64, false))).field.type, DataType::Int64());
}

TEST(ParquetSchema, ReaderScalesTimestamps) {
  LeafColumn millis = ReadOne(Elem(PhysicalType::kInt64, std::nullopt, Timestamp(TimeUnit::kMillis, false)));
  EXPECT_EQ(millis.field.type, DataType::LocalTimestamp());  // isAdjustedToUTC=false stays naive
  EXPECT_EQ(millis.conversion, ValueConversion::kTimestampScale);
  EXPECT_EQ(millis.timestamp_multiplier, 1000);
  EXPECT_EQ(millis.timestamp_divisor, 1);
  LeafColumn nanos = ReadOne(Elem(PhysicalType::kInt64, std::nullopt, Timestamp(TimeUnit::kNanos, true)));
  EXPECT_EQ(nanos.timestamp_multiplier, 1);
  EXPECT_EQ(nanos.timestamp_divisor, 1000);
  LeafColumn micros = ReadOne(Elem(PhysicalType::kInt64, std::nullopt, Timestamp(TimeUnit::kMicros, false)));
  EXPECT_EQ(micros.conversion, ValueConversion::kNone);
  LeafColumn legacy = ReadOne(Elem(PhysicalType::kInt64, ConvertedType::kTimestampMillis));
  EXPECT_EQ(legacy.field.type, DataType::Timestamp());
  EXPECT_EQ(legacy.timestamp_multiplier, 1000);
}

TEST(ParquetSchema, ReaderMapsStringsAndDecimals) {
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kByteArray, ConvertedType::kEnum)).field.type, DataType::String());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kByteArray, std::nullopt, Logical(K::kJson))).field.type, DataType::String());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kByteArray, ConvertedType::kUtf8)).field.type, DataType::String());
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kByteArray)).field.type, DataType::Binary());

  SchemaElement fixed = Elem(PhysicalType::kFixedLenByteArray, ConvertedType::kDecimal);
  fixed.type_length = 8;
  fixed.precision = 18;
  fixed.scale = 3;
  LeafColumn f = ReadOne(fixed);
  EXPECT_EQ(f.field.type, DataType::Decimal(18, 3));
  EXPECT_EQ(f.conversion, ValueConversion::kDecimalBytes);
  EXPECT_EQ(f.type_length, 8);

  LogicalType dec = Logical(K::kDecimal);
  dec.precision = 12;
  dec.scale = 0;
  LeafColumn b = ReadOne(Elem(PhysicalType::kByteArray, std::nullopt, dec));
  EXPECT_EQ(b.field.type, DataType::Decimal(12, 0));
  EXPECT_EQ(b.conversion, ValueConversion::kDecimalBytes);

  SchemaElement raw = Elem(PhysicalType::kFixedLenByteArray);
  raw.type_length = 16;
  EXPECT_EQ(ReadOne(raw).conversion, ValueConversion::kFixedToBinary);
}

TEST(ParquetSchema, ReaderMapsLegacyAndUnknownTypes) {
  LeafColumn int96 = ReadOne(Elem(PhysicalType::kInt96));
  EXPECT_EQ(int96.field.type, DataType::LocalTimestamp());
  EXPECT_EQ(int96.conversion, ValueConversion::kInt96);

  LogicalType wide = Logical(K::kDecimal);
  wide.precision = 38;
  wide.scale = 2;
  SchemaElement wide_fixed = Elem(PhysicalType::kFixedLenByteArray, std::nullopt, wide);
  wide_fixed.type_length = 16;
  EXPECT_EQ(ReadOne(wide_fixed).field.type, DataType::Decimal(38, 2));
  wide.precision = 50;
  LeafColumn text = ReadOne(Elem(PhysicalType::kByteArray, std::nullopt, wide));
  EXPECT_EQ(text.field.type, DataType::String());
  EXPECT_EQ(text.conversion, ValueConversion::kDecimalText);
  EXPECT_EQ(text.decimal_precision, 50);
  EXPECT_EQ(ReadError(Elem(PhysicalType::kInt64, std::nullopt, wide)).code(), StatusCode::kCorruption);

  // Types gaggle has no counterpart for read as their physical type.
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kInt32, ConvertedType::kTimeMillis)).field.type, DataType::Int32());
  SchemaElement uuid = Elem(PhysicalType::kFixedLenByteArray, std::nullopt, Logical(K::kUuid));
  uuid.type_length = 16;
  EXPECT_EQ(ReadOne(uuid).field.type, DataType::Binary());
  LogicalType geometry = Logical(K::kOther);
  geometry.other_id = 17;
  EXPECT_EQ(ReadOne(Elem(PhysicalType::kByteArray, std::nullopt, geometry)).field.type, DataType::Binary());
}

TEST(ParquetSchema, ReaderNamesWhatItCannotRepresent) {
  // root { optional group g { } }: a group without fields has no gaggle type.
  SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  SchemaElement group;
  group.name = "g";
  group.num_children = 0;
  group.repetition_type = Repetition::kOptional;
  Result<ParquetSchema> empty = FromParquetSchema({root, group});
  EXPECT_EQ(empty.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(empty.status().message().find("'g'"), std::string::npos) << empty.status().message();
}

TEST(ParquetSchema, ReaderRejectsMalformedSchemas) {
  EXPECT_EQ(FromParquetSchema({}).status().code(), StatusCode::kCorruption);
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  SchemaElement a = Elem(PhysicalType::kInt32);
  a.repetition_type = Repetition::kRequired;
  EXPECT_EQ(FromParquetSchema({root, a}).status().code(), StatusCode::kCorruption);
  root.num_children = 2;
  EXPECT_EQ(FromParquetSchema({root, a, a}).status().code(), StatusCode::kUnsupported);  // duplicate name
  SchemaElement no_length = Elem(PhysicalType::kFixedLenByteArray);
  EXPECT_EQ(ReadError(no_length).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace gaggle::parquet
