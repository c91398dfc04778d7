// The Parquet writer with threads > 1 (parallel_chunk_encoder.h): the same bytes as one thread,
// for flat and nested fields, every row-group/batch alignment, Write and Consume; errors sticky;
// the encoder's per-field order and bounded queue.
#include "formats/parquet/parallel_chunk_encoder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "formats/parquet/parquet_nested_test_util.h"

namespace gaggle {
namespace {

using nested_test::RandomBatch;

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A flat and a nested schema: every physical type, nullable and not, lists, maps and structs.
std::shared_ptr<const Schema> TestSchema(bool nested) {
  if (nested) return nested_test::ShapesSchema();
  return std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64(), false},
                                                     {"name", DataType::String(), true},
                                                     {"score", DataType::Double(), true},
                                                     {"flag", DataType::Bool(), true},
                                                     {"day", DataType::Date(), true},
                                                     {"amount", DataType::Decimal(9, 2), true}});
}

// Batches of uneven sizes (so that row groups end inside batches and on their edges).
std::vector<RecordBatch> Batches(const std::shared_ptr<const Schema>& schema) {
  std::vector<RecordBatch> batches;
  int64_t first = 0;
  uint64_t seed = 7;
  for (size_t rows : {1000u, 1u, 0u, 2500u, 999u, 1001u, 3u, 4096u}) {
    batches.push_back(RandomBatch(schema, rows, seed++, first));
    first += static_cast<int64_t>(rows);
  }
  return batches;
}

// Writes `batches` with `threads`; through Consume (on copies) when `consume`.
std::string Written(const std::string& path, const std::shared_ptr<const Schema>& schema,
                    const std::vector<RecordBatch>& batches, int threads, int64_t row_group_rows, bool consume) {
  WriteOptions options;
  options.threads = threads;
  options.row_group_rows = row_group_rows;
  options.page_bytes = 4096;             // many pages per chunk
  options.dictionary_max_entries = 300;  // some chunks fall back to PLAIN
  auto writer = OpenParquetWriter(FileSystem::Default(), path, schema, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return "";
  RecordBatch scratch;
  for (const RecordBatch& b : batches) {
    Status st;
    if (consume) {
      scratch = b;
      st = (*writer)->Consume(&scratch);
    } else {
      st = (*writer)->Write(b);
    }
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  Status st = (*writer)->Finish();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return FileBytes(path);
}

TEST(ParallelParquetWriter, WritesTheSameBytesAsOneThread) {
  nested_test::ScratchDir dir;
  for (bool nested : {false, true}) {
    std::shared_ptr<const Schema> schema = TestSchema(nested);
    std::vector<RecordBatch> batches = Batches(schema);
    for (int64_t row_group_rows : {1, 999, 1000, 4096, 1000000}) {
      if (row_group_rows == 1 && nested) continue;  // thousands of nested row groups: slow, nothing new
      const std::string one = Written(dir.File("one.parquet"), schema, batches, 1, row_group_rows, false);
      ASSERT_GT(one.size(), 12u);
      for (int threads : {2, 8}) {
        for (bool consume : {false, true}) {
          SCOPED_TRACE("nested=" + std::to_string(nested) + " row_group_rows=" + std::to_string(row_group_rows) +
                       " threads=" + std::to_string(threads) + " consume=" + std::to_string(consume));
          const std::string many = Written(dir.File("many.parquet"), schema, batches, threads, row_group_rows, consume);
          ASSERT_EQ(many.size(), one.size());
          EXPECT_TRUE(many == one);
        }
      }
    }
  }
}

TEST(ParallelParquetWriter, AnEmptyFileIsTheSameToo) {
  nested_test::ScratchDir dir;
  std::shared_ptr<const Schema> schema = TestSchema(false);
  const std::string one = Written(dir.File("one.parquet"), schema, {}, 1, 1000, false);
  const std::string two = Written(dir.File("two.parquet"), schema, {RecordBatch::Empty(schema)}, 2, 1000, true);
  EXPECT_EQ(one, two);
}

TEST(ParallelParquetWriter, ConsumeHandsBackAReusableBatch) {
  nested_test::ScratchDir dir;
  std::shared_ptr<const Schema> schema = TestSchema(false);
  WriteOptions options;
  options.threads = 2;
  auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("f.parquet"), schema, options);
  ASSERT_TRUE(writer.ok());
  RecordBatch batch = RandomBatch(schema, 100, 1);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*writer)->Consume(&batch).ok());
    EXPECT_EQ(batch.num_columns(), schema->num_fields());
    EXPECT_EQ(batch.num_rows(), 0u);
    batch = RandomBatch(schema, 100, static_cast<uint64_t>(i) + 2, 100 * (i + 1));
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  auto read = nested_test::ReadFile(dir.File("f.parquet"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->num_rows(), 2000u);
}

