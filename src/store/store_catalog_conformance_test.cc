// Conformance (every backend): the catalog — imports and their diff, loading,
// neighbourhoods, plans, the event log's basics, reopening.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catalog/backstage_export.h"
#include "catalog/catalog_loader.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using namespace store_test;  // NOLINT

// A scratch directory for files a test writes beside the store (catalog files).
class ScratchDir {
 public:
  ScratchDir() {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test) {
      if (c == '/') c = '-';
    }
    path_ = fs::temp_directory_path() / ("gaggle-store-scratch-" + std::to_string(::getpid()) + "-" + test);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST_P(StoreConformance, ImportRoundTripsAndReimportIsIdempotent) {
  StateStore* store = store_.get();
  EXPECT_GT(store->schema_version(), 0);
  Catalog c1 =
      Build({Dataset("a", Tier::kCritical), Dataset("b"), Consumer("svc")}, {{"a", "b"}, {"b", "component:svc"}});
  auto r1 = store->ReplaceCatalog(c1, {"cat1.yaml", "alice"});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->added, (std::vector<std::string>{"a", "b", "component:svc"}));
  EXPECT_TRUE(r1->updated.empty());
  EXPECT_EQ(r1->edges_added, 2);

  auto loaded = store->LoadCatalog();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 3u);
  for (NodeId n = 0; n < 3; ++n) EXPECT_EQ(loaded->entity(n), c1.entity(n)) << c1.entity(n).id;
  EXPECT_EQ(loaded->edges(), c1.edges());

  // Same catalog again: nothing changes, but the import is recorded.
  auto r2 = store->ReplaceCatalog(c1, {"cat1.yaml", "alice"});
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2->changed());
  EXPECT_GT(r2->import_id, r1->import_id);

  // Change: b updated (tier), a removed, c added, edges rewired.
  Entity b = Dataset("b", Tier::kLow);
  Catalog c3 = Build({b, Dataset("c"), Consumer("svc")}, {{"c", "b"}, {"b", "component:svc"}});
  auto r3 = store->ReplaceCatalog(c3, {"cat2.yaml", "bob"});
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ(r3->added, std::vector<std::string>{"c"});
  EXPECT_EQ(r3->updated, std::vector<std::string>{"b"});
  EXPECT_EQ(r3->removed, std::vector<std::string>{"a"});
  EXPECT_EQ(r3->edges_added, 1);
  EXPECT_EQ(r3->edges_removed, 1);

  auto imports = store->ListImports(10, /*with_ids=*/true);
  ASSERT_TRUE(imports.ok());
  ASSERT_EQ(imports->size(), 3u);
  EXPECT_EQ((*imports)[0].source, "cat2.yaml");
  EXPECT_EQ((*imports)[0].actor, "bob");
  EXPECT_EQ((*imports)[0].removed, std::vector<std::string>{"a"});
  EXPECT_EQ((*imports)[2].num_added, 3);

  auto events = store->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].to_state, "catalog-imported");
  EXPECT_NE((*events)[2].detail.find("\"removed\":1"), std::string::npos) << (*events)[2].detail;

  auto stats = store->GetCatalogStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->datasets, 2);
  EXPECT_EQ(stats->consumers, 1);
  EXPECT_EQ(stats->edges, 2);
  EXPECT_EQ(stats->imports, 3);
}

TEST_P(StoreConformance, NeighborsAndFind) {
  StateStore* store = store_.get();
  Catalog c = Build({Dataset("a"), Dataset("b"), Consumer("svc"), Consumer("web")},
                    {{"a", "b"}, {"a", "component:svc"}, {"a", "component:web"}, {"b", "component:web"}});
  ASSERT_TRUE(store->ReplaceCatalog(c, {}).ok());
  auto down = store->Neighbors("a", Direction::kDownstream);
  ASSERT_TRUE(down.ok());
  ASSERT_EQ(down->size(), 3u);
  EXPECT_EQ((*down)[0].id, "b");
  EXPECT_EQ((*down)[1].id, "component:svc");
  EXPECT_EQ((*down)[1].queries, (std::vector<std::string>{"SELECT 1", "SELECT 2"}));
  auto up = store->Neighbors("component:web", Direction::kUpstream);
  ASSERT_TRUE(up.ok());
  ASSERT_EQ(up->size(), 2u);
  EXPECT_EQ((*up)[1].id, "b");
  auto missing = store->Neighbors("zz", Direction::kUpstream);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto found = store->FindEntity("component:svc");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->queries.size(), 2u);
  auto none = store->FindEntity("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreConformance, FailedImportWritesNothing) {
  // A bad catalog never reaches the store: the loader fails first and the store is untouched.
  ScratchDir dir;
  fs::path cat = dir.path() / "bad.yaml";
  std::ofstream(cat) << "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: a}\n"
                        "spec: {type: dataset, dependsOn: [resource:nowhere]}\n";
  auto loaded = LoadCatalogFromPath(cat.string());
  ASSERT_FALSE(loaded.ok());
  StateStore* store = store_.get();
  auto stats = store->GetCatalogStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->imports, 0);
  EXPECT_EQ(stats->datasets, 0);
}

