// The legacy and the new in Parquet files other writers make: INT96 timestamps, FLOAT16,
// decimals up to 38 digits (and wider ones as text), naive timestamps, LZ4 (Hadoop-framed and
// raw), LZ4_RAW and BROTLI, logical types gaggle has no counterpart for, page CRCs, and the
// layouts real writers produce that once looked corrupt (concatenated gzip members, an empty
// v2 data page, a zero-row row group) — on hand-made files (parquet_reader_test_util.h).
#include <gtest/gtest.h>
#include <lz4.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "columnar/value_format.h"
#include "common/source_dir_test_util.h"
#include "formats/parquet/parquet_bytes_file.h"
#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_reader_test_util.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/parquet/plain_encoder.h"

namespace gaggle {
namespace {

using namespace gaggle::parquet;  // NOLINT: test brevity
using LegacyRows = std::vector<std::vector<std::string>>;

Result<LegacyRows> ReadBytes(const std::string& bytes, const std::string& path = "t.parquet",
                             std::shared_ptr<const Schema>* schema = nullptr) {
  ReadOptions options;
  options.batch_rows = 3;
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenParquetReader(std::make_unique<ParquetBytesFile>(bytes, path), options));
  if (schema != nullptr) *schema = reader->schema();
  LegacyRows rows;
  RecordBatch batch;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    GAGGLE_RETURN_IF_ERROR(batch.Validate());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      auto& row = rows.emplace_back();
      for (const Column& c : batch.columns) row.push_back(c.ValueToString(r));
    }
  }
  return rows;
}

SchemaElement WithLogical(SchemaElement e, LogicalType t) {
  e.logical_type = t;
  return e;
}

std::string Int96(int64_t nanos_of_day, int32_t julian_day) {
  std::string out(12, '\0');
  std::memcpy(out.data(), &nanos_of_day, 8);
  std::memcpy(out.data() + 8, &julian_day, 4);
  return out;
}

TEST(ParquetLegacy, Int96TimestampsReadAsNaiveTimestamps) {
  // 2440588 is 1970-01-01; Spark writes nanoseconds of the day and the Julian day.
  std::vector<SchemaElement> leaves = {Leaf("ts", PhysicalType::kInt96, Repetition::kOptional)};
  std::string values = Int96(1000, 2440588) + Int96(86399999999999, 2440587) + Int96(3723000000000, 2459946);
  TestChunk c{DataPageV1(4, Encoding::kPlain, V1Levels({1, 0, 1, 1}) + values), 0, 4};
  std::shared_ptr<const Schema> schema;
  auto rows = ReadBytes(BuildParquetFile(leaves, {{c}}), "int96.parquet", &schema);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(schema->field(0).type, DataType::LocalTimestamp());
  EXPECT_EQ(
      *rows,
      (LegacyRows{{"1970-01-01T00:00:00.000001"}, {"null"}, {"1969-12-31T23:59:59.999999"}, {"2023-01-01T01:02:03"}}));
  // Dictionary-encoded INT96 (as alltypes_dictionary.parquet has it).
  std::string dict = DictionaryPage(2, Int96(0, 2451545) + Int96(43200000000000, 2451545));
  TestChunk d{dict + DataPageV1(3, Encoding::kRleDictionary, std::string(1, '\1') + Hybrid({1, 0, 1}, 1)), dict.size(),
              3};
  std::vector<SchemaElement> required = {Leaf("ts", PhysicalType::kInt96, Repetition::kRequired)};
  rows = ReadBytes(BuildParquetFile(required, {{d}}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (LegacyRows{{"2000-01-01T12:00:00"}, {"2000-01-01T00:00:00"}, {"2000-01-01T12:00:00"}}));
  int64_t us = 0;
  EXPECT_FALSE(Int96ToMicros(Int96(0, INT32_MAX), &us));  // out of the microsecond range
}

TEST(ParquetLegacy, Float16ReadsAsFloatExactly) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));  // the smallest subnormal
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  SchemaElement e = Leaf("h", PhysicalType::kFixedLenByteArray, Repetition::kRequired);
  e.type_length = 2;
  LogicalType f16;
  f16.kind = LogicalType::Kind::kFloat16;
  std::vector<SchemaElement> leaves = {WithLogical(e, f16)};
  const uint16_t halves[] = {0x3C00, 0x3555, 0xFC00, 0x7E00};
  std::string values(reinterpret_cast<const char*>(halves), sizeof(halves));
  TestChunk c{DataPageV1(4, Encoding::kPlain, values), 0, 4};
  std::shared_ptr<const Schema> schema;
  auto rows = ReadBytes(BuildParquetFile(leaves, {{c}}), "f16.parquet", &schema);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(schema->field(0).type, DataType::Float());
  EXPECT_EQ(*rows, (LegacyRows{{"1"}, {"0.33325195"}, {"-inf"}, {"nan"}}));
  // FLOAT16 must be 2 bytes wide.
  leaves[0].type_length = 3;
  auto bad = ReadBytes(BuildParquetFile(leaves, {{c}}));
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
}

