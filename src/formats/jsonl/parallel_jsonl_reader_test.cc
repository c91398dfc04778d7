// The parallel JSON lines reader against the single one, on files cut into many small
// blocks: the same rows in the same order, the same schema, and the same errors with the
// same lines and byte offsets.
#include "formats/jsonl/parallel_jsonl_reader.h"

#include <gtest/gtest.h>

#include "common/forwarding_file_system.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using testing_text::ReadAll;
using testing_text::Rows;
using testing_text::ScratchDir;
using testing_text::WriteText;

// Lines of every kind a block boundary may fall between: a BOM first, CRLF endings, blank
// lines, missing keys and nulls, nested values, escapes and multi-byte text, a last line
// without its line break.
std::string VariedLines(int n) {
  std::string text = "\xEF\xBB\xBF";
  for (int i = 0; i < n; ++i) {
    text += "{\"id\": " + std::to_string(i) + ", \"x\": " + std::to_string(i * 0.25);
    if (i % 7 != 3) text += ", \"name\": \"n\\u00e9-" + std::to_string(i) + (i % 5 == 0 ? "\\\"q\\\"" : "") + "\"";
    if (i % 11 == 0) text += ", \"tags\": [\"a\", \"b" + std::to_string(i) + "\"]";
    if (i % 13 == 0) text += ", \"ok\": null";
    if (i % 13 == 1) text += ", \"ok\": true";
    text += i % 17 == 0 ? "}\r\n" : "}\n";
    if (i % 29 == 0) text += "\n  \n";
  }
  return text + "{\"id\": -1, \"name\": \"last, no line break\"}";
}

struct BothReads {
  std::string single_schema, parallel_schema;
  Result<RecordBatch> single = Status::Internal("unread");
  Result<RecordBatch> parallel = Status::Internal("unread");
};

BothReads ReadBoth(const std::string& path, ReadOptions options, int threads, size_t block_bytes) {
  BothReads out;
  options.threads = 1;
  auto single = OpenJsonlReader(FileSystem::Default(), path, options);
  if (!single.ok()) {
    out.single = single.status();
  } else {
    out.single_schema = (*single)->schema()->ToString();
    out.single = ReadAll(single->get());
  }
  options.threads = threads;
  auto parallel = OpenParallelJsonlReader(FileSystem::Default(), path, options, block_bytes);
  if (!parallel.ok()) {
    out.parallel = parallel.status();
  } else {
    out.parallel_schema = (*parallel)->schema()->ToString();
    out.parallel = ReadAll(parallel->get());
  }
  return out;
}

TEST(ParallelJsonlReader, ReadsTheSameRowsInOrderAsTheSingleReader) {
  ScratchDir dir;
  const std::string path = dir.File("varied.jsonl");
  WriteText(path, VariedLines(3000));
  ReadOptions options;
  options.batch_rows = 100;
  for (int threads : {2, 3}) {
    for (size_t block : {size_t{1}, size_t{97}, size_t{4096}, size_t{1} << 20}) {
      BothReads r = ReadBoth(path, options, threads, block);
      ASSERT_TRUE(r.single.ok()) << r.single.status().ToString();
      ASSERT_TRUE(r.parallel.ok()) << r.parallel.status().ToString();
      EXPECT_EQ(r.parallel_schema, r.single_schema);
      ASSERT_EQ(r.single->num_rows(), 3001u);
      EXPECT_EQ(Rows(*r.parallel), Rows(*r.single)) << threads << " threads, blocks of " << block << " bytes";
    }
  }
}

TEST(ParallelJsonlReader, ADeclaredSchemaReadsAsInTheSingleReader) {
  ScratchDir dir;
  const std::string path = dir.File("declared.jsonl");
  WriteText(path, VariedLines(500));
  ReadOptions options;
  options.schema = Schema({{"id", DataType::Int64(), false},
                           {"x", DataType::Double(), true},
                           {"name", DataType::String(), true},
                           {"tags", DataType::String(), true},
                           {"ok", DataType::Bool(), true}});
  BothReads r = ReadBoth(path, options, 2, 256);
  ASSERT_TRUE(r.single.ok()) << r.single.status().ToString();
  ASSERT_TRUE(r.parallel.ok()) << r.parallel.status().ToString();
  EXPECT_EQ(Rows(*r.parallel), Rows(*r.single));
}

// Each bad line, placed far past the first block, fails both readers with the same message.
TEST(ParallelJsonlReader, ErrorsNameTheSameLineAndByteAsTheSingleReader) {
  ScratchDir dir;
  const std::string good = VariedLines(400);
  const std::string body = good.substr(0, good.rfind('\n') + 1);
  const char* bad_lines[] = {
      "{\"id\": 1, \"x\": }\n",            // malformed
      "{\"id\": 1, \"surprise\": 2}\n",    // a key inference never saw
      "{\"id\": 1, \"id\": 2}\n",          // a duplicate key
      "[1, 2]\n",                          // not an object
      "{\"id\": 99999999999999999999}\n",  // beyond int64
  };
  for (const char* bad : bad_lines) {
    const std::string path = dir.File("bad.jsonl");
    WriteText(path, body + body + bad + body);
    for (int threads : {2, 4}) {
      BothReads r = ReadBoth(path, ReadOptions{}, threads, 512);
      ASSERT_FALSE(r.single.ok()) << bad;
      ASSERT_FALSE(r.parallel.ok()) << bad;
      EXPECT_EQ(r.parallel.status().code(), r.single.status().code()) << bad;
      EXPECT_EQ(r.parallel.status().message(), r.single.status().message()) << bad;
    }
  }
}

