// Avro arrays, maps, general unions and records inside them: the schema mapping to nested
// gaggle types, values decoded from hand-encoded blocks (both block-count forms), and
// damaged nested data refused with the file, block and what is wrong.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "common/source_dir_test_util.h"
#include "formats/avro/avro_schema.h"
#include "formats/avro/avro_test_util.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/jsonl/jsonl_writer.h"

namespace gaggle::avro_test {
namespace {

const char* const kEvents = R"({"type":"record","name":"event","fields":[
  {"name":"id","type":"long"},
  {"name":"device","type":{"type":"record","name":"device_t","fields":[{"name":"os","type":["null","string"]}]}},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"attrs","type":["null",{"type":"map","values":["null","long"]}]},
  {"name":"u","type":["null","string","long"]},
  {"name":"items","type":{"type":"array","items":{"type":"record","name":"item","fields":[
    {"name":"sku","type":"string"},{"name":"qty","type":["null","int"]}]}}}]})";

TEST(AvroNested, SchemaMapsArraysMapsAndUnionsToNestedTypes) {
  auto m = avro::MapAvroSchema(kEvents);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const Schema& s = m->schema;
  ASSERT_EQ(s.num_fields(), 6u);
  EXPECT_EQ(s.field(0).name, "id");
  // A top-level record still flattens (the columns gaggle has always read).
  EXPECT_EQ(s.field(1).name, "device.os");
  EXPECT_EQ(s.field(2).type.ToString(), "list<string not null>");
  EXPECT_FALSE(s.field(2).nullable);
  EXPECT_EQ(s.field(3).type.ToString(), "map<string,int64>");
  EXPECT_TRUE(s.field(3).nullable);
  // A general union is a struct with one member per non-null branch; the null branch makes it nullable.
  EXPECT_EQ(s.field(4).type.ToString(), "struct<member0:string,member1:int64>");
  EXPECT_TRUE(s.field(4).nullable);
  // A record inside an array is a struct.
  EXPECT_EQ(s.field(5).type.ToString(), "list<struct<sku:string not null,qty:int32> not null>");
}

TEST(AvroNested, SchemaStillRefusesWhatHasNoValues) {
  auto null_items = avro::MapAvroSchema(
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"array","items":"null"}}]})");
  EXPECT_EQ(null_items.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(null_items.status().message().find("'a[]'"), std::string::npos) << null_items.status().ToString();
  auto empty = avro::MapAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"array",
      "items":{"type":"record","name":"e","fields":[]}}}]})");
  EXPECT_EQ(empty.status().code(), StatusCode::kUnsupported);
}

// Row 1: every nested value set; row 2: nulls and empties, the array in a negative-count block.
std::string EventRows() {
  std::string r1 = Long(1);
  r1 += Long(1) + Str("linux");                                                             // device.os: branch 1
  r1 += Long(2) + Str("a") + Str("b") + Long(0);                                            // tags
  r1 += Long(1) + Long(2) + Str("k1") + Long(1) + Long(7) + Str("k2") + Long(0) + Long(0);  // attrs
  r1 += Long(2) + Long(-5);                                                                 // u: long -5
  r1 += Long(1) + Str("s1") + Long(1) + Long(3) + Long(0);                                  // items: one
  std::string r2 = Long(2);
  r2 += Long(0);  // device.os null
  std::string tags = Str("x");
  r2 += Long(-1) + Long(static_cast<int64_t>(tags.size())) + tags + Long(0);  // tags, sized block
  r2 += Long(0);                                                              // attrs null
  r2 += Long(1) + Str("hi");                                                  // u: string
  r2 += Long(0);                                                              // items empty
  return r1 + r2;
}

TEST(AvroNested, ReadsNestedValuesFromBothBlockForms) {
  ScratchDir dir;
  std::string p = dir.File("events.avro");
  Spit(p, Container(kEvents, {{2, EventRows()}}));
  auto got = ReadAll(p);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const RecordBatch& b = *got;
  ASSERT_EQ(b.num_rows(), 2u);
  EXPECT_EQ(b.columns[1].ValueToString(0), "linux");
  EXPECT_EQ(b.columns[2].ValueToString(0), R"(["a","b"])");
  EXPECT_EQ(b.columns[3].ValueToString(0), R"({"k1":7,"k2":null})");
  EXPECT_EQ(b.columns[4].ValueToString(0), R"({"member0":null,"member1":-5})");
  EXPECT_EQ(b.columns[5].ValueToString(0), R"([{"sku":"s1","qty":3}])");
  EXPECT_TRUE(b.columns[1].IsNull(1));
  EXPECT_EQ(b.columns[2].ValueToString(1), R"(["x"])");
  EXPECT_TRUE(b.columns[3].IsNull(1));
  EXPECT_EQ(b.columns[4].ValueToString(1), R"({"member0":"hi","member1":null})");
  EXPECT_EQ(b.columns[5].ValueToString(1), "[]");
  for (size_t c = 0; c < b.columns.size(); ++c) {
    EXPECT_TRUE(b.columns[c].ValidateStructure(b.schema->field(c).name).ok());
  }
}