TEST_P(StoreConformance, PlansAreSavedOnceByHashAndLoadBack) {
  StateStore* store = store_.get();
  Plan p;
  p.migration = "m1";
  p.spec_hash = "s";
  p.target_version = 2;
  p.target_format = "parquet";
  p.agent = "builtin:transform";
  p.num_waves = 1;
  p.stages.push_back(PlanStage{0, 100, false, 1, 10, {0, 1, 0}, 0, 0});
  PlanRow r;
  r.dataset_id = "a";
  r.target_uri = "file:///v2/a/";
  r.blast_radius = 7;
  r.blast_radius_exact = false;
  p.rows.push_back(r);
  p.warnings.push_back("w");
  p.hash = ComputePlanHash(p);
  ASSERT_TRUE(store->SavePlan(p).ok());
  ASSERT_TRUE(store->SavePlan(p).ok());  // no-op
  auto plans = store->ListPlans("m1");
  ASSERT_TRUE(plans.ok());
  ASSERT_EQ(plans->size(), 1u);
  EXPECT_EQ((*plans)[0].hash, p.hash);
  auto back = store->LoadPlan(p.hash);
  ASSERT_TRUE(back.ok() && back->has_value()) << back.status().ToString();
  EXPECT_EQ((*back)->rows, p.rows);
  EXPECT_EQ((*back)->stages, p.stages);
  EXPECT_EQ((*back)->warnings, p.warnings);
  EXPECT_EQ(ComputePlanHash(**back), p.hash);
  auto targets = store->ListMigrationTargets();
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_EQ((*targets)[0].target_uri, "file:///v2/a/");
  EXPECT_EQ((*targets)[0].target_schema_version, 2);
  auto none = store->LoadPlan("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreConformance, EventsAreAppendOnly) {
  StateStore* store = store_.get();
  auto seq1 = store->AppendEvent({0, "", "alice", "m", "a", "pending", "running", "go", "", ""});
  auto seq2 = store->AppendEvent({0, "", "", "m", "b", "pending", "running", "", "", ""});
  ASSERT_TRUE(seq1.ok() && seq2.ok());
  EXPECT_LT(*seq1, *seq2);
  EventFilter f;
  f.dataset = "b";
  auto only_b = store->ListEvents(f);
  ASSERT_TRUE(only_b.ok());
  ASSERT_EQ(only_b->size(), 1u);
  EXPECT_EQ((*only_b)[0].actor, "gaggle");
  auto all = store->ListEvents({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].actor, "alice");
}

TEST_P(StoreConformance, ReopenKeepsStateAndSchema) {
  ASSERT_TRUE(store_->ReplaceCatalog(Build({Dataset("a")}, {}), {}).ok());
  const int version = store_->schema_version();
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->schema_version(), version);
  auto c = store_->LoadCatalog();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 1u);
}

// Export needs no store: the catalog it writes reimports to the same catalog.
TEST(StoreCatalogExport, ExportIsValidBackstageAndReimportsToTheSameCatalog) {
  ScratchDir dir;
  Entity raw = Dataset("events-raw", Tier::kCritical);
  raw.schema = "id: int64";
  raw.size_bytes = 42;
  raw.owner = "team-data";
  raw.queries = {"SELECT 1"};
  Entity svc = Consumer("svc");
  svc.type = "service";
  svc.lifecycle = "production";
  svc.owner = "team-web";
  Catalog c =
      Build({raw, Dataset("events-clean"), svc}, {{"events-raw", "events-clean"}, {"events-clean", "component:svc"}});
  std::vector<MigrationTarget> targets = {{"events-raw", "to-parquet", "h1", "2024", "builtin:transform", "1.0",
                                           "file:///v2/events-raw/", "parquet", 2, 0, 0}};
  auto summary = ExportBackstage(c, targets, (dir.path() / "export").string());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->datasets, 2u);
  EXPECT_EQ(summary->consumers, 1u);
  EXPECT_EQ(summary->migrations, 1u);
  EXPECT_EQ(summary->agents, 1u);
  std::ifstream in(dir.path() / "export" / "datasets.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("gaggle.dev/target-uri: file:///v2/events-raw/"), std::string::npos) << text;
  EXPECT_NE(text.find("gaggle.dev/target-schema-version: \"2\""), std::string::npos) << text;
  EXPECT_NE(text.find("apiVersion: backstage.io/v1alpha1"), std::string::npos);

  auto back = LoadCatalogFromPath((dir.path() / "export").string());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->catalog.size(), c.size());
  for (NodeId n = 0; n < c.size(); ++n) {
    Entity want = c.entity(n);
    Entity got = back->catalog.entity(n);
    got.source.clear();
    want.source.clear();
    EXPECT_EQ(got, want) << want.id;
  }
  EXPECT_EQ(back->catalog.edges(), c.edges());
}

}  // namespace
}  // namespace gaggle
