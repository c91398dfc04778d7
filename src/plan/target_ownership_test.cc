// The plan-time target rules: a target may not equal, contain or lie inside a catalog
// dataset or another target, must be absolute and not a system location (issue 20,
// cases 9-12). Data-driven: each case is a catalog, targets and the expected verdict.
#include "plan/target_ownership.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

struct OwnershipCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> datasets;  // id, uri
  std::vector<std::pair<std::string, std::string>> targets;   // id, target
  const char* error;                                          // nullptr: accepted
};

Catalog MakeCatalog(const OwnershipCase& c) {
  Catalog catalog;
  for (const auto& [id, uri] : c.datasets) {
    Entity e;
    e.kind = EntityKind::kDataset;
    e.id = e.name = id;
    e.uri = uri;
    e.format = "avro";
    catalog.AddEntity(std::move(e));
  }
  EXPECT_TRUE(catalog.Finalize().ok());
  return catalog;
}

TEST(TargetOwnershipTest, Cases) {
  const std::vector<OwnershipCase> cases = {
      {"separate trees",
       {{"a", "file:///lake/a/"}, {"b", "/lake/b"}},
       {{"a", "file:///v2/a/"}, {"b", "/v2/b"}},
       nullptr},
      {"target is its own source", {{"a", "file:///lake/a/"}}, {{"a", "/lake/a"}}, "is the location of dataset 'a'"},
      {"target is another dataset, spelled differently",
       {{"a", "/lake/a"}, {"b", "file:///lake/b/"}},
       {{"a", "file:///lake/./x/../b"}},
       "is the location of dataset 'b'"},
      {"target inside its source", {{"a", "/lake/a"}}, {{"a", "/lake/a/v2"}}, "lies inside dataset 'a'"},
      {"target contains a dataset",
       {{"a", "/lake/a"}, {"b", "/v2/team/b"}},
       {{"a", "/v2/team"}},
       "contains dataset 'b'"},
      {"nested targets",
       {{"team", "/lake/team"}, {"orders", "/lake/orders"}},
       {{"team", "/v2/team"}, {"orders", "/v2/team/orders"}},
       "lies inside target /v2/team of 'team'"},
      {"relative target", {{"a", "/lake/a"}}, {{"a", "v2/a"}}, "relative path is not allowed"},
      {"system location", {{"a", "/lake/a"}}, {{"a", "/tmp"}}, "system directory"},
      {"root", {{"a", "/lake/a"}}, {{"a", "file:///"}}, "root of the file system"},
      {"object stores compare by bucket", {{"a", "s3://old/lake/a"}}, {{"a", "s3://new/lake/a"}}, nullptr},
      {"object store target inside a dataset", {{"a", "s3://b/lake"}}, {{"a", "s3://b/lake/a/"}}, "lies inside"},
      {"prefix is not containment", {{"a", "/lake/ab"}}, {{"a", "/lake/a"}}, nullptr},
  };
  for (const OwnershipCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<PlanRow> rows;
    for (const auto& [id, target] : c.targets) {
      PlanRow r;
      r.dataset_id = id;
      r.target_uri = target;
      rows.push_back(r);
    }
    Status st = CheckTargetOwnership(rows, MakeCatalog(c));
    if (c.error == nullptr) {
      EXPECT_TRUE(st.ok()) << st.ToString();
    } else {
      ASSERT_FALSE(st.ok());
      EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
    }
  }
}

}  // namespace
}  // namespace gaggle
