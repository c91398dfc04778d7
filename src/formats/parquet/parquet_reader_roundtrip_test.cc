// Our writer -> our reader: every gaggle type with nulls and extremes comes back bit for bit,
// whatever the codec, dictionary setting (including the fallback to plain inside a chunk), row
// group size, page size and batch size; empty and one-row files too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace gaggle {
namespace {

std::shared_ptr<const Schema> AllTypes() {
  return std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64(), false},
                                                     {"flag", DataType::Bool(), true},
                                                     {"i32", DataType::Int32(), true},
                                                     {"i64", DataType::Int64(), true},
                                                     {"f32", DataType::Float(), true},
                                                     {"f64", DataType::Double(), true},
                                                     {"name", DataType::String(), true},
                                                     {"blob", DataType::Binary(), true},
                                                     {"day", DataType::Date(), true},
                                                     {"ts", DataType::Timestamp(), true},
                                                     {"small_dec", DataType::Decimal(9, 2), true},
                                                     {"big_dec", DataType::Decimal(18, 6), true},
                                                     {"category", DataType::String(), false}});
}

// Row i of the test data; nulls at different strides per column, extremes at the start.
RecordBatch MakeRows(const std::shared_ptr<const Schema>& schema, int64_t first, int64_t n) {
  RecordBatch b = RecordBatch::Empty(schema);
  const double specials[] = {std::nan(""), INFINITY, -INFINITY, -0.0, 0.0, 1e-310, -1e300};
  for (int64_t i = first; i < first + n; ++i) {
    auto& c = b.columns;
    c[0].Append<int64_t>(i);
    if (i % 3 == 0)
      c[1].AppendNull();
    else
      c[1].Append<uint8_t>(i % 2);
    if (i % 5 == 0)
      c[2].AppendNull();
    else
      c[2].Append<int32_t>(i == 1 ? INT32_MIN : i == 2 ? INT32_MAX : static_cast<int32_t>(i * 7919 % 100000 - 50000));
    if (i % 7 == 0)
      c[3].AppendNull();
    else
      c[3].Append<int64_t>(i == 1 ? INT64_MIN : i == 2 ? INT64_MAX : i * 1000003 - 7);
    if (i % 11 == 0)
      c[4].AppendNull();
    else
      c[4].Append<float>(i < 7 ? static_cast<float>(specials[i]) : static_cast<float>(i) / 3.0f);
    if (i % 13 == 0)
      c[5].AppendNull();
    else
      c[5].Append<double>(i < 7 ? specials[i] : static_cast<double>(i) * 1.1);
    if (i % 4 == 0)
      c[6].AppendNull();
    else
      c[6].AppendString(i % 10 == 1 ? ""
                                    : "näme-" + std::to_string(i % 50) + std::string(static_cast<size_t>(i % 9), 'x'));
    if (i % 6 == 0)
      c[7].AppendNull();
    else
      c[7].AppendString(std::string("\0\xFF", 2) + std::to_string(i));
    if (i % 8 == 0)
      c[8].AppendNull();
    else
      c[8].Append<int32_t>(static_cast<int32_t>(i * 37 % 80000 - 40000));
    if (i % 9 == 0)
      c[9].AppendNull();
    else
      c[9].Append<int64_t>((i - 500) * 86400000000LL + i);
    if (i % 10 == 0)
      c[10].AppendNull();
    else
      c[10].Append<int64_t>(i == 1 ? 999999999 : i == 2 ? -999999999 : i * 101 - 3000);
    if (i % 12 == 0)
      c[11].AppendNull();
    else
      c[11].Append<int64_t>(i == 1 ? 999999999999999999 : i == 2 ? -999999999999999999 : i * 123456789);
    c[12].AppendString(i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue");
  }
  return b;
}

bool SameValue(const Column& a, size_t i, const Column& b, size_t j) {
  if (a.IsNull(i) != b.IsNull(j)) return false;
  if (a.IsNull(i)) return true;
  if (a.type().is_variable_width()) return a.GetString(i) == b.GetString(j);
  switch (a.type().byte_width()) {
    case 1: return a.Get<uint8_t>(i) == b.Get<uint8_t>(j);
    case 4: return std::memcmp(a.data<int32_t>() + i, b.data<int32_t>() + j, 4) == 0;
    default: return std::memcmp(a.data<int64_t>() + i, b.data<int64_t>() + j, 8) == 0;
  }
}

class ParquetRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gaggle-pqrt-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `rows` rows (in batches of 1000) and reads them back with `batch_rows`, comparing all.
  void RoundTrip(const WriteOptions& options, int64_t rows, size_t batch_rows, const std::string& name) {
    SCOPED_TRACE(name);
    auto schema = AllTypes();
    std::string path = (dir_ / (name + ".parquet")).string();
    auto writer = OpenParquetWriter(FileSystem::Default(), path, schema, options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (int64_t first = 0; first < rows; first += 1000) {
      ASSERT_TRUE((*writer)->Write(MakeRows(schema, first, std::min<int64_t>(1000, rows - first))).ok());
    }
    ASSERT_TRUE((*writer)->Finish().ok());

    ReadOptions ro;
    ro.batch_rows = batch_rows;
    auto reader = OpenParquetReader(FileSystem::Default(), path, ro);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    ASSERT_EQ(*(*reader)->schema(), *schema);
    RecordBatch expected = MakeRows(schema, 0, rows);
    RecordBatch batch;
    size_t row = 0;
    while (true) {
      auto more = (*reader)->Next(&batch);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      ASSERT_TRUE(batch.Validate().ok());
      ASSERT_LE(batch.num_rows(), batch_rows);
      for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
        ASSERT_LT(row, static_cast<size_t>(rows));
        for (size_t c = 0; c < batch.num_columns(); ++c) {
          ASSERT_TRUE(SameValue(batch.columns[c], r, expected.columns[c], row))
              << "row " << row << " column " << schema->field(c).name << ": got " << batch.columns[c].ValueToString(r)
              << ", wrote " << expected.columns[c].ValueToString(row);
        }
      }
    }
    EXPECT_EQ(row, static_cast<size_t>(rows));
    auto more = (*reader)->Next(&batch);  // stays at the end
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    EXPECT_EQ(batch.num_rows(), 0u);
  }

  std::filesystem::path dir_;
};

