// Conformance (every backend): the fleet's tasks — creating them from a plan,
// compare-and-set and bulk transitions with their events, counts and listings.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT
using S = TaskState;

TEST_P(StoreConformance, UpsertCreatesPendingTasksInPlanOrderWithEvents) {
  Plan plan = MakePlan("m", {"zeta", "alpha", "mid"}, 2);
  auto run = store_->UpsertRun(plan, "specs/m.yaml", 3, "alice");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->migration, "m");
  EXPECT_EQ(run->plan_hash, "plan-3");
  EXPECT_EQ(run->spec_hash, "spec-1");
  EXPECT_EQ(run->spec_path, "specs/m.yaml");
  EXPECT_EQ(run->state, RunState::kRunning);
  EXPECT_EQ(run->concurrency, 3);
  EXPECT_EQ(run->runner, "");
  EXPECT_FALSE(run->created_at.empty());

  auto tasks = store_->LoadTasks("m");
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  ASSERT_EQ(tasks->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const TaskRecord& t = (*tasks)[i];
    EXPECT_EQ(t.dataset_id, plan.rows[i].dataset_id);
    EXPECT_EQ(t.ordinal, static_cast<int64_t>(i));
    EXPECT_EQ(t.stage, plan.rows[i].stage);
    EXPECT_EQ(t.wave, plan.rows[i].wave);
    EXPECT_EQ(t.priority, plan.rows[i].priority);
    EXPECT_EQ(t.size_bytes, plan.rows[i].size_bytes);
    EXPECT_EQ(t.source_uri, plan.rows[i].source_uri);
    EXPECT_EQ(t.source_format, "avro");
    EXPECT_EQ(t.target_uri, plan.rows[i].target_uri);
    EXPECT_EQ(t.state, S::kPending);
    EXPECT_EQ(t.attempts, 0);
    EXPECT_EQ(t.migration, "m");
  }
  auto events = Events();
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].dataset, plan.rows[i].dataset_id);
    EXPECT_EQ(events[i].from_state, "");
    EXPECT_EQ(events[i].to_state, "pending");
    EXPECT_EQ(events[i].actor, "alice");
  }
  EXPECT_EQ(events[3].dataset, "");
  EXPECT_EQ(events[3].to_state, "running");
  EXPECT_NE(events[3].detail.find("\"plan_hash\":\"plan-3\""), std::string::npos) << events[3].detail;

  auto found = store_->FindRun("m");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->plan_hash, "plan-3");
  auto none = store_->FindRun("other");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(store_->LoadTasks("other")->empty());
  auto missing = store_->FindTask("m", "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreConformance, UpsertRefusesBadInput) {
  Plan plan = MakePlan("", {"a"});
  EXPECT_EQ(store_->UpsertRun(plan, "", 1, "x").status().code(), StatusCode::kInvalidArgument);
  plan.migration = "m";
  auto r = store_->UpsertRun(plan, "", 0, "x");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("migration 'm'"), std::string::npos) << r.status().message();
  EXPECT_TRUE(store_->ListRuns()->empty());
}