TEST(ParallelJsonlReader, AnErrorIsReturnedAgainOnEveryLaterNext) {
  ScratchDir dir;
  const std::string path = dir.File("sticky.jsonl");
  WriteText(path, VariedLines(1500) + "\n{oops}\n" + VariedLines(300).substr(3));  // past inference's 1000 lines
  BothReads both = ReadBoth(path, ReadOptions{}, 2, 300);
  ASSERT_FALSE(both.single.ok());
  ReadOptions options;
  options.threads = 2;
  auto reader = OpenParallelJsonlReader(FileSystem::Default(), path, options, 300);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch batch;
  Result<bool> more = true;
  while (more.ok() && *more) more = (*reader)->Next(&batch);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().message(), both.single.status().message());
  EXPECT_NE(more.status().message().find("malformed JSON"), std::string::npos) << more.status().ToString();
  EXPECT_EQ(batch.num_rows(), 0u);
  Result<bool> again = (*reader)->Next(&batch);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), more.status().message());
}

TEST(ParallelJsonlReader, EmptyAndBlankFilesHaveNoRows) {
  ScratchDir dir;
  for (const std::string& text : {std::string(), std::string("\n\n  \n")}) {
    const std::string path = dir.File("empty.jsonl");
    WriteText(path, text);
    BothReads r = ReadBoth(path, ReadOptions{}, 2, 16);
    ASSERT_TRUE(r.single.ok()) << r.single.status().ToString();
    ASSERT_TRUE(r.parallel.ok()) << r.parallel.status().ToString();
    EXPECT_EQ(r.parallel->num_rows(), 0u);
    EXPECT_EQ(r.parallel_schema, r.single_schema);
  }
}

// Inference stops at lines starting kJsonlMaxSampleBytes into the file, and the parallel
// reader infers from the first lines it read up front: a key on the line that straddles
// that mark is a column for both, a key first seen on a later line an error for both.
TEST(ParallelJsonlReader, InfersFromTheSameLinesAroundTheSampleLimit) {
  ScratchDir dir;
  std::string filler;
  const std::string line = "{\"id\": 1, \"pad\": \"" + std::string(200, 'p') + "\"}\n";
  while (filler.size() + line.size() < kJsonlMaxSampleBytes - 10) filler += line;
  ReadOptions options;
  options.infer_rows = 1000000;  // the byte limit decides
  options.batch_rows = 4096;
  const std::string straddles = "{\"id\": 2, \"late\": \"" + std::string(100, 'l') + "\"}\n";
  const std::string after = "{\"id\": 3, \"later\": 1}\n";
  const std::string path = dir.File("limit.jsonl");
  WriteText(path, filler + straddles + line + after + line);
  BothReads r = ReadBoth(path, options, 2, 0);
  EXPECT_NE(r.single_schema.find("late"), std::string::npos) << r.single_schema;
  EXPECT_EQ(r.parallel_schema, r.single_schema);
  ASSERT_FALSE(r.single.ok());
  ASSERT_FALSE(r.parallel.ok());
  EXPECT_EQ(r.parallel.status().message(), r.single.status().message());
  EXPECT_NE(r.single.status().message().find("later"), std::string::npos) << r.single.status().ToString();
}

// Counts the files opened for sequential reading (on object storage, each is a GET).
class CountingFileSystem final : public ForwardingFileSystem {
 public:
  CountingFileSystem() : ForwardingFileSystem(FileSystem::Default()) {}
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    ++sequential_opens;
    return base()->OpenSequential(path);
  }
  int sequential_opens = 0;
};

TEST(ParallelJsonlReader, OpensTheFileOnce) {
  ScratchDir dir;
  const std::string path = dir.File("once.jsonl");
  WriteText(path, VariedLines(2000));
  CountingFileSystem fs;
  ReadOptions options;
  options.threads = 2;
  auto reader = OpenParallelJsonlReader(&fs, path, options, 512);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<RecordBatch> all = ReadAll(reader->get());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->num_rows(), 2001u);
  EXPECT_EQ(fs.sequential_opens, 1) << "the schema is inferred from the bytes the blocks are cut from";
}

// Destroying a reader that has blocks in flight stops its threads (no hang, no leak).
TEST(ParallelJsonlReader, StopsCleanlyWhenDestroyedEarly) {
  ScratchDir dir;
  const std::string path = dir.File("early.jsonl");
  WriteText(path, VariedLines(5000));
  ReadOptions options;
  options.threads = 3;
  options.batch_rows = 50;
  auto reader = OpenParallelJsonlReader(FileSystem::Default(), path, options, 128);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch batch;
  Result<bool> more = (*reader)->Next(&batch);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_GT(batch.num_rows(), 0u);
  reader->reset();
}

}  // namespace
}  // namespace gaggle
