// Conformance (every backend): the after-the-migration records — verifications
// (append-only, with events) and cut-overs (catalog repointed in the same transaction;
// restore; collect; the cut-over lag of re-imports).
#include <gtest/gtest.h>

#include "store/store_conformance_test_util.h"

namespace gaggle::store_test {
namespace {

Catalog TwoDatasets() {
  Catalog c;
  for (const char* id : {"events_a", "events_b"}) {
    Entity e;
    e.kind = EntityKind::kDataset;
    e.id = e.name = id;
    e.uri = std::string("file:///lake/v1/") + id + "/";
    e.format = "avro";
    e.schema = "user_id: int64, ts: string";
    e.schema_version = 1;
    c.AddEntity(e);
  }
  EXPECT_TRUE(c.Finalize().ok());
  return c;
}

CutoverRecord Cut(const std::string& id) {
  CutoverRecord r;
  r.migration = "m";
  r.dataset_id = id;
  r.previous = {"file:///lake/v1/" + id + "/", "avro", "user_id: int64, ts: string", 1};
  r.next = {"file:///lake/v2/" + id + "/", "parquet", "account_id: int64, event_time: timestamp", 2};
  r.retain_until = "2024-02-01T00:00:00.000Z";
  return r;
}

TEST_P(StoreConformance, CutOverRepointsTheCatalogAndKeepsThePreviousLocation) {
  ASSERT_TRUE(store_->ReplaceCatalog(TwoDatasets(), {"test", "me"}).ok());
  auto cut = store_->CutOver({Cut("events_a")}, "alice");
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(*cut, 1);
  auto a = store_->FindEntity("events_a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->uri, "file:///lake/v2/events_a/");
  EXPECT_EQ((*a)->format, "parquet");
  EXPECT_EQ((*a)->schema_version, 2);
  EXPECT_EQ((*a)->schema, "account_id: int64, event_time: timestamp");
  auto b = store_->FindEntity("events_b");
  EXPECT_EQ((*b)->uri, "file:///lake/v1/events_b/");

  auto list = store_->ListCutovers("m");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, CutoverState::kCurrent);
  EXPECT_EQ((*list)[0].previous, Cut("events_a").previous);
  EXPECT_EQ((*list)[0].retain_until, "2024-02-01T00:00:00.000Z");
  EXPECT_EQ((*list)[0].changed_by, "alice");

  // Cutting over again changes nothing; an unknown dataset fails the whole transaction.
  EXPECT_EQ(*store_->CutOver({Cut("events_a")}, "alice"), 0);
  auto bad = store_->CutOver({Cut("events_b"), Cut("nope")}, "alice");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos);
  EXPECT_EQ((*store_->FindEntity("events_b"))->uri, "file:///lake/v1/events_b/");

  EventFilter f;
  f.dataset = "events_a";
  auto events = store_->ListEvents(f);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->back().to_state, "cut-over");
  EXPECT_NE(events->back().detail.find("lake/v1/events_a"), std::string::npos);
}

