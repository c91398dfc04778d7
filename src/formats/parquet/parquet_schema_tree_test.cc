// Nested Parquet schemas: the standard and legacy LIST/MAP layouts of LogicalTypes.md, structs,
// repeated fields, their levels, and what gaggle writes for nested types.
#include <gtest/gtest.h>

#include "formats/parquet/parquet_schema.h"

namespace gaggle::parquet {
namespace {

using K = LogicalType::Kind;

// A compact way to spell schema elements: G(name, rep, children...) and P(name, rep, type).
struct E {
  SchemaElement e;
  std::vector<E> children;
};

E G(const std::string& name, std::optional<Repetition> rep, std::vector<E> children,
    std::optional<ConvertedType> converted = std::nullopt) {
  E g;
  g.e.name = name;
  g.e.repetition_type = rep;
  g.e.num_children = static_cast<int32_t>(children.size());
  g.e.converted_type = converted;
  g.children = std::move(children);
  return g;
}

E P(const std::string& name, Repetition rep, PhysicalType type, std::optional<ConvertedType> converted = std::nullopt) {
  E p;
  p.e.name = name;
  p.e.repetition_type = rep;
  p.e.type = type;
  p.e.converted_type = converted;
  return p;
}

void Flatten(const E& e, std::vector<SchemaElement>* out) {
  out->push_back(e.e);
  for (const E& c : e.children) Flatten(c, out);
}

Result<ParquetSchema> Read(std::vector<E> fields) {
  std::vector<SchemaElement> elements;
  Flatten(G("schema", std::nullopt, std::move(fields)), &elements);
  return FromParquetSchema(elements);
}

constexpr Repetition kReq = Repetition::kRequired;
constexpr Repetition kOpt = Repetition::kOptional;
constexpr Repetition kRep = Repetition::kRepeated;
constexpr PhysicalType kI32 = PhysicalType::kInt32;
constexpr PhysicalType kI64 = PhysicalType::kInt64;
constexpr PhysicalType kBytes = PhysicalType::kByteArray;

std::string TypeOf(const Result<ParquetSchema>& s, size_t field = 0) {
  if (!s.ok()) return "error: " + s.status().ToString();
  return s->schema.field(field).type.ToString() + (s->schema.field(field).nullable ? "" : " not null");
}

TEST(ParquetSchemaTree, ListLayouts) {
  const auto list = ConvertedType::kList;
  // Standard three levels.
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {G("list", kRep, {P("element", kOpt, kI64)})}, list)})), "list<int64>");
  EXPECT_EQ(TypeOf(Read({G("a", kReq, {G("list", kRep, {P("element", kReq, kI64)})}, list)})),
            "list<int64 not null> not null");
  // Legacy: a repeated primitive is the element.
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {P("array", kRep, kI32)}, list)})), "list<int32 not null>");
  // Legacy: a repeated group of several fields is the element.
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {G("bag", kRep, {P("x", kOpt, kI32), P("y", kReq, kI64)})}, list)})),
            "list<struct<x:int32,y:int64 not null> not null>");
  // Legacy: a one-field group named "array" or "<name>_tuple" is the element.
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {G("array", kRep, {P("x", kOpt, kI32)})}, list)})),
            "list<struct<x:int32> not null>");
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {G("a_tuple", kRep, {P("x", kOpt, kI32)})}, list)})),
            "list<struct<x:int32> not null>");
  // ...any other one-field group holds the element (old Hive/parquet-avro "bag"/"item" names too).
  EXPECT_EQ(TypeOf(Read({G("a", kOpt, {G("bag", kRep, {P("item", kOpt, kI32)})}, list)})), "list<int32>");
  // old_list_structure.parquet: a LIST of LISTs, both legacy.
  EXPECT_EQ(TypeOf(Read({G("a", kReq, {G("array", kRep, {P("array", kRep, kI32)}, list)}, list)})),
            "list<list<int32 not null> not null> not null");
  // A repeated field outside LIST.
  EXPECT_EQ(TypeOf(Read({P("r", kRep, kBytes, ConvertedType::kUtf8)})), "list<string not null> not null");
  EXPECT_EQ(TypeOf(Read({G("phones", kOpt, {G("phone", kRep, {P("number", kReq, kI64)})})})),
            "struct<phone:list<struct<number:int64 not null> not null> not null>");
}

