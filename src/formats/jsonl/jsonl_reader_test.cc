#include "formats/jsonl/jsonl_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dataset/format_table.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_text::MemoryInput;
using testing_text::ReadAll;
using testing_text::Rows;
using testing_text::ScratchDir;
using testing_text::WriteText;

struct OpenedJsonl {
  Status status;
  std::shared_ptr<const Schema> schema;
  RecordBatch table;
};

OpenedJsonl ReadJsonlText(const ScratchDir& dir, const std::string& text, ReadOptions options = {}) {
  std::string path = dir.File("in.jsonl");
  WriteText(path, text);
  OpenedJsonl out;
  auto reader = OpenReader(path, Format::kJsonl, options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  out.schema = (*reader)->schema();
  auto table = ReadAll(reader->get());
  if (!table.ok()) {
    out.status = table.status();
    return out;
  }
  out.table = std::move(*table);
  return out;
}

TEST(JsonlReader, InfersTypesFromJsonValues) {
  ScratchDir dir;
  OpenedJsonl r =
      ReadJsonlText(dir,
                    "{\"b\":true,\"i\":1,\"d\":1.5,\"w\":1,\"s\":\"x\",\"day\":\"2024-01-02\",\"ts\":\"2024-01-02\","
                    "\"n\":null,\"mix\":1}\n"
                    "\n"
                    "  {\"b\":false,\"i\":-9223372036854775808,\"d\":2e3,\"w\":2.5,\"s\":\"y\",\"day\":\"1969-12-31\","
                    "\"ts\":\"2024-01-02T03:04:05.5Z\",\"n\":null,\"mix\":\"a\",\"late\":7}  \r\n"
                    "{}\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.schema->ToString(),
            "b: bool, i: int64, d: double, w: double, s: string, day: date, ts: timestamp, n: string, mix: string, "
            "late: int64");
  EXPECT_THAT(Rows(r.table),
              ElementsAre("true|1|1.5|1|x|2024-01-02|2024-01-02T00:00:00Z|null|1|null",
                          "false|-9223372036854775808|2000|2.5|y|1969-12-31|2024-01-02T03:04:05.500000Z|null|a|7",
                          "null|null|null|null|null|null|null|null|null|null"));
}

TEST(JsonlReader, StringsDecodeEscapesAndSurrogatePairs) {
  ScratchDir dir;
  OpenedJsonl r = ReadJsonlText(dir, R"({"s":"a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00\u0000z"})"
                                     "\n"
                                     "{\"s\":\"raw \xC3\xA9 \xF0\x9F\x98\x80\"}\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.table.columns[0].GetString(0), std::string("a\"b\\c/d\n\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\0z", 20));
  EXPECT_EQ(r.table.columns[0].GetString(1), "raw \xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonlReader, DeclaredSchemaConvertsAndKeepsNestedJsonAsText) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = Schema({{"id", DataType::Int32()},
                           {"price", DataType::Decimal(18, 2)},
                           {"big", DataType::Decimal(18, 0)},
                           {"raw", DataType::String()},
                           {"num_text", DataType::String()},
                           {"v", DataType::Double()},
                           {"f", DataType::Float()},
                           {"blob", DataType::Binary()},
                           {"ok", DataType::Bool()}});
  OpenedJsonl r = ReadJsonlText(
      dir,
      "{\"id\":7,\"price\":12.30,\"big\":123456789012345678,\"raw\":{\"a\": [1, 2.50, \"x\"]},"
      "\"num_text\":1.50,\"v\":\"nan\",\"f\":\"-inf\",\"blob\":\"00FF\",\"ok\":\"yes\"}\n"
      "{\"id\":\"8\",\"price\":\"-0.5\",\"raw\":[ ],\"num_text\":true,\"v\":\"inf\",\"f\":2,\"ok\":false}\n",
      options);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(*r.schema, *options.schema);
  EXPECT_THAT(Rows(r.table), ElementsAre("7|12.30|123456789012345678|{\"a\": [1, 2.50, \"x\"]}|1.50|nan|-inf|00ff|true",
                                         "8|-0.50|null|[ ]|true|inf|2|null|false"));
}

