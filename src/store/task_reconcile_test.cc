// Plan/task reconciliation, bulk moves and stage counts alone (no store).
#include "store/task_reconcile.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

using S = TaskState;

Plan PlanOf(const std::vector<std::string>& ids) {
  Plan p;
  p.migration = "m";
  p.hash = "h2";
  p.spec_hash = "s2";
  for (size_t i = 0; i < ids.size(); ++i) {
    PlanRow r;
    r.dataset_id = ids[i];
    r.stage = static_cast<int>(i);
    r.wave = 1;
    r.priority = 3;
    r.size_bytes = 7;
    r.source_uri = "src/" + ids[i];
    r.source_format = "csv";
    r.target_uri = "dst/" + ids[i];
    p.rows.push_back(r);
  }
  return p;
}

TaskRecord Stored(const std::string& id, int64_t ordinal, S state) {
  TaskRecord t;
  t.migration = "m";
  t.dataset_id = id;
  t.ordinal = ordinal;
  t.state = state;
  t.runner = state == S::kRunning ? "r1" : "";
  t.lease_expires_ms = state == S::kRunning ? 99 : 0;
  t.attempts = 2;
  return t;
}

TEST(TaskReconcile, RunsAreCreatedOrRefreshed) {
  const Plan plan = PlanOf({"a"});
  MigrationRun run = NewRun(plan, "spec.yaml", 6, "t1");
  EXPECT_EQ(run.migration, "m");
  EXPECT_EQ(run.state, RunState::kRunning);
  EXPECT_EQ(run.concurrency, 6);
  EXPECT_EQ(run.created_at, "t1");
  EXPECT_EQ(run.updated_at, "t1");
  run.state = RunState::kPaused;
  run.runner = "r";
  Plan next = plan;
  next.hash = "h3";
  MigrationRun refreshed = RefreshedRun(run, next, "other.yaml", "t2");
  EXPECT_EQ(refreshed.plan_hash, "h3");
  EXPECT_EQ(refreshed.spec_path, "other.yaml");
  EXPECT_EQ(refreshed.state, RunState::kPaused);  // kept
  EXPECT_EQ(refreshed.runner, "r");
  EXPECT_EQ(refreshed.concurrency, 6);
  EXPECT_EQ(refreshed.created_at, "t1");
  EXPECT_EQ(refreshed.updated_at, "t2");
}

TEST(TaskReconcile, APlannedTaskIsPendingWithTheRowsPlanFields) {
  const Plan plan = PlanOf({"a", "b"});
  TaskRecord t = PlannedTask("m", plan.rows[1], 1);
  EXPECT_EQ(t.dataset_id, "b");
  EXPECT_EQ(t.ordinal, 1);
  EXPECT_EQ(t.stage, 1);
  EXPECT_EQ(t.wave, 1);
  EXPECT_EQ(t.priority, 3);
  EXPECT_EQ(t.source_uri, "src/b");
  EXPECT_EQ(t.source_format, "csv");
  EXPECT_EQ(t.target_uri, "dst/b");
  EXPECT_EQ(t.size_bytes, 7);
  EXPECT_EQ(t.state, S::kPending);
  EXPECT_EQ(t.attempts, 0);
}

TEST(TaskReconcile, DroppedTasksGoAfterThePlanAndUnsettledOnesAreCancelled) {
  const Plan plan = PlanOf({"a", "b"});
  const std::vector<TaskRecord> tasks = {
      Stored("a", 0, S::kSucceeded),  // in the plan: left alone
      Stored("x", 1, S::kRunning),    // dropped, running: cancelled, lease dropped
      Stored("b", 2, S::kPending),
      Stored("y", 3, S::kSucceeded),  // dropped, settled, already at its new place (3): left out
      Stored("z", 9, S::kFailed),     // dropped, settled: only moves
      Stored("w", 5, S::kPending),    // dropped: cancelled
  };
  auto dropped = ReconcileDroppedTasks(plan, tasks);
  ASSERT_EQ(dropped.size(), 3u);
  EXPECT_EQ(dropped[0].task.dataset_id, "x");
  EXPECT_EQ(dropped[0].task.ordinal, 2);
  EXPECT_TRUE(dropped[0].reorder);
  EXPECT_TRUE(dropped[0].cancel);
  EXPECT_EQ(dropped[0].before, S::kRunning);
  EXPECT_EQ(dropped[0].task.state, S::kCancelled);
  EXPECT_EQ(dropped[0].task.runner, "");
  EXPECT_EQ(dropped[0].task.lease_expires_ms, 0);
  EXPECT_EQ(dropped[0].task.attempts, 2);
  EXPECT_EQ(dropped[1].task.dataset_id, "z");
  EXPECT_EQ(dropped[1].task.ordinal, 4);
  EXPECT_FALSE(dropped[1].cancel);
  EXPECT_EQ(dropped[1].task.state, S::kFailed);
  EXPECT_EQ(dropped[2].task.dataset_id, "w");
  EXPECT_EQ(dropped[2].task.ordinal, 5);
  EXPECT_FALSE(dropped[2].reorder);
  EXPECT_TRUE(dropped[2].cancel);
  EXPECT_TRUE(ReconcileDroppedTasks(PlanOf({"a", "x", "b", "y", "z", "w"}), tasks).empty());
}

