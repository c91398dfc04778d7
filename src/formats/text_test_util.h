// Test helpers shared by the CSV and JSON lines tests (test code only): a scratch
// directory per test, whole-file read/write, and draining a reader into one table.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "columnar/record_batch.h"
#include "common/file_system.h"
#include "formats/format.h"
#include "formats/memory_files.h"
#include "formats/text_input.h"

namespace gaggle::testing_text {

// A fresh directory for the running test, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "gaggle_text_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" +
            info->name();
    (void)FileSystem::Default()->RemoveAll(path_);
    EXPECT_TRUE(FileSystem::Default()->CreateDirectories(path_).ok());
  }
  ~ScratchDir() { (void)FileSystem::Default()->RemoveAll(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  auto file = FileSystem::Default()->OpenWritable(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->Append(text).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

inline std::string ReadText(const std::string& path) {
  auto text = ReadFileToString(FileSystem::Default(), path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

// Drains `reader` into one batch (rows appended in order). Returns the first error.
inline Result<RecordBatch> ReadAll(BatchReader* reader, size_t* batches = nullptr) {
  RecordBatch all = RecordBatch::Empty(reader->schema());
  RecordBatch batch;
  size_t n = 0;
  while (true) {
    Result<bool> more = reader->Next(&batch);
    if (!more.ok()) return more.status();
    if (!*more) {
      if (batch.num_rows() != 0) return Status::Internal("end of file with a non-empty batch");
      break;
    }
    ++n;
    Status valid = batch.Validate();
    if (!valid.ok()) return valid;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      for (size_t r = 0; r < batch.num_rows(); ++r) all.columns[c].AppendFrom(batch.columns[c], r);
    }
  }
  if (batches) *batches = n;
  return all;
}

// Row r rendered as "v1|v2|..." with Column::ValueToString (null shows as "null").
inline std::string Row(const RecordBatch& batch, size_t r) {
  std::string out;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    if (c > 0) out += "|";
    out += batch.columns[c].ValueToString(r);
  }
  return out;
}

inline std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < batch.num_rows(); ++r) rows.push_back(Row(batch, r));
  return rows;
}

// A TextInput over in-memory bytes, with a (tiny) chunk size to cross every boundary.
inline std::unique_ptr<TextInput> MemoryInput(const std::string& name, std::string bytes, size_t chunk,
                                              size_t max_read = 0) {
  return std::make_unique<TextInput>(std::make_unique<StringSequentialFile>(name, std::move(bytes), max_read), chunk);
}

// One batch with every type and the awkward values a text format must carry exactly:
// nulls, empty strings, delimiters/quotes/newlines, unicode, control characters,
// INT64_MIN, NaN/inf, -0, denormals, dates before 1970, timestamps with fractions.
inline RecordBatch AllTypesBatch() {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"b", DataType::Bool()},
      {"i32", DataType::Int32()},
      {"i64", DataType::Int64()},
      {"f", DataType::Float()},
      {"d", DataType::Double()},
      {"s", DataType::String()},
      {"bin", DataType::Binary()},
      {"day", DataType::Date()},
      {"ts", DataType::Timestamp()},
      {"dec", DataType::Decimal(18, 3)},
  });
  RecordBatch batch = RecordBatch::Empty(schema);
  auto& c = batch.columns;
  auto row = [&](bool b, int32_t i32, int64_t i64, float f, double d, std::string_view s, std::string_view bin,
                 int32_t day, int64_t ts, int64_t dec) {
    c[0].Append<uint8_t>(b ? 1 : 0);
    c[1].Append<int32_t>(i32);
    c[2].Append<int64_t>(i64);
    c[3].Append<float>(f);
    c[4].Append<double>(d);
    c[5].AppendString(s);
    c[6].AppendString(bin);
    c[7].Append<int32_t>(day);
    c[8].Append<int64_t>(ts);
    c[9].Append<int64_t>(dec);
  };
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  row(true, INT32_MIN, INT64_MIN, 1.5f, kNan, "a,b \"q\"\nnew\r\nline", std::string("\x00\xff", 2), -719468, -1,
      -999999999999999999LL);
  for (auto& col : c) col.AppendNull();
  row(false, INT32_MAX, INT64_MAX, -std::numeric_limits<float>::infinity(), kInf, "", "", 0, 1704164645123456LL, 0);
  row(true, 0, 0, -0.0f, -kInf, "h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xF0\x9F\x98\x80", "abc", 19000,
      -62135596800000000LL, 1);
  row(false, -1, -1, 3.4e38f, 5e-324, " leading and trailing ", "\t", -1, 0, -5);
  row(true, 7, 9007199254740993LL, 0.1f, -0.0, std::string("\x01\x1f\\/\x7f\0end", 9), "\"", 2932896,
      253402300799999999LL, 123456);
  return batch;
}

}  // namespace gaggle::testing_text
