#include "formats/csv/csv_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "dataset/format_table.h"
#include "formats/csv/csv_reader.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_text::AllTypesBatch;
using testing_text::ReadAll;
using testing_text::ReadText;
using testing_text::Rows;
using testing_text::ScratchDir;

Status WriteCsv(const std::string& path, const RecordBatch& batch, WriteOptions options = {}) {
  auto writer = OpenWriter(path, Format::kCsv, batch.schema, options);
  if (!writer.ok()) return writer.status();
  GAGGLE_RETURN_IF_ERROR((*writer)->Write(batch));
  return (*writer)->Finish();
}

Result<RecordBatch> ReadCsvFile(const std::string& path, ReadOptions options) {
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(path, Format::kCsv, options));
  return ReadAll(reader.get());
}

TEST(CsvWriter, QuotesOnlyWhereNeeded) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"a", DataType::String()}, {"b,2", DataType::Int64()}, {"c", DataType::Double()}});
  RecordBatch batch = RecordBatch::Empty(schema);
  auto add = [&](const char* a, std::optional<int64_t> b, double c) {
    if (a) {
      batch.columns[0].AppendString(a);
    } else {
      batch.columns[0].AppendNull();
    }
    if (b) {
      batch.columns[1].Append<int64_t>(*b);
    } else {
      batch.columns[1].AppendNull();
    }
    batch.columns[2].Append<double>(c);
  };
  add("plain", 1, 1.5);
  add("a,b", std::nullopt, std::nan(""));
  add("", -2, INFINITY);
  add(" x", 3, -INFINITY);
  add("q\"", 4, 0.1);
  add(nullptr, 5, 1e300);
  add("cr\rlf\n", 6, -0.0);
  ASSERT_TRUE(WriteCsv(dir.File("out.csv"), batch).ok());
  EXPECT_EQ(ReadText(dir.File("out.csv")),
            "a,\"b,2\",c\n"
            "plain,1,1.5\n"
            "\"a,b\",,nan\n"
            "\"\",-2,inf\n"
            "\" x\",3,-inf\n"
            "\"q\"\"\",4,0.1\n"
            ",5,1e+300\n"
            "\"cr\rlf\n\",6,-0.0\n");
}

TEST(CsvWriter, EveryTypeRoundTripsThroughTheReader) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  ASSERT_TRUE(WriteCsv(dir.File("all.csv"), batch).ok());
  ReadOptions options;
  options.schema = *batch.schema;
  auto back = ReadCsvFile(dir.File("all.csv"), options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(Rows(*back), Rows(batch));
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      EXPECT_EQ(back->columns[c].IsNull(r), batch.columns[c].IsNull(r)) << c << "," << r;
      if (batch.columns[c].type().is_variable_width()) {
        EXPECT_EQ(back->columns[c].GetString(r), batch.columns[c].GetString(r)) << c << "," << r;
      }
    }
  }
  EXPECT_TRUE(std::signbit(back->columns[4].Get<double>(5)));  // -0 stays negative

  // Reading the same file with every column as string always works (dead-letter path).
  std::vector<Field> strings;
  for (const Field& f : batch.schema->fields()) strings.push_back({f.name, DataType::String()});
  options.schema = Schema(strings);
  auto as_text = ReadCsvFile(dir.File("all.csv"), options);
  ASSERT_TRUE(as_text.ok()) << as_text.status().ToString();
  EXPECT_EQ(as_text->columns[2].GetString(0), "-9223372036854775808");
  EXPECT_EQ(as_text->columns[8].GetString(2), "2024-01-02T03:04:05.123456Z");
}

TEST(CsvWriter, OtherOptionsRoundTrip) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  WriteOptions write;
  write.csv.delimiter = '\t';
  write.csv.quote = '\'';
  write.csv.null_text = "NULL";
  write.csv.header = false;
  ASSERT_TRUE(WriteCsv(dir.File("all.tsv"), batch, write).ok());
  ReadOptions read;
  read.csv = write.csv;
  read.schema = *batch.schema;
  auto back = ReadCsvFile(dir.File("all.tsv"), read);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(Rows(*back), Rows(batch));
}