TEST(ParquetLegacy, DecimalsUpTo38DigitsAndWiderAsText) {
  SchemaElement d38 = Leaf("d38", PhysicalType::kFixedLenByteArray, Repetition::kOptional, ConvertedType::kDecimal);
  d38.type_length = 16;
  d38.precision = 38;
  d38.scale = 4;
  SchemaElement d20 = Leaf("d20", PhysicalType::kByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  d20.precision = 20;
  d20.scale = 0;
  SchemaElement d40 = Leaf("d40", PhysicalType::kFixedLenByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  d40.type_length = 17;
  d40.precision = 40;
  d40.scale = 2;
  SchemaElement i64 = Leaf("i64", PhysicalType::kInt64, Repetition::kRequired, ConvertedType::kDecimal);
  i64.precision = 25;  // declared wider than INT64 can hold: widened to 128 bits
  i64.scale = 1;
  BigEndianDecimal128 big(Pow10Int128(38) - 1), neg(-Pow10Int128(20));
  std::string v38(reinterpret_cast<const char*>(big.bytes), 16);
  std::string n38(reinterpret_cast<const char*>(neg.bytes), 16);
  std::string v40 = std::string(1, '\x7f') + std::string(16, '\xff');  // 2^135 - 1: 41 digits, too wide
  std::string v40ok = std::string(16, '\0') + std::string(1, '\x05');
  std::vector<SchemaElement> leaves = {d38, d20, d40, i64};
  std::vector<TestChunk> chunks = {
      {DataPageV1(3, Encoding::kPlain, V1Levels({1, 0, 1}) + v38 + n38), 0, 3},
      {DataPageV1(3, Encoding::kPlain,
                  PlainByteArrays({std::string("\x00\x8a\xc7\x23\x04\x89\xe8\x00\x00", 9), std::string("\xff", 1),
                                   std::string("\x00", 1)})),
       0, 3},
      {DataPageV1(3, Encoding::kPlain, v40ok + v40ok + v40ok), 0, 3},
      {DataPageV1(3, Encoding::kPlain, PlainFixed<int64_t>({-12345, 0, INT64_MAX})), 0, 3}};
  std::shared_ptr<const Schema> schema;
  auto rows = ReadBytes(BuildParquetFile(leaves, {chunks}), "dec.parquet", &schema);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(schema->ToString(),
            "d38: decimal(38,4), d20: decimal(20,0) not null, d40: string not null, "
            "i64: decimal(25,1) not null");
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"9999999999999999999999999999999999.9999", "10000000000000000000",
                                                  "0.05", "-1234.5"}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"null", "-1", "0.05", "0.0"}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"-10000000000000000.0000", "0", "0.05", "922337203685477580.7"}));
  // A value past its precision is an error naming the row.
  chunks[2] = {DataPageV1(3, Encoding::kPlain, v40ok + v40 + v40ok), 0, 3};
  auto bad = ReadBytes(BuildParquetFile(leaves, {chunks}), "dec.parquet");
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("row 1"), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("column 'd40'"), std::string::npos) << bad.status().ToString();
}

