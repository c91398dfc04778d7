// The cut-over rules alone: the lag rule of re-imports, and a record's life
// (current, rolled back, collected).
#include "store/cutover_rules.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

CutoverRecord Cut(const std::string& id, const std::string& from, const std::string& to, const std::string& at,
                  CutoverState state = CutoverState::kCurrent) {
  CutoverRecord r;
  r.migration = "m";
  r.dataset_id = id;
  r.state = state;
  r.previous = {from, "avro", "a: int64", 1};
  r.next = {to, "parquet", "b: int64", 2};
  r.cut_at = at;
  return r;
}

Entity Imported(const std::string& id, const std::string& uri, EntityKind kind = EntityKind::kDataset) {
  Entity e;
  e.kind = kind;
  e.id = id;
  e.uri = uri;
  e.format = "avro";
  e.schema = "a: int64";
  e.schema_version = 1;
  e.owner = "team";
  return e;
}

TEST(CutoverLag, ADescriptorNamingTheOldLocationKeepsTheCutOver) {
  const CutoverLag lag({Cut("a", "s3://old/a", "s3://new/a", "2024-01-01")});
  Entity e = lag.AsStored(Imported("a", "s3://old/a"));
  EXPECT_EQ(e.uri, "s3://new/a");
  EXPECT_EQ(e.format, "parquet");
  EXPECT_EQ(e.schema, "b: int64");
  EXPECT_EQ(e.schema_version, 2);
  EXPECT_EQ(e.owner, "team");  // everything else is the descriptor's
}

// Issue 20, case 3: a descriptor that names the old location spelled differently (no
// trailing slash, no scheme) still lags; a collected cut-over still counts.
TEST(CutoverLag, ComparesLocationsByIdentityAndKeepsCollectedCutOvers) {
  const CutoverLag lag({Cut("a", "file:///lake/a/", "file:///v2/a/", "2024-01-01"),
                        Cut("b", "file:///lake/b", "file:///v2/b/", "2024-01-01", CutoverState::kCollected)});
  EXPECT_EQ(lag.AsStored(Imported("a", "file:///lake/a")).uri, "file:///v2/a/");
  EXPECT_EQ(lag.AsStored(Imported("a", "/lake/./a/")).uri, "file:///v2/a/");
  EXPECT_EQ(lag.AsStored(Imported("b", "file:///lake/b/")).uri, "file:///v2/b/");
  EXPECT_EQ(lag.AsStored(Imported("a", "file:///lake/ab")).uri, "file:///lake/ab");
}

TEST(CutoverLag, ADescriptorNamingAnotherLocationWins) {
  const CutoverLag lag({Cut("a", "s3://old/a", "s3://new/a", "2024-01-01")});
  EXPECT_EQ(lag.AsStored(Imported("a", "s3://team-moved-it/a")).uri, "s3://team-moved-it/a");
  EXPECT_EQ(lag.AsStored(Imported("b", "s3://old/a")).uri, "s3://old/a");  // another dataset
}

TEST(CutoverLag, OnlyCurrentCutOversOfDatasetsApplyOldestFirst) {
  const CutoverLag lag({
      Cut("a", "s3://v2/a", "s3://v3/a", "2024-03-01"),  // listed first, cut later
      Cut("a", "s3://v1/a", "s3://v2/a", "2024-02-01"),
      Cut("b", "s3://v1/b", "s3://v2/b", "2024-02-01", CutoverState::kRolledBack),
  });
  EXPECT_EQ(lag.AsStored(Imported("a", "s3://v1/a")).uri, "s3://v3/a");  // follows the chain
  EXPECT_EQ(lag.AsStored(Imported("b", "s3://v1/b")).uri, "s3://v1/b");
  EXPECT_EQ(lag.AsStored(Imported("a", "s3://v1/a", EntityKind::kComponent)).uri, "s3://v1/a");
}

TEST(CutoverRecordLife, CurrentThenRolledBackOrCollected) {
  EXPECT_FALSE(IsCutOver(std::nullopt));
  CutoverRecord requested = Cut("a", "old", "new", "");
  requested.retain_until = "2024-02-01";
  CutoverRecord current = CurrentCutover(requested, "2024-01-01", "alice");
  EXPECT_EQ(current.state, CutoverState::kCurrent);
  EXPECT_EQ(current.cut_at, "2024-01-01");
  EXPECT_EQ(current.changed_at, "2024-01-01");
  EXPECT_EQ(current.changed_by, "alice");
  EXPECT_EQ(current.retain_until, "2024-02-01");
  EXPECT_TRUE(IsCutOver(current));
  requested.cut_at = "2023-12-31";
  EXPECT_EQ(CurrentCutover(requested, "2024-01-01", "alice").cut_at, "2023-12-31");

  CutoverRecord back = RolledBackCutover(current, "2024-01-02", "bob");
  EXPECT_EQ(back.state, CutoverState::kRolledBack);
  EXPECT_EQ(back.changed_by, "bob");
  EXPECT_EQ(back.cut_at, "2024-01-01");
  EXPECT_FALSE(IsCutOver(back));

  auto collected = CollectedCutover(current, "m", "a", "2024-03-01", "gc");
  ASSERT_TRUE(collected.ok());
  EXPECT_EQ(collected->state, CutoverState::kCollected);
  EXPECT_EQ(collected->changed_at, "2024-03-01");
  auto refused = CollectedCutover(back, "m", "a", "2024-03-01", "gc");
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_EQ(refused.status().message(), "migration 'm', dataset 'a': no current cut-over to mark collected");
  EXPECT_EQ(CollectedCutover(std::nullopt, "m", "a", "t", "gc").status().code(), StatusCode::kConflict);
}

}  // namespace
}  // namespace gaggle
