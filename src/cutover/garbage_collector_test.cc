// gc under hostile conditions (issue 20, cases 1-8): the ownership rules compare
// locations by identity, re-check right before deleting, delete only the listed files,
// never through a symlink, and leave every byte that is not provably the old data.
#include "cutover/garbage_collector.h"

#include <gtest/gtest.h>

#include "cutover/cutover_test_fixture.h"
#include "fleet/rollback.h"

namespace gaggle {
namespace {

class GcSafetyTest : public CutOverTest {
 protected:
  void CutOverAndComplete() {
    CutOverOptions o;
    o.now = "2024-05-01T00:00:00Z";
    ASSERT_TRUE(CutOverMigration(store_.get(), spec_, o).ok());
    Complete();
  }
  // Points dataset `id` of the catalog at `uri` (a re-import).
  void Repoint(const std::string& id, const std::string& uri) {
    Catalog c;
    auto loaded = store_->LoadCatalog();
    ASSERT_TRUE(loaded.ok());
    for (const Entity& e0 : loaded->entities()) {
      Entity e = e0;
      if (e.id == id) e.uri = uri;
      c.AddEntity(e);
    }
    ASSERT_TRUE(c.Finalize().ok());
    ASSERT_TRUE(store_->ReplaceCatalog(c, {"test", "me"}).ok());
  }
  Result<GcReport> Gc(bool dry_run = false) {
    GcOptions gc;
    gc.now = "2025-01-01T00:00:00Z";
    gc.dry_run = dry_run;
    gc.before_unlink = hook_;
    return CollectGarbage(store_.get(), gc);
  }
  const GcItem* Kept(const GcReport& r, const std::string& id) {
    for (const GcItem& i : r.kept) {
      if (i.dataset == id) return &i;
    }
    return nullptr;
  }
  std::string V1(const std::string& rest) { return (dir_ / "v1" / rest).string(); }

  std::function<Status(const std::string&)> hook_;
};

// Case 1: a dataset nested inside the old location is never deleted with it.
TEST_F(GcSafetyTest, KeepsALocationThatContainsAnotherCatalogDataset) {
  CutOverAndComplete();
  Write(dir_ / "v1" / "a" / "b-nested" / "part-0.avro", "nested data");
  Repoint("c", "file://" + V1("a/b-nested"));
  auto r = Gc();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const GcItem* a = Kept(*r, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->reason.find("contains dataset 'c' of the catalog"), std::string::npos) << a->reason;
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "b-nested" / "part-0.avro"));
  EXPECT_EQ(store_->ListCutovers("m", "a")->front().state, CutoverState::kCurrent);
}

// And the other way: an old location inside a dataset the catalog still uses.
TEST_F(GcSafetyTest, KeepsALocationInsideAnotherCatalogDataset) {
  CutOverAndComplete();
  Repoint("c", "file://" + V1(""));
  auto r = Gc();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->deleted.empty());
  ASSERT_NE(Kept(*r, "a"), nullptr);
  EXPECT_NE(Kept(*r, "a")->reason.find("lies inside dataset 'c'"), std::string::npos) << Kept(*r, "a")->reason;
}