TEST(ParquetLegacy, NaiveTimestampsStayNaive) {
  LogicalType naive;
  naive.kind = LogicalType::Kind::kTimestamp;
  naive.unit = TimeUnit::kMillis;
  naive.is_adjusted_to_utc = false;
  LogicalType utc = naive;
  utc.is_adjusted_to_utc = true;
  utc.unit = TimeUnit::kNanos;
  std::vector<SchemaElement> leaves = {WithLogical(Leaf("local", PhysicalType::kInt64, Repetition::kRequired), naive),
                                       WithLogical(Leaf("instant", PhysicalType::kInt64, Repetition::kRequired), utc)};
  std::vector<TestChunk> chunks = {{DataPageV1(1, Encoding::kPlain, PlainFixed<int64_t>({1500})), 0, 1},
                                   {DataPageV1(1, Encoding::kPlain, PlainFixed<int64_t>({-1})), 0, 1}};
  std::shared_ptr<const Schema> schema;
  auto rows = ReadBytes(BuildParquetFile(leaves, {chunks}), "ts.parquet", &schema);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(schema->ToString(), "local: timestamp_ntz not null, instant: timestamp not null");
  EXPECT_EQ(*rows, (LegacyRows{{"1970-01-01T00:00:01.500000", "1969-12-31T23:59:59.999999Z"}}));
}

TEST(ParquetLegacy, UnknownAndGeospatialLogicalTypesReadAsTheirPhysicalType) {
  LogicalType unknown;
  unknown.kind = LogicalType::Kind::kOther;
  unknown.other_id = 17;  // GEOMETRY
  LogicalType future = unknown;
  future.other_id = 2555;
  LogicalType time;
  time.kind = LogicalType::Kind::kTime;
  time.unit = TimeUnit::kMillis;
  std::vector<SchemaElement> leaves = {
      WithLogical(Leaf("geometry", PhysicalType::kByteArray, Repetition::kRequired), unknown),
      WithLogical(Leaf("future", PhysicalType::kInt32, Repetition::kRequired), future),
      WithLogical(Leaf("t", PhysicalType::kInt32, Repetition::kRequired), time)};
  std::vector<TestChunk> chunks = {
      {DataPageV1(1, Encoding::kPlain, PlainByteArrays({std::string("\x01\x01\x00", 3)})), 0, 1},
      {DataPageV1(1, Encoding::kPlain, PlainFixed<int32_t>({7})), 0, 1},
      {DataPageV1(1, Encoding::kPlain, PlainFixed<int32_t>({3600000})), 0, 1}};
  std::shared_ptr<const Schema> schema;
  // The file's bytes must survive the parse: serialize an unknown member by hand.
  auto rows = ReadBytes(BuildParquetFile(leaves, {chunks}), "geo.parquet", &schema);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(schema->ToString(), "geometry: binary not null, future: int32 not null, t: int32 not null");
  EXPECT_EQ(*rows, (LegacyRows{{"010100", "7", "3600000"}}));
}

std::string HadoopLz4(const std::vector<std::string>& blocks) {
  std::string out;
  for (const std::string& b : blocks) {
    std::string c(static_cast<size_t>(LZ4_compressBound(static_cast<int>(b.size()))), '\0');
    int n = LZ4_compress_default(b.data(), c.data(), static_cast<int>(b.size()), static_cast<int>(c.size()));
    c.resize(static_cast<size_t>(n));
    auto be = [&](uint32_t v) {
      for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(v >> s));
    };
    be(static_cast<uint32_t>(b.size()));
    be(static_cast<uint32_t>(c.size()));
    out += c;
  }
  return out;
}

// A v1 data page whose body is stored as `stored` (compressed) for `raw` uncompressed bytes.
std::string CompressedPageV1(int32_t num_values, const std::string& raw, const std::string& stored) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = static_cast<int32_t>(raw.size());
  h.compressed_page_size = static_cast<int32_t>(stored.size());
  h.data_page_header.emplace();
  h.data_page_header->num_values = num_values;
  h.data_page_header->encoding = Encoding::kPlain;
  return Serialize(h) + stored;
}