TEST_P(StoreConformance, RestorePointsTheCatalogBackAndCollectNeedsACurrentRecord) {
  ASSERT_TRUE(store_->ReplaceCatalog(TwoDatasets(), {"test", "me"}).ok());
  ASSERT_TRUE(store_->CutOver({Cut("events_a"), Cut("events_b")}, "alice").ok());
  auto restored = store_->RestoreCutovers("m", {"events_a"}, "bob", "bad numbers");
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(*restored, 1);
  EXPECT_EQ((*store_->FindEntity("events_a"))->uri, "file:///lake/v1/events_a/");
  EXPECT_EQ((*store_->FindEntity("events_a"))->format, "avro");
  EXPECT_EQ((*store_->FindEntity("events_b"))->uri, "file:///lake/v2/events_b/");

  Status st = store_->MarkCollected("m", "events_a", "gc", "{}");
  EXPECT_EQ(st.code(), StatusCode::kConflict) << st.ToString();
  ASSERT_TRUE(store_->MarkCollected("m", "events_b", "gc", "{}").ok());
  auto list = *store_->ListCutovers("");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].state, CutoverState::kRolledBack);
  EXPECT_EQ(list[0].changed_by, "bob");
  EXPECT_EQ(list[1].state, CutoverState::kCollected);
  // A collected dataset is not restored (its old data is gone).
  EXPECT_EQ(*store_->RestoreCutovers("m", {}, "bob", "again"), 0);

  auto of_b = store_->ListCutovers("", "events_b");
  ASSERT_TRUE(of_b.ok());
  ASSERT_EQ(of_b->size(), 1u);
  EXPECT_EQ((*of_b)[0].dataset_id, "events_b");
  EXPECT_TRUE(store_->ListCutovers("other", "events_b")->empty());

  // A rolled-back dataset can be cut over again.
  EXPECT_EQ(*store_->CutOver({Cut("events_a")}, "alice"), 1);
  EXPECT_EQ((*store_->ListCutovers("m"))[0].state, CutoverState::kCurrent);
}

TEST_P(StoreConformance, ReimportingDescriptorsThatLagBehindTheCutOverKeepsIt) {
  ASSERT_TRUE(store_->ReplaceCatalog(TwoDatasets(), {"test", "me"}).ok());
  ASSERT_TRUE(store_->CutOver({Cut("events_a")}, "alice").ok());
  // The team changed the owner but not the location: the cut-over stands.
  const Catalog original = TwoDatasets();
  Catalog edited;
  for (const Entity& e0 : original.entities()) {
    Entity e = e0;
    e.owner = "team-new";
    edited.AddEntity(e);
  }
  ASSERT_TRUE(edited.Finalize().ok());
  auto changes = store_->ReplaceCatalog(edited, {"test", "me"});
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_EQ(changes->num_updated, 2);
  auto a = **store_->FindEntity("events_a");
  EXPECT_EQ(a.owner, "team-new");
  EXPECT_EQ(a.uri, "file:///lake/v2/events_a/");
  EXPECT_EQ(a.format, "parquet");
  EXPECT_EQ(a.schema_version, 2);
  // Importing the same again changes nothing.
  EXPECT_FALSE(store_->ReplaceCatalog(edited, {"test", "me"})->changed());
  // A descriptor naming another location wins.
  Catalog moved;
  for (const Entity& e0 : edited.entities()) {
    Entity e = e0;
    if (e.id == "events_a") e.uri = "file:///elsewhere/events_a/";
    moved.AddEntity(e);
  }
  ASSERT_TRUE(moved.Finalize().ok());
  ASSERT_TRUE(store_->ReplaceCatalog(moved, {"test", "me"}).ok());
  EXPECT_EQ((**store_->FindEntity("events_a")).uri, "file:///elsewhere/events_a/");
}

TEST_P(StoreConformance, VerificationsAreAppendOnlyAndListedOldestFirst) {
  for (int i = 0; i < 3; ++i) {
    VerificationRecord r;
    r.migration = "m";
    r.actor = "gaggle";
    r.passed = i == 2;
    r.sampled = 10;
    r.matched = 8 + i;
    r.summary = "run " + std::to_string(i);
    r.report = "{}";
    ASSERT_TRUE(store_->SaveVerification(r).ok());
  }
  auto all = store_->ListVerifications("m", 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].summary, "run 0");
  auto last = *store_->ListVerifications("m", 1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_TRUE(last[0].passed);
  EXPECT_EQ(last[0].matched, 10);
  EXPECT_TRUE(store_->ListVerifications("other", 0)->empty());
  EventFilter f;
  f.migration = "m";
  auto events = *store_->ListEvents(f);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].to_state, "verification-failed");
  EXPECT_EQ(events[2].to_state, "verified");
  EXPECT_TRUE(store_->VerifyEventChain()->intact);
}

}  // namespace
}  // namespace gaggle::store_test