// Cases 2 and 3: the same directory spelled differently (no scheme, no trailing
// slash, "." and "..") is the same location.
TEST_F(GcSafetyTest, ComparesLocationsByIdentityNotSpelling) {
  for (const std::string& spelling : {V1("a"), V1("./x/../a/"), "file://" + V1("a"), "file://" + V1("a") + "//"}) {
    SCOPED_TRACE(spelling);
    TearDown();
    SetUp();
    CutOverAndComplete();
    Repoint("c", spelling);
    auto r = Gc();
    ASSERT_TRUE(r.ok());
    ASSERT_NE(Kept(*r, "a"), nullptr);
    EXPECT_NE(Kept(*r, "a")->reason.find("is the location of dataset 'c'"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
  }
}

// A catalog dataset reached through a symlink to the old data is the old data.
TEST_F(GcSafetyTest, ResolvesSymlinkedCatalogLocations) {
  CutOverAndComplete();
  fs::create_directory_symlink(dir_ / "v1" / "a", dir_ / "alias");
  Repoint("c", (dir_ / "alias").string());
  auto r = Gc();
  ASSERT_TRUE(r.ok());
  ASSERT_NE(Kept(*r, "a"), nullptr);
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
}

// Case 4: a location another migration still retains stays until that retention ends.
TEST_F(GcSafetyTest, KeepsALocationAnotherMigrationStillRetains) {
  CutOverAndComplete();
  CutoverRecord other;
  other.migration = "m2";
  other.dataset_id = "c";
  other.previous = {V1("a") + "/", "avro", "", 1};  // spelled differently too
  other.next = {"file://" + (dir_ / "v3" / "c").string(), "parquet", "", 2};
  other.cut_at = "2024-12-01T00:00:00Z";
  other.retain_until = "2025-06-01T00:00:00Z";
  ASSERT_TRUE(store_->CutOver({other}, "me").ok());
  auto r = Gc();
  ASSERT_TRUE(r.ok());
  const GcItem* a = Kept(*r, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->reason.find("migration 'm2' still retains it for 'c'"), std::string::npos) << a->reason;
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
}

// Case 6: system locations are refused outright, whatever a record says.
TEST_F(GcSafetyTest, RefusesSystemLocations) {
  CutOverAndComplete();
  for (const char* where : {"file:///tmp/", "/", "/home", "file:///usr"}) {
    CutoverRecord bad;
    bad.migration = "m";
    bad.dataset_id = "c";
    bad.previous = {where, "avro", "", 1};
    bad.next = {"file://" + (dir_ / "v2" / "c").string(), "parquet", "", 2};
    bad.retain_until = "2024-01-01T00:00:00Z";
    ASSERT_TRUE(store_->RestoreCutovers("m", {"c"}, "me", "").ok());
    ASSERT_TRUE(store_->CutOver({bad}, "me").ok());
    auto r = Gc();
    ASSERT_TRUE(r.ok());
    const GcItem* c = Kept(*r, "c");
    ASSERT_NE(c, nullptr) << where;
    EXPECT_TRUE(c->reason.find("system directory") != std::string::npos ||
                c->reason.find("root of the file system") != std::string::npos)
        << c->reason;
  }
}

// Case 7: a location that is a symlink is refused (gaggle did not create it); the link
// and what it points at stay.
TEST_F(GcSafetyTest, RefusesASymlinkedOldLocation) {
  CutOverAndComplete();
  fs::rename(dir_ / "v1" / "b", dir_ / "elsewhere");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "v1" / "b");
  auto r = Gc();
  ASSERT_TRUE(r.ok());
  const GcItem* b = Kept(*r, "b");
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b->reason.find("symlink"), std::string::npos) << b->reason;
  EXPECT_TRUE(fs::is_symlink(dir_ / "v1" / "b"));
  EXPECT_TRUE(fs::exists(dir_ / "elsewhere" / "part-0.avro"));
}

// Case 7: the catalog is read again right before deleting; a dataset imported between
// the plan and the deletion is seen.
TEST_F(GcSafetyTest, ChecksTheCatalogAgainRightBeforeDeleting) {
  CutOverAndComplete();
  // The first deletion (a) is the moment a re-import points c at b's old location.
  bool repointed = false;
  hook_ = [&](const std::string&) {
    if (!repointed) {
      repointed = true;
      Repoint("c", "file://" + V1("b"));
    }
    return Status::OK();
  };
  auto r = Gc();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->deleted.size(), 1u);
  EXPECT_EQ(r->deleted[0].dataset, "a");
  ASSERT_NE(Kept(*r, "b"), nullptr);
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "b" / "part-0.avro"));
}

// Case 6: only the files the migration listed go; hidden files, unlisted files and a
// file rewritten since stay, and the report says so.
TEST_F(GcSafetyTest, DeletesOnlyListedFilesAndReportsWhatWasLeft) {
  CutOverAndComplete();
  Write(dir_ / "v1" / "a" / ".hidden", "not ours");
  Write(dir_ / "v1" / "a" / "later.avro", "written after the migration read it");
  Write(dir_ / "v1" / "b" / "part-0.avro", "rewritten since: different size");
  auto r = Gc();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->deleted.size(), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / ".hidden"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "later.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "b" / "part-0.avro"));
  EXPECT_EQ(r->deleted[0].left.size(), 2u);
  ASSERT_EQ(r->deleted[1].left.size(), 1u);
  EXPECT_NE(r->deleted[1].left[0].find("changed since it was listed"), std::string::npos) << r->deleted[1].left[0];
}