TEST(ParquetLegacy, Lz4HadoopLz4RawAndBrotliPages) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt64, Repetition::kRequired)};
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 500; ++i) values.push_back(i % 7 * 1000);
  std::string raw = PlainFixed<int64_t>(values);
  struct Case {
    CompressionCodec codec;
    std::string stored;
  };
  std::string lz4_raw, brotli;
  ASSERT_TRUE(Compress(Compression::kLz4Raw, 0, raw, &lz4_raw).ok());
  ASSERT_TRUE(Compress(Compression::kBrotli, 0, raw, &brotli).ok());
  std::vector<Case> cases = {
      {CompressionCodec::kLz4, HadoopLz4({raw.substr(0, 1000), raw.substr(1000)})},  // two Hadoop frames
      {CompressionCodec::kLz4, lz4_raw},                                             // LZ4 without the framing
      {CompressionCodec::kLz4Raw, lz4_raw},
      {CompressionCodec::kBrotli, brotli}};
  for (const Case& c : cases) {
    TestChunk chunk{CompressedPageV1(500, raw, c.stored), 0, 500, c.codec};
    auto rows = ReadBytes(BuildParquetFile(leaves, {{chunk}}));
    ASSERT_TRUE(rows.ok()) << CodecName(c.codec) << ": " << rows.status().ToString();
    ASSERT_EQ(rows->size(), 500u);
    EXPECT_EQ((*rows)[499][0], std::to_string(499 % 7 * 1000));
    // Damaged bytes are Corruption naming the page.
    std::string damaged = c.stored;
    damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x5A);
    damaged.resize(damaged.size() - 3);
    TestChunk bad{CompressedPageV1(500, raw, damaged), 0, 500, c.codec};
    auto st = ReadBytes(BuildParquetFile(leaves, {{bad}}), "bad.parquet").status();
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << CodecName(c.codec) << ": " << st.ToString();
    EXPECT_NE(st.message().find("column 'v'"), std::string::npos) << st.ToString();
  }
  TestChunk lzo{CompressedPageV1(500, raw, raw), 0, 500, CompressionCodec::kLzo};
  auto st = ReadBytes(BuildParquetFile(leaves, {{lzo}})).status();
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_NE(st.message().find("codec LZO"), std::string::npos) << st.ToString();
}

TEST(ParquetLegacy, ConcatenatedGzipMembersAreOneStream) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  std::string raw = PlainFixed<int32_t>({1, 2, 3, 4, 5, 6});
  std::string first, second;
  ASSERT_TRUE(Compress(Compression::kGzip, 0, raw.substr(0, 8), &first).ok());
  ASSERT_TRUE(Compress(Compression::kGzip, 0, raw.substr(8), &second).ok());
  TestChunk c{CompressedPageV1(6, raw, first + second), 0, 6, CompressionCodec::kGzip};
  auto rows = ReadBytes(BuildParquetFile(leaves, {{c}}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (LegacyRows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}}));
}

TEST(ParquetLegacy, EmptyV2DataPageOfNullsIsNotDecompressed) {
  std::vector<SchemaElement> leaves = {Leaf("f", PhysicalType::kFloat, Repetition::kOptional)};
  // One null: the levels say 0 and there are no values; the values section is 0 bytes even
  // though the page is marked compressed (snappy would refuse 0 bytes).
  std::string page = DataPageV2(1, 1, Encoding::kPlain, Hybrid({0}, 1), "", Compression::kSnappy, true);
  TestChunk c{page, 0, 1, CompressionCodec::kSnappy};
  auto rows = ReadBytes(BuildParquetFile(leaves, {{c}}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (LegacyRows{{"null"}}));
}

// The file with its footer changed by `patch`.
template <typename F>
std::string PatchFooter(const std::string& file, F patch) {
  FileMetaData meta;
  uint32_t len = 0;
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  const size_t start = file.size() - 8 - len;
  EXPECT_TRUE(Parse(std::string_view(file).substr(start, len), &meta).ok());
  patch(&meta);
  std::string footer = Serialize(meta);
  len = static_cast<uint32_t>(footer.size());
  return file.substr(0, start) + footer + std::string(reinterpret_cast<const char*>(&len), 4) + "PAR1";
}

TEST(ParquetLegacy, ZeroRowRowGroupsAreNotCheckedForPageRanges) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  // Point the empty chunk's pages at byte 0, as some writers do (column_chunk_key_value_metadata).
  std::string patched = PatchFooter(BuildParquetFile(leaves, {{TestChunk{"", 0, 0}}}), [](FileMetaData* m) {
    m->row_groups[0].columns[0].meta_data->data_page_offset = 0;
    m->row_groups[0].columns[0].meta_data->total_compressed_size = 14;
  });
  auto rows = ReadBytes(patched);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());
}