TEST(JsonlReader, KeysOutsideTheSchemaOrSample) {
  ScratchDir dir;
  ReadOptions declared;
  declared.schema = Schema({{"a", DataType::Int64()}});
  OpenedJsonl r = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":2,\"zz\":3}\n", declared);
  EXPECT_EQ(r.status.code(), StatusCode::kSchemaMismatch);
  EXPECT_THAT(r.status.message(), HasSubstr("in.jsonl: line 2 "));
  EXPECT_THAT(r.status.message(), HasSubstr("'zz'"));

  ReadOptions inferred;
  inferred.infer_rows = 1;
  OpenedJsonl later = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":2}\n{\"b\":3}\n", inferred);
  EXPECT_EQ(later.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(later.status.message(), HasSubstr("in.jsonl: line 3 "));
  EXPECT_THAT(later.status.message(), HasSubstr("'b'"));
}

TEST(JsonlReader, NestedValuesInDeclaredScalarColumnsAreUnsupported) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = Schema({{"a", DataType::Int64()}});
  OpenedJsonl declared = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":[1]}\n", options);
  EXPECT_EQ(declared.status.code(), StatusCode::kUnsupported);
  EXPECT_THAT(declared.status.message(), HasSubstr("in.jsonl: line 2 (byte 13)"));
  EXPECT_THAT(declared.status.message(), HasSubstr("'a'"));
}

