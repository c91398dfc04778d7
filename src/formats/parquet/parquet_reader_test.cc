// Reader tests on hand-made files (parquet_reader_test_util.h): rare encodings and conversions,
// and every kind of damage the reader must report as Corruption/Unsupported naming the file,
// the column, the row group and the offset, never crashing.
#include "formats/parquet/parquet_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "formats/parquet/parquet_bytes_file.h"
#include "formats/parquet/parquet_reader_test_util.h"

namespace gaggle {
namespace {

using namespace gaggle::parquet;  // NOLINT: test brevity

class ParquetReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gaggle-pqr-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& bytes, const std::string& name = "t.parquet") {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Every row as rendered values ("null" for nulls), or the first error.
  static Result<std::vector<std::vector<std::string>>> ReadAll(const std::string& path, size_t batch_rows = 3) {
    ReadOptions options;
    options.batch_rows = batch_rows;
    GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenParquetReader(FileSystem::Default(), path, options));
    return ReadRows(reader.get());
  }

  static Result<std::vector<std::vector<std::string>>> ReadRows(BatchReader* reader) {
    std::vector<std::vector<std::string>> rows;
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

  static Status ReadStatus(const std::string& path) {
    auto rows = ReadAll(path);
    return rows.ok() ? Status::OK() : rows.status();
  }

  std::filesystem::path dir_;
};

using Rows = std::vector<std::vector<std::string>>;

TEST_F(ParquetReaderTest, PlainRequiredAndOptionalColumns) {
  std::vector<SchemaElement> leaves = {
      Leaf("id", PhysicalType::kInt32, Repetition::kRequired),
      Leaf("name", PhysicalType::kByteArray, Repetition::kOptional, ConvertedType::kUtf8)};
  TestChunk ids{DataPageV1(4, Encoding::kPlain, PlainFixed<int32_t>({1, 2, 3, -4})), 0, 4};
  TestChunk names{DataPageV1(4, Encoding::kPlain, V1Levels({1, 0, 1, 1}) + PlainByteArrays({"a", "", "ünï"})), 0, 4};
  auto rows = ReadAll(Write(BuildParquetFile(leaves, {{ids, names}})));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"1", "a"}, {"2", "null"}, {"3", ""}, {"-4", "ünï"}}));
}

TEST_F(ParquetReaderTest, DictionaryPagesAcrossRowGroupsAndPages) {
  std::vector<SchemaElement> leaves = {Leaf("w", PhysicalType::kByteArray, Repetition::kOptional, ConvertedType::kUtf8),
                                       Leaf("n", PhysicalType::kInt64, Repetition::kRequired)};
  std::string dict = DictionaryPage(2, PlainByteArrays({"x", "yy"}));
  std::string idx = std::string(1, '\1') + Hybrid({1, 0, 1}, 1);
  TestChunk w{dict + DataPageV1(4, Encoding::kRleDictionary, V1Levels({1, 1, 0, 1}) + idx) +
                  DataPageV1(1, Encoding::kPlainDictionary, V1Levels({1}) + std::string(1, '\1') + Hybrid({0}, 1)),
              dict.size(), 5};
  std::string ndict = DictionaryPage(3, PlainFixed<int64_t>({10, 20, 30}));
  TestChunk n{ndict + DataPageV1(5, Encoding::kRleDictionary, std::string(1, '\2') + Hybrid({2, 2, 1, 0, 2}, 2)),
              ndict.size(), 5};
  TestChunk w2{DataPageV1(1, Encoding::kPlain, V1Levels({1}) + PlainByteArrays({"z"})), 0, 1};
  TestChunk n2{DataPageV1(1, Encoding::kPlain, PlainFixed<int64_t>({-1})), 0, 1};
  std::string path = Write(BuildParquetFile(leaves, {{w, n}, {w2, n2}}));
  Rows expected{{"yy", "30"}, {"x", "30"}, {"null", "20"}, {"yy", "10"}, {"x", "30"}, {"z", "-1"}};
  for (size_t batch : {1, 2, 4, 100}) {
    auto rows = ReadAll(path, batch);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, expected) << batch;
  }
}