TEST(ParquetLegacy, OldParquetCppV2PagesAreCompressedWhateverTheyClaim) {
  // parquet-cpp before Arrow 3.0 set is_compressed = false on compressed v2 pages (ARROW-17100).
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  std::string raw = PlainFixed<int32_t>({7, 8, 9});
  std::string snappy;
  ASSERT_TRUE(Compress(Compression::kSnappy, 0, raw, &snappy).ok());
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.uncompressed_page_size = static_cast<int32_t>(raw.size());
  h.compressed_page_size = static_cast<int32_t>(snappy.size());
  DataPageHeaderV2& v2 = h.data_page_header_v2.emplace();
  v2.num_values = v2.num_rows = 3;
  v2.is_compressed = false;
  TestChunk c{Serialize(h) + snappy, 0, 3, CompressionCodec::kSnappy};
  std::string file = BuildParquetFile(leaves, {{c}});
  auto written_by = [&](const std::string& created_by) {
    return PatchFooter(file, [&](FileMetaData* m) { m->created_by = created_by; });
  };
  auto rows = ReadBytes(written_by("parquet-cpp version 1.5.1-SNAPSHOT"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (LegacyRows{{"7"}, {"8"}, {"9"}}));
  // Any other writer is taken at its word: the page does not hold what it says.
  for (const char* other : {"parquet-cpp-arrow version 3.0.0", "parquet-cpp version 12.0.0", "gaggle 0.1.0"}) {
    EXPECT_EQ(ReadBytes(written_by(other)).status().code(), StatusCode::kCorruption) << other;
  }
}

// A page with its CRC-32 in the header; `damage` flips a byte of the body after the CRC is taken.
std::string PageWithCrc(const std::string& body, int32_t num_values, bool damage) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(body.size());
  h.crc = static_cast<int32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  h.data_page_header.emplace();
  h.data_page_header->num_values = num_values;
  std::string stored = body;
  if (damage) stored[stored.size() - 1] = static_cast<char>(stored[stored.size() - 1] ^ 1);
  return Serialize(h) + stored;
}

TEST(ParquetLegacy, PageCrcsAreVerified) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  std::string body = PlainFixed<int32_t>({10, 20, 30});
  TestChunk good{PageWithCrc(body, 3, false), 0, 3};
  auto rows = ReadBytes(BuildParquetFile(leaves, {{good}}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (LegacyRows{{"10"}, {"20"}, {"30"}}));
  TestChunk bad{PageWithCrc(body, 3, true), 0, 3};
  auto st = ReadBytes(BuildParquetFile(leaves, {{bad}}), "crc.parquet").status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  for (const char* part : {"crc.parquet", "column 'v'", "byte offset 4", "CRC-32"}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " in " << st.ToString();
  }
}

