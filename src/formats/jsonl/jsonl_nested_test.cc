// JSON lines and nested values: objects and arrays infer as structs and lists, read into
// declared struct/list/map columns, write back as JSON, and round-trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dataset/format_table.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/jsonl/jsonl_writer.h"
#include "formats/text_test_util.h"

namespace gaggle {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_text::ReadAll;
using testing_text::ReadText;
using testing_text::Rows;
using testing_text::ScratchDir;
using testing_text::WriteText;

Result<RecordBatch> ReadJsonl(const ScratchDir& dir, const std::string& text, ReadOptions options = {},
                              std::shared_ptr<const Schema>* schema = nullptr) {
  std::string path = dir.File("in.jsonl");
  WriteText(path, text);
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(path, Format::kJsonl, options));
  if (schema) *schema = reader->schema();
  return ReadAll(reader.get());
}

TEST(JsonlNested, InfersStructsAndLists) {
  ScratchDir dir;
  std::shared_ptr<const Schema> schema;
  auto table = ReadJsonl(dir,
                         "{\"id\":1,\"user\":{\"name\":\"a\",\"tags\":[\"x\",\"y\"]},\"scores\":[1,2.5]}\n"
                         "{\"id\":2,\"user\":{\"age\":30,\"name\":null},\"scores\":[]}\n"
                         "{\"id\":3,\"user\":null,\"scores\":null,\"pairs\":[[1],[2,3],[]]}\n",
                         {}, &schema);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(schema->ToString(),
            "id: int64, user: struct<name:string,tags:list<string>,age:int64>, scores: list<double>, "
            "pairs: list<list<int64>>");
  EXPECT_THAT(Rows(*table),
              ElementsAre(R"(1|{"name":"a","tags":["x","y"],"age":null}|[1.0,2.5]|null)",
                          R"(2|{"name":null,"tags":null,"age":30}|[]|null)", R"(3|null|null|[[1],[2,3],[]])"));
}