TEST_P(StoreConformance, ReUpsertKeepsStatesAndResultsUpdatesPlanFieldsCancelsDropped) {
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a", "b", "c", "d", "e"}), "s.yaml", 4, "alice").ok());
  // a succeeded with results, b is running, c failed, d and e stay pending.
  ASSERT_TRUE(Move("a", S::kRunning).ok());
  TaskRecord a = Task("a");
  a.state = S::kSucceeded;
  a.attempts = 1;
  a.rows_in = 10;
  a.rows_out = 9;
  a.filtered = 1;
  a.started_at = "2024-01-01T00:00:01Z";
  a.finished_at = "2024-01-01T00:00:02Z";
  ASSERT_TRUE(store_->TransitionTask(S::kRunning, a, "runner", "done").ok());
  TaskRecord b = Task("b");
  b.state = S::kRunning;
  b.runner = "host:1:2";
  b.lease_expires_ms = 5000;
  ASSERT_TRUE(store_->TransitionTask(S::kPending, b, "runner", "").ok());
  ASSERT_TRUE(Move("c", S::kRunning).ok());
  ASSERT_TRUE(Move("c", S::kFailed).ok());
  ASSERT_TRUE(
      store_->UpdateRun("m", Update([](MigrationRunUpdate& u) { u.state = RunState::kPaused; }), "bob", "pause").ok());
  ASSERT_TRUE(store_->ClaimRunner("m", "host:1:2", 1000, 10000, nullptr).ok());
  const int64_t before = LastSeq();

  // The new plan reorders, changes a's target, drops b (running), d (pending) and c (failed), adds f.
  Plan p2 = MakePlan("m", {"e", "a", "f"});
  p2.hash = "plan-2";
  p2.spec_hash = "spec-2";
  p2.rows[1].target_uri = "file:///v3/a";
  p2.rows[1].stage = 0;
  p2.rows[1].size_bytes = 777;
  auto run = store_->UpsertRun(p2, "s2.yaml", 9, "alice");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->plan_hash, "plan-2");
  EXPECT_EQ(run->spec_hash, "spec-2");
  EXPECT_EQ(run->spec_path, "s2.yaml");
  EXPECT_EQ(run->state, RunState::kPaused);  // kept
  EXPECT_EQ(run->concurrency, 4);            // kept
  EXPECT_EQ(run->runner, "host:1:2");        // kept

  auto tasks = store_->LoadTasks("m");
  ASSERT_TRUE(tasks.ok());
  std::vector<std::string> order;
  for (const TaskRecord& t : *tasks) order.push_back(t.dataset_id);
  // Plan rows first in the new order, then the dropped tasks in their old order.
  EXPECT_EQ(order, (std::vector<std::string>{"e", "a", "f", "b", "c", "d"}));
  TaskRecord a2 = Task("a");
  EXPECT_EQ(a2.state, S::kSucceeded);
  EXPECT_EQ(a2.rows_out, 9);
  EXPECT_EQ(a2.filtered, 1);
  EXPECT_EQ(a2.attempts, 1);
  EXPECT_EQ(a2.finished_at, "2024-01-01T00:00:02Z");
  EXPECT_EQ(a2.target_uri, "file:///v3/a");
  EXPECT_EQ(a2.size_bytes, 777);
  EXPECT_EQ(a2.ordinal, 1);
  EXPECT_EQ(Task("b").state, S::kCancelled);
  EXPECT_EQ(Task("b").runner, "");  // lost its lease
  EXPECT_EQ(Task("b").lease_expires_ms, 0);
  EXPECT_EQ(Task("c").state, S::kFailed);  // settled: kept
  EXPECT_EQ(Task("d").state, S::kCancelled);
  EXPECT_EQ(Task("e").state, S::kPending);
  EXPECT_EQ(Task("f").state, S::kPending);

  auto events = Events("", before);
  ASSERT_EQ(events.size(), 4u);  // f created, b and d cancelled, the run
  EXPECT_EQ(events[0].dataset, "f");
  EXPECT_EQ(events[0].to_state, "pending");
  EXPECT_EQ(events[1].dataset, "b");
  EXPECT_EQ(events[1].from_state, "running");
  EXPECT_EQ(events[1].to_state, "cancelled");
  EXPECT_EQ(events[1].detail, "dropped from the plan");
  EXPECT_EQ(events[2].dataset, "d");
  EXPECT_EQ(events[2].from_state, "pending");
  EXPECT_EQ(events[3].dataset, "");
  EXPECT_EQ(events[3].from_state, "paused");
  EXPECT_EQ(events[3].to_state, "paused");
  EXPECT_NE(events[3].detail.find("plan refreshed"), std::string::npos);

  // The same plan again changes nothing but the run event.
  const int64_t again = LastSeq();
  ASSERT_TRUE(store_->UpsertRun(p2, "s2.yaml", 9, "alice").ok());
  EXPECT_EQ(Events("", again).size(), 1u);
  auto tasks2 = store_->LoadTasks("m");
  ASSERT_TRUE(tasks2.ok());
  ASSERT_EQ(tasks2->size(), tasks->size());
  for (size_t i = 0; i < tasks->size(); ++i) {
    EXPECT_EQ((*tasks2)[i].dataset_id, (*tasks)[i].dataset_id);
    EXPECT_EQ((*tasks2)[i].ordinal, (*tasks)[i].ordinal);
    EXPECT_EQ((*tasks2)[i].state, (*tasks)[i].state);
  }
}

