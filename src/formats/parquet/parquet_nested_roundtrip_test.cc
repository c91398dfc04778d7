// Our writer -> our reader for nested columns: every shape (structs, lists, maps, nesting, nulls
// at every level, empty lists) comes back exactly, whatever the codec, dictionary setting, page
// and row group sizes and batch size; random shapes and values as a property test.
#include <gtest/gtest.h>

#include "formats/parquet/parquet_nested_test_util.h"

namespace gaggle {
namespace {

using nested_test::RandomBatch;
using nested_test::ReadFile;
using nested_test::ScratchDir;
using nested_test::ShapesSchema;
using nested_test::WriteFile;

void ExpectSameRows(const RecordBatch& want, const RecordBatch& got, const std::string& what) {
  ASSERT_EQ(*want.schema, *got.schema) << what;
  ASSERT_EQ(want.num_rows(), got.num_rows()) << what;
  for (size_t c = 0; c < want.columns.size(); ++c) {
    for (size_t r = 0; r < want.num_rows(); ++r) {
      if (!want.columns[c].ValueEquals(r, got.columns[c], r)) {
        FAIL() << what << ": column '" << want.schema->field(c).name << "' row " << r
               << "\n  wrote: " << want.columns[c].ValueToString(r) << "\n  read:  " << got.columns[c].ValueToString(r);
      }
    }
  }
}

TEST(ParquetNestedRoundTrip, EveryShapeEveryOption) {
  ScratchDir dir;
  auto schema = ShapesSchema();
  std::vector<RecordBatch> batches = {RandomBatch(schema, 700, 1, 0), RandomBatch(schema, 1, 2, 700),
                                      RandomBatch(schema, 1299, 3, 701)};
  RecordBatch all = RecordBatch::Empty(schema);
  for (const RecordBatch& b : batches) {
    for (size_t c = 0; c < b.columns.size(); ++c) all.columns[c].AppendRange(b.columns[c], 0, b.num_rows());
  }
  struct Case {
    Compression codec;
    bool dictionary;
    size_t page_bytes;
    int64_t row_group_rows;
    size_t batch_rows;
  };
  const Case cases[] = {
      {Compression::kZstd, true, 1 << 20, 1000000, 65536}, {Compression::kNone, false, 64, 333, 100},
      {Compression::kSnappy, true, 200, 1000, 7},          {Compression::kGzip, true, 1 << 20, 1, 1000},
      {Compression::kZstd, false, 4096, 517, 2000},
  };
  for (const Case& k : cases) {
    WriteOptions o;
    o.compression = k.codec;
    o.dictionary = k.dictionary;
    o.page_bytes = k.page_bytes;
    o.row_group_rows = k.row_group_rows;
    o.dictionary_max_entries = 50;  // some chunks fall back to plain in the middle
    const std::string what = std::string(CompressionName(k.codec)) + " dict=" + std::to_string(k.dictionary) +
                             " page=" + std::to_string(k.page_bytes) + " rg=" + std::to_string(k.row_group_rows) +
                             " batch=" + std::to_string(k.batch_rows);
    const std::string path = dir.File("shapes.parquet");
    {
      Status wst = WriteFile(path, batches, o);
      ASSERT_TRUE(wst.ok()) << what << wst.ToString();
    }
    Result<RecordBatch> got = ReadFile(path, k.batch_rows);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    ExpectSameRows(all, *got, what);
  }
}

TEST(ParquetNestedRoundTrip, NullsAndEmptinessAtEveryLevel) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(*ParseSchemaText(
      "l: list<struct<a:list<int64>,b:string>>, m: map<string,list<string>>, s: struct<x:struct<y:int32>> not null"));
  RecordBatch b = RecordBatch::Empty(schema);
  Column& l = b.columns[0];
  Column& m = b.columns[1];
  Column& s = b.columns[2];
  // Row 0: null list, empty map, struct with null inner struct.
  l.AppendNull();
  m.CommitList();
  s.child(0).AppendNull();
  s.CommitStruct();
  // Row 1: empty list, null map, struct with inner null y.
  l.CommitList();
  m.AppendNull();
  s.child(0).child(0).AppendNull();
  s.child(0).CommitStruct();
  s.CommitStruct();
  // Row 2: [null, {a: null, b: null}, {a: [], b: ""}, {a: [null, 5], b: "z"}], {"k": null, "e": [], "f": [null]}, y=7
  Column& elem = l.child(0);
  elem.AppendNull();
  elem.child(0).AppendNull();
  elem.child(1).AppendNull();
  elem.CommitStruct();
  elem.child(0).CommitList();
  elem.child(1).AppendString("");
  elem.CommitStruct();
  elem.child(0).child(0).AppendNull();
  elem.child(0).child(0).Append<int64_t>(5);
  elem.child(0).CommitList();
  elem.child(1).AppendString("z");
  elem.CommitStruct();
  l.CommitList();
  Column& entries = m.child(0);
  entries.child(0).AppendString("k");
  entries.child(1).AppendNull();
  entries.CommitStruct();
  entries.child(0).AppendString("e");
  entries.child(1).CommitList();
  entries.CommitStruct();
  entries.child(0).AppendString("f");
  entries.child(1).child(0).AppendNull();
  entries.child(1).CommitList();
  entries.CommitStruct();
  m.CommitList();
  s.child(0).child(0).Append<int32_t>(7);
  s.child(0).CommitStruct();
  s.CommitStruct();
  ASSERT_TRUE(b.Validate().ok()) << b.Validate().ToString();
  EXPECT_EQ(l.ValueToString(2), R"([null,{"a":null,"b":null},{"a":[],"b":""},{"a":[null,5],"b":"z"}])");

