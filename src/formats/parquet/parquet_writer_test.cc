// Writer tests that read back what the writer produced with our own metadata parser:
// footer, row groups, statistics, encodings, codecs, dictionary fallback, page layout.
#include "formats/parquet/parquet_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "formats/compression.h"
#include "formats/parquet/column_chunk_builder.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/rle_bit_packed.h"

namespace gaggle {
namespace {

using parquet::ColumnMetaData;
using parquet::Encoding;
using parquet::FileMetaData;
using parquet::PageHeader;
using parquet::PageType;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("gaggle-pqw-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::shared_ptr<const Schema> MixedSchema() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64(), false},
                                                     {"name", DataType::String(), true},
                                                     {"score", DataType::Double(), true},
                                                     {"flag", DataType::Bool(), true},
                                                     {"day", DataType::Date(), true},
                                                     {"amount", DataType::Decimal(9, 2), true},
                                                     {"big", DataType::Decimal(18, 0), true}});
}

// Row i: id = i - 1000, name = "n<i % 10>" (null every 7th), score = i * 0.5 (null every 5th),
// flag = i odd, day = i, amount = i * 3 (null every 4th), big = -i * 1e12.
RecordBatch MixedBatch(std::shared_ptr<const Schema> schema, int64_t first, int64_t rows) {
  RecordBatch b = RecordBatch::Empty(schema);
  for (int64_t i = first; i < first + rows; ++i) {
    b.columns[0].Append<int64_t>(i - 1000);
    if (i % 7 == 0)
      b.columns[1].AppendNull();
    else
      b.columns[1].AppendString("n" + std::to_string(i % 10));
    if (i % 5 == 0)
      b.columns[2].AppendNull();
    else
      b.columns[2].Append<double>(static_cast<double>(i) * 0.5);
    b.columns[3].Append<uint8_t>(i % 2);
    b.columns[4].Append<int32_t>(static_cast<int32_t>(i));
    if (i % 4 == 0)
      b.columns[5].AppendNull();
    else
      b.columns[5].Append<int64_t>(i * 3);
    b.columns[6].Append<int64_t>(-i * 1000000000000LL);
  }
  return b;
}

Status WriteFile(const std::string& path, std::shared_ptr<const Schema> schema, const WriteOptions& options,
                 const std::vector<RecordBatch>& batches) {
  GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenParquetWriter(FileSystem::Default(), path, schema, options));
  for (const RecordBatch& b : batches) GAGGLE_RETURN_IF_ERROR(writer->Write(b));
  return writer->Finish();
}

struct ParsedFile {
  std::string bytes;
  FileMetaData meta;
};

ParsedFile ReadBack(const std::string& path) {
  ParsedFile f;
  Result<std::string> bytes = ReadFileToString(FileSystem::Default(), path);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return f;
  f.bytes = *bytes;
  EXPECT_GE(f.bytes.size(), 12u);
  EXPECT_EQ(f.bytes.substr(0, 4), "PAR1");
  EXPECT_EQ(f.bytes.substr(f.bytes.size() - 4), "PAR1");
  uint32_t len = 0;
  std::memcpy(&len, f.bytes.data() + f.bytes.size() - 8, 4);
  EXPECT_LE(len + 12u, f.bytes.size());
  std::string_view footer(f.bytes.data() + f.bytes.size() - 8 - len, len);
  size_t consumed = 0;
  Status st = parquet::Parse(footer, &f.meta, &consumed);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(consumed, len);
  return f;
}

template <typename T>
T Decode(const std::optional<std::string>& bytes) {
  T v{};
  EXPECT_TRUE(bytes.has_value());
  if (bytes && bytes->size() == sizeof(T)) std::memcpy(&v, bytes->data(), sizeof(T));
  return v;
}

struct PageWalk {
  int dictionary_pages = 0;
  int data_pages = 0;
  int64_t values = 0;
  std::map<Encoding, int> encodings;
};

