#include "formats/avro/avro_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "formats/avro/avro_test_util.h"
#include "formats/avro/avro_writer.h"

namespace gaggle {
namespace {

using avro_test::ReadAll;
using avro_test::ScratchDir;
using avro_test::WriteAll;

std::shared_ptr<const Schema> AllTypesSchema() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"b", DataType::Bool(), false},
      {"i", DataType::Int32(), true},
      {"l", DataType::Int64(), false},
      {"f", DataType::Float(), true},
      {"d", DataType::Double(), true},
      {"s", DataType::String(), true},
      {"bin", DataType::Binary(), true},
      {"day", DataType::Date(), true},
      {"ts", DataType::Timestamp(), true},
      {"dec", DataType::Decimal(18, 4), true},
      {"addr.city", DataType::String(), true},
      {"addr.zip", DataType::Int32(), false},
  });
}

RecordBatch AllTypesBatch() {
  RecordBatch b = RecordBatch::Empty(AllTypesSchema());
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Row {
    bool b;
    std::optional<int32_t> i;
    int64_t l;
    std::optional<float> f;
    std::optional<double> d;
    std::optional<std::string> s;
    std::optional<std::string> bin;
    std::optional<int32_t> day;
    std::optional<int64_t> ts;
    std::optional<int64_t> dec;
    std::optional<std::string> city;
    int32_t zip;
  };
  std::vector<Row> rows = {
      {true, 1, kMin, 1.5f, std::nan(""), "", std::string("\0\x01\xff", 3), 0, 0, 0, "Zürich", 8001},
      {false, std::nullopt, kMax, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
       std::nullopt, std::nullopt, 0},
      {true, INT32_MIN, 0, -0.0f, inf, "héllo wörld 🚀 日本", "", -719162, kMin + 1, -999999999999999999LL, "", -1},
      {false, INT32_MAX, -1, std::numeric_limits<float>::infinity(), -inf, std::string(1000, 'x'),
       std::string(300, '\x80'), 2932896, 253402300799999999LL, 999999999999999999LL, "Genève", INT32_MIN},
      {true, -7, 42, 3.25f, 1e-300, "a\nb\"c", "z", 19000, 1700000000123456LL, -1, std::nullopt, 7},
  };
  for (const Row& r : rows) {
    b.columns[0].Append<uint8_t>(r.b);
    r.i ? b.columns[1].Append<int32_t>(*r.i) : b.columns[1].AppendNull();
    b.columns[2].Append<int64_t>(r.l);
    r.f ? b.columns[3].Append<float>(*r.f) : b.columns[3].AppendNull();
    r.d ? b.columns[4].Append<double>(*r.d) : b.columns[4].AppendNull();
    r.s ? b.columns[5].AppendString(*r.s) : b.columns[5].AppendNull();
    r.bin ? b.columns[6].AppendString(*r.bin) : b.columns[6].AppendNull();
    r.day ? b.columns[7].Append<int32_t>(*r.day) : b.columns[7].AppendNull();
    r.ts ? b.columns[8].Append<int64_t>(*r.ts) : b.columns[8].AppendNull();
    r.dec ? b.columns[9].Append<int64_t>(*r.dec) : b.columns[9].AppendNull();
    r.city ? b.columns[10].AppendString(*r.city) : b.columns[10].AppendNull();
    b.columns[11].Append<int32_t>(r.zip);
  }
  return b;
}

// Same schema and cell-by-cell the same rendering (NaN == NaN, -0 keeps its sign, bytes compared raw).
void ExpectSameBatch(const RecordBatch& want, const RecordBatch& got) {
  ASSERT_EQ(*want.schema, *got.schema);
  ASSERT_EQ(want.num_rows(), got.num_rows());
  for (size_t c = 0; c < want.num_columns(); ++c) {
    for (size_t r = 0; r < want.num_rows(); ++r) {
      const Column& a = want.columns[c];
      const Column& b = got.columns[c];
      ASSERT_EQ(a.IsNull(r), b.IsNull(r)) << want.schema->field(c).name << " row " << r;
      if (a.IsNull(r)) continue;
      if (a.type().is_variable_width()) {
        EXPECT_EQ(a.GetString(r), b.GetString(r)) << want.schema->field(c).name << " row " << r;
      } else {
        EXPECT_EQ(a.ValueToString(r), b.ValueToString(r)) << want.schema->field(c).name << " row " << r;
        if (a.type().id == TypeId::kFloat) {
          EXPECT_EQ(std::signbit(a.Get<float>(r)), std::signbit(b.Get<float>(r)));
        }
      }
    }
  }
}

TEST(AvroRoundTrip, EveryTypeWithNullsInEachCodec) {
  ScratchDir dir;
  RecordBatch want = AllTypesBatch();
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy}) {
    std::string path = dir.File(std::string("all_") + CompressionName(c) + ".avro");
    ASSERT_TRUE(WriteAll(path, want, c).ok());
    auto got = ReadAll(path);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSameBatch(want, *got);
    auto summary = InspectAvro(FileSystem::Default(), path);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->num_rows, 5);
    EXPECT_EQ(summary->codec, c == Compression::kNone ? "null" : c == Compression::kGzip ? "deflate" : "snappy");
    EXPECT_EQ(summary->created_by.rfind("gaggle ", 0), 0u);
    EXPECT_EQ(summary->schema, *want.schema);
  }
}

