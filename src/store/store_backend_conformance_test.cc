// Conformance (every backend): the StoreBackend contract itself, below StateStore —
// compare-and-set, insert-if-absent, a failed body leaves nothing, events chain per
// migration with their heads, read bodies see one snapshot, entity keys and id order,
// and task queries with their filters and cursor.
#include <gtest/gtest.h>

#include "store/event_chain.h"
#include "store/store_conformance_test_util.h"
#include "store/task_reconcile.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT
using S = TaskState;

class Backend {
 public:
  explicit Backend(std::unique_ptr<StoreBackend> b) : b_(std::move(b)) {}
  StoreBackend* operator->() { return b_.get(); }

  template <typename T>
  T Read(const std::function<Result<T>(StoreReader&)>& read) {
    std::optional<T> out;
    Status st = b_->Read([&](StoreReader& r) -> Status {
      auto v = read(r);
      if (!v.ok()) return v.status();
      out = std::move(v).value();
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out ? std::move(*out) : T{};
  }

 private:
  std::unique_ptr<StoreBackend> b_;
};

MigrationRun RunOf(const std::string& migration) {
  MigrationRun r;
  r.migration = migration;
  r.plan_hash = "p";
  r.spec_hash = "s";
  r.created_at = r.updated_at = "t";
  return r;
}

TaskRecord NewTask(const std::string& migration, const std::string& dataset, int stage, int64_t ordinal) {
  PlanRow row;
  row.dataset_id = dataset;
  row.stage = stage;
  row.wave = static_cast<int>(ordinal % 2);
  row.size_bytes = 10;
  return PlannedTask(migration, row, ordinal);
}

Event At(const std::string& migration, const std::string& detail) {
  Event e;
  e.time = "t";
  e.actor = "tester";
  e.migration = migration;
  e.to_state = "x";
  e.detail = detail;
  return e;
}

TEST_P(StoreConformance, BackendUpdateTaskIsACompareAndSetOnTheState) {
  Backend b(OpenBackend());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) -> Status {
                 GAGGLE_RETURN_IF_ERROR(tx.PutRun(RunOf("m")));
                 return tx.InsertTask(NewTask("m", "a", 0, 0)).status();
               }).ok());
  TaskRecord running = NewTask("m", "a", 0, 0);
  running.state = S::kRunning;
  running.attempts = 1;
  running.runner = "r1";
  bool moved = true;
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(moved, tx.UpdateTask(running, S::kRetrying));  // it is pending
                 return Status::OK();
               }).ok());
  EXPECT_FALSE(moved);
  auto t = b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); });
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, S::kPending);
  EXPECT_EQ(t->attempts, 0);
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(moved, tx.UpdateTask(running, S::kPending));
                 return Status::OK();
               }).ok());
  EXPECT_TRUE(moved);
  t = b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); });
  EXPECT_EQ(t->state, S::kRunning);
  EXPECT_EQ(t->runner, "r1");
  // A missing task: false, nothing written.
  TaskRecord ghost = running;
  ghost.dataset_id = "ghost";
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(moved, tx.UpdateTask(ghost, S::kPending));
                 return Status::OK();
               }).ok());
  EXPECT_FALSE(moved);
  // The progress fields only: the plan fields are RefreshTaskPlan's.
  TaskRecord replanned = running;
  replanned.state = S::kSucceeded;
  replanned.stage = 5;
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) { return tx.UpdateTask(replanned, S::kRunning).status(); }).ok());
  t = b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); });
  EXPECT_EQ(t->state, S::kSucceeded);
  EXPECT_EQ(t->stage, 0);
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) { return tx.RefreshTaskPlan(replanned); }).ok());
  t = b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); });
  EXPECT_EQ(t->stage, 5);
  EXPECT_EQ(t->state, S::kSucceeded);
}

