#include "columnar/data_type.h"

#include <gtest/gtest.h>

#include "columnar/schema.h"

namespace gaggle {
namespace {

TEST(DataType, NestedSpellingsRoundTrip) {
  const std::vector<std::string> spellings = {
      "struct<a:int64,b:string>",
      "list<int64>",
      "map<string,string>",
      "list<int64 not null>",
      "struct<a:int64 not null,b:list<struct<x:double,y:decimal(10,2)>>>",
      "map<int32,struct<n:bool not null>>",
      "map<string,list<date> not null>",
      "list<list<list<timestamp>>>",
      "struct<>",
      "struct<\"a b\":int64,\"q\"\"uote\":binary>",
  };
  for (const std::string& s : spellings) {
    std::optional<DataType> t = ParseDataType(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(t->ToString(), s);
    EXPECT_EQ(*ParseDataType(t->ToString()), *t) << s;
  }
}

TEST(DataType, NestedParsingIsLenientOnKeywordsAndSpaces) {
  std::optional<DataType> t = ParseDataType(" STRUCT < Name : VARCHAR , tags : List<Int> NOT NULL > ");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->ToString(), "struct<Name:string,tags:list<int32> not null>");
  EXPECT_EQ(ParseDataType("Decimal( 10 , 2 )"), DataType::Decimal(10, 2));
  EXPECT_EQ(ParseDataType("map<string, int64>")->map_value().type, DataType::Int64());
}

TEST(DataType, RejectsMalformedNestedSpellings) {
  for (const char* s : {"list<>", "list<int64", "list<int64>>", "struct<a>", "struct<a:int64,a:string>", "map<string>",
                        "map<string,int64", "struct<a:int64 not>", "list<unknown>", "struct<\"a:int64>",
                        "list<decimal(3,4)>", "int64 x"}) {
    EXPECT_FALSE(ParseDataType(s).has_value()) << s;
  }
}

TEST(DataType, DepthIsBounded) {
  std::string deep;
  for (int i = 0; i < kMaxTypeDepth; ++i) deep += "list<";
  deep += "int64";
  for (int i = 0; i < kMaxTypeDepth; ++i) deep += ">";
  std::optional<DataType> t = ParseDataType(deep);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->depth(), kMaxTypeDepth);
  std::string too_deep = "list<" + deep + ">";
  EXPECT_FALSE(ParseDataType(too_deep).has_value());
  // A hostile spelling must not exhaust the stack.
  std::string hostile;
  for (int i = 0; i < 100000; ++i) hostile += "list<";
  EXPECT_FALSE(ParseDataType(hostile).has_value());
}

TEST(DataType, EqualityComparesTheWholeTree) {
  DataType a = DataType::Struct({{"x", DataType::Int64(), true}, {"y", DataType::List(DataType::String())}});
  DataType b = DataType::Struct({{"x", DataType::Int64(), true}, {"y", DataType::List(DataType::String())}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, DataType::Struct({{"x", DataType::Int64(), false}, {"y", DataType::List(DataType::String())}}));
  EXPECT_NE(a, DataType::Struct({{"z", DataType::Int64(), true}, {"y", DataType::List(DataType::String())}}));
  EXPECT_NE(a, DataType::Struct({{"x", DataType::Int64(), true}, {"y", DataType::List(DataType::Binary())}}));
  EXPECT_NE(DataType::List(DataType::Int64()), DataType::List(DataType::Int64(), false));
  EXPECT_NE(DataType::List(DataType::Int64()), DataType::Int64());
  EXPECT_NE(DataType::Map(DataType::String(), DataType::Int64()), DataType::List(DataType::Int64()));
}

TEST(DataType, CopiesShareTheirChildren) {
  DataType a = DataType::List(DataType::Struct({{"x", DataType::Int64(), true}}));
  DataType b = a;
  EXPECT_EQ(a.children.get(), b.children.get());
  EXPECT_EQ(a.children.use_count(), 2);
  EXPECT_EQ(DataType::Int64().children, nullptr);
  EXPECT_FALSE(DataType::Int64().is_nested());
  EXPECT_EQ(a.byte_width(), 0);
}

TEST(DataType, MapHasAnEntriesStructWithANonNullKey) {
  DataType m = DataType::Map(DataType::String(), DataType::Double(), false);
  ASSERT_EQ(m.num_children(), 1u);
  EXPECT_EQ(m.map_entries().type.id, TypeId::kStruct);
  EXPECT_FALSE(m.map_entries().nullable);
  EXPECT_EQ(m.map_key().name, "key");
  EXPECT_FALSE(m.map_key().nullable);
  EXPECT_EQ(m.map_value().type, DataType::Double());
  EXPECT_FALSE(m.map_value().nullable);
  EXPECT_EQ(m.ToString(), "map<string,double not null>");
}

TEST(Schema, ParsesNestedFields) {
  auto s = ParseSchemaText(
      "id: int64 not null, tags: list<string>, addr: struct<city:string,\"zip, code\":int32> not null, "
      "attrs: map<string,decimal(10,2)>");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->num_fields(), 4u);
  EXPECT_EQ(s->field(1).type, DataType::List(DataType::String()));
  EXPECT_FALSE(s->field(2).nullable);
  EXPECT_EQ(s->field(2).type.child(1).name, "zip, code");
  EXPECT_EQ(s->field(3).type.map_value().type, DataType::Decimal(10, 2));
  auto again = ParseSchemaText(s->ToString());
  ASSERT_TRUE(again.ok()) << s->ToString();
  EXPECT_EQ(*again, *s);
  EXPECT_FALSE(ParseSchemaText("a: list<int64").ok());
}

}  // namespace
}  // namespace gaggle