TEST(JsonlNested, MixedKindsAndEmptyShapesReadAsJsonText) {
  ScratchDir dir;
  std::shared_ptr<const Schema> schema;
  auto table = ReadJsonl(dir,
                         "{\"mix\":1,\"arr\":[1,{\"a\":2}],\"empty\":{},\"none\":[]}\n"
                         "{\"mix\":{\"b\": [true, 2.50]},\"arr\":[\"s\"],\"empty\":{},\"none\":[[]]}\n",
                         {}, &schema);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(schema->ToString(), "mix: string, arr: list<string>, empty: string, none: list<list<string>>");
  EXPECT_THAT(Rows(*table), ElementsAre(R"(1|["1","{\"a\":2}"]|{}|[])", R"({"b": [true, 2.50]}|["s"]|{}|[[]])"));
}

TEST(JsonlNested, DeclaredNestedColumns) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = *ParseSchemaText(
      "m: map<string,decimal(10,2)>, ids: map<int64,list<string>>, p: struct<x:int32 not null,y:date>, "
      "l: list<struct<v:double>>");
  auto table = ReadJsonl(dir,
                         "{\"m\":{\"a\":1.5,\"b\":\"2.25\",\"c\":null},\"ids\":{\"7\":[\"q\"],\"-1\":[]},"
                         "\"p\":{\"y\":\"2024-01-02\",\"x\":3},\"l\":[{\"v\":1e2},null,{}]}\n"
                         "{\"m\":{},\"ids\":null,\"p\":{\"x\":-1},\"l\":[]}\n",
                         options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_THAT(Rows(*table),
              ElementsAre(R"({"a":"1.50","b":"2.25","c":null}|{"7":["q"],"-1":[]}|{"x":3,"y":"2024-01-02"}|)"
                          R"([{"v":100.0},null,{"v":null}])",
                          R"({}|null|{"x":-1,"y":null}|[])"));
}

TEST(JsonlNested, ErrorsNameThePathAndLine) {
  ScratchDir dir;
  ReadOptions options;
  options.schema = *ParseSchemaText("p: struct<x:int32 not null,y:list<int64>>, m: map<int64,string>");
  struct Case {
    std::string line;
    std::string message;
    StatusCode code;
  };
  const Case cases[] = {
      {"{\"p\":[1]}", "cannot read an array as struct", StatusCode::kCorruption},
      {"{\"p\":{\"x\":1,\"y\":{}}}", "column 'p.y': cannot read an object as list<int64>", StatusCode::kCorruption},
      {"{\"p\":{\"x\":1,\"y\":[\"z\"]}}", "column 'p.y[]'", StatusCode::kCorruption},
      {"{\"p\":{\"y\":[]}}", "'p.x' is not nullable but its key is missing", StatusCode::kCorruption},
      {"{\"p\":{\"x\":null}}", "'p.x' is not nullable but is null", StatusCode::kCorruption},
      {"{\"p\":{\"x\":1,\"z\":2}}", "key 'z' is not a field", StatusCode::kSchemaMismatch},
      {"{\"p\":{\"x\":1,\"x\":2}}", "duplicate key 'x'", StatusCode::kCorruption},
      {"{\"m\":{\"nine\":\"a\"}}", "cannot read key 'nine' as int64", StatusCode::kCorruption},
      {"{\"m\":{\"1\":\"a\",\"1\":\"b\"}}", "duplicate key '1'", StatusCode::kCorruption},
  };
  for (const Case& c : cases) {
    auto table = ReadJsonl(dir, "{\"p\":{\"x\":0}}\n" + c.line + "\n", options);
    ASSERT_FALSE(table.ok()) << c.line;
    EXPECT_EQ(table.status().code(), c.code) << table.status().ToString();
    EXPECT_THAT(table.status().message(), HasSubstr(c.message)) << c.line;
    EXPECT_THAT(table.status().message(), HasSubstr("line 2")) << c.line;
  }
  // After the sample, a key the inference never saw inside a struct.
  ReadOptions sample;
  sample.infer_rows = 1;
  auto later = ReadJsonl(dir, "{\"p\":{\"x\":1}}\n{\"p\":{\"x\":1,\"w\":2}}\n", sample);
  EXPECT_EQ(later.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(later.status().message(), HasSubstr("pass a schema"));
}

TEST(JsonlNested, WriterRoundTripsNestedValues) {
  ScratchDir dir;
  ReadOptions options;
  options.schema =
      *ParseSchemaText("s: struct<a:list<double>,b:map<string,bool>,c:binary,d:timestamp>, l: list<list<string>>");
  const std::string text =
      "{\"s\":{\"a\":[1.0,-0.0,\"nan\",1e300],\"b\":{\"k\":true,\"q\\\"\":null},\"c\":\"00ff\","
      "\"d\":\"2024-01-02T03:04:05.5Z\"},\"l\":[[\"\\u00e9\\n\"],[],null]}\n"
      "{\"s\":null,\"l\":[]}\n";
  auto table = ReadJsonl(dir, text, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const std::string out = dir.File("out.jsonl");
  {
    auto writer = OpenWriter(out, Format::kJsonl, table->schema, WriteOptions{});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(*table).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  EXPECT_EQ(ReadText(out),
            "{\"s\":{\"a\":[1.0,-0.0,\"nan\",1e+300],\"b\":{\"k\":true,\"q\\\"\":null},\"c\":\"00ff\","
            "\"d\":\"2024-01-02T03:04:05.500000Z\"},\"l\":[[\"\xC3\xA9\\u000a\"],[],null]}\n"
            "{\"s\":null,\"l\":[]}\n");
  auto back = ReadJsonl(dir, ReadText(out), options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  for (size_t c = 0; c < table->columns.size(); ++c) EXPECT_TRUE(back->columns[c].Equals(table->columns[c]));
  // Without a schema the written file infers the same shapes where JSON can tell them apart.
  std::shared_ptr<const Schema> inferred;
  auto again = ReadJsonl(dir, ReadText(out), {}, &inferred);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(inferred->field(1).type.ToString(), "list<list<string>>");
}

}  // namespace
}  // namespace gaggle