TEST_P(StoreConformance, BackendInsertsIfAbsent) {
  Backend b(OpenBackend());
  bool first = false, second = true, plan_first = false, plan_second = true;
  Plan plan = MakePlan("m", {"a"});
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 GAGGLE_RETURN_IF_ERROR(tx.PutRun(RunOf("m")));
                 GAGGLE_ASSIGN_OR_RETURN(first, tx.InsertTask(NewTask("m", "a", 0, 0)));
                 TaskRecord again = NewTask("m", "a", 3, 9);
                 again.state = S::kFailed;
                 GAGGLE_ASSIGN_OR_RETURN(second, tx.InsertTask(again));
                 GAGGLE_ASSIGN_OR_RETURN(plan_first, tx.InsertPlan(plan, "t1"));
                 GAGGLE_ASSIGN_OR_RETURN(plan_second, tx.InsertPlan(plan, "t2"));
                 return Status::OK();
               }).ok());
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_TRUE(plan_first);
  EXPECT_FALSE(plan_second);
  auto t = b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); });
  EXPECT_EQ(t->state, S::kPending);
  EXPECT_EQ(t->stage, 0);
  auto plans = b.Read<std::vector<PlanSummary>>([](StoreReader& r) { return r.ListPlans("m"); });
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].created_at, "t1");
}

TEST_P(StoreConformance, BackendBodyReturningAnErrorLeavesNothing) {
  Backend b(OpenBackend());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) { return tx.AppendEvent(At("m", "kept")).status(); }).ok());
  Status st = b->Write([](StoreTransaction& tx) -> Status {
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(RunOf("m")));
    GAGGLE_RETURN_IF_ERROR(tx.InsertTask(NewTask("m", "a", 0, 0)).status());
    GAGGLE_RETURN_IF_ERROR(tx.AppendEvent(At("m", "lost")).status());
    GAGGLE_RETURN_IF_ERROR(tx.AppendEvent(At("n", "lost")).status());
    CatalogChangeSet import;
    import.time = "t";
    GAGGLE_RETURN_IF_ERROR(tx.BeginImport(import).status());
    GAGGLE_RETURN_IF_ERROR(tx.InsertEntity(Dataset("d"), 1, 1).status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_FALSE(b.Read<std::optional<MigrationRun>>([](StoreReader& r) { return r.FindRun("m"); }).has_value());
  EXPECT_FALSE(b.Read<std::optional<TaskRecord>>([](StoreReader& r) { return r.FindTask("m", "a"); }).has_value());
  EXPECT_FALSE(b.Read<std::optional<Entity>>([](StoreReader& r) { return r.FindEntity("d"); }).has_value());
  EXPECT_EQ(b.Read<CatalogStats>([](StoreReader& r) { return r.GetCatalogStats(); }).imports, 0);
  auto events = b.Read<std::vector<Event>>([](StoreReader& r) { return r.ListEvents({}); });
  ASSERT_EQ(events.size(), 1u);
  auto heads = b.Read<std::vector<EventChainHead>>([](StoreReader& r) { return r.ListEventChainHeads(); });
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].hash, events[0].hash);
  // The next event links to the head that was kept.
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) { return tx.AppendEvent(At("m", "next")).status(); }).ok());
  events = b.Read<std::vector<Event>>([](StoreReader& r) { return r.ListEvents({}); });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].prev_hash, events[0].hash);
}

TEST_P(StoreConformance, BackendChainsEventsPerMigrationWithTheirHeads) {
  Backend b(OpenBackend());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) -> Status {
                 for (const char* m : {"m", "n", "", "m", "m"})
                   GAGGLE_RETURN_IF_ERROR(tx.AppendEvent(At(m, m)).status());
                 return Status::OK();
               }).ok());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) { return tx.AppendEvent(At("n", "later")).status(); }).ok());
  auto events = b.Read<std::vector<Event>>([](StoreReader& r) { return r.ListEvents({}); });
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].prev_hash, "");
  EXPECT_EQ(events[1].prev_hash, "");
  EXPECT_EQ(events[2].prev_hash, "");
  EXPECT_EQ(events[3].prev_hash, events[0].hash);
  EXPECT_EQ(events[4].prev_hash, events[3].hash);
  EXPECT_EQ(events[5].prev_hash, events[1].hash);
  for (const Event& e : events) EXPECT_EQ(e.hash, EventHash(e.prev_hash, e));
  EXPECT_EQ(events[0].time, "t");
  EXPECT_EQ(events[0].actor, "tester");
  auto heads = b.Read<std::vector<EventChainHead>>([](StoreReader& r) { return r.ListEventChainHeads(); });
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[0].migration, "");
  EXPECT_EQ(heads[0].seq, events[2].seq);
  EXPECT_EQ(heads[1].migration, "m");
  EXPECT_EQ(heads[1].seq, events[4].seq);
  EXPECT_EQ(heads[1].hash, events[4].hash);
  EXPECT_EQ(heads[2].hash, events[5].hash);
  // ScanEvents gives them all, in seq order.
  std::vector<int64_t> seqs;
  ASSERT_TRUE(b->Read([&](StoreReader& r) {
                 return r.ScanEvents([&](const Event& e) {
                   seqs.push_back(e.seq);
                   return true;
                 });
               }).ok());
  ASSERT_EQ(seqs.size(), 6u);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
}