TEST(AvroNested, DamagedNestedDataIsCorruptionNamingWhatIsWrong) {
  ScratchDir dir;
  std::string p = dir.File("bad.avro");
  const std::string schema =
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"array","items":["null","string","long"]}}]})";
  auto expect = [&](const std::string& data, const std::string& what) {
    Spit(p, Container(schema, {{1, data}}));
    auto got = ReadAll(p);
    ASSERT_FALSE(got.ok()) << what;
    EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
    EXPECT_NE(got.status().message().find(what), std::string::npos) << got.status().ToString();
    EXPECT_NE(got.status().message().find(p), std::string::npos) << got.status().ToString();
  };
  expect(Long(1) + Long(3), "union branch 3 is out of range");  // a branch the union lacks
  expect(Long(int64_t{1} << 30) + Long(0), "array block of");   // more items than allowed
  expect(Long(2) + Long(1) + Str("a"), "truncated");            // the second item is missing
  expect(Long(-1) + Long(-4) + Long(0) + Long(0), "block size -4 is negative");
  expect(Long(1) + Long(0), "malformed or truncated array varint");  // no terminating zero count
}

// Every nested shape the Avro writer takes (a top-level struct is written as a record and
// reads back flattened, so it is left out here): written by gaggle, read back by gaggle
// exactly, and read by python3-avro with the same values (tests/oracle/compare_avro.py).
TEST(AvroNested, WrittenNestedDataReadsBackInGaggleAndPython) {
  ScratchDir dir;
  const std::string source = dir.File("source.jsonl");
  ReadOptions options;
  options.schema = Schema(std::vector<Field>{
      {"id", DataType::Int64(), false},
      {"items", *ParseDataType("list<struct<sku:string not null,qty:int32,price:decimal(25,2)> not null>"), true},
      {"attrs", *ParseDataType("map<string,string>"), true},
      {"grid", *ParseDataType("list<list<int64 not null>>"), true},
      {"u", *ParseDataType("list<struct<x:int64,y:list<string>>>"), true},
  });
  Spit(
      source,
      R"({"id":1,"items":[{"sku":"a","qty":1,"price":"1.50"},{"sku":"b","qty":null,"price":"-12345678901234567890.12"}],"attrs":{"k":"v","n":null},"grid":[[1,2],[],null],"u":[{"x":1,"y":["p"]}]})"
      "\n"
      R"({"id":2,"items":[],"attrs":{},"grid":[],"u":[null]})"
      "\n"
      R"({"id":3,"items":null,"attrs":null,"grid":null,"u":[{"x":null,"y":null}]})"
      "\n");
  auto reader = OpenJsonlReader(FileSystem::Default(), source, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch batch;
  auto more = (*reader)->Next(&batch);
  ASSERT_TRUE(more.ok() && *more) << more.status().ToString();
  ASSERT_EQ(batch.num_rows(), 3u);

  const std::string avro_path = dir.File("nested.avro");
  ASSERT_TRUE(WriteAll(avro_path, batch, Compression::kZstd).ok());
  auto back = ReadAll(avro_path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->schema->num_fields(), batch.schema->num_fields());
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    EXPECT_EQ(back->schema->field(c).type, batch.schema->field(c).type) << c;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      EXPECT_EQ(back->columns[c].ValueToString(r), batch.columns[c].ValueToString(r)) << c << " " << r;
    }
  }

  const std::string ours = dir.File("ours.jsonl");
  auto writer = OpenJsonlWriter(FileSystem::Default(), ours, back->schema, WriteOptions{});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Write(*back).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  const std::string pairs = dir.File("pairs");
  Spit(pairs, avro_path + "\t" + ours + "\n");
  std::string cmd =
      "/usr/bin/python3 '" + gaggle::testing::SourceRoot() + "/tests/oracle/compare_avro.py' '" + pairs + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  ASSERT_NE(WEXITSTATUS(status), 3) << "python3-avro is missing: apt-get install python3-avro";
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_EQ(out.rfind("ok ", 0), 0u) << out;
}

TEST(AvroNested, WriterRefusesMapsWithoutStringKeysAndRepeatedKeys) {
  ScratchDir dir;
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"m", *ParseDataType("map<int64,string>"), true}});
  auto w = OpenAvroWriter(FileSystem::Default(), dir.File("m.avro"), schema, WriteOptions{});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("Avro map keys are strings"), std::string::npos) << w.status().ToString();

  auto string_keys =
      std::make_shared<const Schema>(std::vector<Field>{{"m", *ParseDataType("map<string,int64>"), true}});
  RecordBatch b = RecordBatch::Empty(string_keys);
  Column& entries = b.columns[0].child(0);
  for (int i = 0; i < 2; ++i) {
    entries.child(0).AppendString("dup");
    entries.child(1).Append<int64_t>(i);
    entries.CommitStruct();
  }
  b.columns[0].CommitList();
  Status st = WriteAll(dir.File("dup.avro"), b, Compression::kNone);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("repeats the key 'dup'"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace gaggle::avro_test