TEST(AvroRoundTrip, WriterHeaderCarriesLogicalTypesAndNestedRecords) {
  ScratchDir dir;
  std::string path = dir.File("h.avro");
  ASSERT_TRUE(WriteAll(path, AllTypesBatch(), Compression::kNone).ok());
  auto file = FileSystem::Default()->OpenRandomAccess(path);
  ASSERT_TRUE(file.ok());
  auto header = avro::ReadContainerHeader(**file);
  ASSERT_TRUE(header.ok());
  const std::string& s = header->schema_json;
  EXPECT_NE(s.find(R"("name":"gaggle_record")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"({"type":"int","logicalType":"date"})"), std::string::npos) << s;
  EXPECT_NE(s.find(R"({"type":"long","logicalType":"timestamp-micros"})"), std::string::npos) << s;
  EXPECT_NE(s.find(R"("logicalType":"decimal","precision":18,"scale":4)"), std::string::npos) << s;
  EXPECT_NE(s.find(R"({"name":"addr","type":{"type":"record","name":"addr_record")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(["null","string"])"), std::string::npos) << s;
}

TEST(AvroRoundTrip, EmptyAndOneRowFiles) {
  ScratchDir dir;
  RecordBatch all = AllTypesBatch();
  RecordBatch empty = RecordBatch::Empty(all.schema);
  std::string path = dir.File("empty.avro");
  ASSERT_TRUE(WriteAll(path, empty, Compression::kSnappy).ok());
  auto got = ReadAll(path);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got->schema, *all.schema);
  EXPECT_EQ(got->num_rows(), 0u);
  auto summary = InspectAvro(FileSystem::Default(), path);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->num_rows, 0);

  RecordBatch one = RecordBatch::Empty(all.schema);
  for (size_t c = 0; c < all.num_columns(); ++c) one.columns[c].AppendFrom(all.columns[c], 2);
  path = dir.File("one.avro");
  ASSERT_TRUE(WriteAll(path, one, Compression::kGzip).ok());
  got = ReadAll(path);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameBatch(one, *got);
}

TEST(AvroRoundTrip, ManyBlocksStreamInBoundedBatches) {
  ScratchDir dir;
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"id", DataType::Int64(), false}, {"name", DataType::String(), true}});
  RecordBatch b = RecordBatch::Empty(schema);
  const int64_t kRows = 120000;
  for (int64_t i = 0; i < kRows; ++i) {
    b.columns[0].Append<int64_t>(i * 7 - 3);
    if (i % 11 == 0) {
      b.columns[1].AppendNull();
    } else {
      b.columns[1].AppendString("name-" + std::to_string(i));
    }
  }
  for (Compression c : {Compression::kNone, Compression::kSnappy}) {
    std::string path = dir.File(std::string("many_") + CompressionName(c) + ".avro");
    ASSERT_TRUE(WriteAll(path, b, c, 7000).ok());
    // Count blocks by walking the framing.
    auto file = FileSystem::Default()->OpenRandomAccess(path);
    ASSERT_TRUE(file.ok());
    auto header = avro::ReadContainerHeader(**file);
    ASSERT_TRUE(header.ok());
    avro::BlockCursor cursor(file->get(), header->data_offset, header->sync);
    avro::BlockInfo info;
    int blocks = 0;
    while (true) {
      auto more = cursor.Next(&info, nullptr);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      ++blocks;
    }
    EXPECT_GT(blocks, 3);

    std::vector<size_t> sizes;
    auto got = ReadAll(path, 1000, &sizes);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(sizes.size(), static_cast<size_t>(kRows / 1000));
    for (size_t s : sizes) EXPECT_EQ(s, 1000u);
    ExpectSameBatch(b, *got);
    auto summary = InspectAvro(FileSystem::Default(), path);
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->num_rows, kRows);
  }
}

TEST(AvroRoundTrip, CodecsAvroLacksAreRefusedWithAlternatives) {
  ScratchDir dir;
  WriteOptions options;
  options.compression = Compression::kLz4Raw;
  auto w = OpenAvroWriter(FileSystem::Default(), dir.File("z.avro"), AllTypesSchema(), options);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(w.status().message().find("zstd (Avro zstandard), snappy"), std::string::npos);
  EXPECT_NE(w.status().message().find("z.avro"), std::string::npos);
}

TEST(AvroRoundTrip, ColumnNamesMustBeAvroNames) {
  ScratchDir dir;
  WriteOptions options;
  options.compression = Compression::kNone;
  for (const char* bad : {"first name", "1st", "a..b"}) {
    auto schema = std::make_shared<const Schema>(std::vector<Field>{{bad, DataType::Int64()}});
    auto w = OpenAvroWriter(FileSystem::Default(), dir.File("n.avro"), schema, options);
    ASSERT_FALSE(w.ok()) << bad;
    EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(w.status().message().find(bad), std::string::npos);
  }
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{{"a", DataType::Int64()}, {"a.b", DataType::Int64()}});
  auto w = OpenAvroWriter(FileSystem::Default(), dir.File("n.avro"), schema, options);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
}

TEST(AvroRoundTrip, NullInNonNullableColumnIsRefused) {
  ScratchDir dir;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"a", DataType::Int64(), false}});
  RecordBatch b = RecordBatch::Empty(schema);
  b.columns[0].AppendNull();
  Status st = WriteAll(dir.File("nn.avro"), b, Compression::kNone);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'a' is not nullable"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace gaggle
