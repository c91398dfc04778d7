#include "formats/parquet/parquet_metadata.h"

#include <gtest/gtest.h>

#include "formats/parquet/thrift_compact.h"

namespace gaggle::parquet {
namespace {

FileMetaData SampleFile() {
  FileMetaData f;
  f.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  f.schema.push_back(root);
  SchemaElement ts;
  ts.name = "ts";
  ts.type = PhysicalType::kInt64;
  ts.repetition_type = Repetition::kOptional;
  ts.converted_type = ConvertedType::kTimestampMicros;
  LogicalType t;
  t.kind = LogicalType::Kind::kTimestamp;
  t.unit = TimeUnit::kNanos;
  t.is_adjusted_to_utc = true;
  ts.logical_type = t;
  f.schema.push_back(ts);
  SchemaElement dec;
  dec.name = "price";
  dec.type = PhysicalType::kFixedLenByteArray;
  dec.type_length = 8;
  dec.repetition_type = Repetition::kRequired;
  dec.converted_type = ConvertedType::kDecimal;
  dec.precision = 18;
  dec.scale = 2;
  LogicalType d;
  d.kind = LogicalType::Kind::kDecimal;
  d.precision = 18;
  d.scale = 2;
  dec.logical_type = d;
  dec.field_id = 42;
  f.schema.push_back(dec);
  SchemaElement small;
  small.name = "small";
  small.type = PhysicalType::kInt32;
  small.repetition_type = Repetition::kOptional;
  LogicalType i;
  i.kind = LogicalType::Kind::kInteger;
  i.bit_width = 8;
  i.is_signed = false;
  small.logical_type = i;
  f.schema.push_back(small);
  f.num_rows = 1234567890123;
  RowGroup g;
  g.num_rows = f.num_rows;
  g.total_byte_size = 999;
  g.file_offset = 4;
  g.total_compressed_size = 500;
  g.ordinal = 0;
  ColumnChunk c;
  c.file_offset = 4;
  ColumnMetaData m;
  m.type = PhysicalType::kInt64;
  m.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  m.path_in_schema = {"ts"};
  m.codec = CompressionCodec::kZstd;
  m.num_values = 10;
  m.total_uncompressed_size = 300;
  m.total_compressed_size = 200;
  m.data_page_offset = 40;
  m.dictionary_page_offset = 4;
  Statistics s;
  s.null_count = 1;
  s.min_value = std::string("\x01\0\0\0\0\0\0\0", 8);
  s.max_value = std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
  s.is_max_value_exact = true;
  m.statistics = s;
  m.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                      {PageType::kDataPage, Encoding::kRleDictionary, 3}};
  m.key_value_metadata = {{"k", std::nullopt}};
  c.meta_data = m;
  g.columns.push_back(c);
  g.columns.push_back(c);
  g.columns.push_back(c);
  f.row_groups.push_back(g);
  f.key_value_metadata = {{"gaggle.spec", "v1"}, {"empty", ""}};
  f.created_by = "gaggle version 0.1.0 (build test)";
  f.column_orders = {{true}, {true}, {true}};
  return f;
}

TEST(ParquetMetadata, FileMetaDataRoundTrips) {
  FileMetaData f = SampleFile();
  std::string bytes = Serialize(f);
  FileMetaData back;
  size_t consumed = 0;
  Status st = Parse(bytes, &back, &consumed);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_EQ(back, f);
}

TEST(ParquetMetadata, PageHeaderRoundTripsAndReportsItsLength) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 1 << 20;
  h.compressed_page_size = 12345;
  h.crc = -5;
  DataPageHeader d;
  d.num_values = 65536;
  d.encoding = Encoding::kRleDictionary;
  Statistics s;
  s.null_count = 0;
  d.statistics = s;
  h.data_page_header = d;
  std::string bytes = Serialize(h);
  bytes += "page payload follows";
  PageHeader back;
  size_t consumed = 0;
  ASSERT_TRUE(Parse(bytes, &back, &consumed).ok());
  EXPECT_EQ(back, h);
  EXPECT_EQ(bytes.substr(consumed), "page payload follows");

  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlain, false};
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.data_page_header_v2 = DataPageHeaderV2{10, 2, 10, Encoding::kPlain, 3, 0, false, std::nullopt};
  for (const PageHeader& p : {dict, v2}) {
    std::string b;
    SerializeTo(p, &b);
    ASSERT_TRUE(Parse(b, &back).ok());
    EXPECT_EQ(back, p);
  }
}