TEST_F(ParquetReaderTest, DictionaryIndexOutOfRangeIsCorruptionNamingWhere) {
  std::vector<SchemaElement> leaves = {Leaf("code", PhysicalType::kInt32, Repetition::kRequired)};
  std::string dict = DictionaryPage(2, PlainFixed<int32_t>({7, 8}));
  TestChunk c{dict + DataPageV1(3, Encoding::kRleDictionary, std::string(1, '\2') + Hybrid({0, 1, 3}, 2)), dict.size(),
              3};
  std::string path = Write(BuildParquetFile(leaves, {{c}}));
  Status st = ReadStatus(path);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  for (const char* part : {"column 'code'", "row group 0", "byte offset", "dictionary index 3", "row 2"}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " in " << st.ToString();
  }
  EXPECT_NE(st.message().find(path), std::string::npos);
}

TEST_F(ParquetReaderTest, DeltaByteStreamSplitAndRleBooleanEncodings) {
  std::vector<SchemaElement> leaves = {
      Leaf("s", PhysicalType::kByteArray, Repetition::kOptional, ConvertedType::kUtf8),
      Leaf("f", PhysicalType::kFloat, Repetition::kRequired), Leaf("i", PhysicalType::kInt64, Repetition::kRequired),
      Leaf("b", PhysicalType::kBoolean, Repetition::kRequired),
      Leaf("l", PhysicalType::kByteArray, Repetition::kRequired, ConvertedType::kUtf8)};
  std::string bss;  // three floats, byte k of every value in stream k
  std::vector<float> floats = {1.5f, -2.25f, 1e30f};
  for (size_t k = 0; k < 4; ++k) {
    for (float f : floats) bss.push_back(reinterpret_cast<const char*>(&f)[k]);
  }
  std::string rle_bools = Hybrid({1, 0, 1}, 1);
  uint32_t rle_len = static_cast<uint32_t>(rle_bools.size());
  std::vector<TestChunk> chunks = {
      {DataPageV1(3, Encoding::kDeltaByteArray, V1Levels({1, 1, 0}) + EncodeDeltaByteArray({"prefix-a", "prefix-b"})),
       0, 3},
      {DataPageV1(3, Encoding::kByteStreamSplit, bss), 0, 3},
      {DataPageV1(3, Encoding::kDeltaBinaryPacked, EncodeDeltaBinaryPacked({5, -9000000000, 7}, 128, 4)), 0, 3},
      {DataPageV1(3, Encoding::kRle, std::string(reinterpret_cast<const char*>(&rle_len), 4) + rle_bools), 0, 3},
      {DataPageV1(3, Encoding::kDeltaLengthByteArray, EncodeDeltaLengthByteArray({"", "bb", "c"})), 0, 3}};
  auto rows = ReadAll(Write(BuildParquetFile(leaves, {chunks})), 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"prefix-a", "1.5", "5", "true", ""},
                         {"prefix-b", "-2.25", "-9000000000", "false", "bb"},
                         {"null", "1e+30", "7", "true", "c"}}));
}

TEST_F(ParquetReaderTest, DataPagesV2WithCompressedAndUncompressedValues) {
  std::vector<SchemaElement> leaves = {
      Leaf("o", PhysicalType::kInt64, Repetition::kOptional),
      Leaf("s", PhysicalType::kByteArray, Repetition::kRequired, ConvertedType::kUtf8)};
  TestChunk o{
      DataPageV2(3, 1, Encoding::kPlain, Hybrid({1, 0, 1}, 1), PlainFixed<int64_t>({11, 33}), Compression::kZstd) +
          DataPageV2(2, 0, Encoding::kDeltaBinaryPacked, Hybrid({1, 1}, 1), EncodeDeltaBinaryPacked({-5, 5}, 128, 4),
                     Compression::kZstd, false),
      0, 5, CompressionCodec::kZstd};
  TestChunk s{DataPageV2(5, 0, Encoding::kPlain, "", PlainByteArrays({"a", "b", "c", "d", "e"}), Compression::kSnappy),
              0, 5, CompressionCodec::kSnappy};
  auto rows = ReadAll(Write(BuildParquetFile(leaves, {{o, s}})), 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"11", "a"}, {"null", "b"}, {"33", "c"}, {"-5", "d"}, {"5", "e"}}));
}