// Walks every page of a chunk: headers parse, sizes add up, bodies decompress, levels and
// dictionary indices decode within bounds.
PageWalk WalkChunk(const ParsedFile& f, const ColumnMetaData& m, bool nullable) {
  PageWalk w;
  int64_t pos = m.dictionary_page_offset.value_or(m.data_page_offset);
  int64_t end = pos + m.total_compressed_size;
  EXPECT_LE(end, static_cast<int64_t>(f.bytes.size()));
  int64_t dictionary_entries = -1;
  std::string body;
  while (pos < end) {
    PageHeader h;
    size_t header_len = 0;
    std::string_view rest(f.bytes.data() + pos, static_cast<size_t>(end - pos));
    Status st = parquet::Parse(rest, &h, &header_len);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) return w;
    std::string_view stored = rest.substr(header_len, static_cast<size_t>(h.compressed_page_size));
    Compression codec = m.codec == parquet::CompressionCodec::kZstd     ? Compression::kZstd
                        : m.codec == parquet::CompressionCodec::kSnappy ? Compression::kSnappy
                        : m.codec == parquet::CompressionCodec::kGzip   ? Compression::kGzip
                                                                        : Compression::kNone;
    st = Decompress(codec, stored, static_cast<size_t>(h.uncompressed_page_size), &body);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (h.type == PageType::kDictionaryPage) {
      EXPECT_EQ(w.data_pages, 0) << "dictionary page must come first";
      ++w.dictionary_pages;
      dictionary_entries = h.dictionary_page_header->num_values;
    } else {
      EXPECT_EQ(h.type, PageType::kDataPage);
      const parquet::DataPageHeader& d = *h.data_page_header;
      ++w.data_pages;
      ++w.encodings[d.encoding];
      w.values += d.num_values;
      size_t at = 0;
      int64_t non_null = d.num_values;
      if (nullable) {
        uint32_t level_len = 0;
        std::memcpy(&level_len, body.data(), 4);
        std::vector<uint8_t> levels(static_cast<size_t>(d.num_values));
        parquet::RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(body.data()) + 4, level_len, 1);
        EXPECT_TRUE(dec.GetBatch(levels.data(), levels.size()).ok());
        non_null = 0;
        for (uint8_t l : levels) non_null += l;
        EXPECT_EQ(d.num_values - non_null, d.statistics->null_count.value_or(-1));
        at = 4 + level_len;
      }
      if (d.encoding == Encoding::kRleDictionary && non_null > 0) {
        EXPECT_GE(dictionary_entries, 1) << "RLE_DICTIONARY page without a dictionary page";
        int width = static_cast<uint8_t>(body[at]);
        std::vector<uint32_t> idx(static_cast<size_t>(non_null));
        parquet::RleBitPackedDecoder dec(reinterpret_cast<const uint8_t*>(body.data()) + at + 1, body.size() - at - 1,
                                         width);
        EXPECT_TRUE(dec.GetBatch(idx.data(), idx.size()).ok());
        for (uint32_t i : idx) EXPECT_LT(i, static_cast<uint32_t>(dictionary_entries));
      }
    }
    pos += static_cast<int64_t>(header_len) + h.compressed_page_size;
  }
  EXPECT_EQ(pos, end);
  EXPECT_EQ(w.values, m.num_values);
  return w;
}