TEST_P(StoreConformance, TransitionIsACompareAndSet) {
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a", "b"}), "", 2, "x").ok());
  const int64_t before = LastSeq();
  TaskRecord t = Task("a");
  t.state = S::kRunning;
  t.attempts = 1;
  t.runner = "r1";
  t.lease_expires_ms = 123;
  t.started_at = "2024-01-01T00:00:01.000Z";
  t.source_uri = "ignored";  // plan fields are not written by a transition
  t.stage = 99;
  ASSERT_TRUE(store_->TransitionTask(S::kPending, t, "runner", "attempt 1").ok());
  TaskRecord got = Task("a");
  EXPECT_EQ(got.state, S::kRunning);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.runner, "r1");
  EXPECT_EQ(got.lease_expires_ms, 123);
  EXPECT_EQ(got.started_at, "2024-01-01T00:00:01.000Z");
  EXPECT_EQ(got.source_uri, "file:///lake/a");
  EXPECT_EQ(got.stage, 0);

  // Every field of the record is stored on success.
  t.state = S::kSucceeded;
  t.next_attempt_ms = 77;
  t.runner = "";
  t.lease_expires_ms = 0;
  t.finished_at = "2024-01-01T00:00:02.000Z";
  t.last_error = "";
  t.skipped = true;
  t.rows_in = 5;
  t.rows_out = 4;
  t.dead_lettered = 1;
  t.filtered = 2;
  t.bytes_out = 4096;
  t.duration_ms = 1500;
  ASSERT_TRUE(store_->TransitionTask(S::kRunning, t, "runner", "ok").ok());
  got = Task("a");
  EXPECT_EQ(got.state, S::kSucceeded);
  EXPECT_EQ(got.next_attempt_ms, 77);
  EXPECT_EQ(got.runner, "");
  EXPECT_EQ(got.finished_at, "2024-01-01T00:00:02.000Z");
  EXPECT_TRUE(got.skipped);
  EXPECT_EQ(got.rows_in, 5);
  EXPECT_EQ(got.rows_out, 4);
  EXPECT_EQ(got.dead_lettered, 1);
  EXPECT_EQ(got.filtered, 2);
  EXPECT_EQ(got.bytes_out, 4096);
  EXPECT_EQ(got.duration_ms, 1500);

  // Wrong `from`: refused, nothing changes.
  TaskRecord again = got;
  again.state = S::kFailed;
  again.last_error = "should not be stored";
  Status st = store_->TransitionTask(S::kRunning, again, "runner", "");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_FALSE(st.retryable());
  EXPECT_NE(st.message().find("dataset 'a'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("migration 'm'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(location_), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("is succeeded, not running"), std::string::npos) << st.message();
  EXPECT_EQ(Task("a").last_error, "");
  EXPECT_EQ(Task("a").state, S::kSucceeded);

  // Not an edge: refused before touching the store.
  TaskRecord b = Task("b");
  b.state = S::kSucceeded;
  st = store_->TransitionTask(S::kPending, b, "runner", "");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_NE(st.message().find("from pending to succeeded"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("dataset 'b'"), std::string::npos) << st.message();
  EXPECT_EQ(Task("b").state, S::kPending);
  b.state = S::kPending;
  EXPECT_EQ(store_->TransitionTask(S::kPending, b, "runner", "").code(), StatusCode::kConflict);  // no self edge

  // Unknown task and unknown migration.
  TaskRecord ghost;
  ghost.migration = "m";
  ghost.dataset_id = "ghost";
  ghost.state = S::kRunning;
  st = store_->TransitionTask(S::kPending, ghost, "runner", "");
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("dataset 'ghost'"), std::string::npos) << st.message();
  ghost.migration = "nope";
  EXPECT_EQ(store_->TransitionTask(S::kPending, ghost, "runner", "").code(), StatusCode::kNotFound);

  // Exactly the two successful transitions left events.
  auto events = Events("", before);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].from_state, "pending");
  EXPECT_EQ(events[0].to_state, "running");
  EXPECT_EQ(events[0].detail, "attempt 1");
  EXPECT_EQ(events[0].actor, "runner");
  EXPECT_EQ(events[1].from_state, "running");
  EXPECT_EQ(events[1].to_state, "succeeded");
  EXPECT_EQ(events[1].dataset, "a");
}