  for (bool dictionary : {true, false}) {
    WriteOptions o;
    o.dictionary = dictionary;
    const std::string path = dir.File("nulls.parquet");
    {
      Status wst = WriteFile(path, {b}, o);
      ASSERT_TRUE(wst.ok()) << wst.ToString();
    }
    for (size_t batch_rows : {1, 2, 3}) {
      Result<RecordBatch> got = ReadFile(path, batch_rows);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ExpectSameRows(b, *got, "batch " + std::to_string(batch_rows));
    }
  }
}

TEST(ParquetNestedRoundTrip, RandomShapesProperty) {
  ScratchDir dir;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    nested_test::RandomValues random(seed * 7919);
    std::vector<Field> fields{{"id", DataType::Int64(), false}};
    const size_t n = 1 + random.Pick(3);
    for (size_t i = 0; i < n; ++i) fields.push_back({"c" + std::to_string(i), random.Type(4), random.Pick(3) != 0});
    auto schema = std::make_shared<Schema>(fields);
    const size_t rows = 1 + random.Pick(400);
    RecordBatch b = RandomBatch(schema, rows, seed);
    WriteOptions o;
    o.page_bytes = 16 + random.Pick(2000);
    o.row_group_rows = static_cast<int64_t>(1 + random.Pick(300));
    o.dictionary = random.Pick(2) == 0;
    o.compression = static_cast<Compression>(random.Pick(4));
    const std::string what = "seed " + std::to_string(seed) + " schema " + schema->ToString();
    const std::string path = dir.File("random.parquet");
    Status st = WriteFile(path, {b}, o);
    ASSERT_TRUE(st.ok()) << what << ": " << st.ToString();
    Result<RecordBatch> got = ReadFile(path, 1 + random.Pick(200));
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    ExpectSameRows(b, *got, what);
  }
}

TEST(ParquetNestedRoundTrip, StatisticsArePerLeaf) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(*ParseSchemaText("l: list<int64>, m: map<string,string>"));
  RecordBatch b = RecordBatch::Empty(schema);
  for (int64_t v : {5, -3, 9}) b.columns[0].child(0).Append<int64_t>(v);
  b.columns[0].child(0).AppendNull();
  b.columns[0].CommitList();
  b.columns[0].AppendNull();
  b.columns[1].child(0).child(0).AppendString("b");
  b.columns[1].child(0).child(1).AppendString("y");
  b.columns[1].child(0).CommitStruct();
  b.columns[1].child(0).child(0).AppendString("a");
  b.columns[1].child(0).child(1).AppendNull();
  b.columns[1].child(0).CommitStruct();
  b.columns[1].CommitList();
  b.columns[1].CommitList();
  const std::string path = dir.File("stats.parquet");
  {
    Status wst = WriteFile(path, {b}, WriteOptions{});
    ASSERT_TRUE(wst.ok()) << wst.ToString();
  }
  Result<FileSummary> s = InspectParquet(FileSystem::Default(), path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->schema, *schema);
  ASSERT_EQ(s->row_groups.size(), 1u);
  const auto& cols = s->row_groups[0].columns;
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].column, "l.list.element");
  EXPECT_EQ(cols[0].min, "-3");
  EXPECT_EQ(cols[0].max, "9");
  EXPECT_EQ(cols[0].null_count, 2);  // the null element and the null list
  EXPECT_EQ(cols[1].column, "m.key_value.key");
  EXPECT_EQ(cols[1].min, "a");
  EXPECT_EQ(cols[1].max, "b");
  EXPECT_EQ(cols[1].null_count, 1);  // the empty map
  EXPECT_EQ(cols[2].column, "m.key_value.value");
  EXPECT_EQ(cols[2].null_count, 2);
}

TEST(ParquetNestedRoundTrip, WriterRefusesMalformedAndUnrepresentableColumns) {
  ScratchDir dir;
  auto schema = std::make_shared<Schema>(*ParseSchemaText("l: list<int64 not null>"));
  RecordBatch b = RecordBatch::Empty(schema);
  b.columns[0].child(0).AppendNull();
  b.columns[0].CommitList();
  auto writer = OpenParquetWriter(FileSystem::Default(), dir.File("bad.parquet"), schema, WriteOptions{});
  ASSERT_TRUE(writer.ok());
  Status st = (*writer)->Write(b);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("l.element"), std::string::npos) << st.message();

  auto empty = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::Struct({}), true}});
  auto refused = OpenParquetWriter(FileSystem::Default(), dir.File("empty.parquet"), empty, WriteOptions{});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);

  auto required = std::make_shared<Schema>(std::vector<Field>{{"l", DataType::List(DataType::Int64()), false}});
  RecordBatch n = RecordBatch::Empty(required);
  n.columns[0].AppendNull();
  auto w2 = OpenParquetWriter(FileSystem::Default(), dir.File("null.parquet"), required, WriteOptions{});
  ASSERT_TRUE(w2.ok());
  EXPECT_EQ((*w2)->Write(n).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaggle
