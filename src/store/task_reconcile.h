// Plan/task reconciliation: how a saved plan becomes (or refreshes) a migration's run
// record and task records.
//  - A run record is created running with the requested concurrency; an existing one
//    keeps its state, concurrency and lease and takes the new plan and spec hashes.
//  - Every plan row has a task. A new one is pending; an existing one keeps its state,
//    attempts and results and takes the row's plan fields (ordinal = row position,
//    stage, wave, priority, source, target, size).
//  - Tasks no longer in the plan go after the plan's rows, in their previous plan order;
//    those not settled are cancelled ("dropped from the plan"), a running one losing its
//    lease.
// Ordinals stay unique within a migration, so (stage, ordinal) orders its tasks totally.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "store/fleet_records.h"

namespace gaggle {

MigrationRun NewRun(const Plan& plan, const std::string& spec_path, int concurrency, const std::string& now);
// `run` pointed at `plan` (its state, concurrency and lease are kept).
MigrationRun RefreshedRun(MigrationRun run, const Plan& plan, const std::string& spec_path, const std::string& now);

// The task of plan row `ordinal` as a new pending task.
TaskRecord PlannedTask(const std::string& migration, const PlanRow& row, int64_t ordinal);

struct DroppedTask {
  TaskRecord task;  // as it is to be stored: its new ordinal, and cancelled when `cancel`
  TaskState before = TaskState::kPending;
  bool reorder = false;  // its ordinal changes
  bool cancel = false;   // it was not settled: now cancelled
};

// The tasks of `tasks` (every task of the migration, in plan order) whose dataset is not
// in `plan`, with what becomes of each; tasks that keep their state and ordinal are left out.
std::vector<DroppedTask> ReconcileDroppedTasks(const Plan& plan, const std::vector<TaskRecord>& tasks);

// A task moved in bulk to `to` (an operator's pause, resume or cancel, a runner's
// recovery): a running task leaving running loses its lease; `reset_attempts` starts its
// retry budget over (its last error stays for the record).
TaskRecord BulkMovedTask(const TaskRecord& task, TaskState to, bool reset_attempts);

}  // namespace gaggle
