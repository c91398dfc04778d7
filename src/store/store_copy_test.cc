// Copying a state store (store/store_copy.h): a SQLite state with every kind of record
// copied to PostgreSQL (on the test server) and back to SQLite reads the same
// everywhere — catalog, imports, plans, runs and tasks, gate records, verifications,
// cut-overs, and the event log with the same hashes, still verifying; a non-empty target
// and a tampered log are refused with nothing written.
#include "store/store_copy.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/postgres_backend.h"
#include "store/postgres_test_server_test_util.h"
#include "store/sqlite_backend.h"
#include "store/state_store.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using namespace store_test;  // NOLINT
using S = TaskState;

// Everything a store holds, as one JSON document without the store's own keys and sequence numbers.
nlohmann::json Dump(StateStore& store) {
  nlohmann::json j;
  auto catalog = store.LoadCatalog();
  EXPECT_TRUE(catalog.ok());
  for (NodeId n = 0; catalog.ok() && n < catalog->size(); ++n) {
    const Entity& e = catalog->entity(n);
    j["entities"].push_back({e.id, EntityKindName(e.kind), e.name, e.uri, e.format, e.schema, e.schema_version, e.owner,
                             e.labels, e.annotations, e.queries, TierName(e.tier), e.size_bytes});
  }
  if (catalog.ok()) j["edges"] = catalog->edges().size();
  auto imports = store.ListImports(100, true);
  for (const CatalogChangeSet& c : *imports) {
    j["imports"].push_back({c.time, c.actor, c.source, c.added, c.updated, c.removed, c.edges_added, c.entities});
  }
  auto plans = store.ListPlans("");
  for (const PlanSummary& p : *plans) {
    auto plan = store.LoadPlan(p.hash);
    EXPECT_TRUE(plan.ok() && plan->has_value());
    j["plans"].push_back(
        {p.hash, p.migration, p.created_at, p.datasets, (*plan)->rows.size(), PlanHeaderToJson(**plan)});
  }
  const auto runs = store.ListRuns();
  EXPECT_TRUE(runs.ok());
  for (const MigrationRun& r : *runs) {
    j["runs"].push_back({r.migration, r.plan_hash, RunStateName(r.state), r.state_reason, r.concurrency, r.requeue_seq,
                         r.runner, r.created_at, r.updated_at});
    const auto tasks = store.LoadTasks(r.migration);
    for (const TaskRecord& t : *tasks) {
      j["tasks"].push_back({t.dataset_id, t.ordinal, t.stage, t.wave, TaskStateName(t.state), t.attempts, t.runner,
                            t.started_at, t.finished_at, t.last_error, t.rows_in, t.rows_out, t.bytes_out});
      auto v = store.LatestValidation(r.migration, t.dataset_id);
      if (v.ok() && v->has_value()) j["validations"].push_back({(*v)->dataset_id, (*v)->passed, (*v)->report});
    }
    const auto approvals = store.ListApprovals(r.migration);
    for (const StageApproval& a : *approvals) {
      j["approvals"].push_back({a.stage, a.actor, a.reason});
    }
    const auto verifications = store.ListVerifications(r.migration, 0);
    for (const VerificationRecord& v : *verifications) {
      j["verifications"].push_back({v.time, v.passed, v.sampled, v.summary});
    }
  }
  const auto cutovers = store.ListCutovers("");
  for (const CutoverRecord& c : *cutovers) {
    j["cutovers"].push_back({c.dataset_id, CutoverStateName(c.state), c.previous.uri, c.next.uri, c.retain_until});
  }
  EventFilter all;
  all.limit = 100000;
  const auto events = store.ListEvents(all);
  for (const Event& e : *events) {
    j["events"].push_back({e.time, e.actor, e.migration, e.dataset, e.to_state, e.detail, e.prev_hash, e.hash});
  }
  return j;
}

// A state with every kind of record, as a run and its operators leave it.
void Populate(StateStore& store) {
  Entity consumer = Consumer("svc");
  ASSERT_TRUE(store
                  .ReplaceCatalog(
                      Build({Dataset("a"), Dataset("b"), Dataset("c"), consumer}, {{"a", "b"}, {"b", "component:svc"}}),
                      {"catalog.yaml", "alice"})
                  .ok());
  ASSERT_TRUE(store
                  .ReplaceCatalog(Build({Dataset("a"), Dataset("b", Tier::kCritical), consumer},
                                        {{"a", "b"}, {"b", "component:svc"}}),
                                  {"catalog.yaml", "alice"})
                  .ok());
  ASSERT_TRUE(store.UpsertRun(MakePlan("m", {"a", "b"}), "spec.yaml", 2, "alice").ok());
  for (const char* id : {"a", "b"}) {
    auto t = store.FindTask("m", id);
    ASSERT_TRUE(t.ok() && t->has_value());
    TaskRecord r = **t;
    r.state = S::kRunning;
    r.attempts = 1;
    r.started_at = "2024-01-01T00:00:01.000Z";
    ASSERT_TRUE(store.TransitionTask(S::kPending, r, "runner", "").ok());
    r.state = std::string(id) == "a" ? S::kSucceeded : S::kFailed;
    r.rows_out = 42;
    r.last_error = std::string(id) == "a" ? "" : "boom";
    ASSERT_TRUE(store.TransitionTask(S::kRunning, r, "runner", "").ok());
  }
  ValidationRecord v;
  v.migration = "m";
  v.dataset_id = "a";
  v.attempt = 1;
  v.passed = true;
  v.report = "{\"ok\":true}";
  ASSERT_TRUE(store.SaveValidation(v).ok());
  ASSERT_TRUE(store.ApproveStage({"m", 0, "bob", "", "known failure"}).ok());
  VerificationRecord ver;
  ver.migration = "m";
  ver.actor = "carol";
  ver.passed = true;
  ver.sampled = 3;
  ver.summary = "3 of 3 matched";
  ASSERT_TRUE(store.SaveVerification(ver).ok());
  CutoverRecord cut;
  cut.migration = "m";
  cut.dataset_id = "a";
  cut.previous = {"file:///lake/a", "avro", "", 1};
  cut.next = {"file:///v2/a", "parquet", "", 2};
  cut.retain_until = "2024-02-01T00:00:00.000Z";
  ASSERT_TRUE(store.CutOver({cut}, "dave").ok());
}

class StoreCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-store-copy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_ != nullptr) {
      for (const std::string& db : databases_) (void)server_->DropDatabase(db);
    }
    fs::remove_all(dir_);
  }
  std::unique_ptr<StateStore> Sqlite(const std::string& name) {
    auto s = OpenStateStore((dir_ / name).string(), Options());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // A store in a new database of the test server; null (and the test skipped) without one.
  std::unique_ptr<StateStore> Postgres() {
    auto server = PostgresTestServer::Get();
    if (!server.ok()) {
      EXPECT_EQ(server.status().code(), StatusCode::kUnsupported) << server.status().ToString();
      return nullptr;
    }
    server_ = *server;
    auto db = server_->CreateDatabase("copy");
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    databases_.push_back(*db);
    auto s = OpenStateStore(server_->Url(*db), Options());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  StateStoreOptions Options() {
    StateStoreOptions o;
    o.clock = &clock_;
    return o;
  }

  fs::path dir_;
  PostgresTestServer* server_ = nullptr;
  std::vector<std::string> databases_;
  FakeClock clock_{1704067200100000LL, std::chrono::milliseconds(1)};
};

TEST_F(StoreCopyTest, SqliteToSqliteKeepsEveryRecordAndEveryHash) {
  auto from = Sqlite("from.db");
  auto to = Sqlite("to.db");
  ASSERT_TRUE(from && to);
  Populate(*from);
  auto copied = CopyStore(from->backend(), to->backend());
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->entities, 3);
  EXPECT_EQ(copied->edges, 2);
  EXPECT_EQ(copied->imports, 2);
  EXPECT_EQ(copied->tasks, 2);
  EXPECT_EQ(copied->validations, 1);
  EXPECT_EQ(copied->approvals, 1);
  EXPECT_EQ(copied->verifications, 1);
  EXPECT_EQ(copied->cutovers, 1);
  EXPECT_GT(copied->events, 5);
  EXPECT_EQ(Dump(*to), Dump(*from));
  auto report = to->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST_F(StoreCopyTest, SqliteToPostgresAndBackReadsTheSame) {
  auto from = Sqlite("from.db");
  ASSERT_TRUE(from);
  Populate(*from);
  auto pg = Postgres();
  if (!pg) GTEST_SKIP() << "no PostgreSQL server binaries";
  auto copied = CopyStore(from->backend(), pg->backend());
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  const nlohmann::json want = Dump(*from);
  EXPECT_EQ(Dump(*pg), want);
  auto report = pg->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  // The copy goes on as a store: a transition continues the chain.
  TaskRecord b = *pg->FindTask("m", "b").value();
  b.state = S::kPending;
  Status moved = pg->TransitionTask(S::kFailed, b, "bob", "retry");
  ASSERT_TRUE(moved.ok()) << moved.ToString();
  ASSERT_TRUE(pg->VerifyEventChain()->intact);
  // And back to a new SQLite file.
  auto back = Sqlite("back.db");
  ASSERT_TRUE(back);
  ASSERT_TRUE(CopyStore(pg->backend(), back->backend()).ok());
  EXPECT_EQ(Dump(*back), Dump(*pg));
}

TEST_F(StoreCopyTest, RefusesANonEmptyTargetAndATamperedLogWritingNothing) {
  auto from = Sqlite("from.db");
  auto to = Sqlite("to.db");
  ASSERT_TRUE(from && to);
  Populate(*from);
  ASSERT_TRUE(to->AppendEvent(Event{0, "", "erin", "other", "", "", "x", "", "", ""}).ok());
  auto refused = CopyStore(from->backend(), to->backend());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find("not empty"), std::string::npos) << refused.status().message();
  EXPECT_EQ(to->ListEvents({})->size(), 1u);
  // An event changed behind the store's back: its chain no longer gives it its hash.
  from.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "from.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER events_are_append_only_update; UPDATE events SET detail = 'changed' "
                         "WHERE seq = 3;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  from = Sqlite("from.db");
  auto fresh = Sqlite("fresh.db");
  ASSERT_TRUE(from && fresh);
  auto tampered = CopyStore(from->backend(), fresh->backend());
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.status().code(), StatusCode::kUnsupported) << tampered.status().ToString();
  EXPECT_NE(tampered.status().message().find("event 3 "), std::string::npos) << tampered.status().message();
  auto empty = Sqlite("empty.db");
  ASSERT_TRUE(empty);
  EXPECT_EQ(Dump(*fresh), Dump(*empty));  // nothing was written
}

}  // namespace
}  // namespace gaggle