TEST(ParquetSchemaTree, MapLayouts) {
  const auto map = ConvertedType::kMap;
  const auto kv = ConvertedType::kMapKeyValue;
  EXPECT_EQ(TypeOf(Read({G(
                "m", kOpt,
                {G("key_value", kRep, {P("key", kReq, kBytes, ConvertedType::kUtf8), P("value", kOpt, kI32)})}, map)})),
            "map<string,int32>");
  // MAP_KEY_VALUE on the repeated group (parquet-mr before 1.11), odd names: by position.
  EXPECT_EQ(TypeOf(Read({G("m", kReq, {G("map", kRep, {P("k", kReq, kI32), P("v", kReq, kI64)}, kv)}, map)})),
            "map<int32,int64 not null> not null");
  // MAP_KEY_VALUE where MAP belongs.
  EXPECT_EQ(TypeOf(Read({G("m", kOpt, {G("map", kRep, {P("key", kReq, kI32), P("value", kOpt, kI64)})}, kv)})),
            "map<int32,int64>");
  // No value: a set of keys.
  EXPECT_EQ(TypeOf(Read({G("m", kOpt, {G("key_value", kRep, {P("key", kReq, kI32)})}, map)})), "list<int32 not null>");
  Result<ParquetSchema> three =
      Read({G("m", kOpt, {G("key_value", kRep, {P("key", kReq, kI32), P("v", kOpt, kI32), P("w", kOpt, kI32)})}, map)});
  EXPECT_EQ(three.status().code(), StatusCode::kUnsupported);
}

TEST(ParquetSchemaTree, LevelsAndLeaves) {
  // optional struct s { optional list l (LIST) { repeated group list { optional int64 element } }; required int32 n }
  Result<ParquetSchema> s =
      Read({P("id", kReq, kI64),
            G("s", kOpt,
              {G("l", kOpt, {G("list", kRep, {P("element", kOpt, kI64)})}, ConvertedType::kList), P("n", kReq, kI32)}),
            P("flat", kOpt, kI32)});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->fields.size(), 3u);
  ASSERT_EQ(s->leaves.size(), 4u);
  EXPECT_EQ(s->fields[0].tree, nullptr);  // flat
  EXPECT_EQ(s->fields[2].tree, nullptr);
  EXPECT_EQ(s->fields[2].first_leaf, 3u);
  ASSERT_NE(s->fields[1].tree, nullptr);
  EXPECT_EQ(s->fields[1].first_leaf, 1u);
  EXPECT_EQ(s->fields[1].num_leaves, 2u);
  const LeafColumn& element = s->leaves[1];
  EXPECT_EQ(element.field.name, "s.l.list.element");
  EXPECT_TRUE(element.nested);
  EXPECT_EQ(element.max_definition_level, 4);
  EXPECT_EQ(element.max_repetition_level, 1);
  EXPECT_EQ(element.slot_definition_level, 3);
  EXPECT_EQ(element.repeated_definition_levels, std::vector<int16_t>{3});
  EXPECT_EQ(element.path, (std::vector<std::string>{"s", "l", "list", "element"}));
  const LeafColumn& n = s->leaves[2];
  EXPECT_EQ(n.max_definition_level, 1);
  EXPECT_EQ(n.max_repetition_level, 0);
  EXPECT_EQ(n.slot_definition_level, 0);
  EXPECT_FALSE(s->leaves[3].nested);
  EXPECT_EQ(s->leaves[3].max_definition_level, 1);
  const LevelNode& tree = *s->fields[1].tree;
  EXPECT_EQ(tree.kind, LevelNode::Kind::kStruct);
  EXPECT_EQ(tree.valid_def, 1);
  EXPECT_EQ(tree.children[0].kind, LevelNode::Kind::kList);
  EXPECT_EQ(tree.children[0].valid_def, 2);
  EXPECT_EQ(tree.children[0].children[0].slot_def, 3);
  EXPECT_EQ(tree.children[0].children[0].rep, 1);
  EXPECT_EQ(tree.children[1].leaf, 1u);
}