TEST(ParquetWriter, FooterDescribesRowGroupsTypesAndStatistics) {
  TempDir dir;
  std::string path = dir.File("mixed.parquet");
  auto schema = MixedSchema();
  WriteOptions options;
  options.row_group_rows = 1000;
  options.key_value_metadata = {{"gaggle.dataset", "orders"}, {"empty", ""}};
  ASSERT_TRUE(WriteFile(path, schema, options, {MixedBatch(schema, 0, 1500), MixedBatch(schema, 1500, 1000)}).ok());
  ParsedFile f = ReadBack(path);
  const FileMetaData& m = f.meta;
  EXPECT_EQ(m.num_rows, 2500);
  ASSERT_EQ(m.row_groups.size(), 3u);
  EXPECT_EQ(m.row_groups[0].num_rows, 1000);
  EXPECT_EQ(m.row_groups[1].num_rows, 1000);
  EXPECT_EQ(m.row_groups[2].num_rows, 500);
  EXPECT_EQ(m.row_groups[2].ordinal, 2);
  ASSERT_TRUE(m.created_by.has_value());
  EXPECT_EQ(m.created_by->rfind("gaggle version " GAGGLE_VERSION " (build ", 0), 0u) << *m.created_by;
  ASSERT_EQ(m.key_value_metadata.size(), 2u);
  EXPECT_EQ(m.key_value_metadata[0].key, "gaggle.dataset");
  EXPECT_EQ(m.key_value_metadata[0].value, "orders");
  EXPECT_EQ(m.column_orders.size(), 7u);
  ASSERT_EQ(m.schema.size(), 8u);
  EXPECT_EQ(m.schema[2].converted_type, parquet::ConvertedType::kUtf8);

  const parquet::RowGroup& g0 = m.row_groups[0];
  ASSERT_EQ(g0.columns.size(), 7u);
  EXPECT_EQ(g0.file_offset, 4);
  int64_t expected_offset = 4;
  for (size_t c = 0; c < g0.columns.size(); ++c) {
    const ColumnMetaData& cm = *g0.columns[c].meta_data;
    EXPECT_EQ(g0.columns[c].file_offset, expected_offset) << c;
    EXPECT_EQ(cm.dictionary_page_offset.value_or(cm.data_page_offset), expected_offset) << c;
    expected_offset += cm.total_compressed_size;
    EXPECT_EQ(cm.num_values, 1000);
    EXPECT_EQ(cm.path_in_schema, std::vector<std::string>{schema->field(c).name});
    EXPECT_EQ(cm.codec, parquet::CompressionCodec::kZstd);
    WalkChunk(f, cm, schema->field(c).nullable);
  }
  // id: rows 0..999 -> -1000..-1; required, no nulls.
  const parquet::Statistics& id = *g0.columns[0].meta_data->statistics;
  EXPECT_EQ(id.null_count, 0);
  EXPECT_EQ(Decode<int64_t>(id.min_value), -1000);
  EXPECT_EQ(Decode<int64_t>(id.max_value), -1);
  EXPECT_EQ(Decode<int64_t>(id.min), -1000);  // legacy fields for signed orders
  // name: nulls every 7th row (143 of 0..999), values n0..n9.
  const parquet::Statistics& name = *g0.columns[1].meta_data->statistics;
  EXPECT_EQ(name.null_count, 143);
  EXPECT_EQ(name.min_value, "n0");
  EXPECT_EQ(name.max_value, "n9");
  EXPECT_FALSE(name.min.has_value()) << "no legacy min/max for unsigned byte order";
  EXPECT_EQ(name.distinct_count, 10);
  // score: i * 0.5 with nulls every 5th row; row 0 is null so min is 0.5.
  const parquet::Statistics& score = *g0.columns[2].meta_data->statistics;
  EXPECT_EQ(score.null_count, 200);
  EXPECT_EQ(Decode<double>(score.min_value), 0.5);
  EXPECT_EQ(Decode<double>(score.max_value), 499.5);
  const parquet::Statistics& flag = *g0.columns[3].meta_data->statistics;
  EXPECT_EQ(flag.min_value, std::string(1, '\0'));
  EXPECT_EQ(flag.max_value, std::string(1, '\1'));
  // amount: decimal(9,2) as INT32; i*3 with nulls every 4th row.
  EXPECT_EQ(g0.columns[5].meta_data->type, parquet::PhysicalType::kInt32);
  EXPECT_EQ(Decode<int32_t>(g0.columns[5].meta_data->statistics->min_value), 3);
  EXPECT_EQ(Decode<int32_t>(g0.columns[5].meta_data->statistics->max_value), 2997);
  EXPECT_EQ(g0.columns[6].meta_data->type, parquet::PhysicalType::kInt64);
  EXPECT_EQ(Decode<int64_t>(m.row_groups[2].columns[6].meta_data->statistics->min_value), -2499000000000000LL);
}

