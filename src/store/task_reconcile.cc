#include "store/task_reconcile.h"

#include <string_view>
#include <unordered_set>

namespace gaggle {

MigrationRun NewRun(const Plan& plan, const std::string& spec_path, int concurrency, const std::string& now) {
  MigrationRun run;
  run.migration = plan.migration;
  run.plan_hash = plan.hash;
  run.spec_hash = plan.spec_hash;
  run.spec_path = spec_path;
  run.state = RunState::kRunning;
  run.concurrency = concurrency;
  run.created_at = now;
  run.updated_at = now;
  return run;
}

MigrationRun RefreshedRun(MigrationRun run, const Plan& plan, const std::string& spec_path, const std::string& now) {
  run.plan_hash = plan.hash;
  run.spec_hash = plan.spec_hash;
  run.spec_path = spec_path;
  run.updated_at = now;
  return run;
}

TaskRecord PlannedTask(const std::string& migration, const PlanRow& row, int64_t ordinal) {
  TaskRecord t;
  t.migration = migration;
  t.dataset_id = row.dataset_id;
  t.ordinal = ordinal;
  t.stage = row.stage;
  t.wave = row.wave;
  t.priority = row.priority;
  t.source_uri = row.source_uri;
  t.source_format = row.source_format;
  t.target_uri = row.target_uri;
  t.size_bytes = row.size_bytes;
  t.state = TaskState::kPending;
  return t;
}

std::vector<DroppedTask> ReconcileDroppedTasks(const Plan& plan, const std::vector<TaskRecord>& tasks) {
  std::unordered_set<std::string_view> in_plan;
  in_plan.reserve(plan.rows.size());
  for (const PlanRow& r : plan.rows) in_plan.insert(r.dataset_id);
  std::vector<DroppedTask> out;
  int64_t next_ordinal = static_cast<int64_t>(plan.rows.size());
  for (const TaskRecord& t : tasks) {
    if (in_plan.count(t.dataset_id) > 0) continue;
    const int64_t ordinal = next_ordinal++;
    DroppedTask d;
    d.before = t.state;
    d.cancel = !IsSettled(t.state);
    d.reorder = t.ordinal != ordinal;
    if (!d.cancel && !d.reorder) continue;
    d.task = t;
    d.task.ordinal = ordinal;
    if (d.cancel) {
      d.task.state = TaskState::kCancelled;
      if (t.state == TaskState::kRunning) {
        d.task.runner.clear();
        d.task.lease_expires_ms = 0;
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

TaskRecord BulkMovedTask(const TaskRecord& task, TaskState to, bool reset_attempts) {
  TaskRecord t = task;
  t.state = to;
  if (task.state == TaskState::kRunning && to != TaskState::kRunning) {
    t.runner.clear();
    t.lease_expires_ms = 0;
  }
  if (reset_attempts) {
    t.attempts = 0;
    t.next_attempt_ms = 0;
  }
  return t;
}

}  // namespace gaggle