TEST(ParquetSchemaTree, RefusesWhatItCannotRead) {
  const auto list = ConvertedType::kList;
  // A LIST whose child is not repeated, or that has two children.
  EXPECT_EQ(Read({G("a", kOpt, {P("x", kOpt, kI32)}, list)}).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(Read({G("a", kOpt, {P("x", kRep, kI32), P("y", kRep, kI32)}, list)}).status().code(),
            StatusCode::kUnsupported);
  // Duplicate names inside a group.
  EXPECT_EQ(Read({G("g", kOpt, {P("x", kOpt, kI32), P("x", kOpt, kI32)})}).status().code(), StatusCode::kUnsupported);
  // A leaf gaggle cannot read deep inside names its whole path (FIXED_LEN_BYTE_ARRAY without a width).
  Result<ParquetSchema> fixed = Read({G("g", kOpt, {G("h", kOpt, {P("t", kOpt, PhysicalType::kFixedLenByteArray)})})});
  EXPECT_EQ(fixed.status().code(), StatusCode::kCorruption);
  EXPECT_NE(fixed.status().message().find("'g.h.t'"), std::string::npos) << fixed.status().message();
  // Too deep.
  E deep = P("leaf", kOpt, kI32);
  for (int i = 0; i < kMaxTypeDepth + 2; ++i) deep = G("g" + std::to_string(i), kOpt, {deep});
  EXPECT_EQ(Read({deep}).status().code(), StatusCode::kUnsupported);
  // Malformed: a primitive with children, child counts past the end.
  std::vector<SchemaElement> bad;
  Flatten(G("schema", std::nullopt, {G("g", kOpt, {P("x", kOpt, kI32)})}), &bad);
  bad[1].num_children = 5;
  EXPECT_EQ(FromParquetSchema(bad).status().code(), StatusCode::kCorruption);
  bad[1].num_children = -1;
  EXPECT_EQ(FromParquetSchema(bad).status().code(), StatusCode::kCorruption);
  bad[1].num_children = 1;
  bad[2].num_children = 1;
  EXPECT_EQ(FromParquetSchema(bad).status().code(), StatusCode::kCorruption);
  bad[2].num_children = std::nullopt;
  bad[1].repetition_type = std::nullopt;
  EXPECT_EQ(FromParquetSchema(bad).status().code(), StatusCode::kCorruption);
}

TEST(ParquetSchemaTree, WritesStandardLayoutsThatReadBack) {
  Schema schema = *ParseSchemaText(
      "l: list<int64>, s: struct<a:string not null,b:list<struct<c:double>> not null> not null, "
      "m: map<string,map<int32,bool not null>>");
  Result<std::vector<SchemaElement>> elements = ToParquetSchema(schema);
  ASSERT_TRUE(elements.ok()) << elements.status().ToString();
  const std::vector<SchemaElement>& e = *elements;
  ASSERT_GE(e.size(), 4u);
  EXPECT_EQ(e[1].name, "l");
  EXPECT_EQ(e[1].converted_type, ConvertedType::kList);
  EXPECT_EQ(e[1].logical_type->kind, K::kList);
  EXPECT_EQ(e[2].name, "list");
  EXPECT_EQ(e[2].repetition_type, kRep);
  EXPECT_EQ(e[3].name, "element");
  EXPECT_EQ(e[3].repetition_type, kOpt);
  size_t map_at = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i].name == "m") map_at = i;
  }
  ASSERT_GT(map_at, 0u);
  EXPECT_EQ(e[map_at].converted_type, ConvertedType::kMap);
  EXPECT_EQ(e[map_at + 1].name, "key_value");
  EXPECT_EQ(e[map_at + 2].name, "key");
  EXPECT_EQ(e[map_at + 2].repetition_type, kReq);
  Result<ParquetSchema> back = FromParquetSchema(e);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->schema, schema);

  EXPECT_EQ(ToParquetSchema(Schema({{"s", DataType::Struct({}), true}})).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaggle::parquet