TEST(ParquetWriter, DictionaryFallsBackToPlainWithinAChunk) {
  TempDir dir;
  std::string path = dir.File("fallback.parquet");
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"unique", DataType::String(), true},
                                                            {"few", DataType::String(), false},
                                                            {"n", DataType::Int64(), true},
                                                            {"drifting", DataType::String(), true}});
  RecordBatch b = RecordBatch::Empty(schema);
  for (int i = 0; i < 12000; ++i) {
    b.columns[0].AppendString("value-" + std::to_string(i));
    b.columns[1].AppendString(i % 3 == 0 ? "red" : "blue");
    b.columns[2].Append<int64_t>(i);
    // 10 values for 10,000 rows (two dictionary pages of 8,192 4-bit indices), then unique.
    b.columns[3].AppendString(i < 10000 ? "v" + std::to_string(i % 10) : "value-" + std::to_string(i));
  }
  WriteOptions options;
  options.dictionary_max_entries = 300;
  options.page_bytes = 4096;
  ASSERT_TRUE(WriteFile(path, schema, options, {b}).ok());
  ParsedFile f = ReadBack(path);
  ASSERT_EQ(f.meta.row_groups.size(), 1u);

  // Overflowing within the first page: the chunk is PLAIN from its start, no dictionary.
  const ColumnMetaData& unique = *f.meta.row_groups[0].columns[0].meta_data;
  PageWalk w = WalkChunk(f, unique, true);
  EXPECT_EQ(w.dictionary_pages, 0);
  EXPECT_EQ(w.encodings.count(Encoding::kRleDictionary), 0u);
  EXPECT_GT(w.encodings[Encoding::kPlain], 2);
  EXPECT_FALSE(unique.dictionary_page_offset.has_value());
  EXPECT_EQ(unique.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_FALSE(unique.statistics->distinct_count.has_value());
  EXPECT_EQ(unique.statistics->min_value, "value-0");
  EXPECT_EQ(unique.statistics->max_value, "value-9999");

  // Overflowing after dictionary pages: those stay, the rest of the chunk is PLAIN.
  const ColumnMetaData& drifting = *f.meta.row_groups[0].columns[3].meta_data;
  PageWalk dw = WalkChunk(f, drifting, true);
  EXPECT_EQ(dw.dictionary_pages, 1);
  EXPECT_GE(dw.encodings[Encoding::kRleDictionary], 1);
  EXPECT_GE(dw.encodings[Encoding::kPlain], 1);
  EXPECT_TRUE(drifting.dictionary_page_offset.has_value());
  EXPECT_EQ(drifting.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));
  ASSERT_EQ(drifting.encoding_stats.size(), 3u);
  EXPECT_EQ(drifting.encoding_stats[0].page_type, PageType::kDictionaryPage);
  EXPECT_FALSE(drifting.statistics->distinct_count.has_value());
  EXPECT_EQ(drifting.statistics->min_value, "v0");
  EXPECT_EQ(drifting.statistics->max_value, "value-11999");

  const ColumnMetaData& few = *f.meta.row_groups[0].columns[1].meta_data;
  PageWalk fw = WalkChunk(f, few, false);
  EXPECT_EQ(fw.encodings.count(Encoding::kPlain), 0u);
  EXPECT_EQ(few.statistics->distinct_count, 2);
  EXPECT_EQ(few.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRleDictionary}));

  const ColumnMetaData& n = *f.meta.row_groups[0].columns[2].meta_data;
  PageWalk nw = WalkChunk(f, n, true);
  EXPECT_EQ(nw.dictionary_pages, 0) << "12000 distinct ints overflow 300 entries in the first page";
  EXPECT_EQ(nw.encodings.count(Encoding::kRleDictionary), 0u);
  EXPECT_GT(nw.data_pages, 2);

  // And every value reads back.
  auto reader = OpenParquetReader(FileSystem::Default(), path, ReadOptions{});
  ASSERT_TRUE(reader.ok());
  RecordBatch back;
  int64_t row = 0;
  while (true) {
    auto more = (*reader)->Next(&back);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    for (size_t r = 0; r < back.num_rows(); ++r, ++row) {
      ASSERT_EQ(back.columns[0].GetString(r), "value-" + std::to_string(row));
      ASSERT_EQ(back.columns[2].Get<int64_t>(r), row);
      ASSERT_EQ(back.columns[3].GetString(r),
                row < 10000 ? "v" + std::to_string(row % 10) : "value-" + std::to_string(row));
    }
  }
  EXPECT_EQ(row, 12000);
}

