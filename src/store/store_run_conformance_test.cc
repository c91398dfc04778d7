// Conformance (every backend): the run record and its operator updates, the run lease,
// two stores on one location, and the store's throughput (a benchmark, disabled by
// default).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT
using S = TaskState;

TEST_P(StoreConformance, RunLeaseClaimRenewStealAndRefuse) {
  auto missing = store_->ClaimRunner("m", "r1", 1000, 100, nullptr);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find(location_), std::string::npos);
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a"}), "", 1, "x").ok());
  int64_t before = LastSeq();

  auto c = store_->ClaimRunner("m", "r1", 1000, 100, nullptr);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->runner, "r1");
  EXPECT_EQ(c->runner_expires_ms, 1100);
  // Renewals: no events.
  ASSERT_TRUE(store_->ClaimRunner("m", "r1", 1050, 100, nullptr).ok());
  c = store_->ClaimRunner("m", "r1", 1090, 100, nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->runner_expires_ms, 1190);
  EXPECT_EQ(Events("", before).size(), 1u);

  // A live holder is refused, and is_dead is asked about the holder.
  std::vector<std::string> asked;
  auto alive = [&asked](const std::string& h) {
    asked.push_back(h);
    return false;
  };
  auto refused = store_->ClaimRunner("m", "r2", 1150, 100, alive);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_EQ(refused.status().message(),
            "migration 'm': state file '" + location_ +
                "': migration m is being run by r1 (lease valid until 1970-01-01T00:00:01.190Z)");
  EXPECT_EQ(asked, std::vector<std::string>{"r1"});
  EXPECT_EQ((*store_->FindRun("m"))->runner, "r1");

  // Expired (at exactly the expiry time): taken over.
  c = store_->ClaimRunner("m", "r2", 1190, 100, alive);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->runner, "r2");
  EXPECT_EQ(c->runner_expires_ms, 1290);
  // A dead holder: taken over before expiry.
  c = store_->ClaimRunner("m", "r3", 1200, 100, [](const std::string& h) { return h == "r2"; });
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->runner, "r3");
  auto events = Events("", before);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].detail, "runner r1 took the lease");
  EXPECT_NE(events[1].detail.find("r2 took over from r1 (its lease expired"), std::string::npos) << events[1].detail;
  EXPECT_NE(events[2].detail.find("r3 took over from r2 (that process is gone)"), std::string::npos);
  EXPECT_EQ(events[2].from_state, "running");
  EXPECT_EQ(events[2].to_state, "running");

  // Release: only by the holder.
  before = LastSeq();
  ASSERT_TRUE(store_->ReleaseRunner("m", "r1").ok());
  EXPECT_EQ((*store_->FindRun("m"))->runner, "r3");
  ASSERT_TRUE(store_->ReleaseRunner("m", "r3").ok());
  auto run = store_->FindRun("m");
  EXPECT_EQ((*run)->runner, "");
  EXPECT_EQ((*run)->runner_expires_ms, 0);
  EXPECT_EQ(Events("", before).size(), 1u);
  EXPECT_EQ(store_->ReleaseRunner("nope", "r3").code(), StatusCode::kNotFound);
  // Free again: anyone may take it.
  c = store_->ClaimRunner("m", "r4", 1201, 100, alive);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->runner, "r4");
  EXPECT_EQ(store_->ClaimRunner("m", "", 1, 1, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformance, TwoStoresOnOneFileSeeEachOthersWrites) {
  auto other = Open();
  ASSERT_TRUE(other);
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a", "b"}), "", 2, "x").ok());
  // The other "process" sees the run, takes the lease and moves a task.
  auto run = other->FindRun("m");
  ASSERT_TRUE(run.ok() && run->has_value());
  ASSERT_TRUE(other->ClaimRunner("m", "proc-2", 1000, 10000, nullptr).ok());
  auto t = other->FindTask("m", "a");
  ASSERT_TRUE(t.ok() && t->has_value());
  TaskRecord a = **t;
  a.state = S::kRunning;
  ASSERT_TRUE(other->TransitionTask(S::kPending, a, "proc-2", "").ok());
  // This one sees it all, and is refused the lease and a stale compare-and-set.
  EXPECT_EQ(Task("a").state, S::kRunning);
  auto refused = store_->ClaimRunner("m", "proc-1", 2000, 10000, [](const std::string&) { return false; });
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  TaskRecord stale = a;
  stale.state = S::kRunning;
  EXPECT_EQ(store_->TransitionTask(S::kPending, stale, "proc-1", "").code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->UpdateRun("m", Update([](MigrationRunUpdate& u) { u.concurrency = 7; }), "bob", "wider").ok());
  EXPECT_EQ((*other->FindRun("m"))->concurrency, 7);
  auto counts = other->CountTasks("m");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[0].count(S::kRunning), 1);
}