TEST_F(ParquetReaderTest, DecimalBytesFixedBinaryAndUnsignedConversions) {
  SchemaElement fixed_dec =
      Leaf("fd", PhysicalType::kFixedLenByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  fixed_dec.type_length = 4;
  fixed_dec.precision = 9;
  fixed_dec.scale = 2;
  SchemaElement bytes_dec = Leaf("bd", PhysicalType::kByteArray, Repetition::kRequired, ConvertedType::kDecimal);
  bytes_dec.precision = 18;
  bytes_dec.scale = 3;
  SchemaElement fixed_bin = Leaf("fb", PhysicalType::kFixedLenByteArray, Repetition::kRequired);
  fixed_bin.type_length = 2;
  std::vector<SchemaElement> leaves = {
      fixed_dec, bytes_dec, fixed_bin, Leaf("u32", PhysicalType::kInt32, Repetition::kRequired, ConvertedType::kUint32),
      Leaf("ms", PhysicalType::kInt64, Repetition::kRequired, ConvertedType::kTimestampMillis)};
  std::vector<TestChunk> chunks = {
      {DataPageV1(2, Encoding::kPlain, std::string("\xFF\xFF\xFF\xFB\x00\x00\x30\x39", 8)), 0, 2},
      {DataPageV1(
           2, Encoding::kPlain,
           PlainByteArrays({std::string("\x80", 1), std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", 10)})),
       0, 2},
      {DataPageV1(2, Encoding::kPlain, std::string("\x00\xAB\xCD\xEF", 4)), 0, 2},
      {DataPageV1(2, Encoding::kPlain, PlainFixed<int32_t>({-1, 5})), 0, 2},
      {DataPageV1(2, Encoding::kPlain, PlainFixed<int64_t>({-1, 1700000000123})), 0, 2}};
  auto rows = ReadAll(Write(BuildParquetFile(leaves, {chunks})));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"-0.05", "-0.128", "00ab", "4294967295", "1969-12-31T23:59:59.999000Z"},
                         {"123.45", "0.256", "cdef", "5", "2023-11-14T22:13:20.123000Z"}}));
}

