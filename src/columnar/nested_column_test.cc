// Nested columns (struct, list, map): building, copying, rendering, comparing, validating.
#include <gtest/gtest.h>

#include <cmath>

#include "columnar/column.h"
#include "columnar/record_batch.h"
#include "columnar/value_json.h"

namespace gaggle {
namespace {

// [[1, null, 3], null, [], [4]]
Column IntLists() {
  Column c(DataType::List(DataType::Int64()));
  Column& e = c.child(0);
  e.Append<int64_t>(1);
  e.AppendNull();
  e.Append<int64_t>(3);
  c.CommitList();
  c.AppendNull();
  c.CommitList();
  e.Append<int64_t>(4);
  c.CommitList();
  return c;
}

// {"name": "a", "tags": ["x"]}, null, {"name": null, "tags": []}
Column People() {
  DataType t = DataType::Struct({{"name", DataType::String(), true}, {"tags", DataType::List(DataType::String())}});
  Column c(t);
  c.child(0).AppendString("a");
  c.child(1).child(0).AppendString("x");
  c.child(1).CommitList();
  c.CommitStruct();
  c.AppendNull();
  c.child(0).AppendNull();
  c.child(1).CommitList();
  c.CommitStruct();
  return c;
}

// {"k1": 1.5, "k2": null}, {}
Column Attributes() {
  Column c(DataType::Map(DataType::String(), DataType::Double()));
  Column& entries = c.child(0);
  entries.child(0).AppendString("k1");
  entries.child(1).Append<double>(1.5);
  entries.CommitStruct();
  entries.child(0).AppendString("k2");
  entries.child(1).AppendNull();
  entries.CommitStruct();
  c.CommitList();
  c.CommitList();
  return c;
}

TEST(NestedColumn, ListsKeepOffsetsIntoOneChild) {
  Column c = IntLists();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c.child(0).size(), 4u);
  EXPECT_EQ(c.ListLength(0), 3u);
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_EQ(c.ListLength(1), 0u);
  EXPECT_FALSE(c.IsNull(2));
  EXPECT_EQ(c.ListLength(2), 0u);
  EXPECT_EQ(c.ListBegin(3), 3u);
  EXPECT_EQ(c.child(0).Get<int64_t>(c.ListBegin(3)), 4);
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_TRUE(c.ValidateStructure("l").ok());
}

TEST(NestedColumn, ValuesRenderAsJson) {
  Column l = IntLists();
  EXPECT_EQ(l.ValueToString(0), "[1,null,3]");
  EXPECT_EQ(l.ValueToString(1), "null");
  EXPECT_EQ(l.ValueToString(2), "[]");
  Column p = People();
  EXPECT_EQ(p.ValueToString(0), R"({"name":"a","tags":["x"]})");
  EXPECT_EQ(p.ValueToString(1), "null");
  EXPECT_EQ(p.ValueToString(2), R"({"name":null,"tags":[]})");
  Column m = Attributes();
  EXPECT_EQ(m.ValueToString(0), R"({"k1":1.5,"k2":null})");
  EXPECT_EQ(m.ValueToString(1), "{}");

  Column odd(DataType::List(DataType::Double()));
  for (double v : {2.0, -0.0, std::nan(""), -static_cast<double>(INFINITY)}) odd.child(0).Append<double>(v);
  odd.CommitList();
  EXPECT_EQ(odd.ValueToString(0), R"([2.0,-0.0,"nan","-inf"])");
  Column keys(DataType::Map(DataType::Int32(), DataType::Date()));
  keys.child(0).child(0).Append<int32_t>(7);
  keys.child(0).child(1).Append<int32_t>(0);
  keys.child(0).CommitStruct();
  keys.CommitList();
  EXPECT_EQ(keys.ValueToString(0), R"({"7":"1970-01-01"})");
  Column text(DataType::List(DataType::String()));
  text.child(0).AppendString("q\"\\\n\xC3\xA9");
  text.CommitList();
  std::string out;
  EXPECT_TRUE(AppendValueJson(text, 0, &out));
  EXPECT_EQ(out, "[\"q\\\"\\\\\\u000a\xC3\xA9\"]");
  text.child(0).AppendString("\xFF");
  text.CommitList();
  out.clear();
  EXPECT_FALSE(AppendValueJson(text, 1, &out));
}

TEST(NestedColumn, AppendFromAndRangeCopyDeeply) {
  Column p = People();
  Column q(p.type());
  q.AppendFrom(p, 2);
  q.AppendFrom(p, 1);
  q.AppendFrom(p, 0);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_TRUE(q.ValueEquals(0, p, 2));
  EXPECT_TRUE(q.ValueEquals(1, p, 1));
  EXPECT_TRUE(q.ValueEquals(2, p, 0));
  EXPECT_FALSE(q.ValueEquals(0, p, 0));
  EXPECT_TRUE(q.ValidateStructure("q").ok());

  Column l = IntLists();
  Column r(l.type());
  r.AppendRange(l, 0, 1);
  r.AppendRange(l, 1, 3);
  EXPECT_TRUE(r.Equals(l));
  EXPECT_TRUE(r.ValidateStructure("r").ok());
  Column m = Attributes();
  Column n(m.type());
  n.AppendRange(m, 0, 2);
  EXPECT_TRUE(n.Equals(m));
  n.Clear();
  EXPECT_EQ(n.size(), 0u);
  EXPECT_EQ(n.child(0).size(), 0u);
  EXPECT_EQ(n.child(0).child(0).size(), 0u);
}

TEST(NestedColumn, EqualityIsExact) {
  Column a(DataType::List(DataType::Double()));
  Column b(DataType::List(DataType::Double()));
  a.child(0).Append<double>(std::nan(""));
  a.CommitList();
  b.child(0).Append<double>(std::nan(""));
  b.CommitList();
  EXPECT_TRUE(a.Equals(b));
  a.child(0).Append<double>(0.0);
  a.CommitList();
  b.child(0).Append<double>(-0.0);
  b.CommitList();
  EXPECT_FALSE(a.Equals(b));
  Column c(DataType::List(DataType::Double()));
  c.AppendNull();
  Column d(DataType::List(DataType::Double()));
  d.CommitList();
  EXPECT_FALSE(c.Equals(d));  // null list vs empty list
}

TEST(NestedColumn, ValidateStructureCatchesBrokenInvariants) {
  Column s(DataType::Struct({{"a", DataType::Int64(), false}, {"b", DataType::Int64(), true}}));
  s.child(0).Append<int64_t>(1);
  s.CommitStruct();  // b is one row short
  EXPECT_FALSE(s.ValidateStructure("s").ok());
  s.child(1).AppendNull();
  EXPECT_TRUE(s.ValidateStructure("s").ok());
  s.AppendNull();  // a null struct may hold a null in a non-nullable field
  EXPECT_TRUE(s.ValidateStructure("s").ok());
  s.child(0).AppendNull();
  s.child(1).Append<int64_t>(2);
  s.CommitStruct();  // ...a valid one may not
  Status st = s.ValidateStructure("s");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'s.a'"), std::string::npos) << st.message();

  Column l(DataType::List(DataType::Int64(), false));
  l.child(0).AppendNull();
  l.CommitList();
  EXPECT_FALSE(l.ValidateStructure("l").ok());
  Column orphan(DataType::List(DataType::Int64()));
  orphan.child(0).Append<int64_t>(1);  // an element no row points at
  EXPECT_FALSE(orphan.ValidateStructure("o").ok());
}

TEST(NestedColumn, RecordBatchValidatesNestedColumns) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"l", DataType::List(DataType::Int64())}});
  RecordBatch b = RecordBatch::Empty(schema);
  b.columns[0] = IntLists();
  EXPECT_TRUE(b.Validate().ok());
  b.columns[0].child(0).Append<int64_t>(9);
  EXPECT_FALSE(b.Validate().ok());
  EXPECT_GT(b.memory_bytes(), 0u);
}

TEST(NestedColumn, FlatColumnsHaveNoChildren) {
  Column c(DataType::String());
  EXPECT_EQ(c.num_children(), 0u);
  c.AppendString("x");
  Column d(DataType::String());
  d.AppendRange(c, 0, 1);
  d.AppendNull();
  Column e = d;
  d.AppendRange(e, 0, 2);
  EXPECT_EQ(d.size(), 4u);
  EXPECT_EQ(d.GetString(2), "x");
  EXPECT_TRUE(d.IsNull(3));
}

}  // namespace
}  // namespace gaggle