TEST_P(StoreConformance, BulkTransitionsWithDatasetFilterAndResetAttempts) {
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a", "b", "c", "d", "e"}), "", 2, "x").ok());
  // a: running with a lease; b, c: needs-attention after 3 attempts; d: failed; e: pending.
  TaskRecord a = Task("a");
  a.state = S::kRunning;
  a.runner = "r";
  a.lease_expires_ms = 999;
  a.attempts = 1;
  ASSERT_TRUE(store_->TransitionTask(S::kPending, a, "r", "").ok());
  for (const char* id : {"b", "c", "d"}) {
    ASSERT_TRUE(Move(id, S::kRunning).ok());
    TaskRecord t = Task(id);
    t.state = std::string(id) == "d" ? S::kFailed : S::kNeedsAttention;
    t.attempts = 3;
    t.next_attempt_ms = 4242;
    t.last_error = "boom";
    ASSERT_TRUE(store_->TransitionTask(S::kRunning, t, "r", "").ok());
  }
  int64_t before = LastSeq();

  // Re-queue only c and d (and a name not in the migration), resetting attempts.
  auto n = store_->TransitionTasks("m", {S::kFailed, S::kNeedsAttention}, S::kPending, {"d", "c", "zzz"}, true, "bob",
                                   "resume");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Task("b").state, S::kNeedsAttention);
  EXPECT_EQ(Task("b").attempts, 3);
  for (const char* id : {"c", "d"}) {
    TaskRecord t = Task(id);
    EXPECT_EQ(t.state, S::kPending) << id;
    EXPECT_EQ(t.attempts, 0) << id;
    EXPECT_EQ(t.next_attempt_ms, 0) << id;
    EXPECT_EQ(t.last_error, "boom") << id;  // kept for the record
  }
  auto events = Events("", before);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].dataset, "c");  // plan order
  EXPECT_EQ(events[0].from_state, "needs-attention");
  EXPECT_EQ(events[0].to_state, "pending");
  EXPECT_EQ(events[0].actor, "bob");
  EXPECT_EQ(events[0].detail, "resume");
  EXPECT_EQ(events[1].dataset, "d");
  EXPECT_EQ(events[1].from_state, "failed");

  // Without a filter and without resetting: b keeps its attempts.
  before = LastSeq();
  n = store_->TransitionTasks("m", {S::kNeedsAttention}, S::kPending, {}, false, "bob", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Task("b").state, S::kPending);
  EXPECT_EQ(Task("b").attempts, 3);
  EXPECT_EQ(Events("", before).size(), 1u);

  // Interrupting the runner: running -> pending loses the lease; pending tasks are not
  // in `from`, and pending -> pending is no edge anyway.
  before = LastSeq();
  n = store_->TransitionTasks("m", {S::kRunning, S::kPending}, S::kPending, {}, false, "gaggle", "interrupted");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  TaskRecord a2 = Task("a");
  EXPECT_EQ(a2.state, S::kPending);
  EXPECT_EQ(a2.runner, "");
  EXPECT_EQ(a2.lease_expires_ms, 0);
  EXPECT_EQ(a2.attempts, 1);
  events = Events("", before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].dataset, "a");
  EXPECT_EQ(events[0].from_state, "running");

  // Edges not in the machine are skipped: nothing goes pending -> succeeded.
  n = store_->TransitionTasks("m", {S::kPending}, S::kSucceeded, {}, false, "x", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  // Operator cancel of everything not settled.
  n = store_->TransitionTasks("m", {S::kPending, S::kRetrying, S::kRunning}, S::kCancelled, {}, false, "x", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
  n = store_->TransitionTasks("other", {S::kPending}, S::kCancelled, {}, false, "x", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

TEST_P(StoreConformance, CountTasksSumsPerStageAndState) {
  // Stages: a,b,c -> 0; d,e,f -> 1; nothing in 2; g -> 3.
  Plan p = MakePlan("m", {"a", "b", "c", "d", "e", "f", "g"});
  const int stages[] = {0, 0, 0, 1, 1, 1, 3};
  for (size_t i = 0; i < p.rows.size(); ++i) p.rows[i].stage = stages[i];
  ASSERT_TRUE(store_->UpsertRun(p, "", 2, "x").ok());
  auto finish = [this](const std::string& id, S to, int64_t rows_in, int64_t rows_out, int64_t dl, int64_t filt) {
    ASSERT_TRUE(Move(id, S::kRunning).ok());
    TaskRecord t = Task(id);
    t.state = to;
    t.rows_in = rows_in;
    t.rows_out = rows_out;
    t.dead_lettered = dl;
    t.filtered = filt;
    ASSERT_TRUE(store_->TransitionTask(S::kRunning, t, "r", "").ok());
  };
  finish("a", S::kSucceeded, 10, 8, 1, 1);
  finish("b", S::kSucceeded, 20, 20, 0, 0);
  finish("c", S::kFailed, 5, 0, 5, 0);  // a failed attempt's rows do not count
  finish("d", S::kSucceeded, 7, 6, 0, 1);
  ASSERT_TRUE(Move("e", S::kRunning).ok());

  auto counts = store_->CountTasks("m");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 4u);
  const StageCounts& s0 = (*counts)[0];
  EXPECT_EQ(s0.stage, 0);
  EXPECT_EQ(s0.total(), 3);
  EXPECT_EQ(s0.count(S::kSucceeded), 2);
  EXPECT_EQ(s0.count(S::kFailed), 1);
  EXPECT_EQ(s0.rows_in, 30);
  EXPECT_EQ(s0.rows_out, 28);
  EXPECT_EQ(s0.dead_lettered, 1);
  EXPECT_EQ(s0.filtered, 1);
  EXPECT_EQ(s0.size_bytes, 100 + 200 + 300);
  EXPECT_EQ(s0.done_bytes, 100 + 200);
  const StageCounts& s1 = (*counts)[1];
  EXPECT_EQ(s1.stage, 1);
  EXPECT_EQ(s1.count(S::kSucceeded), 1);
  EXPECT_EQ(s1.count(S::kRunning), 1);
  EXPECT_EQ(s1.count(S::kPending), 1);
  EXPECT_EQ(s1.rows_out, 6);
  EXPECT_EQ(s1.size_bytes, 400 + 500 + 600);
  EXPECT_EQ(s1.done_bytes, 400);
  EXPECT_EQ((*counts)[2].stage, 2);
  EXPECT_EQ((*counts)[2].total(), 0);
  EXPECT_EQ((*counts)[3].stage, 3);
  EXPECT_EQ((*counts)[3].count(S::kPending), 1);
  EXPECT_EQ((*counts)[3].size_bytes, 700);
  EXPECT_TRUE(store_->CountTasks("other")->empty());
}

TEST_P(StoreConformance, ListTasksInPlanOrderOrOldestStartedFirst) {
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a", "b", "c", "d", "e", "f"}), "", 2, "x").ok());
  auto start = [this](const std::string& id, const std::string& at) {
    TaskRecord t = Task(id);
    t.state = S::kRunning;
    t.started_at = at;
    ASSERT_TRUE(store_->TransitionTask(S::kPending, t, "r", "").ok());
  };
  start("b", "2024-01-01T00:00:03.000Z");
  start("d", "2024-01-01T00:00:01.000Z");
  start("e", "2024-01-01T00:00:02.000Z");
  ASSERT_TRUE(Move("e", S::kRetrying).ok());
  auto ids = [](const Result<std::vector<TaskRecord>>& r) {
    std::vector<std::string> out;
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      for (const TaskRecord& t : *r) out.push_back(t.dataset_id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kPending}, false, 100)), (V{"a", "c", "f"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kPending}, false, 2)), (V{"a", "c"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kPending, S::kRetrying}, false, 100)), (V{"a", "c", "e", "f"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kRetrying, S::kPending, S::kPending}, false, 3)), (V{"a", "c", "e"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kRunning}, false, 100)), (V{"b", "d"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kRunning}, true, 100)), (V{"d", "b"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kRunning, S::kRetrying}, true, 100)), (V{"d", "e", "b"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kRunning, S::kRetrying}, true, 1)), (V{"d"}));
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kSucceeded}, false, 100)), V{});
  EXPECT_EQ(ids(store_->ListTasks("m", {S::kPending}, false, 0)), V{});
  EXPECT_EQ(ids(store_->ListTasks("m", {}, false, 100)), V{});
}