TEST_P(StoreConformance, UpdateRunChangesFieldsAndRecordsAnEvent) {
  auto missing = store_->UpdateRun("m", Update([](MigrationRunUpdate& u) { u.bump_requeue = true; }), "bob", "");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("migration 'm'"), std::string::npos) << missing.status().message();
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a"}), "", 2, "x").ok());
  const int64_t before = LastSeq();
  auto r = store_->UpdateRun("m", Update([](MigrationRunUpdate& u) {
                               u.state = RunState::kPaused;
                               u.state_reason = "lunch";
                             }),
                             "bob", "paused by bob");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, RunState::kPaused);
  EXPECT_EQ(r->state_reason, "lunch");
  EXPECT_EQ(r->concurrency, 2);
  r = store_->UpdateRun("m", Update([](MigrationRunUpdate& u) {
                          u.state = RunState::kRunning;
                          u.bump_requeue = true;
                        }),
                        "bob", "resumed");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->requeue_seq, 1);
  EXPECT_EQ(r->requeue_applied_seq, 0);
  EXPECT_EQ(r->state_reason, "lunch");  // unset fields are left alone
  r = store_->UpdateRun("m", Update([](MigrationRunUpdate& u) { u.requeue_applied_seq = 1; }), "gaggle", "re-queued");
  ASSERT_TRUE(r.ok());
  auto stored = store_->FindRun("m");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->requeue_seq, 1);
  EXPECT_EQ((*stored)->requeue_applied_seq, 1);
  EXPECT_EQ((*stored)->state, RunState::kRunning);
  EXPECT_EQ((*stored)->updated_at, r->updated_at);
  EXPECT_NE((*stored)->updated_at, (*stored)->created_at);
  auto events = Events("", before);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].from_state, "running");
  EXPECT_EQ(events[0].to_state, "paused");
  EXPECT_EQ(events[0].detail, "paused by bob");
  EXPECT_EQ(events[0].actor, "bob");
  EXPECT_EQ(events[0].dataset, "");
  EXPECT_EQ(events[1].from_state, "paused");
  EXPECT_EQ(events[1].to_state, "running");
  EXPECT_EQ(events[2].from_state, "running");
  EXPECT_EQ(events[2].to_state, "running");
  EXPECT_EQ(store_->UpdateRun("m", Update([](MigrationRunUpdate& u) { u.concurrency = 0; }), "bob", "").status().code(),
            StatusCode::kInvalidArgument);
  auto runs = store_->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].migration, "m");
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The fleet benchmark's store load: run with --gtest_also_run_disabled_tests.
// GAGGLE_FLEET_BENCH_PLAN_ROWS sets the plan size for the upsert (default 100000).
TEST_P(StoreConformance, DISABLED_Throughput) {
  const char* env = std::getenv("GAGGLE_FLEET_BENCH_PLAN_ROWS");
  const int plan_rows = env != nullptr ? std::atoi(env) : 100000;
  store_.reset();
  StateStoreOptions o;  // the system clock for event times, as in production
  auto backend = factory().OpenBackend(location_, o);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  store_ = std::make_unique<StateStore>(std::move(backend).value(), o);

  // Dataset ids in random order, as a catalog's are relative to the plan's order.
  std::vector<std::string> ids = Ids(plan_rows, "events.");
  std::shuffle(ids.begin(), ids.end(), std::mt19937(42));
  const Plan plan = MakePlan("m", ids, 4);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->UpsertRun(plan, "", 8, "bench").ok());
  const double upsert = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->UpsertRun(plan, "", 8, "bench").ok());
  const double reupsert = SecondsSince(t0);
  std::printf("UpsertRun: %d rows in %.2f s (%.0f rows/s); same plan again %.2f s\n", plan_rows, upsert,
              plan_rows / upsert, reupsert);

  const int n = std::min(plan_rows, 100000);
  auto tasks = store_->LoadTasks("m");
  ASSERT_TRUE(tasks.ok());
  tasks->resize(static_cast<size_t>(n));
  t0 = std::chrono::steady_clock::now();
  for (TaskRecord& t : *tasks) {
    t.state = S::kRunning;
    t.attempts = 1;
    t.runner = "bench";
    t.started_at = "2024-01-01T00:00:00.000Z";
    Status st = store_->TransitionTask(S::kPending, t, "bench", "");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  for (TaskRecord& t : *tasks) {
    t.state = S::kSucceeded;
    t.runner.clear();
    t.rows_in = t.rows_out = 1000;
    Status st = store_->TransitionTask(S::kRunning, t, "bench", "");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  const double transitions = SecondsSince(t0);
  std::printf("TransitionTask: %d transitions in %.2f s = %.0f transitions/s (one transaction each)\n", 2 * n,
              transitions, 2 * n / transitions);

  t0 = std::chrono::steady_clock::now();
  auto counts = store_->CountTasks("m");
  ASSERT_TRUE(counts.ok());
  const double count = SecondsSince(t0);
  int64_t succeeded = 0;
  for (const StageCounts& c : *counts) succeeded += c.count(S::kSucceeded);
  EXPECT_EQ(succeeded, n);
  t0 = std::chrono::steady_clock::now();
  auto pending = store_->ListTasks("m", {S::kPending, S::kRetrying}, false, 16);
  ASSERT_TRUE(pending.ok());
  const double list = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  auto all = store_->LoadTasks("m");
  ASSERT_TRUE(all.ok());
  const double load = SecondsSince(t0);
  std::printf("CountTasks %.1f ms, ListTasks(pending+retrying, 16) %.2f ms, LoadTasks(%zu) %.0f ms\n", count * 1e3,
              list * 1e3, all->size(), load * 1e3);
}

}  // namespace
}  // namespace gaggle