TEST(ParquetMetadata, KnownBytesOfASmallPageHeader) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = 8;
  h.compressed_page_size = 8;
  h.dictionary_page_header = DictionaryPageHeader{2, Encoding::kPlain, std::nullopt};
  // 1:i32 2 -> 15 04; 2:i32 8 -> 15 10; 3:i32 8 -> 15 10; 7:struct (delta 4) -> 4C,
  // { 1:i32 2 -> 15 04; 2:i32 0 -> 15 00; stop } stop
  const unsigned char expected[] = {0x15, 0x04, 0x15, 0x10, 0x15, 0x10, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00, 0x00};
  EXPECT_EQ(Serialize(h), std::string(reinterpret_cast<const char*>(expected), sizeof(expected)));
}

TEST(ParquetMetadata, UnknownFieldsAreSkipped) {
  // A newer writer's FileMetaData: our fields plus unknown ones of several types.
  FileMetaData f = SampleFile();
  std::string known = Serialize(f);
  std::string extra;
  thrift::CompactWriter w(&extra);
  w.BeginStruct();
  w.FieldI32(1, f.version);
  w.FieldListBegin(2, thrift::CType::kStruct, 1);
  w.BeginStruct();
  w.FieldBinary(4, "root");
  w.FieldI32(5, 0);
  w.FieldListBegin(77, thrift::CType::kBinary, 1);  // unknown field inside SchemaElement
  w.ElemBinary("future");
  w.EndStruct();
  w.FieldI64(3, 0);
  w.FieldListBegin(4, thrift::CType::kStruct, 0);
  w.FieldStructBegin(20);  // unknown nested struct
  w.FieldDouble(1, 1.5);
  w.FieldBool(2, true);
  w.EndStruct();
  w.FieldBinary(300, "unknown binary");
  w.EndStruct();
  FileMetaData back;
  Status st = Parse(extra, &back);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(back.schema.size(), 1u);
  EXPECT_EQ(back.schema[0].name, "root");
  EXPECT_EQ(back.schema[0].num_children, 0);
}

TEST(ParquetMetadata, MissingRequiredFieldsAreCorruption) {
  std::string bytes;
  thrift::CompactWriter w(&bytes);
  w.BeginStruct();
  w.FieldI32(1, 1);
  w.FieldI64(3, 5);  // no schema, no row_groups
  w.EndStruct();
  FileMetaData f;
  Status st = Parse(bytes, &f);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("schema"), std::string::npos) << st.message();

  PageHeader h;
  EXPECT_EQ(Parse(std::string(1, '\0'), &h).code(), StatusCode::kCorruption);
}

TEST(ParquetMetadata, UnknownLogicalTypesAndEnumsSurvive) {
  std::string bytes;
  thrift::CompactWriter w(&bytes);
  w.BeginStruct();
  w.FieldI32(1, 99);  // unknown physical type
  w.FieldBinary(4, "geo");
  w.FieldStructBegin(10);
  w.FieldStructBegin(17);  // GEOMETRY { 1: crs }
  w.FieldBinary(1, "OGC:CRS84");
  w.EndStruct();
  w.EndStruct();
  w.EndStruct();
  SchemaElement e;
  ASSERT_TRUE(Parse(bytes, &e).ok());
  EXPECT_EQ(static_cast<int>(*e.type), 99);
  EXPECT_EQ(PhysicalTypeName(*e.type), "UNKNOWN(99)");
  ASSERT_TRUE(e.logical_type.has_value());
  EXPECT_EQ(e.logical_type->kind, LogicalType::Kind::kOther);
  EXPECT_EQ(e.logical_type->other_id, 17);
}

TEST(ParquetMetadata, EveryTruncationFailsWithoutCrashing) {
  std::string bytes = Serialize(SampleFile());
  for (size_t n = 0; n < bytes.size(); ++n) {
    FileMetaData f;
    Status st = Parse(std::string_view(bytes).substr(0, n), &f);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "prefix " << n;
  }
}

TEST(ParquetMetadata, Names) {
  EXPECT_EQ(EncodingName(Encoding::kRleDictionary), "RLE_DICTIONARY");
  EXPECT_EQ(EncodingName(static_cast<Encoding>(1)), "UNKNOWN(1)");
  EXPECT_EQ(CodecName(CompressionCodec::kZstd), "ZSTD");
  EXPECT_EQ(PageTypeName(PageType::kDictionaryPage), "DICTIONARY_PAGE");
  EXPECT_EQ(ConvertedTypeName(ConvertedType::kTimestampMicros), "TIMESTAMP_MICROS");
  EXPECT_EQ(PhysicalTypeName(PhysicalType::kFixedLenByteArray), "FIXED_LEN_BYTE_ARRAY");
}

}  // namespace
}  // namespace gaggle::parquet