// A random walk over the state machine: each accepted transition leaves exactly one
// event with its from/to, each refused one none.
TEST_P(StoreConformance, EveryTransitionLeavesExactlyOneEvent) {
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", Ids(8)), "", 2, "x").ok());
  const int64_t before = LastSeq();
  std::mt19937 rng(7);
  std::map<std::string, S> model;
  for (const std::string& id : Ids(8)) model[id] = S::kPending;
  std::vector<std::pair<std::string, std::string>> expected;
  int accepted = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    std::string id = Ids(8)[rng() % 8];
    S from = rng() % 4 == 0 ? static_cast<S>(rng() % kNumTaskStates) : model[id];
    S to = static_cast<S>(rng() % kNumTaskStates);
    TaskRecord t = Task(id);
    t.state = to;
    Status st = store_->TransitionTask(from, t, "walker", std::to_string(i));
    const bool ok = from == model[id] && IsAllowedTransition(from, to);
    ASSERT_EQ(st.ok(), ok) << i << ": " << TaskStateName(from) << " -> " << TaskStateName(to) << " " << st.ToString();
    if (ok) {
      model[id] = to;
      expected.emplace_back(TaskStateName(from), TaskStateName(to));
      ++accepted;
    } else {
      EXPECT_EQ(st.code(), StatusCode::kConflict);
      ++refused;
    }
  }
  EXPECT_GT(accepted, 50);
  EXPECT_GT(refused, 50);
  auto events = Events("", before);
  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(std::make_pair(events[i].from_state, events[i].to_state), expected[i]) << i;
  }
  for (const auto& [id, s] : model) EXPECT_EQ(Task(id).state, s) << id;
}