TEST(TaskReconcile, BulkMovesDropALeftLeaseAndMayResetTheBudget) {
  TaskRecord running = Stored("a", 0, S::kRunning);
  running.next_attempt_ms = 5;
  running.last_error = "boom";
  TaskRecord pending = BulkMovedTask(running, S::kPending, false);
  EXPECT_EQ(pending.state, S::kPending);
  EXPECT_EQ(pending.runner, "");
  EXPECT_EQ(pending.lease_expires_ms, 0);
  EXPECT_EQ(pending.attempts, 2);
  TaskRecord requeued = BulkMovedTask(Stored("a", 0, S::kNeedsAttention), S::kPending, true);
  EXPECT_EQ(requeued.attempts, 0);
  EXPECT_EQ(requeued.next_attempt_ms, 0);
  TaskRecord kept = BulkMovedTask(running, S::kPending, true);
  EXPECT_EQ(kept.last_error, "boom");  // kept for the record
}

TEST(FleetRecords, StageCountsSumOnlyDoneResultsAndFillEmptyStages) {
  std::vector<TaskStateCount> raw = {
      {2, S::kSucceeded, 3, 300, 30, 29, 1, 0},
      {0, S::kValidated, 1, 100, 10, 10, 0, 2},
      {0, S::kFailed, 2, 50, 99, 99, 99, 99},
      {2, S::kPending, 4, 40, 0, 0, 0, 0},
  };
  auto stages = SumStageCounts(raw);
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].stage, 0);
  EXPECT_EQ(stages[0].total(), 3);
  EXPECT_EQ(stages[0].done(), 1);
  EXPECT_EQ(stages[0].failing(), 2);
  EXPECT_EQ(stages[0].size_bytes, 150);
  EXPECT_EQ(stages[0].done_bytes, 100);
  EXPECT_EQ(stages[0].rows_out, 10);
  EXPECT_EQ(stages[0].filtered, 2);
  EXPECT_EQ(stages[1].stage, 1);
  EXPECT_EQ(stages[1].total(), 0);
  EXPECT_EQ(stages[2].count(S::kPending), 4);
  EXPECT_EQ(stages[2].rows_in, 30);
  EXPECT_EQ(stages[2].dead_lettered, 1);
  EXPECT_TRUE(SumStageCounts({}).empty());
}

TEST(FleetRecords, RunUpdatesChangeOnlyWhatIsSet) {
  MigrationRun run;
  run.state_reason = "lunch";
  run.concurrency = 2;
  MigrationRunUpdate u;
  u.state = RunState::kPaused;
  u.bump_requeue = true;
  ApplyRunUpdate(u, &run);
  EXPECT_EQ(run.state, RunState::kPaused);
  EXPECT_EQ(run.state_reason, "lunch");
  EXPECT_EQ(run.concurrency, 2);
  EXPECT_EQ(run.requeue_seq, 1);
  MigrationRunUpdate v;
  v.concurrency = 9;
  v.requeue_applied_seq = 1;
  v.state_reason = "";
  ApplyRunUpdate(v, &run);
  EXPECT_EQ(run.concurrency, 9);
  EXPECT_EQ(run.requeue_applied_seq, 1);
  EXPECT_EQ(run.state_reason, "");
  EXPECT_EQ(run.state, RunState::kPaused);
}

}  // namespace
}  // namespace gaggle
