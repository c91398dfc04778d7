// TaskExecutor: runs one attempt of one fleet task. The seam between the fleet's
// scheduling (fleet_runner.h) and the work: the production executor runs the
// migration's agent (agent_task_executor.h); drills wrap it to inject faults
// (fault_injection.h); the orchestration benchmark plugs in a no-op.
//
// Contract: Execute() returns the attempt's outcome, or a Status whose
// retryable() flag says whether another attempt could succeed. It must honour
// `token` (cancellation and deadline) and return soon after it fires.
// Thread-safety: Execute() is called concurrently for different tasks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/cancellation.h"
#include "common/status.h"
#include "store/fleet_records.h"

namespace gaggle {

struct TaskOutcome {
  bool skipped = false;  // the output was already current
  int64_t rows_in = 0, rows_out = 0, dead_lettered = 0, filtered = 0;
  int64_t bytes_out = 0;
  std::string message;
};

// The verdict on one migrated dataset's output (validate/dataset_validator.h).
struct TaskValidation {
  bool passed = true;
  // The source's content changed since the agent ran: the output is stale and the
  // dataset must be migrated again before any gate may count it.
  bool source_changed = false;
  std::string summary;  // the failed checks ("checksum, row_count"), "" when passed
  std::string report;   // ValidationResult JSON (compact), "" when not computed
  double seconds = 0;   // how long it took where it ran, when that was not the caller (0: unknown)
};

struct TaskContext {
  std::string agent_log_path;                 // where an agent's own output goes ("" = none)
  std::function<void(int64_t rows)> on_rows;  // progress of this attempt (may be empty)
  // Called right before the output replaces anything; a non-OK status aborts the commit
  // (a worker that lost its lease: fleet/fleet_worker.h). May be empty.
  std::function<Status()> before_publish;
  // Threads this attempt may use (fleet/core_budget.h); 0: no limit from the fleet.
  int threads = 0;
};

class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  // `task.attempts` already counts this attempt.
  virtual Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) = 0;
  // Validates the output of `task`'s successful attempt against its source. The default
  // accepts everything (executors whose outputs nothing can check, like the benchmark's).
  virtual Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) {
    (void)task;
    (void)token;
    return TaskValidation{};
  }
  // The validation of `task`'s attempt when it is already at hand (a worker made it right
  // after the attempt: fleet/queued_task_executor.h), taken without blocking, so the fleet
  // records the attempt's end and its validation together. nullopt: call Validate.
  virtual std::optional<Result<TaskValidation>> TakeReadyValidation(const TaskRecord& task) {
    (void)task;
    return std::nullopt;
  }

  // An executor that only waits on others (a work queue: fleet/queued_task_executor.h)
  // starts attempts without holding a thread each. When asynchronous() is true the fleet
  // calls ExecuteAsync and ValidateAsync instead: they return at once, and call `done`
  // exactly once, with what Execute or Validate would have returned: later from another
  // thread, or before returning when the answer is at hand. `done` is never called with
  // the executor's own locks held. The defaults run the blocking calls inline.
  virtual bool asynchronous() const { return false; }
  virtual void ExecuteAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                            const TaskContext& context, std::function<void(Result<TaskOutcome>)> done) {
    done(Execute(task, token.get(), context));
  }
  virtual void ValidateAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                             std::function<void(Result<TaskValidation>)> done) {
    done(Validate(task, token.get()));
  }
};

}  // namespace gaggle