TEST(ParquetLegacy, EncryptedFilesAreRefusedClearly) {
  // Encrypted footer: PARE at both ends.
  std::string pare = "PARE" + std::string(40, '\x11') + "PARE";
  auto st = ReadBytes(pare, "secret.parquet").status();
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_NE(st.message().find("encrypted Parquet is not supported"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("secret.parquet"), std::string::npos) << st.ToString();
}

TEST(ParquetLegacy, WideDecimalsAndNaiveTimestampsRoundTripThroughOurWriter) {
  auto schema = std::make_shared<Schema>();
  schema->AddField({"d", DataType::Decimal(38, 6), true});
  schema->AddField({"local", DataType::LocalTimestamp(), false});
  schema->AddField({"instant", DataType::Timestamp(), false});
  RecordBatch batch = RecordBatch::Empty(schema);
  const Int128 values[] = {Pow10Int128(38) - 1, -(Pow10Int128(38) - 1), 0, -5, Pow10Int128(20)};
  for (size_t i = 0; i < 5; ++i) {
    if (i == 2) {
      batch.columns[0].AppendNull();
    } else {
      batch.columns[0].Append<Int128>(values[i]);
    }
    batch.columns[1].Append<int64_t>(static_cast<int64_t>(i) * 1000001);
    batch.columns[2].Append<int64_t>(static_cast<int64_t>(i) * 1000001);
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("gaggle-legacy-" + std::to_string(::getpid()) + ".parquet")).string();
  for (bool dictionary : {true, false}) {
    WriteOptions options;
    options.dictionary = dictionary;
    options.compression = dictionary ? Compression::kBrotli : Compression::kLz4Raw;
    auto writer = OpenParquetWriter(FileSystem::Default(), path, schema, options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Write(batch).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::shared_ptr<const Schema> back;
    auto rows = ReadBytes(bytes, path, &back);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(back->ToString(), "d: decimal(38,6), local: timestamp_ntz not null, instant: timestamp not null");
    ASSERT_EQ(rows->size(), 5u);
    EXPECT_EQ((*rows)[0][0], "99999999999999999999999999999999.999999");
    EXPECT_EQ((*rows)[1][0], "-99999999999999999999999999999999.999999");
    EXPECT_EQ((*rows)[2][0], "null");
    EXPECT_EQ((*rows)[3][0], "-0.000005");
    EXPECT_EQ((*rows)[4][1], "1970-01-01T00:00:04.000004");
    EXPECT_EQ((*rows)[4][2], "1970-01-01T00:00:04.000004Z");
    auto summary = InspectParquet(FileSystem::Default(), path);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->row_groups[0].columns[0].physical_type, "FIXED_LEN_BYTE_ARRAY");
    EXPECT_EQ(summary->row_groups[0].columns[0].min, "-99999999999999999999999999999999.999999");
    EXPECT_EQ(summary->row_groups[0].columns[0].max, "99999999999999999999999999999999.999999");
  }
  std::filesystem::remove(path);
}

// Writes the legacy seeds of the Parquet reader's fuzz target (fuzz/corpus/parquet_reader_fuzz/
// legacy_*.parquet): tiny hand-made files with INT96, FLOAT16, wide decimals, naive timestamps,
// the LZ4 / LZ4_RAW / BROTLI codecs, a page CRC and an old parquet-cpp v2 page. Run on purpose:
//   gaggle_unit_tests --gtest_also_run_disabled_tests --gtest_filter='*WriteLegacyFuzzSeeds*'
std::vector<std::pair<std::string, std::string>> LegacyFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  auto put = [&](const std::string& name, const std::string& bytes) { files.emplace_back(name, bytes); };
  // INT96, plain and dictionary-encoded, nullable.
  std::string dict = DictionaryPage(2, Int96(0, 2451545) + Int96(43200000000000, 2451545));
  put("legacy_int96.parquet",
      BuildParquetFile(
          {Leaf("ts", PhysicalType::kInt96, Repetition::kOptional)},
          {{TestChunk{dict + DataPageV1(3, Encoding::kRleDictionary,
                                        V1Levels({1, 0, 1}) + std::string(1, '\1') + Hybrid({1, 0}, 1)),
                      dict.size(), 3}},
           {TestChunk{DataPageV1(2, Encoding::kPlain, V1Levels({1, 1}) + Int96(5, 2440588) + Int96(7, 1)), 0, 2}}}));
  // FLOAT16 and a wide decimal (FIXED_LEN_BYTE_ARRAY 16) and a decimal over 38 digits, LZ4 Hadoop-framed.
  SchemaElement h = Leaf("h", PhysicalType::kFixedLenByteArray, Repetition::kRequired);
  h.type_length = 2;
  LogicalType f16;
  f16.kind = LogicalType::Kind::kFloat16;
  SchemaElement d = Leaf("d", PhysicalType::kFixedLenByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  d.type_length = 16;
  d.precision = 38;
  d.scale = 2;
  SchemaElement t = Leaf("t", PhysicalType::kByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  t.precision = 60;
  t.scale = 5;
  const uint16_t halves[] = {0x3C00, 0x7E00};
  std::string hv(reinterpret_cast<const char*>(halves), sizeof(halves));
  BigEndianDecimal128 a(-Pow10Int128(37)), b(12345);
  std::string dv =
      std::string(reinterpret_cast<const char*>(a.bytes), 16) + std::string(reinterpret_cast<const char*>(b.bytes), 16);
  std::string tv = PlainByteArrays({std::string(20, '\x7f'), std::string("\x80", 1)});
  put("legacy_f16_decimals_lz4.parquet",
      BuildParquetFile({WithLogical(h, f16), d, t},
                       {{TestChunk{CompressedPageV1(2, hv, HadoopLz4({hv})), 0, 2, CompressionCodec::kLz4},
                         TestChunk{CompressedPageV1(2, dv, HadoopLz4({dv.substr(0, 16), dv.substr(16)})), 0, 2,
                                   CompressionCodec::kLz4},
                         TestChunk{DataPageV1(2, Encoding::kPlain, tv), 0, 2}}}));
  // LZ4_RAW and BROTLI pages, a naive timestamp, a CRC.
  LogicalType naive;
  naive.kind = LogicalType::Kind::kTimestamp;
  naive.unit = TimeUnit::kMillis;
  std::string raw = PlainFixed<int64_t>({1, 2, 3, 1000, 1000, 1000});
  std::string lz4, brotli;
  EXPECT_TRUE(Compress(Compression::kLz4Raw, 0, raw, &lz4).ok());
  EXPECT_TRUE(Compress(Compression::kBrotli, 0, raw, &brotli).ok());
  put("legacy_lz4raw_brotli_crc.parquet",
      BuildParquetFile({WithLogical(Leaf("a", PhysicalType::kInt64, Repetition::kRequired), naive),
                        Leaf("b", PhysicalType::kInt64, Repetition::kRequired),
                        Leaf("c", PhysicalType::kInt32, Repetition::kRequired)},
                       {{TestChunk{CompressedPageV1(6, raw, lz4), 0, 6, CompressionCodec::kLz4Raw},
                         TestChunk{CompressedPageV1(6, raw, brotli), 0, 6, CompressionCodec::kBrotli},
                         TestChunk{PageWithCrc(PlainFixed<int32_t>({1, 2, 3, 4, 5, 6}), 6, false), 0, 6}}}));
  return files;
}

TEST(ParquetLegacy, DISABLED_WriteLegacyFuzzSeeds) {
  const std::string dir = gaggle::testing::SourceRoot() + "/fuzz/corpus/parquet_reader_fuzz/";
  for (const auto& [name, bytes] : LegacyFiles()) {
    ASSERT_TRUE(ReadBytes(bytes, name).ok()) << name << ": " << ReadBytes(bytes, name).status().ToString();
    std::ofstream(dir + name, std::ios::binary) << bytes;
  }
}

TEST(ParquetLegacy, EveryFlippedByteOfTheLegacyFilesFailsCleanlyOrReads) {
  // Under ASan this proves the new paths (INT96, FLOAT16, wide and text decimals, LZ4 framing,
  // LZ4_RAW, BROTLI, CRCs) never read out of bounds, whatever single byte is damaged.
  for (const auto& [name, good] : LegacyFiles()) {
    ASSERT_TRUE(ReadBytes(good, name).ok()) << name << ": " << ReadBytes(good, name).status().ToString();
    size_t failures = 0;
    for (size_t i = 0; i < good.size(); ++i) {
      for (char mask : {'\xFF', '\x01', '\x80'}) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        Status st = ReadBytes(bad, name).status();
        if (st.ok()) continue;
        ++failures;
        EXPECT_TRUE(st.code() == StatusCode::kCorruption || st.code() == StatusCode::kUnsupported)
            << name << " byte " << i << ": " << st.ToString();
        EXPECT_NE(st.message().find(name), std::string::npos) << st.ToString();
      }
    }
    EXPECT_GT(failures, good.size()) << name;
  }
}

}  // namespace
}  // namespace gaggle
