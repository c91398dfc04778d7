// Fleet records as the state store keeps them: one task per planned dataset, one run
// record per migration, the gates' validations and approvals, and the per-stage counts
// that progress and `gaggle status` show. The task state machine they move through is in
// store/task_state.h.
//
// Only the runner that holds a migration's lease moves its tasks through running;
// operators' commands (pause, resume, cancel, fleet set) change the run record, which
// the runner polls and applies.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/task_state.h"

namespace gaggle {

struct TaskRecord {
  std::string migration;
  std::string dataset_id;
  // The plan fields: what the plan says about the dataset (UpsertRun refreshes them).
  int64_t ordinal = 0;  // position in the plan (execution order)
  int stage = 0;
  int wave = 0;
  int priority = 0;
  std::string source_uri;
  std::string source_format;
  std::string target_uri;
  int64_t size_bytes = 0;

  // The progress fields: what the runner did with it (a transition stores them).
  TaskState state = TaskState::kPending;
  int attempts = 0;              // attempts started so far
  int64_t next_attempt_ms = 0;   // retrying: not before this time (ms since the epoch)
  std::string runner;            // lease owner while running
  int64_t lease_expires_ms = 0;  // running: the runner's lease on this task
  std::string started_at;        // last attempt, ISO 8601 UTC
  std::string finished_at;
  std::string last_error;  // the last attempt's error, "" after a success
  bool skipped = false;    // the output was already current (idempotent rerun)
  int64_t rows_in = 0, rows_out = 0, dead_lettered = 0, filtered = 0;
  int64_t bytes_out = 0;
  int64_t duration_ms = 0;  // last attempt
};

// What a migration's operators asked for.
enum class RunState {
  kRunning,    // the runner dispatches tasks
  kPaused,     // no new tasks start; running ones finish
  kCancelled,  // running tasks are cancelled; nothing starts
  kCompleted,  // every task settled (see counts for how)
};
const char* RunStateName(RunState s);
Result<RunState> ParseRunState(std::string_view name);

struct MigrationRun {
  std::string migration;
  std::string plan_hash;
  std::string spec_hash;
  std::string spec_path;
  RunState state = RunState::kRunning;
  std::string state_reason;  // why paused / cancelled / completed
  int concurrency = 4;
  // Bumped by operator commands that change task states (resume, pause of datasets):
  // a runner that sees a value it has not applied yet reloads the task states.
  int64_t requeue_seq = 0;
  int64_t requeue_applied_seq = 0;
  std::string runner;             // who holds the run lease ("host:pid:start"), "" when none
  int64_t runner_expires_ms = 0;  // the lease is valid until then unless renewed
  std::string created_at;
  std::string updated_at;
};

// Operator changes to a run record; unset fields are left alone.
struct MigrationRunUpdate {
  std::optional<RunState> state;
  std::optional<std::string> state_reason;
  std::optional<int> concurrency;
  bool bump_requeue = false;
  std::optional<int64_t> requeue_applied_seq;
};

// Applies `update` to `run` (updated_at is the caller's).
void ApplyRunUpdate(const MigrationRunUpdate& update, MigrationRun* run);

// One validation of a dataset's output, as the store keeps it.
struct ValidationRecord {
  std::string migration;
  std::string dataset_id;
  int attempt = 0;
  std::string time;  // set by the store when empty
  bool passed = false;
  std::string summary;  // failed checks, or the error that stopped validation
  std::string report;   // ValidationResult::ToJson(), compact
};

// An operator's approval of a stage whose gate failed.
struct StageApproval {
  std::string migration;
  int stage = 0;
  std::string actor;
  std::string time;
  std::string reason;
};

// Counts by stage and state, for progress and `gaggle status`.
struct StageCounts {
  int stage = 0;
  int64_t by_state[kNumTaskStates] = {};
  int64_t rows_out = 0;  // done tasks (succeeded or validated)
  int64_t rows_in = 0;
  int64_t dead_lettered = 0;
  int64_t filtered = 0;
  int64_t size_bytes = 0;  // all tasks (planned source bytes)
  int64_t done_bytes = 0;  // source bytes of done tasks
  int64_t total() const {
    int64_t t = 0;
    for (int64_t c : by_state) t += c;
    return t;
  }
  int64_t count(TaskState s) const { return by_state[static_cast<int>(s)]; }
  // Done: succeeded or validated.
  int64_t done() const { return count(TaskState::kSucceeded) + count(TaskState::kValidated); }
  // Failing a gate: failed, needs-attention or invalid.
  int64_t failing() const {
    return count(TaskState::kFailed) + count(TaskState::kNeedsAttention) + count(TaskState::kInvalid);
  }
};

// The raw count of one (stage, state) of a migration's tasks, with the sums of their
// planned bytes and results, as a store backend reads them.
struct TaskStateCount {
  int stage = 0;
  TaskState state = TaskState::kPending;
  int64_t tasks = 0;
  int64_t size_bytes = 0, rows_in = 0, rows_out = 0, dead_lettered = 0, filtered = 0;
};

// Folds raw counts into one StageCounts per stage, stages in order; stages without
// tasks below the highest one get an empty entry, so out[i].stage == i for a planner's
// stages. Results (rows, done bytes) count only done tasks.
std::vector<StageCounts> SumStageCounts(const std::vector<TaskStateCount>& counts);

}  // namespace gaggle