// A runner that lost the run lease moves nothing, and a validation is recorded exactly
// when its verdict moves the task: both in the transition's own transaction.
TEST_P(StoreConformance, TransitionsAreFencedByTheRunLeaseAndCarryTheirValidation) {
  Plan plan = MakePlan("m", {"a"}, 1);
  ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 1, "t").ok());
  ASSERT_TRUE(store_->ClaimRunner("m", "new:1:1", 1000, 60000, [](const std::string&) { return false; }).ok());
  TaskRecord t = (*store_->FindTask("m", "a")).value();
  t.state = TaskState::kRunning;
  t.attempts = 1;
  StateStore::TransitionOptions stale{"old:1:1", nullptr};
  Status refused = store_->TransitionTask(TaskState::kPending, t, "gaggle", "", stale);
  EXPECT_EQ(refused.code(), StatusCode::kConflict) << refused.ToString();
  EXPECT_NE(refused.message().find("no longer holds the run lease"), std::string::npos) << refused.message();
  EXPECT_EQ((*store_->FindTask("m", "a"))->state, TaskState::kPending);
  ASSERT_TRUE(store_->TransitionTask(TaskState::kPending, t, "gaggle", "", {"new:1:1", nullptr}).ok());
  t.state = TaskState::kValidating;
  ASSERT_TRUE(store_->TransitionTask(TaskState::kRunning, t, "gaggle", "", {"new:1:1", nullptr}).ok());

  ValidationRecord v;
  v.migration = "m";
  v.dataset_id = "a";
  v.attempt = 1;
  v.passed = true;
  t.state = TaskState::kValidated;
  // A verdict whose move is refused (the task is not where the runner thought) leaves no record.
  Status wrong = store_->TransitionTask(TaskState::kRunning, t, "gaggle", "", {"new:1:1", &v});
  EXPECT_EQ(wrong.code(), StatusCode::kConflict);
  EXPECT_FALSE((*store_->LatestValidation("m", "a")).has_value());
  ASSERT_TRUE(store_->TransitionTask(TaskState::kValidating, t, "gaggle", "", {"new:1:1", &v}).ok());
  auto saved = store_->LatestValidation("m", "a");
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_TRUE((*saved)->passed);
  EXPECT_FALSE((*saved)->time.empty());
}

