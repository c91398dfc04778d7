// Attempt outcomes: what the end of one agent attempt, or of one validation,
// means for its task — the state it moves to, whether and when it is retried,
// and the event that records it. Pure functions of the facts the runner passes
// in (the result, the run's shutdown, the clock's readings); the runner writes
// the verdict to the store and the logs.
//
// An agent attempt that
//  - succeeded goes to validating (or succeeded when the run does not validate);
//  - timed out (Timeout, or Cancelled after its deadline while the run goes on)
//    becomes a retryable Timeout naming the fleet's task timeout;
//  - was cancelled by an operator's cancel becomes cancelled;
//  - was stopped by the runner itself (SIGINT, a fatal store error) goes back to
//    pending, and the attempt does not count;
//  - failed retryably with retries left waits out the RetryPolicy's backoff;
//  - failed retryably out of retries needs attention; failed otherwise, failed.
// A validation passes (validated), fails or cannot run (invalid), finds the source
// changed since the agent ran (pending: run it again, which spends a retry; when the
// retries are spent it needs attention with the reason, so a source that changes on
// every attempt cannot re-run without bound), or is stopped by the run's shutdown
// (cancelled or pending, as above).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "fleet/retry_policy.h"
#include "fleet/task_executor.h"
#include "store/fleet_records.h"

namespace gaggle {

// Why the run is stopping, if it is.
enum class RunShutdown {
  kNone,
  kCancel,     // an operator cancelled the migration
  kInterrupt,  // SIGINT: running tasks go back to pending
  kFatal,      // the store failed: stop, and put running tasks back to pending
};

// The facts about an attempt that the task record does not hold.
struct AttemptContext {
  double seconds = 0;          // how long the attempt ran
  bool past_deadline = false;  // it ran past the fleet's task timeout
  RunShutdown shutdown = RunShutdown::kNone;
  bool validate = true;                       // a success goes on to validation
  std::chrono::milliseconds task_timeout{0};  // named in a timeout's message
  int64_t now_ms = 0;                         // wall clock: retry times are stored in it
  std::string now_iso;                        // the attempt's finished_at
};

// A task's next record and the event that records the move.
struct AttemptVerdict {
  TaskRecord next;
  nlohmann::json detail;  // the event's detail (attempt, seconds, rows or error, ...)
  std::string event;      // attempt_succeeded, attempt_failed_will_retry, out_of_retries, ...
  std::string level = "info";
};

// `running` is the task as it ran (state running; `attempts` counts this attempt).
// `unit_random` (in [0, 1)) jitters the backoff; it is drawn only when the attempt is retried.
AttemptVerdict ClassifyAttempt(const TaskRecord& running, const Result<TaskOutcome>& result,
                               const AttemptContext& context, const RetryPolicy& retry,
                               const std::function<double()>& unit_random);

struct ValidationVerdict {
  TaskRecord next;
  nlohmann::json detail;
  std::string event;  // validated, validation_failed, validation_error, source_changed_rerun, ...
  std::string level = "info";
  ValidationRecord record;   // the validation's record for the store
  bool save_record = false;  // it says something worth keeping (a report, a failure)
};

// `validating` is the task as it was validated (state validating).
ValidationVerdict ClassifyValidation(const std::string& migration, const TaskRecord& validating,
                                     const Result<TaskValidation>& result, double seconds, RunShutdown shutdown,
                                     const RetryPolicy& retry);

}  // namespace gaggle