TEST(CsvWriter, SingleColumnNullsAndEmptyStringsRoundTrip) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::String()}});
  RecordBatch batch = RecordBatch::Empty(schema);
  batch.columns[0].AppendNull();
  batch.columns[0].AppendString("");
  batch.columns[0].AppendString("x");
  batch.columns[0].AppendNull();
  ASSERT_TRUE(WriteCsv(dir.File("one.csv"), batch).ok());
  EXPECT_EQ(ReadText(dir.File("one.csv")), "s\n\n\"\"\nx\n\n");
  auto back = ReadCsvFile(dir.File("one.csv"), ReadOptions{});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->num_rows(), 4u);
  EXPECT_TRUE(back->columns[0].IsNull(0));
  EXPECT_FALSE(back->columns[0].IsNull(1));
  EXPECT_EQ(back->columns[0].GetString(2), "x");
  EXPECT_TRUE(back->columns[0].IsNull(3));
}

TEST(CsvWriter, InferenceRecoversTheInferableTypes) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64()},
                                                            {"v", DataType::Double()},
                                                            {"ok", DataType::Bool()},
                                                            {"day", DataType::Date()},
                                                            {"ts", DataType::Timestamp()},
                                                            {"name", DataType::String()}});
  RecordBatch batch = RecordBatch::Empty(schema);
  for (int i = 0; i < 50; ++i) {
    batch.columns[0].Append<int64_t>(i - 25);
    batch.columns[1].Append<double>(i / 4.0);  // some integral: written as 1.0
    batch.columns[2].Append<uint8_t>(i % 2);
    batch.columns[3].Append<int32_t>(-i * 400);
    batch.columns[4].Append<int64_t>(int64_t{i} * 1234567);
    if (i % 5 == 0) {
      batch.columns[5].AppendNull();
    } else {
      batch.columns[5].AppendString("n" + std::to_string(i));
    }
  }
  ASSERT_TRUE(WriteCsv(dir.File("typed.csv"), batch).ok());
  auto reader = OpenReader(dir.File("typed.csv"), Format::kCsv, ReadOptions{});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->schema()->ToString(), schema->ToString());
  auto back = ReadAll(reader->get());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Rows(*back), Rows(batch));
}

TEST(CsvWriter, ErrorsAreSticky) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  auto writer = OpenWriter(dir.File("x.csv"), Format::kCsv, batch.schema, WriteOptions{});
  ASSERT_TRUE(writer.ok());
  RecordBatch other = RecordBatch::Empty(std::make_shared<Schema>(std::vector<Field>{{"z", DataType::Int64()}}));
  Status st = (*writer)->Write(other);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("x.csv"));
  EXPECT_EQ((*writer)->Write(batch), st);
  EXPECT_EQ((*writer)->Finish(), st);

  WriteOptions bad;
  bad.csv.delimiter = '\n';
  EXPECT_EQ(OpenWriter(dir.File("y.csv"), Format::kCsv, batch.schema, bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvWriter, ManyBatchesAreConcatenated) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  auto writer = OpenWriter(dir.File("many.csv"), Format::kCsv, batch.schema, WriteOptions{});
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*writer)->Write(batch).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ((*writer)->bytes_written(), ReadText(dir.File("many.csv")).size());
  ReadOptions options;
  options.schema = *batch.schema;
  options.batch_rows = 4;
  auto back = ReadCsvFile(dir.File("many.csv"), options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->num_rows(), 3 * batch.num_rows());
  EXPECT_EQ(Rows(*back)[batch.num_rows() * 2 + 1], Rows(batch)[1]);
}

}  // namespace
}  // namespace gaggle
