// Cut-over, rollback during retention, and gc's rules, on a real state file and
// real directories: what is deleted, what is kept and why, and what is recorded.
#include "cutover/cut_over.h"

#include <gtest/gtest.h>

#include "cutover/cutover_test_fixture.h"
#include "cutover/garbage_collector.h"
#include "fleet/rollback.h"

namespace gaggle {
namespace {

TEST_F(CutOverTest, CutsOverValidatedDatasetsOnceWithTheRetentionDeadline) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  auto r = CutOverMigration(store_.get(), spec_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cut_over, 2);
  EXPECT_EQ(r->datasets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->retain_until, "2024-05-08T00:00:00Z");
  auto a = **store_->FindEntity("a");
  EXPECT_EQ(a.uri, "file://" + (dir_ / "v2" / "a").string() + "/");
  EXPECT_EQ(a.format, "parquet");
  EXPECT_EQ(a.schema_version, 2);
  EXPECT_EQ((**store_->FindEntity("c")).format, "avro");  // not migrated: untouched

  auto again = CutOverMigration(store_.get(), spec_, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cut_over, 0);
  EXPECT_EQ(again->already, 2);
}

TEST_F(CutOverTest, GcKeepsUntilRetentionPassesAndTheRunIsCompletedThenDeletesOnlyPrevious) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());

  GcOptions gc;
  gc.now = "2024-06-01T00:00:00Z";
  auto early = CollectGarbage(store_.get(), gc);  // the run is not completed yet
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_TRUE(early->deleted.empty());
  ASSERT_EQ(early->kept.size(), 2u);
  EXPECT_NE(early->kept[0].reason.find("not completed"), std::string::npos) << early->kept[0].reason;

  Complete();
  gc.now = "2024-05-07T23:59:59Z";
  auto during = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(during.ok());
  EXPECT_TRUE(during->deleted.empty());
  EXPECT_EQ(during->kept[0].reason, "retained until 2024-05-08T00:00:00Z");

  gc.now = "2024-05-09T00:00:00Z";
  gc.dry_run = true;
  auto dry = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(dry.ok());
  ASSERT_EQ(dry->deleted.size(), 2u);
  EXPECT_EQ(dry->deleted[0].files, 1);
  EXPECT_EQ(dry->deleted[0].bytes, 13);  // "old data of a"
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));

  gc.dry_run = false;
  auto real = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  ASSERT_EQ(real->deleted.size(), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "a"));
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "b"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "c" / "part-0.avro"));  // never cut over: never deleted
  EXPECT_TRUE(fs::exists(dir_ / "v2" / "a" / "part-0.parquet"));
  auto cutovers = store_->ListCutovers("m");
  ASSERT_TRUE(cutovers.ok());
  for (const CutoverRecord& c : cutovers.value()) EXPECT_EQ(c.state, CutoverState::kCollected);
  EventFilter f;
  f.dataset = "a";
  auto events = *store_->ListEvents(f);
  EXPECT_EQ(events.back().to_state, "collected");
  EXPECT_NE(events.back().detail.find("\"bytes\":13"), std::string::npos) << events.back().detail;

  // Nothing left to collect; a rollback of a collected dataset is refused.
  EXPECT_TRUE(CollectGarbage(store_.get(), gc)->deleted.empty());
  RollbackRequest rb;
  rb.migration = "m";
  rb.datasets = {"a"};
  auto rolled = RollbackMigration(store_.get(), rb);
  ASSERT_TRUE(rolled.ok());
  EXPECT_EQ(rolled->rolled_back, 0);
  ASSERT_EQ(rolled->skipped.size(), 1u);
  EXPECT_NE(rolled->skipped[0].find("deleted by gc"), std::string::npos);
}

TEST_F(CutOverTest, RollbackDuringRetentionRestoresTheOldLocationAndGcNeverDeletesIt) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());
  Complete();
  RollbackRequest rb;
  rb.migration = "m";
  rb.datasets = {"a"};
  auto rolled = RollbackMigration(store_.get(), rb);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled->rolled_back, 1);
  EXPECT_EQ(rolled->restored, 1);
  auto a = **store_->FindEntity("a");
  EXPECT_EQ(a.uri, "file://" + (dir_ / "v1" / "a").string() + "/");
  EXPECT_EQ(a.format, "avro");
  EXPECT_FALSE(fs::exists(dir_ / "v2" / "a"));  // quarantined

  GcOptions gc;
  gc.now = "2025-01-01T00:00:00Z";
  auto r = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->deleted.size(), 1u);
  EXPECT_EQ(r->deleted[0].dataset, "b");
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
}

TEST_F(CutOverTest, RollingBackTheWholeMigrationRestoresEveryCutOverDataset) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());
  RollbackRequest all;
  all.migration = "m";
  auto r = RollbackMigration(store_.get(), all);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rolled_back, 3);  // c needed attention: rolled back, never cut over
  EXPECT_EQ(r->restored, 2);
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ((**store_->FindEntity(id)).format, "avro") << id;
  auto cuts = store_->ListCutovers("m");
  ASSERT_TRUE(cuts.ok());
  for (const CutoverRecord& c : cuts.value()) EXPECT_EQ(c.state, CutoverState::kRolledBack) << c.dataset_id;
}

TEST_F(CutOverTest, GcRefusesAPreviousLocationTheCatalogStillUses) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());
  Complete();
  // Dataset c (not migrated) shares a's old location.
  Catalog c;
  auto loaded = store_->LoadCatalog();
  ASSERT_TRUE(loaded.ok());
  for (const Entity& e0 : loaded->entities()) {
    Entity e = e0;
    if (e.id == "c") e.uri = "file://" + (dir_ / "v1" / "a").string() + "/";
    c.AddEntity(e);
  }
  ASSERT_TRUE(c.Finalize().ok());
  ASSERT_TRUE(store_->ReplaceCatalog(c, {"test", "me"}).ok());
  GcOptions gc;
  gc.now = "2025-01-01T00:00:00Z";
  auto r = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->deleted.size(), 1u);
  EXPECT_EQ(r->deleted[0].dataset, "b");
  ASSERT_EQ(r->kept.size(), 1u);
  EXPECT_NE(r->kept[0].reason.find("is the location of dataset 'c' of the catalog"), std::string::npos)
      << r->kept[0].reason;
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
}

TEST_F(CutOverTest, PlanningAgainSeesTheCatalogAsBeforeTheCutOver) {
  CutOverOptions o;
  o.now = "2024-05-01T00:00:00Z";
  ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());
  auto now = store_->LoadCatalog();
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->entity(*now->Find("a")).format, "parquet");
  auto before = CatalogBeforeCutOver(std::move(now).value(), *store_->ListCutovers("m"));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const Entity& a = before->entity(*before->Find("a"));
  EXPECT_EQ(a.format, "avro");
  EXPECT_EQ(a.schema_version, 1);
  EXPECT_EQ(a.uri, "file://" + (dir_ / "v1" / "a").string() + "/");
  EXPECT_EQ(before->size(), 3u);
}

}  // namespace
}  // namespace gaggle
