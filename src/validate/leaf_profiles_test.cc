// Statistics per leaf of nested columns: which leaves there are, what they count (values
// present, nulls under valid parents only), and that one changed value deep in a list of
// structs shows in that leaf's statistics and no other's.
#include "validate/leaf_profiles.h"

#include <gtest/gtest.h>

#include <fstream>

#include "formats/jsonl/jsonl_reader.h"
#include "validate/dataset_profile.h"

namespace gaggle {
namespace {

const char* const kSchema =
    "id: int64, items: list<struct<sku:string,price:double>>, attrs: map<string,int64>, "
    "device: struct<os:string,geo:struct<lat:double>>";

RecordBatch Read(const std::vector<std::string>& lines) {
  const std::string path = ::testing::TempDir() + "leaf_profiles_test.jsonl";
  {
    std::ofstream f(path);
    for (const std::string& l : lines) f << l << "\n";
  }
  ReadOptions options;
  options.schema = *ParseSchemaText(kSchema);
  auto reader = OpenJsonlReader(FileSystem::Default(), path, options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  RecordBatch b;
  auto more = (*reader)->Next(&b);
  EXPECT_TRUE(more.ok() && *more);
  return b;
}

std::vector<std::string> Rows(const std::string& changed_price = "2.5") {
  return {
      R"({"id":1,"items":[{"sku":"a","price":1.0},{"sku":"b","price":)" + changed_price +
          R"(}],"attrs":{"x":1,"y":2},"device":{"os":"ios","geo":{"lat":10.0}}})",
      R"({"id":2,"items":[],"attrs":null,"device":null})",
      R"({"id":3,"items":[{"sku":null,"price":4.0}],"attrs":{"x":3},"device":{"os":null,"geo":null}})",
      R"({"id":4,"items":null,"attrs":{},"device":{"os":"linux","geo":{"lat":null}}})",
  };
}

const ColumnSummary& Find(const std::vector<ColumnSummary>& s, const std::string& name) {
  for (const ColumnSummary& c : s) {
    if (c.name == name) return c;
  }
  static ColumnSummary none;
  ADD_FAILURE() << "no summary named " << name;
  return none;
}

TEST(LeafProfiles, NamesEveryLeafByItsPath) {
  LeafProfiles leaves(*ParseSchemaText(kSchema), ProfileOptions{});
  EXPECT_EQ(leaves.Names(), (std::vector<std::string>{"items.element.sku", "items.element.price", "attrs.key",
                                                      "attrs.value", "device.os", "device.geo.lat"}));
}

TEST(LeafProfiles, CountsTheValuesPresentAndTheirNulls) {
  RecordBatch b = Read(Rows());
  LeafProfiles leaves(*b.schema, ProfileOptions{});
  leaves.Update(b);
  std::vector<ColumnSummary> s = leaves.Summarize();
  const ColumnSummary& price = Find(s, "items.element.price");
  EXPECT_EQ(price.rows, 3);  // three elements in all lists
  EXPECT_EQ(price.nulls, 0);
  EXPECT_EQ(price.min, 1.0);
  EXPECT_EQ(price.max, 4.0);
  EXPECT_EQ(price.sample_size, 3);
  const ColumnSummary& sku = Find(s, "items.element.sku");
  EXPECT_EQ(sku.rows, 3);
  EXPECT_EQ(sku.nulls, 1);
  const ColumnSummary& key = Find(s, "attrs.key");
  EXPECT_EQ(key.rows, 3);
  EXPECT_EQ(key.min_text, "x");
  EXPECT_EQ(key.max_text, "y");
  EXPECT_EQ(Find(s, "attrs.value").max, 3.0);
  // device is null in row 2: its fields there are absent, not null.
  const ColumnSummary& os = Find(s, "device.os");
  EXPECT_EQ(os.rows, 3);
  EXPECT_EQ(os.nulls, 1);
  const ColumnSummary& lat = Find(s, "device.geo.lat");
  EXPECT_EQ(lat.rows, 2);  // geo is null in row 3
  EXPECT_EQ(lat.nulls, 1);
}

TEST(LeafProfiles, OneChangedLeafValueShowsInThatLeafOnly) {
  auto summaries = [](const std::vector<std::string>& rows) {
    RecordBatch b = Read(rows);
    DatasetProfile p(b.schema, ProfileOptions{});
    p.Update(b);
    return p.Summarize();
  };
  std::vector<ColumnSummary> a = summaries(Rows("2.5"));
  std::vector<ColumnSummary> b = summaries(Rows("2.75"));
  ASSERT_EQ(a.size(), 4u + 6u);  // the fields, then the leaves
  for (size_t i = 0; i < a.size(); ++i) {
    const bool changed = a[i].name == "items" || a[i].name == "items.element.price";
    EXPECT_EQ(a[i].fingerprint != b[i].fingerprint, changed) << a[i].name;
  }
  EXPECT_EQ(Find(a, "items.element.price").sample, (std::vector<double>{1.0, 2.5, 4.0}));
  EXPECT_EQ(Find(b, "items.element.price").sample, (std::vector<double>{1.0, 2.75, 4.0}));
}

}  // namespace
}  // namespace gaggle