TEST(ParquetWriter, DictionaryOffMeansPlainOnlyAndPagesFollowPageBytes) {
  TempDir dir;
  std::string path = dir.File("plain.parquet");
  auto schema = MixedSchema();
  WriteOptions options;
  options.dictionary = false;
  options.page_bytes = 1024;
  ASSERT_TRUE(WriteFile(path, schema, options, {MixedBatch(schema, 0, 3000)}).ok());
  ParsedFile f = ReadBack(path);
  const ColumnMetaData& id = *f.meta.row_groups[0].columns[0].meta_data;
  PageWalk w = WalkChunk(f, id, false);
  EXPECT_EQ(w.dictionary_pages, 0);
  EXPECT_EQ(w.encodings.size(), 1u);
  EXPECT_EQ(w.data_pages, 24);  // 3000 int64 values at 128 per 1 KiB page = 23.4 -> 24 pages
  EXPECT_FALSE(id.dictionary_page_offset.has_value());
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    WalkChunk(f, *f.meta.row_groups[0].columns[c].meta_data, schema->field(c).nullable);
  }
}

TEST(ParquetWriter, EveryCodecRoundTripsItsPages) {
  auto schema = MixedSchema();
  for (Compression codec : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    TempDir dir;
    std::string path = dir.File("codec.parquet");
    WriteOptions options;
    options.compression = codec;
    options.compression_level = codec == Compression::kGzip ? 9 : 0;
    ASSERT_TRUE(WriteFile(path, schema, options, {MixedBatch(schema, 0, 2000)}).ok()) << CompressionName(codec);
    ParsedFile f = ReadBack(path);
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      const ColumnMetaData& cm = *f.meta.row_groups[0].columns[c].meta_data;
      EXPECT_EQ(cm.codec, parquet::CodecFor(codec));
      WalkChunk(f, cm, schema->field(c).nullable);
      if (codec == Compression::kNone) {
        EXPECT_EQ(cm.total_compressed_size, cm.total_uncompressed_size);
      }
    }
  }
}

TEST(ParquetWriter, FloatStatisticsIgnoreNaNAndNormalizeZeros) {
  TempDir dir;
  std::string path = dir.File("floats.parquet");
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"nan_mixed", DataType::Double(), true},
                                                            {"all_nan", DataType::Float(), true},
                                                            {"zeros", DataType::Double(), true},
                                                            {"all_null", DataType::Int32(), true}});
  RecordBatch b = RecordBatch::Empty(schema);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double v : {nan, 2.0, -std::numeric_limits<double>::infinity(), nan}) b.columns[0].Append<double>(v);
  for (int i = 0; i < 4; ++i) b.columns[1].Append<float>(std::numeric_limits<float>::quiet_NaN());
  for (double v : {0.0, -0.0, 0.0, 0.0}) b.columns[2].Append<double>(v);
  for (int i = 0; i < 4; ++i) b.columns[3].AppendNull();
  ASSERT_TRUE(WriteFile(path, schema, WriteOptions{}, {b}).ok());
  ParsedFile f = ReadBack(path);
  const auto& cols = f.meta.row_groups[0].columns;
  EXPECT_EQ(Decode<double>(cols[0].meta_data->statistics->min_value), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Decode<double>(cols[0].meta_data->statistics->max_value), 2.0);
  EXPECT_FALSE(cols[1].meta_data->statistics->min_value.has_value());
  EXPECT_FALSE(cols[1].meta_data->statistics->max_value.has_value());
  double zmin = Decode<double>(cols[2].meta_data->statistics->min_value);
  double zmax = Decode<double>(cols[2].meta_data->statistics->max_value);
  EXPECT_TRUE(zmin == 0 && std::signbit(zmin));
  EXPECT_TRUE(zmax == 0 && !std::signbit(zmax));
  EXPECT_EQ(cols[3].meta_data->statistics->null_count, 4);
  EXPECT_FALSE(cols[3].meta_data->statistics->min_value.has_value());
  WalkChunk(f, *cols[3].meta_data, true);
}