TEST_P(StoreConformance, BackendReadSeesOneSnapshot) {
  Backend b(OpenBackend());
  Backend other(OpenBackend());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) { return tx.PutRun(RunOf("m")); }).ok());
  size_t first = 0, second = 0;
  ASSERT_TRUE(b->Read([&](StoreReader& r) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(auto runs, r.ListRuns());
                 first = runs.size();
                 // Another writer commits in between.
                 GAGGLE_RETURN_IF_ERROR(other->Write([](StoreTransaction& tx) { return tx.PutRun(RunOf("n")); }));
                 GAGGLE_ASSIGN_OR_RETURN(runs, r.ListRuns());
                 second = runs.size();
                 return Status::OK();
               }).ok());
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 1u);
  EXPECT_EQ(b.Read<std::vector<MigrationRun>>([](StoreReader& r) { return r.ListRuns(); }).size(), 2u);
}

TEST_P(StoreConformance, BackendEntityKeysAndIdOrder) {
  Backend b(OpenBackend());
  std::map<std::string, int64_t> keys;
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 CatalogChangeSet import;
                 import.time = "t";
                 GAGGLE_ASSIGN_OR_RETURN(int64_t id, tx.BeginImport(import));
                 // Byte order: upper case before lower case, "a" before "a.b" before "ab".
                 for (const char* name : {"ab", "a", "B", "a.b"}) {
                   Entity e = name == std::string("B") ? Consumer("svc") : Dataset(name);
                   e.id = name;
                   GAGGLE_ASSIGN_OR_RETURN(keys[name], tx.InsertEntity(e, 42, id));
                 }
                 GAGGLE_RETURN_IF_ERROR(tx.InsertEdge(keys["a"], keys["ab"]));
                 GAGGLE_RETURN_IF_ERROR(tx.InsertEdge(keys["a"], keys["B"]));
                 return tx.InsertEdge(keys["a.b"], keys["B"]);
               }).ok());
  std::set<int64_t> distinct;
  for (const auto& [id, key] : keys) {
    EXPECT_GT(key, 0) << id;
    distinct.insert(key);
  }
  EXPECT_EQ(distinct.size(), 4u);
  std::vector<std::string> order;
  ASSERT_TRUE(b->Read([&](StoreReader& r) {
                 return r.ScanEntityDigests([&](EntityDigest&& d) {
                   EXPECT_EQ(d.key, keys[d.id]);
                   EXPECT_EQ(d.content_hash, 42u);
                   order.push_back(d.id);
                 });
               }).ok());
  EXPECT_EQ(order, (std::vector<std::string>{"B", "a", "a.b", "ab"}));
  EXPECT_EQ(b.Read<int64_t>([](StoreReader& r) { return r.CountEntities(); }), 4);
  auto svc = b.Read<std::optional<Entity>>([](StoreReader& r) { return r.FindEntity("B"); });
  ASSERT_TRUE(svc.has_value());
  EXPECT_EQ(svc->queries, (std::vector<std::string>{"SELECT 1", "SELECT 2"}));
  // Deleting an entity takes its edges and queries along.
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) { return tx.DeleteEntity(keys["B"]); }).ok());
  std::vector<std::pair<int64_t, int64_t>> edges;
  int queries = 0;
  ASSERT_TRUE(b->Read([&](StoreReader& r) -> Status {
                 GAGGLE_RETURN_IF_ERROR(r.ScanEdges([&](int64_t u, int64_t d) { edges.emplace_back(u, d); }));
                 return r.ScanEntityQueries([&](int64_t, std::string&&) { ++queries; });
               }).ok());
  EXPECT_EQ(edges, (std::vector<std::pair<int64_t, int64_t>>{{keys["a"], keys["ab"]}}));
  EXPECT_EQ(queries, 0);
  EXPECT_EQ(b.Read<int64_t>([](StoreReader& r) { return r.CountEntities(); }), 3);
  // Pointing a dataset somewhere else: only datasets.
  bool pointed = false, pointed_missing = true;
  ASSERT_TRUE(b->Write([&](StoreTransaction& tx) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(pointed, tx.PointDataset("a", {"file:///v2/a", "parquet", "x: int64", 2}));
                 GAGGLE_ASSIGN_OR_RETURN(pointed_missing, tx.PointDataset("zz", {"u", "f", "", 1}));
                 return Status::OK();
               }).ok());
  EXPECT_TRUE(pointed);
  EXPECT_FALSE(pointed_missing);
  auto a = b.Read<std::optional<Entity>>([](StoreReader& r) { return r.FindEntity("a"); });
  EXPECT_EQ(a->uri, "file:///v2/a");
  EXPECT_EQ(a->schema, "x: int64");
  EXPECT_EQ(a->schema_version, 2);
}