TEST_F(ParquetRoundTrip, EveryCodec) {
  for (Compression codec : {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    WriteOptions o;
    o.compression = codec;
    o.row_group_rows = 1500;
    RoundTrip(o, 4000, 1024, std::string("codec_") + CompressionName(codec));
  }
}

TEST_F(ParquetRoundTrip, DictionaryOffAndFallbackToPlain) {
  WriteOptions off;
  off.dictionary = false;
  RoundTrip(off, 3000, 500, "dictionary_off");
  WriteOptions fallback;
  fallback.dictionary_max_entries = 20;  // the unique columns overflow it within the first page
  fallback.page_bytes = 2048;
  RoundTrip(fallback, 5000, 999, "dictionary_fallback");
}

TEST_F(ParquetRoundTrip, ManyRowGroupsAndTinyPages) {
  WriteOptions o;
  o.row_group_rows = 77;
  o.page_bytes = 512;
  o.compression = Compression::kSnappy;
  RoundTrip(o, 2000, 100, "many_groups");
  RoundTrip(o, 2000, 1, "batch_of_one");
}

TEST_F(ParquetRoundTrip, EmptyAndOneRowFiles) {
  WriteOptions o;
  RoundTrip(o, 0, 10, "empty");
  RoundTrip(o, 1, 10, "one_row");
}

// Counts the bytes read through it, to show a projection fetches only its columns' chunks.
class CountingFile final : public RandomAccessFile {
 public:
  CountingFile(std::unique_ptr<RandomAccessFile> inner, uint64_t* bytes) : inner_(std::move(inner)), bytes_(bytes) {}
  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    GAGGLE_ASSIGN_OR_RETURN(size_t got, inner_->ReadAt(offset, n, out));
    *bytes_ += got;
    return got;
  }
  uint64_t size() const override { return inner_->size(); }
  const std::string& path() const override { return inner_->path(); }

 private:
  std::unique_ptr<RandomAccessFile> inner_;
  uint64_t* bytes_;
};

TEST_F(ParquetRoundTrip, ProjectionDecodesOnlyTheNamedColumnsInFileOrder) {
  auto schema = AllTypes();
  const std::string path = (dir_ / "projected.parquet").string();
  WriteOptions wo;
  wo.row_group_rows = 7000;
  wo.dictionary = false;
  auto writer = OpenParquetWriter(FileSystem::Default(), path, schema, wo);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Write(MakeRows(schema, 0, 20000)).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  const RecordBatch expected = MakeRows(schema, 0, 20000);

  auto read = [&](const std::vector<std::string>& columns, uint64_t* bytes) -> Result<std::unique_ptr<BatchReader>> {
    GAGGLE_ASSIGN_OR_RETURN(auto file, FileSystem::Default()->OpenRandomAccess(path));
    ReadOptions ro;
    ro.batch_rows = 1000;
    ro.columns = columns;
    return OpenParquetReader(std::make_unique<CountingFile>(std::move(file), bytes), ro);
  };
  // Names as SQL writes them: any case, any order, repeated; the batch keeps the file's order.
  uint64_t projected_bytes = 0;
  auto reader = read({"BIG_DEC", "id", "Name", "id"}, &projected_bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<size_t> picked = {0, 6, 11};
  ASSERT_EQ((*reader)->schema()->num_fields(), picked.size());
  for (size_t i = 0; i < picked.size(); ++i) EXPECT_EQ((*reader)->schema()->field(i), schema->field(picked[i]));
  RecordBatch batch;
  size_t row = 0;
  while (true) {
    auto more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      for (size_t i = 0; i < picked.size(); ++i) {
        ASSERT_TRUE(SameValue(batch.columns[i], r, expected.columns[picked[i]], row)) << "row " << row;
      }
    }
  }
  EXPECT_EQ(row, 20000u);

  uint64_t all_bytes = 0;
  auto whole = read({}, &all_bytes);
  ASSERT_TRUE(whole.ok());
  while (true) {
    auto more = (*whole)->Next(&batch);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
  }
  EXPECT_EQ(batch.num_columns(), schema->num_fields());
  // The footer is read with a 64 KiB tail window either way; the rest is the chunks read.
  EXPECT_LT(projected_bytes * 3, all_bytes) << "a projection of 3 of 13 columns read most of the file";

  uint64_t ignored = 0;
  auto missing = read({"id", "nope"}, &ignored);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(missing.status().message().find("no column 'nope'"), std::string::npos) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("projected.parquet"), std::string::npos);
  EXPECT_NE(missing.status().message().find("big_dec"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