// The group commit of a turn: every move in one transaction, a task moved twice in order,
// events chained in the moves' order; one refused move leaves nothing of the batch.
TEST_P(StoreConformance, MovesTogetherAreAllOrNoneAndChainInTheirOrder) {
  Plan plan = MakePlan("m", {"a", "b", "c", "d"}, 1);
  ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 4, "t").ok());
  auto task = [&](const std::string& id, TaskState to) {
    TaskRecord t = (*store_->FindTask("m", id)).value();
    t.state = to;
    t.attempts = 1;
    t.last_error = "quote \" backslash \\ brace { comma , NULL";  // survives an array parameter
    return t;
  };
  using Move = StateStore::TaskMove;
  TaskRecord a_validating = task("a", TaskState::kValidating);
  std::vector<Move> moves = {{TaskState::kPending, task("a", TaskState::kRunning), "", nullptr},
                             {TaskState::kPending, task("b", TaskState::kRunning), "", nullptr},
                             {TaskState::kRunning, a_validating, "", nullptr},
                             {TaskState::kPending, task("c", TaskState::kRunning), "", nullptr}};
  const int64_t before = static_cast<int64_t>(store_->ListEvents({"m", "", 0, 1000})->size());
  ASSERT_TRUE(store_->MoveTasksTogether(moves, "gaggle", "").ok());
  EXPECT_EQ((*store_->FindTask("m", "a"))->state, TaskState::kValidating);
  EXPECT_EQ((*store_->FindTask("m", "a"))->last_error, a_validating.last_error);
  EXPECT_EQ((*store_->FindTask("m", "b"))->state, TaskState::kRunning);
  auto events = *store_->ListEvents({"m", "", 0, 1000});
  ASSERT_EQ(static_cast<int64_t>(events.size()), before + 4);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "running"}, {"b", "running"}, {"a", "validating"}, {"c", "running"}};
  for (size_t k = 0; k < expected.size(); ++k) {
    const Event& e = events[static_cast<size_t>(before) + k];
    EXPECT_EQ(e.dataset, expected[k].first) << k;
    EXPECT_EQ(e.to_state, expected[k].second) << k;
  }

  // b is running, not pending: nothing of this batch is written, and the error names b.
  std::vector<Move> refused = {{TaskState::kPending, task("d", TaskState::kRunning), "", nullptr},
                               {TaskState::kPending, task("b", TaskState::kRunning), "", nullptr}};
  Status st = store_->MoveTasksTogether(refused, "gaggle", "");
  EXPECT_EQ(st.code(), StatusCode::kConflict) << st.ToString();
  EXPECT_NE(st.message().find("dataset 'b'"), std::string::npos) << st.message();
  EXPECT_EQ((*store_->FindTask("m", "d"))->state, TaskState::kPending);
  EXPECT_EQ(static_cast<int64_t>(store_->ListEvents({"m", "", 0, 1000})->size()), before + 4);
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

// A task's chained moves in one batch (an attempt's end, then the validation a worker made
// with it) are one update of the task and an event each; a repeat that does not follow
// from the state before it is refused, and nothing of its batch is written.
TEST_P(StoreConformance, ChainedMovesOfOneTaskAreOneUpdateWithAnEventEach) {
  Plan plan = MakePlan("m", {"a", "b"}, 1);
  ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 4, "t").ok());
  auto task = [&](const std::string& id, TaskState to) {
    TaskRecord t = (*store_->FindTask("m", id)).value();
    t.state = to;
    t.attempts = 1;
    t.rows_out = to == TaskState::kValidated ? 7 : 0;
    return t;
  };
  using Move = StateStore::TaskMove;
  ValidationRecord v{"m", "a", 1, "", true, "", "{}"};
  std::vector<Move> chain = {{TaskState::kPending, task("a", TaskState::kRunning), "", nullptr},
                             {TaskState::kPending, task("b", TaskState::kRunning), "", nullptr},
                             {TaskState::kRunning, task("a", TaskState::kValidating), "", nullptr},
                             {TaskState::kValidating, task("a", TaskState::kValidated), "", &v}};
  const size_t before = store_->ListEvents({"m", "", 0, 1000})->size();
  ASSERT_TRUE(store_->MoveTasksTogether(chain, "gaggle", "").ok());
  EXPECT_EQ((*store_->FindTask("m", "a"))->state, TaskState::kValidated);
  EXPECT_EQ((*store_->FindTask("m", "a"))->rows_out, 7);
  ASSERT_TRUE((*store_->LatestValidation("m", "a")).has_value());
  auto events = *store_->ListEvents({"m", "", 0, 1000});
  ASSERT_EQ(events.size(), before + 4);
  const std::vector<std::string> expected = {"a pending>running", "b pending>running", "a running>validating",
                                             "a validating>validated"};
  for (size_t k = 0; k < expected.size(); ++k) {
    const Event& e = events[before + k];
    EXPECT_EQ(e.dataset + " " + e.from_state + ">" + e.to_state, expected[k]) << k;
  }
  auto counts = store_->CountTasks("m");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[0].by_state[static_cast<int>(TaskState::kValidated)], 1);
  EXPECT_EQ((*counts)[0].by_state[static_cast<int>(TaskState::kRunning)], 1);
  EXPECT_EQ((*counts)[0].rows_out, 7);

  // b moved twice from running: the second does not follow the first, so it is its own
  // update, which finds b validating, and the batch writes nothing.
  std::vector<Move> broken = {{TaskState::kRunning, task("b", TaskState::kValidating), "", nullptr},
                              {TaskState::kRunning, task("b", TaskState::kValidating), "", nullptr}};
  Status st = store_->MoveTasksTogether(broken, "gaggle", "");
  EXPECT_EQ(st.code(), StatusCode::kConflict) << st.ToString();
  EXPECT_EQ((*store_->FindTask("m", "b"))->state, TaskState::kRunning);
  EXPECT_EQ(store_->ListEvents({"m", "", 0, 1000})->size(), before + 4);
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