TEST(ParallelParquetWriter, AnEncodingErrorNamesTheColumnAndSticks) {
  nested_test::ScratchDir dir;
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"id", DataType::Int64(), false}, {"amount", DataType::Decimal(3, 0), true}});
  WriteOptions options;
  options.threads = 2;
  options.row_group_rows = 10;
  auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("bad.parquet"), schema, options);
  ASSERT_TRUE(writer.ok());
  RecordBatch batch = RecordBatch::Empty(schema);
  for (int64_t i = 0; i < 25; ++i) {
    batch.columns[0].Append<int64_t>(i);
    batch.columns[1].Append<int64_t>(i == 17 ? 12345 : i);  // 12345 does not fit DECIMAL(3, 0)
  }
  Status st = (*writer)->Write(batch);
  if (st.ok()) st = (*writer)->Finish();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("amount"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("bad.parquet"), std::string::npos) << st.ToString();
  EXPECT_EQ((*writer)->Finish().message(), st.message());
}

// The encoder alone: per field, slices run in order and one at a time; fields run concurrently;
// no more than max_slices are queued; the first error sticks and stops further tasks.
TEST(ParallelChunkEncoder, RunsEachFieldInOrderAndBoundsTheQueue) {
  constexpr size_t kFields = 5;
  constexpr size_t kMaxSlices = 3;
  std::vector<std::vector<size_t>> seen(kFields);  // per field: the offsets of its slices, in run order
  std::atomic<int> running[kFields] = {};
  std::atomic<int> overlap{0};
  std::atomic<size_t> submitted{0}, too_far_ahead{0};
  {
    parquet::ParallelChunkEncoder encoder(kFields, 4, kMaxSlices, [&](size_t f, const parquet::EncodeSlice& s) {
      if (running[f].fetch_add(1) != 0) overlap.fetch_add(1);
      seen[f].push_back(s.offset);
      // Slice s.offset is not done yet, so at most kMaxSlices slices from it on can be queued.
      if (submitted.load() > s.offset + kMaxSlices) too_far_ahead.fetch_add(1);
      running[f].fetch_sub(1);
      return Status::OK();
    });
    uint64_t last = 0;
    for (size_t i = 0; i < 200; ++i) {
      auto seq = encoder.Submit({nullptr, i, 0, nullptr});
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, i);
      submitted.store(i + 1);
      last = *seq;
    }
    ASSERT_TRUE(encoder.WaitFor(last).ok());
    EXPECT_TRUE(encoder.Done(last));
  }
  EXPECT_EQ(overlap.load(), 0);
  EXPECT_EQ(too_far_ahead.load(), 0u) << "more than max_slices slices were queued";
  for (size_t f = 0; f < kFields; ++f) {
    ASSERT_EQ(seen[f].size(), 200u);
    for (size_t i = 0; i < 200; ++i) EXPECT_EQ(seen[f][i], i);
  }
}

TEST(ParallelChunkEncoder, TheFirstErrorSticks) {
  std::atomic<int> after_error{0};
  std::atomic<bool> failed{false};
  parquet::ParallelChunkEncoder encoder(2, 2, 2, [&](size_t f, const parquet::EncodeSlice& s) {
    if (failed.load()) after_error.fetch_add(1);
    if (f == 1 && s.offset == 5) {
      failed.store(true);
      return Status::InvalidArgument("slice 5 is bad");
    }
    return Status::OK();
  });
  Status st;
  for (size_t i = 0; i < 100 && st.ok(); ++i) st = encoder.Submit({nullptr, i, 0, nullptr}).status();
  if (st.ok()) st = encoder.WaitFor(99);
  EXPECT_EQ(st.message(), "slice 5 is bad");
  EXPECT_EQ(encoder.WaitFor(99).message(), "slice 5 is bad");
  EXPECT_LE(after_error.load(), 1);  // at most the other field's task already running
}

}  // namespace
}  // namespace gaggle