TEST(ParquetWriter, OutputIsDeterministic) {
  TempDir dir;
  auto schema = MixedSchema();
  WriteOptions options;
  options.row_group_rows = 700;
  ASSERT_TRUE(WriteFile(dir.File("a.parquet"), schema, options, {MixedBatch(schema, 0, 2000)}).ok());
  ASSERT_TRUE(
      WriteFile(dir.File("b.parquet"), schema, options, {MixedBatch(schema, 0, 1234), MixedBatch(schema, 1234, 766)})
          .ok());
  EXPECT_EQ(*ReadFileToString(FileSystem::Default(), dir.File("a.parquet")),
            *ReadFileToString(FileSystem::Default(), dir.File("b.parquet")));
}

TEST(ParquetWriter, EmptyFileHasAFooterAndNoRowGroups) {
  TempDir dir;
  std::string path = dir.File("empty.parquet");
  ASSERT_TRUE(WriteFile(path, MixedSchema(), WriteOptions{}, {}).ok());
  ParsedFile f = ReadBack(path);
  EXPECT_EQ(f.meta.num_rows, 0);
  EXPECT_TRUE(f.meta.row_groups.empty());
  EXPECT_EQ(f.meta.schema.size(), 8u);
}

TEST(ParquetWriter, BadDataIsRejectedAndTheErrorSticks) {
  TempDir dir;
  auto schema = MixedSchema();
  {
    auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("null.parquet"), schema, WriteOptions{});
    ASSERT_TRUE(writer.ok());
    RecordBatch b = MixedBatch(schema, 0, 10);
    b.columns[0].SetNull(3);
    Status st = (*writer)->Write(b);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("'id'"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("row 3"), std::string::npos) << st.message();
    EXPECT_EQ((*writer)->Write(MixedBatch(schema, 0, 10)), st);
    EXPECT_EQ((*writer)->Finish(), st);
  }
  {
    auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("dec.parquet"), schema, WriteOptions{});
    ASSERT_TRUE(writer.ok());
    RecordBatch b = MixedBatch(schema, 0, 10);
    b.columns[5].mutable_data<int64_t>()[1] = 1000000000;  // 10 digits in decimal(9,2)
    Status st = (*writer)->Write(b);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("decimal(9,2)"), std::string::npos) << st.message();
  }
  {
    auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("schema.parquet"), schema, WriteOptions{});
    ASSERT_TRUE(writer.ok());
    auto other = std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64(), false}});
    EXPECT_EQ((*writer)->Write(RecordBatch::Empty(other)).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(
      OpenParquetWriter(FileSystem::Default(), dir.File("missing/dir/x.parquet"), schema, WriteOptions{}).ok());
  auto bad_decimal = std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Decimal(40, 2), true}});
  EXPECT_EQ(
      OpenParquetWriter(FileSystem::Default(), dir.File("d.parquet"), bad_decimal, WriteOptions{}).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(ParquetWriter, IoErrorsAreReportedAndSticky) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  auto schema = MixedSchema();
  auto writer = OpenParquetWriter(FileSystem::Default(), "/dev/full", schema, WriteOptions{});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  Status st;
  for (int i = 0; i < 50 && st.ok(); ++i) st = (*writer)->Write(MixedBatch(schema, i * 2000, 2000));
  if (st.ok()) st = (*writer)->Finish();
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_TRUE(st.retryable());
  EXPECT_EQ((*writer)->Finish().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace gaggle
