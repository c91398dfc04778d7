#include "store/sqlite_state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catalog/backstage_export.h"
#include "catalog/catalog_loader.h"
#include "store/sqlite_schema.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "gaggle.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<StateStore> Open(int busy_ms = 5000) {
    StateStoreOptions o;
    o.busy_timeout_ms = busy_ms;
    o.clock = &clock_;
    auto s = OpenStateStore(path_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  fs::path dir_;
  std::string path_;
  FakeClock clock_{1704067210000000LL, std::chrono::seconds(1)};  // 2024-01-01T00:00:10Z, 1 s a reading
};

Entity Dataset(const std::string& id, Tier tier = Tier::kStandard) {
  Entity e;
  e.kind = EntityKind::kDataset;
  e.id = e.name = id;
  e.type = "dataset";
  e.uri = "file:///lake/" + id;
  e.format = "avro";
  e.tier = tier;
  e.labels["domain"] = "x";
  e.owner = "team";
  return e;
}

Entity Consumer(const std::string& name) {
  Entity e;
  e.kind = EntityKind::kComponent;
  e.name = name;
  e.id = "component:" + name;
  e.queries = {"SELECT 1", "SELECT 2"};
  return e;
}

Catalog Build(std::vector<Entity> entities, std::vector<std::pair<std::string, std::string>> edges) {
  Catalog c;
  for (Entity& e : entities) c.AddEntity(std::move(e));
  for (auto& [u, d] : edges) c.AddEdge(u, d);
  Status st = c.Finalize();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

TEST_F(StateStoreTest, ImportRoundTripsAndReimportIsIdempotent) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), LatestSqliteSchemaVersion());
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

TEST_F(StateStoreTest, NeighborsAndFind) {
  auto store = Open();
  ASSERT_TRUE(store);
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

TEST_F(StateStoreTest, FailedImportWritesNothing) {
  // A bad catalog never reaches the store: the loader fails first and the store is untouched.
  fs::path cat = dir_ / "bad.yaml";
  std::ofstream(cat) << "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: a}\n"
                        "spec: {type: dataset, dependsOn: [resource:nowhere]}\n";
  auto loaded = LoadCatalogFromPath(cat.string());
  ASSERT_FALSE(loaded.ok());
  auto store = Open();
  ASSERT_TRUE(store);
  auto stats = store->GetCatalogStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->imports, 0);
  EXPECT_EQ(stats->datasets, 0);
}

TEST_F(StateStoreTest, PlansAreSavedOnceByHashAndLoadBack) {
  auto store = Open();
  ASSERT_TRUE(store);
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

TEST_F(StateStoreTest, EventsAreAppendOnly) {
  auto store = Open();
  ASSERT_TRUE(store);
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
  // Rewriting history through SQL is refused by the database itself.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE events SET actor = 'mallory'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM events", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto all = store->ListEvents({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].actor, "alice");
}

TEST_F(StateStoreTest, ReopenKeepsStateAndSchema) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->ReplaceCatalog(Build({Dataset("a")}, {}), {}).ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  auto c = store->LoadCatalog();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 1u);
}

TEST_F(StateStoreTest, CorruptFileIsAClearError) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(path_), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not a SQLite database"), std::string::npos) << s.status().message();
}

TEST_F(StateStoreTest, DamagedDatabaseIsAClearError) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    std::vector<Entity> many;
    for (int i = 0; i < 2000; ++i) many.push_back(Dataset("d" + std::to_string(100000 + i)));
    ASSERT_TRUE(store->ReplaceCatalog(Build(many, {}), {}).ok());
  }
  // Checkpointed by the close; now overwrite the middle of the file.
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8192);
    std::string junk(16384, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  StateStoreOptions o;
  auto s = OpenStateStore(path_, o);
  Status st = s.ok() ? (*s)->LoadCatalog().status() : s.status();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();
}

TEST_F(StateStoreTest, ForeignSqliteFileIsRefused) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE stuff (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not a gaggle state file"), std::string::npos) << s.status().message();
}

TEST_F(StateStoreTest, NewerSchemaIsRefused) {
  { ASSERT_TRUE(Open()); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO schema_version VALUES (99, 'x', 'future')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("schema version 99"), std::string::npos) << s.status().message();
}

TEST_F(StateStoreTest, LockedFileIsARetryableError) {
  auto store = Open(/*busy_ms=*/100);
  ASSERT_TRUE(store);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = store->ReplaceCatalog(Build({Dataset("a")}, {}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("is locked"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(path_), std::string::npos);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  // Once the lock is gone the same call succeeds: nothing was half-written.
  auto again = store->ReplaceCatalog(Build({Dataset("a")}, {}), {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->added, std::vector<std::string>{"a"});
}

TEST_F(StateStoreTest, DirectoryAsStateIsAClearError) {
  auto s = OpenStateStore(dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(dir_.string()), std::string::npos) << s.status().message();
  auto pg = OpenStateStore("postgres://db/gaggle");
  EXPECT_EQ(pg.status().code(), StatusCode::kUnsupported);
}

TEST_F(StateStoreTest, ExportIsValidBackstageAndReimportsToTheSameCatalog) {
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
  auto summary = ExportBackstage(c, targets, (dir_ / "export").string());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->datasets, 2u);
  EXPECT_EQ(summary->consumers, 1u);
  EXPECT_EQ(summary->migrations, 1u);
  EXPECT_EQ(summary->agents, 1u);
  std::ifstream in(dir_ / "export" / "datasets.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("gaggle.dev/target-uri: file:///v2/events-raw/"), std::string::npos) << text;
  EXPECT_NE(text.find("gaggle.dev/target-schema-version: \"2\""), std::string::npos) << text;
  EXPECT_NE(text.find("apiVersion: backstage.io/v1alpha1"), std::string::npos);

  auto back = LoadCatalogFromPath((dir_ / "export").string());
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