// Status reads the counts (on PostgreSQL from counters that triggers keep): after every
// kind of change they equal what the tasks themselves add up to.
TEST_P(StoreConformance, CountsFollowEveryKindOfChange) {
  auto expect_counts_match_tasks = [&](const std::string& when) {
    auto tasks = store_->LoadTasks("m");
    auto counts = store_->CountTasks("m");
    ASSERT_TRUE(tasks.ok() && counts.ok()) << when;
    std::vector<TaskStateCount> scanned;
    for (const TaskRecord& t : *tasks) {
      scanned.push_back(
          TaskStateCount{t.stage, t.state, 1, t.size_bytes, t.rows_in, t.rows_out, t.dead_lettered, t.filtered});
    }
    const std::vector<StageCounts> want = SumStageCounts(scanned);
    ASSERT_EQ(counts->size(), want.size()) << when;
    for (size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ((*counts)[k].stage, want[k].stage) << when;
      for (int st = 0; st < kNumTaskStates; ++st) EXPECT_EQ((*counts)[k].by_state[st], want[k].by_state[st]) << when;
      EXPECT_EQ((*counts)[k].rows_out, want[k].rows_out) << when;
      EXPECT_EQ((*counts)[k].rows_in, want[k].rows_in) << when;
      EXPECT_EQ((*counts)[k].size_bytes, want[k].size_bytes) << when;
      EXPECT_EQ((*counts)[k].done_bytes, want[k].done_bytes) << when;
    }
  };
  Plan plan = MakePlan("m", {"a", "b", "c", "d", "e", "f"}, 2);
  ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 4, "t").ok());
  expect_counts_match_tasks("planned");

  std::vector<StateStore::TaskMove> moves;
  for (const std::string id : {"a", "b", "d"}) {
    TaskRecord t = (*store_->FindTask("m", id)).value();
    t.state = TaskState::kRunning;
    moves.push_back({TaskState::kPending, t, "", nullptr});
    t.state = TaskState::kSucceeded;
    t.rows_in = 10;
    t.rows_out = 9;
    moves.push_back({TaskState::kRunning, t, "", nullptr});
  }
  ASSERT_TRUE(store_->MoveTasksTogether(moves, "gaggle", "").ok());
  expect_counts_match_tasks("moved in a batch");

  ASSERT_TRUE(store_->TransitionTasks("m", {TaskState::kPending}, TaskState::kPaused, {"c"}, false, "op", "").ok());
  expect_counts_match_tasks("paused by an operator");

  // A new plan: f is dropped (cancelled), e moves to stage 0 and grows.
  plan.hash = "plan-2";
  plan.rows.pop_back();
  plan.rows[4].stage = 0;
  plan.rows[4].size_bytes = 12345;
  ASSERT_TRUE(store_->UpsertRun(plan, "m.yaml", 4, "t").ok());
  expect_counts_match_tasks("planned again");
}

}  // namespace
}  // namespace gaggle