// Without a listing nothing is deleted.
TEST_F(GcSafetyTest, KeepsALocationWithoutAListing) {
  CutOverAndComplete();
  fs::remove(dir_ / "v2" / "a" / kManifestFileName);
  auto r = Gc();
  ASSERT_TRUE(r.ok());
  ASSERT_NE(Kept(*r, "a"), nullptr);
  EXPECT_NE(Kept(*r, "a")->reason.find("no listing"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
}

// Case 6: a gc that stops partway is finished by the next one.
TEST_F(GcSafetyTest, AnInterruptedCollectionIsResumed) {
  CutOverAndComplete();
  Write(dir_ / "v1" / "a" / "part-1.avro", "second file");
  WriteManifest("a");
  int calls = 0;
  hook_ = [&](const std::string& path) {
    return ++calls == 2 ? Status::IOError("injected crash before unlinking " + path) : Status::OK();
  };
  auto first = Gc();
  EXPECT_FALSE(first.ok());
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "a" / "part-0.avro"));
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "a" / "part-1.avro"));
  EXPECT_EQ(store_->ListCutovers("m", "a")->front().state, CutoverState::kCollecting);
  // Rollback refuses a dataset whose collection began: the catalog stays at the new data.
  RollbackRequest rb;
  rb.migration = "m";
  rb.datasets = {"a"};
  auto rolled = RollbackMigration(store_.get(), rb);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled->rolled_back, 0);
  ASSERT_EQ(rolled->skipped.size(), 1u);
  EXPECT_NE(rolled->skipped[0].find("gc began deleting"), std::string::npos) << rolled->skipped[0];
  EXPECT_EQ((**store_->FindEntity("a")).format, "parquet");
  EXPECT_TRUE(fs::exists(dir_ / "v2" / "a" / "part-0.parquet"));
  hook_ = nullptr;
  auto second = Gc();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ / "v1" / "a"));
  auto records = store_->ListCutovers("m");
  ASSERT_TRUE(records.ok());
  for (const CutoverRecord& c : records.value()) EXPECT_EQ(c.state, CutoverState::kCollected);
}

// Case 8: cutting over again after gc changes nothing; the record stays collected and
// a rollback is still refused, so the only copy is never quarantined.
TEST_F(GcSafetyTest, ASecondCutOverAfterGcKeepsTheCollectedRecord) {
  CutOverAndComplete();
  ASSERT_TRUE(Gc().ok());
  CutOverOptions o;
  o.now = "2025-02-01T00:00:00Z";
  auto again = CutOverMigration(store_.get(), spec_, o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->cut_over, 0);
  auto a = store_->ListCutovers("m", "a");
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ(a->front().state, CutoverState::kCollected);
  EXPECT_NE(a->front().previous.uri, a->front().next.uri);
  RollbackRequest rb;
  rb.migration = "m";
  rb.datasets = {"a"};
  auto rolled = RollbackMigration(store_.get(), rb);
  ASSERT_TRUE(rolled.ok());
  EXPECT_EQ(rolled->rolled_back, 0);
  EXPECT_TRUE(fs::exists(dir_ / "v2" / "a" / "part-0.parquet"));
}

// Case 5: gc and rollback exclude each other through the store. A rollback that starts
// while gc deletes is refused (nothing restored, nothing quarantined); a rollback that
// wins first keeps its data, and gc then keeps it too.
TEST_F(GcSafetyTest, GcAndRollbackExcludeEachOtherThroughTheStore) {
  CutOverAndComplete();
  Status raced;
  hook_ = [&](const std::string&) {
    if (raced.ok() && raced.message().empty()) {
      // The store refuses a restore of a record being collected, whatever rollback read.
      raced = Status::Internal("");
      auto restored = store_->RestoreCutovers("m", {"a"}, "rollback", "race");
      raced = restored.ok() ? Status::OK() : restored.status();
    }
    return Status::OK();
  };
  auto r = Gc();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(raced.code(), StatusCode::kConflict) << raced.ToString();
  EXPECT_EQ((**store_->FindEntity("a")).format, "parquet");
  EXPECT_TRUE(fs::exists(dir_ / "v2" / "a" / "part-0.parquet"));

  // The other order: a record rolled back between gc's plan and its deletion is kept.
  TearDown();
  SetUp();
  CutOverAndComplete();
  GcOptions gc;
  gc.now = "2025-01-01T00:00:00Z";
  ASSERT_TRUE(store_->RestoreCutovers("m", {"b"}, "rollback", "first").ok());
  // A gc that read the record before the rollback is stopped by the compare-and-set.
  EXPECT_EQ(store_->BeginCollection("m", "b", "gc", "{}").code(), StatusCode::kConflict);
  auto after = CollectGarbage(store_.get(), gc);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(fs::exists(dir_ / "v1" / "b" / "part-0.avro"));
  EXPECT_EQ((**store_->FindEntity("b")).format, "avro");
}

}  // namespace
}  // namespace gaggle