TEST_F(ParquetReaderTest, ValuesThatDoNotFitAreUnsupportedNamingTheRow) {
  std::vector<SchemaElement> leaves = {
      Leaf("ms", PhysicalType::kInt64, Repetition::kOptional, ConvertedType::kTimestampMillis)};
  TestChunk c{DataPageV1(3, Encoding::kPlain, V1Levels({0, 1, 1}) + PlainFixed<int64_t>({1, INT64_MAX / 10})), 0, 3};
  Status st = ReadStatus(Write(BuildParquetFile(leaves, {{c}})));
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_NE(st.message().find("row 2"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("column 'ms'"), std::string::npos) << st.ToString();
}

TEST_F(ParquetReaderTest, UnsupportedCodecsEncodingsAndSchemas) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  TestChunk lzo{DataPageV1(1, Encoding::kPlain, PlainFixed<int32_t>({1})), 0, 1, CompressionCodec::kLzo};
  Status st = ReadStatus(Write(BuildParquetFile(leaves, {{lzo}}), "lzo.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("codec LZO"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("column 'v'"), std::string::npos) << st.ToString();

  TestChunk odd{DataPageV1(1, static_cast<Encoding>(42), PlainFixed<int32_t>({1})), 0, 1};
  st = ReadStatus(Write(BuildParquetFile(leaves, {{odd}}), "enc.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("encoding UNKNOWN(42)"), std::string::npos) << st.ToString();

  // A group without fields: nested data gaggle cannot represent.
  std::vector<SchemaElement> nested = {Leaf("outer", PhysicalType::kInt32, Repetition::kOptional)};
  nested[0].type.reset();
  nested[0].num_children = 0;
  std::string file = BuildParquetFile(nested, {});
  std::string path = Write(file, "nested.parquet");
  st = ReadStatus(path);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported) << st.ToString();
  EXPECT_NE(st.message().find("'outer'"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.ToString();
}

// A small valid file to damage: two row groups, a dictionary column and a nullable column.
std::string SmallFile() {
  std::vector<SchemaElement> leaves = {Leaf("k", PhysicalType::kByteArray, Repetition::kOptional, ConvertedType::kUtf8),
                                       Leaf("v", PhysicalType::kDouble, Repetition::kRequired)};
  std::string dict = DictionaryPage(2, PlainByteArrays({"red", "green"}));
  TestChunk k{dict + DataPageV1(4, Encoding::kRleDictionary,
                                V1Levels({1, 0, 1, 1}) + std::string(1, '\1') + Hybrid({1, 0, 0}, 1)),
              dict.size(), 4};
  TestChunk v{DataPageV1(4, Encoding::kPlain, PlainFixed<double>({0.5, 1.5, 2.5, 3.5})), 0, 4};
  TestChunk k2{DataPageV1(2, Encoding::kPlain, V1Levels({1, 1}) + PlainByteArrays({"blue", "x"})), 0, 2};
  TestChunk v2{DataPageV1(2, Encoding::kPlain, PlainFixed<double>({-1, -2})), 0, 2};
  return BuildParquetFile(leaves, {{k, v}, {k2, v2}});
}

TEST_F(ParquetReaderTest, TheSmallFileReads) {
  auto rows = ReadAll(Write(SmallFile()));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows,
            (Rows{{"green", "0.5"}, {"null", "1.5"}, {"red", "2.5"}, {"red", "3.5"}, {"blue", "-1"}, {"x", "-2"}}));
}

TEST_F(ParquetReaderTest, TruncatedFilesAreCorruptionNamingTheFile) {
  std::string good = SmallFile();
  for (size_t cut : {size_t{0}, size_t{3}, size_t{4}, size_t{11}, size_t{40}, good.size() / 2, good.size() - 9,
                     good.size() - 5, good.size() - 1}) {
    std::string path = Write(good.substr(0, cut), "cut" + std::to_string(cut) + ".parquet");
    Status st = ReadStatus(path);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "cut at " << cut << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.ToString();
  }
}

TEST_F(ParquetReaderTest, BadMagicAndFooterLength) {
  std::string good = SmallFile();
  std::string bad_head = good;
  bad_head[0] = 'X';
  Status st = ReadStatus(Write(bad_head, "head.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("PAR1"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("head.parquet"), std::string::npos) << st.ToString();

  std::string bad_tail = good;
  bad_tail[bad_tail.size() - 1] = '2';
  st = ReadStatus(Write(bad_tail, "tail.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("byte offset " + std::to_string(good.size() - 4)), std::string::npos) << st.ToString();

  std::string long_footer = good;
  uint32_t len = static_cast<uint32_t>(good.size());  // past the start of the file
  std::memcpy(long_footer.data() + good.size() - 8, &len, 4);
  st = ReadStatus(Write(long_footer, "len.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("footer length"), std::string::npos) << st.ToString();

  std::string short_footer = good;
  len = 3;  // points into the middle of the footer: the Thrift parse fails
  std::memcpy(short_footer.data() + good.size() - 8, &len, 4);
  st = ReadStatus(Write(short_footer, "short.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
}

TEST_F(ParquetReaderTest, CorruptedPageHeaderAndOversizedPage) {
  std::vector<SchemaElement> leaves = {Leaf("v", PhysicalType::kInt32, Repetition::kRequired)};
  TestChunk garbage{std::string(16, '\xEE'), 0, 1};
  std::string path = Write(BuildParquetFile(leaves, {{garbage}}), "garbage.parquet");
  Status st = ReadStatus(path);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  for (const std::string& part : {path, std::string("column 'v'"), std::string("row group 0"),
                                  std::string("byte offset 4"), std::string("page header")}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " in " << st.ToString();
  }
  // A header claiming more bytes than the chunk has.
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 1000;
  h.compressed_page_size = 1000;
  h.data_page_header.emplace();
  h.data_page_header->num_values = 1;
  TestChunk big{Serialize(h) + PlainFixed<int32_t>({1}), 0, 1};
  st = ReadStatus(Write(BuildParquetFile(leaves, {{big}}), "big.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("runs past the end of the column chunk"), std::string::npos) << st.ToString();
  // Fewer value bytes than the page's value count.
  TestChunk short_values{DataPageV1(3, Encoding::kPlain, PlainFixed<int32_t>({1, 2})), 0, 3};
  st = ReadStatus(Write(BuildParquetFile(leaves, {{short_values}}), "short.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  // A page holding more values than the row group has rows.
  TestChunk too_many{DataPageV1(5, Encoding::kPlain, PlainFixed<int32_t>({1, 2, 3, 4, 5})), 0, 2};
  st = ReadStatus(Write(BuildParquetFile(leaves, {{too_many}}), "many.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("page holds 5 values"), std::string::npos) << st.ToString();
}

TEST_F(ParquetReaderTest, LevelsAndChunksThatEndEarly) {
  std::vector<SchemaElement> leaves = {Leaf("o", PhysicalType::kInt32, Repetition::kOptional)};
  // Levels: an RLE run of 2 where the page has 6 values.
  std::string levels = Hybrid(std::vector<uint32_t>(9, 1), 1).substr(0, 2);  // header + value of a 9-run
  levels[0] = static_cast<char>(2 << 1);
  uint32_t len = static_cast<uint32_t>(levels.size());
  TestChunk c{DataPageV1(6, Encoding::kPlain,
                         std::string(reinterpret_cast<const char*>(&len), 4) + levels +
                             PlainFixed<int32_t>({1, 2, 3, 4, 5, 6})),
              0, 6};
  std::string path = Write(BuildParquetFile(leaves, {{c}}), "levels.parquet");
  Status st = ReadStatus(path);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("definition levels"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(path + "', column 'o', row group 0"), std::string::npos) << st.ToString();
  // The chunk's pages hold 2 values but the row group has 3 rows.
  TestChunk shorter{DataPageV1(2, Encoding::kPlain, V1Levels({1, 1}) + PlainFixed<int32_t>({1, 2})), 0, 3};
  st = ReadStatus(Write(BuildParquetFile(leaves, {{shorter}}), "chunk.parquet"));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("column chunk ends"), std::string::npos) << st.ToString();
}

TEST_F(ParquetReaderTest, EveryFlippedByteFailsCleanlyOrReads) {
  // Under ASan this proves no out-of-bounds access for any single damaged byte of a small file.
  std::string good = SmallFile();
  const std::string path = "flip.parquet";
  size_t failures = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (char mask : {'\xFF', '\x01', '\x40'}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      ReadOptions options;
      options.batch_rows = 2;
      auto reader = OpenParquetReader(std::make_unique<ParquetBytesFile>(bad, path), options);
      Status st = reader.ok() ? ReadRows(reader->get()).status() : reader.status();
      if (!st.ok()) {
        ++failures;
        EXPECT_TRUE(st.code() == StatusCode::kCorruption || st.code() == StatusCode::kUnsupported) << st.ToString();
        EXPECT_NE(st.message().find(path), std::string::npos) << st.ToString();
      }
    }
  }
  EXPECT_GT(failures, good.size());
}

TEST_F(ParquetReaderTest, EmptyFileAndInspectOfAHandMadeFile) {
  std::vector<SchemaElement> leaves = {Leaf("a", PhysicalType::kInt32, Repetition::kRequired)};
  auto rows = ReadAll(Write(BuildParquetFile(leaves, {}), "empty.parquet"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());

  auto s = InspectParquet(FileSystem::Default(), Write(SmallFile(), "small.parquet"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->num_rows, 6);
  EXPECT_EQ(s->codec, "UNCOMPRESSED");
  EXPECT_EQ(s->created_by, "gaggle reader tests");
  ASSERT_EQ(s->row_groups.size(), 2u);
  EXPECT_EQ(s->row_groups[0].num_rows, 4);
  EXPECT_EQ(s->row_groups[0].columns[1].physical_type, "DOUBLE");
  EXPECT_EQ(s->row_groups[0].columns[1].encodings, "PLAIN,RLE");
  EXPECT_EQ(s->schema.ToString(), "k: string, v: double not null");
}

}  // namespace
}  // namespace gaggle