TEST(JsonlReader, IntegersBeyondInt64AreErrorsNotDoubles) {
  ScratchDir dir;
  OpenedJsonl inferred = ReadJsonlText(dir, "{\"a\":9223372036854775808}\n");
  EXPECT_EQ(inferred.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(inferred.status.message(), HasSubstr("in.jsonl: line 1 (byte 5)"));
  EXPECT_THAT(inferred.status.message(), HasSubstr("does not fit in int64"));

  ReadOptions options;
  options.schema = Schema({{"a", DataType::Int64()}});
  OpenedJsonl declared = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":18446744073709551615}\n", options);
  EXPECT_EQ(declared.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(declared.status.message(), HasSubstr("in.jsonl: line 2 (byte 13)"));

  OpenedJsonl huge = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":123456789012345678901234567890}\n", options);
  EXPECT_EQ(huge.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(huge.status.message(), HasSubstr("in.jsonl: line 2 (byte "));

  OpenedJsonl fraction = ReadJsonlText(dir, "{\"a\":1.0}\n", options);
  EXPECT_EQ(fraction.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(fraction.status.message(), HasSubstr("in.jsonl: line 1 (byte 5)"));
  EXPECT_THAT(fraction.status.message(), HasSubstr("column 'a'"));
}

TEST(JsonlReader, ErrorsNameFileLineAndByteOffset) {
  ScratchDir dir;
  struct Case {
    std::string text;
    std::string where;
    std::string what;
  };
  for (const Case& c : std::vector<Case>{
           {"{\"a\":1}\n{\"a\":2,}\n", "line 2 (byte ", "malformed JSON"},
           {"{\"a\":1}\n{\"a\":tru}\n", "line 2 (byte ", "malformed JSON"},
           {"{\"a\":1}\n{\"a\":1} {\"a\":2}\n", "line 2 (byte ", "malformed JSON"},
           {"{\"a\":1}\n[1,2]\n", "line 2 (byte 8)", "expected a JSON object, found an array"},
           {"{\"a\":1}\n{\"a\":1,\"a\":2}\n", "line 2 (byte 19)", "duplicate key 'a'"},
           {"{\"a\":1}\n{\"a\":\"x\xff\"}\n", "line 2 (byte ", "malformed JSON"},
           {"{\"a\":1}\n{\"a\":\"\\ud800\"}\n", "line 2 (byte ", "malformed JSON"},
           {"{\"a\":1}\n{\"a\":2", "line 2 (byte ", "malformed JSON"},
       }) {
    OpenedJsonl r = ReadJsonlText(dir, c.text);
    EXPECT_EQ(r.status.code(), StatusCode::kCorruption) << c.text << " -> " << r.status.ToString();
    EXPECT_THAT(r.status.message(), HasSubstr("in.jsonl: " + c.where)) << c.text;
    EXPECT_THAT(r.status.message(), HasSubstr(c.what)) << c.text;
  }
}

TEST(JsonlReader, MalformedJsonOffsetPointsIntoTheLine) {
  ScratchDir dir;
  OpenedJsonl r = ReadJsonlText(dir, "{\"a\":1}\n{\"a\":1,\"b\":nul}\n");
  EXPECT_EQ(r.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status.message(), HasSubstr("line 2 (byte 19)"));  // the bad atom

  ReadOptions options;
  options.schema = Schema({{"a", DataType::Int64()}});
  OpenedJsonl typed = ReadJsonlText(dir, "{\"a\":1}\n{\"a\": \"x\"}\n", options);
  EXPECT_EQ(typed.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(typed.status.message(), HasSubstr("in.jsonl: line 2 (byte 14)"));
  EXPECT_THAT(typed.status.message(), HasSubstr("column 'a': cannot read a string 'x' as int64"));
}

TEST(JsonlReader, MissingKeysAreNullUnlessTheColumnIsNotNullable) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = Schema({{"a", DataType::Int64(), false}, {"b", DataType::String()}});
  OpenedJsonl ok = ReadJsonlText(dir, "{\"a\":1}\n{\"b\":\"x\",\"a\":2}\n", options);
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  EXPECT_THAT(Rows(ok.table), ElementsAre("1|null", "2|x"));
  OpenedJsonl missing = ReadJsonlText(dir, "{\"a\":1}\n{\"b\":\"x\"}\n", options);
  EXPECT_EQ(missing.status.code(), StatusCode::kCorruption);
  EXPECT_THAT(missing.status.message(), HasSubstr("in.jsonl: line 2 (byte 8)"));
  EXPECT_THAT(missing.status.message(), HasSubstr("not nullable"));
}

TEST(JsonlReader, EmptyFilesAndBlankLines) {
  ScratchDir dir;
  OpenedJsonl zero = ReadJsonlText(dir, "");
  ASSERT_TRUE(zero.status.ok());
  EXPECT_EQ(zero.schema->num_fields(), 0u);
  EXPECT_EQ(zero.table.num_rows(), 0u);
  OpenedJsonl blank = ReadJsonlText(dir, "\n  \n\r\n");
  ASSERT_TRUE(blank.status.ok());
  EXPECT_EQ(blank.table.num_rows(), 0u);
  OpenedJsonl no_final_newline = ReadJsonlText(dir, "\xEF\xBB\xBF{\"a\":1}\r\n{\"a\":2}");
  ASSERT_TRUE(no_final_newline.status.ok()) << no_final_newline.status.ToString();
  EXPECT_THAT(Rows(no_final_newline.table), ElementsAre("1", "2"));
}

TEST(JsonlReader, LinesSpanTheOneMebibyteChunkBoundary) {
  ScratchDir dir;
  std::string text;
  std::vector<std::string> payloads;
  for (int i = 0; text.size() < (size_t{5} << 20) / 2; ++i) {
    std::string p(static_cast<size_t>(1000 + (i * 7919) % 300000), static_cast<char>('a' + i % 26));
    payloads.push_back(p);
    text += "{\"id\":" + std::to_string(i) + ",\"p\":\"" + p + "\"}\n";
  }
  OpenedJsonl r = ReadJsonlText(dir, text);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.table.num_rows(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) ASSERT_EQ(r.table.columns[1].GetString(i), payloads[i]) << i;
}

TEST(JsonlReader, TinyChunksGiveTheSameRows) {
  const std::string text = "\xEF\xBB\xBF{\"a\":1,\"s\":\"x\\ny\"}\r\n\n{\"s\":\"\xC3\xA9\",\"a\":-2}\n{\"a\":3}";
  auto reference = OpenJsonlReader(MemoryInput("mem.jsonl", text, 1 << 20), ReadOptions{});
  ASSERT_TRUE(reference.ok());
  auto expected = ReadAll(reference->get());
  ASSERT_TRUE(expected.ok());
  EXPECT_THAT(Rows(*expected), ElementsAre("1|x\ny", "-2|\xC3\xA9", "3|null"));
  for (size_t chunk = 1; chunk < 24; ++chunk) {
    auto reader = OpenJsonlReader(MemoryInput("mem.jsonl", text, chunk, 1), ReadOptions{});
    ASSERT_TRUE(reader.ok()) << chunk << ": " << reader.status().ToString();
    auto got = ReadAll(reader->get());
    ASSERT_TRUE(got.ok()) << chunk << ": " << got.status().ToString();
    EXPECT_EQ(Rows(*got), Rows(*expected)) << chunk;
  }
}

}  // namespace
}  // namespace gaggle
