// Transform specs that rename, cast and drop fields inside struct columns by dotted paths,
// and the refusals of paths that cannot be edited.
#include "transform/nested_edit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "formats/jsonl/jsonl_reader.h"
#include "spec/migration_spec.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

using ::testing::HasSubstr;

RecordBatch NestedBatch() {
  const std::string path = ::testing::TempDir() + "nested_edit_test.jsonl";
  std::ofstream(path) << R"({"id":1,"device":{"os":"linux","version":"3","geo":{"lat":1.5,"lon":2}},"tags":["a"]})"
                      << "\n"
                      << R"({"id":2,"device":null,"tags":[]})"
                      << "\n"
                      << R"({"id":3,"device":{"os":null,"version":"x9","geo":null},"tags":null})"
                      << "\n";
  ReadOptions options;
  options.schema = *ParseSchemaText(
      "id: int64, device: struct<os:string,version:string,geo:struct<lat:double,lon:double>>, tags: list<string>");
  auto reader = OpenJsonlReader(FileSystem::Default(), path, options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch b;
  auto more = (*reader)->Next(&b);
  EXPECT_TRUE(more.ok() && *more);
  return b;
}

TransformSpec Spec(const std::string& transform_yaml) {
  auto spec = ParseMigrationSpec("name: t\nversion: 2\ntransform:\n" + transform_yaml, "events.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? spec->transform : TransformSpec{};
}

TEST(NestedEdit, RenamesCastsAndDropsFieldsInsideStructs) {
  RecordBatch in = NestedBatch();
  auto t = Transformer::Make(Spec(R"yaml(  rename: {device.os: device.platform, device.geo.lon: longitude, id: event_id}
  cast: {device.version: int64}
  drop: [device.geo.lat]
)yaml"),
                             *in.schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->source_schema(), *in.schema);
  EXPECT_EQ(t->output_schema()->ToString(),
            "event_id: int64, device: struct<platform:string,version:int64,geo:struct<longitude:double>>, "
            "tags: list<string>");
  RecordBatch out;
  std::vector<RowError> rejected;
  TransformStats stats;
  ASSERT_TRUE(t->Apply(in, &out, &rejected, &stats).ok());
  ASSERT_TRUE(out.Validate().ok()) << out.Validate().ToString();
  // Row 3's version "x9" is not an int64: the row is rejected naming the nested cast.
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].row, 2u);
  EXPECT_THAT(rejected[0].reason, HasSubstr("transform.cast.device.version"));
  ASSERT_EQ(out.num_rows(), 2u);
  EXPECT_EQ(out.columns[1].ValueToString(0), R"({"platform":"linux","version":3,"geo":{"longitude":2.0}})");
  EXPECT_TRUE(out.columns[1].IsNull(1));  // a null struct stays null
  EXPECT_EQ(out.columns[2].ValueToString(0), R"(["a"])");
  EXPECT_EQ(stats.rows_rejected, 1u);
}

TEST(NestedEdit, RefusesPathsItCannotEditNamingTheEntry) {
  RecordBatch in = NestedBatch();
  auto expect = [&](const std::string& yaml, StatusCode code, const std::string& what) {
    auto t = Transformer::Make(Spec(yaml), *in.schema);
    ASSERT_FALSE(t.ok()) << yaml;
    EXPECT_EQ(t.status().code(), code) << t.status().ToString();
    EXPECT_THAT(t.status().message(), HasSubstr(what));
  };
  expect("  drop: [device.model]\n", StatusCode::kSchemaMismatch, "has no field 'model'");
  expect("  drop: [tags.x]\n", StatusCode::kInvalidArgument, "'tags' is list<string>: only fields of structs");
  expect("  rename: {device.os: version}\n", StatusCode::kInvalidArgument, "two fields named 'version'");
  expect("  rename: {device.os: other.os}\n", StatusCode::kInvalidArgument, "renamed only within its struct");
  expect("  cast: {device.geo: int64}\n", StatusCode::kTypeError, "field 'device.geo'");
  expect("  drop: [device.geo.lat, device.geo.lon]\n", StatusCode::kInvalidArgument, "left without fields");
  expect("  drop: [device.os]\n  source_schema: {id: int64}\n", StatusCode::kSchemaMismatch, "extra column");
}

TEST(NestedEdit, FlatColumnsWithDotsAreNotPaths) {
  // Avro's flattened records are top-level columns named "addr.city": they are columns.
  Schema flat = *ParseSchemaText("\"addr.city\": string, id: int64");
  NestedEditPlan plan = PlanNestedEdits(Spec("  rename: {addr.city: city}\n"), flat);
  EXPECT_TRUE(plan.problems.empty());
  ASSERT_EQ(plan.spec.rename.size(), 1u);
  EXPECT_EQ(plan.edits[0], nullptr);
}

}  // namespace
}  // namespace gaggle