TEST_P(StoreConformance, BackendQueriesTasksByFilterAndCursor) {
  Backend b(OpenBackend());
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) -> Status {
                 GAGGLE_RETURN_IF_ERROR(tx.PutRun(RunOf("m")));
                 for (int i = 0; i < 10; ++i) {
                   TaskRecord t = NewTask("m", (i % 2 ? "odd-" : "even-") + std::to_string(i), i / 5, i);
                   if (i % 3 == 0) t.state = S::kFailed;
                   GAGGLE_RETURN_IF_ERROR(tx.InsertTask(t).status());
                 }
                 GAGGLE_RETURN_IF_ERROR(tx.PutRun(RunOf("other")));
                 return tx.InsertTask(NewTask("other", "odd-1", 0, 0)).status();
               }).ok());
  auto ids = [](const std::vector<TaskRecord>& tasks) {
    std::vector<std::string> out;
    for (const TaskRecord& t : tasks) out.push_back(t.dataset_id);
    return out;
  };
  TaskQuery q;
  q.migration = "m";
  q.limit = 4;
  auto page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(q); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"even-0", "odd-1", "even-2", "odd-3"}));
  q.after = TaskCursor::After(page.back());
  page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(q); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"even-4", "odd-5", "even-6", "odd-7"}));
  q.after = TaskCursor::After(page.back());
  page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(q); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"even-8", "odd-9"}));

  TaskQuery f;
  f.migration = "m";
  f.states = {S::kFailed, S::kPending};
  f.stage = 1;
  f.dataset_contains = "odd";
  f.limit = 10;
  page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(f); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"odd-5", "odd-7", "odd-9"}));
  f.states = {S::kFailed};
  page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(f); });
  EXPECT_EQ(ids(page), (std::vector<std::string>{"odd-9"}));
  TaskQuery w;
  w.migration = "m";
  w.wave = 1;
  w.limit = 100;
  page = b.Read<std::vector<TaskRecord>>([&](StoreReader& r) { return r.QueryTasks(w); });
  EXPECT_EQ(page.size(), 5u);
  for (const TaskRecord& t : page) EXPECT_EQ(t.wave, 1);

  auto counts = b.Read<std::vector<TaskStateCount>>([](StoreReader& r) { return r.CountTaskStates("m"); });
  int64_t failed = 0, all = 0;
  for (const TaskStateCount& c : counts) {
    all += c.tasks;
    if (c.state == S::kFailed) failed += c.tasks;
  }
  EXPECT_EQ(all, 10);
  EXPECT_EQ(failed, 4);  // 0, 3, 6, 9
}

}  // namespace
}  // namespace gaggle
