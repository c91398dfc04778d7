#include "formats/jsonl/jsonl_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dataset/format_table.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::HasSubstr;
using testing_text::AllTypesBatch;
using testing_text::ReadAll;
using testing_text::ReadText;
using testing_text::Rows;
using testing_text::ScratchDir;

Status WriteJsonl(const std::string& path, const RecordBatch& batch) {
  auto writer = OpenWriter(path, Format::kJsonl, batch.schema, WriteOptions{});
  if (!writer.ok()) return writer.status();
  GAGGLE_RETURN_IF_ERROR((*writer)->Write(batch));
  return (*writer)->Finish();
}

TEST(JsonlWriter, WritesOneObjectPerRowInSchemaOrder) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  ASSERT_TRUE(WriteJsonl(dir.File("all.jsonl"), batch).ok());
  std::string text = ReadText(dir.File("all.jsonl"));
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) got.push_back(line);
  ASSERT_EQ(got.size(), batch.num_rows());
  EXPECT_EQ(got[0],
            "{\"b\":true,\"i32\":-2147483648,\"i64\":-9223372036854775808,\"f\":1.5,\"d\":\"nan\","
            "\"s\":\"a,b \\\"q\\\"\\u000anew\\u000d\\u000aline\",\"bin\":\"00ff\",\"day\":\"0000-03-01\","
            "\"ts\":\"1969-12-31T23:59:59.999999Z\",\"dec\":\"-999999999999999.999\"}");
  EXPECT_EQ(got[1],
            "{\"b\":null,\"i32\":null,\"i64\":null,\"f\":null,\"d\":null,\"s\":null,\"bin\":null,\"day\":null,"
            "\"ts\":null,\"dec\":null}");
  EXPECT_THAT(got[2], HasSubstr("\"f\":\"-inf\",\"d\":\"inf\",\"s\":\"\","));
  EXPECT_THAT(got[3], HasSubstr("\"s\":\"h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xF0\x9F\x98\x80\""));
  EXPECT_THAT(got[5], HasSubstr("\"s\":\"\\u0001\\u001f\\\\/\x7f\\u0000end\""));
  // Every line is standard JSON (checked with a second, independent parser).
  for (const std::string& l : got) {
    auto parsed = nlohmann::json::parse(l, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << l;
    EXPECT_TRUE(parsed.is_object()) << l;
  }
}

TEST(JsonlWriter, EveryTypeRoundTripsThroughTheReader) {
  ScratchDir dir;
  RecordBatch batch = AllTypesBatch();
  ASSERT_TRUE(WriteJsonl(dir.File("all.jsonl"), batch).ok());
  ReadOptions options;
  options.schema = *batch.schema;
  auto reader = OpenReader(dir.File("all.jsonl"), Format::kJsonl, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto back = ReadAll(reader->get());
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
  EXPECT_TRUE(std::signbit(back->columns[4].Get<double>(5)));
}

TEST(JsonlWriter, InferenceRecoversTheInferableTypes) {
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
    batch.columns[1].Append<double>(i / 4.0);  // some of them integral: written as 1, 2...
    batch.columns[2].Append<uint8_t>(i % 2);
    batch.columns[3].Append<int32_t>(-i * 400);
    batch.columns[4].Append<int64_t>(int64_t{i} * 1234567);
    if (i % 5 == 0) {
      batch.columns[5].AppendNull();
    } else {
      batch.columns[5].AppendString("n\"" + std::to_string(i));
    }
  }
  ASSERT_TRUE(WriteJsonl(dir.File("typed.jsonl"), batch).ok());
  auto reader = OpenReader(dir.File("typed.jsonl"), Format::kJsonl, ReadOptions{});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->schema()->ToString(), schema->ToString());
  auto back = ReadAll(reader->get());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Rows(*back), Rows(batch));
}

TEST(JsonlWriter, InvalidUtf8IsRefusedAndTheErrorIsSticky) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::String()}});
  RecordBatch batch = RecordBatch::Empty(schema);
  batch.columns[0].AppendString("ok");
  batch.columns[0].AppendString("bad \xC3");
  auto writer = OpenWriter(dir.File("bad.jsonl"), Format::kJsonl, schema, WriteOptions{});
  ASSERT_TRUE(writer.ok());
  Status st = (*writer)->Write(batch);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("bad.jsonl: row 1 of column 's'"));
  EXPECT_EQ((*writer)->Finish(), st);
}

TEST(JsonlWriter, ZeroColumnsAndZeroRows) {
  ScratchDir dir;
  auto empty = std::make_shared<Schema>();
  RecordBatch batch = RecordBatch::Empty(empty);
  ASSERT_TRUE(WriteJsonl(dir.File("none.jsonl"), batch).ok());
  EXPECT_EQ(ReadText(dir.File("none.jsonl")), "");
}

}  // namespace
}  // namespace gaggle
