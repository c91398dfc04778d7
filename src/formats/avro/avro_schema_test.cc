#include "formats/avro/avro_schema.h"

#include <gtest/gtest.h>

namespace gaggle::avro {
namespace {

TEST(AvroSchemaMapping, PrimitivesLogicalTypesAndNullability) {
  auto m = MapAvroSchema(R"({"type":"record","name":"r","fields":[
    {"name":"b","type":"boolean"},
    {"name":"i","type":"int"},
    {"name":"l","type":["null","long"]},
    {"name":"f","type":["float","null"]},
    {"name":"d","type":"double"},
    {"name":"s","type":"string"},
    {"name":"y","type":"bytes"},
    {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
    {"name":"x","type":{"type":"fixed","name":"F4","size":4}},
    {"name":"day","type":{"type":"int","logicalType":"date"}},
    {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"us","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"lms","type":{"type":"long","logicalType":"local-timestamp-millis"}},
    {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
    {"name":"fdec","type":{"type":"fixed","name":"D8","size":8,"logicalType":"decimal","precision":18,"scale":0}},
    {"name":"u","type":{"type":"string","logicalType":"uuid"}},
    {"name":"t","type":{"type":"int","logicalType":"time-millis"}},
    {"name":"bad_dec","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":5}}
  ]})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->schema.ToString(),
            "b: bool not null, i: int32 not null, l: int64, f: float, d: double not null, s: string not null, "
            "y: binary not null, e: string not null, x: binary not null, day: date not null, "
            "ms: timestamp not null, us: timestamp not null, lms: timestamp_ntz not null, dec: decimal(10,2) not null, "
            "fdec: decimal(18,0) not null, u: string not null, t: int32 not null, bad_dec: binary not null");
  EXPECT_EQ(m->root.children[12].conversion, Conversion::kTimestampMillis);
  EXPECT_EQ(m->root.children[2].null_branch, 0);
  EXPECT_EQ(m->root.children[3].null_branch, 1);
  // avro-c sees synthetic names only, and no logical types.
  EXPECT_EQ(m->avro_c_json.find("Color"), std::string::npos);
  EXPECT_EQ(m->avro_c_json.find("logicalType"), std::string::npos);
}

TEST(AvroSchemaMapping, NestedRecordsFlattenWithDots) {
  auto m = MapAvroSchema(R"({"type":"record","name":"Person","namespace":"ex","fields":[
    {"name":"id","type":"long"},
    {"name":"home","type":{"type":"record","name":"Address","fields":[
        {"name":"city","type":"string"},
        {"name":"geo","type":{"type":"record","name":"Geo","fields":[{"name":"lat","type":"double"}]}}]}},
    {"name":"work","type":["null","ex.Address"]},
    {"name":"spot","type":"Geo"}
  ]})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->schema.ToString(),
            "id: int64 not null, home.city: string not null, home.geo.lat: double not null, work.city: string, "
            "work.geo.lat: double, spot.lat: double not null");
  EXPECT_EQ(m->root.children[2].first_column, 3);
  EXPECT_EQ(m->root.children[2].end_column, 5);
}

TEST(AvroSchemaMapping, TopLevelNonRecordIsOneValueColumn) {
  auto m = MapAvroSchema(R"(["null","string"])");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->schema.ToString(), "value: string");
}

void ExpectRefused(const std::string& json, StatusCode code, const std::string& needle) {
  auto m = MapAvroSchema(json);
  ASSERT_FALSE(m.ok()) << json;
  EXPECT_EQ(m.status().code(), code) << m.status().ToString();
  EXPECT_NE(m.status().message().find(needle), std::string::npos) << m.status().ToString();
}

TEST(AvroSchemaMapping, RefusesWhatCannotBeColumns) {
  // Arrays, maps and general unions are nested columns now (avro_nested_test.cc).
  ExpectRefused(R"({"type":"record","name":"r","fields":[{"name":"n","type":"null"}]})", StatusCode::kUnsupported,
                "'n' has type null");
  ExpectRefused(R"({"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]})",
                StatusCode::kUnsupported, "recursive Avro record 'Node'");
  ExpectRefused(R"({"type":"record","name":"r","fields":[]})", StatusCode::kUnsupported, "no columns");
}

TEST(AvroSchemaMapping, InvalidSchemasAreCorruption) {
  ExpectRefused("{not json", StatusCode::kCorruption, "not valid JSON");
  ExpectRefused(R"({"type":"record","name":"r","fields":[{"name":"a","type":"Nope"}]})", StatusCode::kCorruption,
                "unknown type name 'Nope'");
  ExpectRefused(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
                StatusCode::kCorruption, "repeats field 'a'");
  ExpectRefused(R"({"type":"fixed","name":"f","size":-3})", StatusCode::kUnsupported, "size -3");
  ExpectRefused(R"({"type":"enum","name":"e","symbols":"x"})", StatusCode::kCorruption, "symbols");
  ExpectRefused(R"({"type":"enum","name":"e","symbols":[]})", StatusCode::kUnsupported, "without symbols");
  ExpectRefused(R"({"type":"record","name":"r","fields":[{"name":"a","type":["int",["long"]]}]})",
                StatusCode::kCorruption, "union directly inside a union");
  ExpectRefused(
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"record","name":"r","fields":[]}}]})",
      StatusCode::kCorruption, "defined twice");
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "[";
  ExpectRefused(deep, StatusCode::kCorruption, "JSON");
  std::string nested = "\"int\"";
  for (int i = 0; i < 100; ++i) nested = "{\"type\":" + nested + "}";
  ExpectRefused(nested, StatusCode::kUnsupported, "deeper than");
}

TEST(AvroSchemaMapping, AvroNames) {
  EXPECT_TRUE(IsValidAvroName("a_1"));
  EXPECT_TRUE(IsValidAvroName("_x"));
  EXPECT_FALSE(IsValidAvroName("1a"));
  EXPECT_FALSE(IsValidAvroName("a-b"));
  EXPECT_FALSE(IsValidAvroName(""));
}

}  // namespace
}  // namespace gaggle::avro
