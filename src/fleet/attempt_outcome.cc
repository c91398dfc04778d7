#include "fleet/attempt_outcome.h"

#include <algorithm>

#include "spec/spec_values.h"

namespace gaggle {
namespace {

void Succeeded(const TaskOutcome& out, bool validate, AttemptVerdict* v) {
  TaskRecord& next = v->next;
  next.state = validate ? TaskState::kValidating : TaskState::kSucceeded;
  next.skipped = out.skipped;
  next.rows_in = out.rows_in;
  next.rows_out = out.rows_out;
  next.dead_lettered = out.dead_lettered;
  next.filtered = out.filtered;
  next.bytes_out = out.bytes_out;
  next.last_error.clear();
  v->detail["rows_in"] = out.rows_in;
  v->detail["rows_out"] = out.rows_out;
  v->detail["dead_lettered"] = out.dead_lettered;
  v->detail["filtered"] = out.filtered;
  v->detail["skipped"] = out.skipped;
  v->event = out.skipped ? "attempt_skipped_current" : "attempt_succeeded";
}

// A cancellation after the deadline is the watchdog's: the attempt timed out.
Status AsTimeout(const TaskRecord& running, Status err, const AttemptContext& context) {
  if (err.code() == StatusCode::kTimeout ||
      (err.code() == StatusCode::kCancelled && context.past_deadline && context.shutdown == RunShutdown::kNone)) {
    return Status::Timeout("dataset '" + running.dataset_id + "': attempt " + std::to_string(running.attempts) +
                           " exceeded the fleet timeout of " + FormatDuration(context.task_timeout) + " (" +
                           err.message() + ")");
  }
  return err;
}

void Failed(const TaskRecord& running, const Status& error, const AttemptContext& context, const RetryPolicy& retry,
            const std::function<double()>& unit_random, AttemptVerdict* v) {
  const Status err = AsTimeout(running, error, context);
  TaskRecord& next = v->next;
  next.last_error = err.ToString();
  v->detail["error"] = next.last_error;
  v->detail["retryable"] = err.retryable();
  v->level = "error";
  if (err.code() == StatusCode::kCancelled && context.shutdown == RunShutdown::kCancel) {
    next.state = TaskState::kCancelled;
    v->event = "attempt_cancelled";
  } else if (err.code() == StatusCode::kCancelled && context.shutdown != RunShutdown::kNone) {
    // Interrupted by the runner (SIGINT or a fatal store error): the attempt does not count.
    next.state = TaskState::kPending;
    next.attempts = std::max(0, next.attempts - 1);
    v->event = "attempt_interrupted";
    v->level = "warn";
  } else if (retry.ShouldRetry(err, next.attempts)) {
    auto delay = retry.NextDelay(next.attempts, unit_random());
    next.state = TaskState::kRetrying;
    next.next_attempt_ms = context.now_ms + delay.count();
    v->detail["retry_in_ms"] = delay.count();
    v->event = "attempt_failed_will_retry";
    v->level = "warn";
  } else if (err.retryable()) {
    next.state = TaskState::kNeedsAttention;
    v->event = "out_of_retries";
  } else {
    next.state = TaskState::kFailed;
    v->event = "attempt_failed_permanently";
  }
}

}  // namespace

AttemptVerdict ClassifyAttempt(const TaskRecord& running, const Result<TaskOutcome>& result,
                               const AttemptContext& context, const RetryPolicy& retry,
                               const std::function<double()>& unit_random) {
  AttemptVerdict v;
  v.next = running;
  v.next.runner.clear();
  v.next.lease_expires_ms = 0;
  v.next.finished_at = context.now_iso;
  v.next.duration_ms = static_cast<int64_t>(context.seconds * 1000);
  v.detail = {{"attempt", v.next.attempts}, {"seconds", context.seconds}};
  if (result.ok()) {
    Succeeded(*result, context.validate, &v);
  } else {
    Failed(running, result.status(), context, retry, unit_random, &v);
  }
  return v;
}

ValidationVerdict ClassifyValidation(const std::string& migration, const TaskRecord& validating,
                                     const Result<TaskValidation>& result, double seconds, RunShutdown shutdown,
                                     const RetryPolicy& retry) {
  ValidationVerdict v;
  TaskRecord& next = v.next;
  next = validating;
  v.detail = {{"attempt", next.attempts}, {"validation_seconds", seconds}};
  v.record.migration = migration;
  v.record.dataset_id = next.dataset_id;
  v.record.attempt = next.attempts;
  if (!result.ok()) {
    const Status& err = result.status();
    if (err.code() == StatusCode::kCancelled && shutdown != RunShutdown::kNone) {
      next.state = shutdown == RunShutdown::kCancel ? TaskState::kCancelled : TaskState::kPending;
      if (next.state == TaskState::kPending) next.attempts = std::max(0, next.attempts - 1);
      v.event = "validation_interrupted";
      v.level = "warn";
    } else {
      next.state = TaskState::kInvalid;
      next.last_error = "validation could not run: " + err.ToString();
      v.record.summary = next.last_error;
      v.event = "validation_error";
      v.level = "error";
    }
    v.detail["error"] = err.ToString();
  } else if (result->source_changed && retry.ShouldRetry(Status::IOError(result->summary), next.attempts)) {
    next.state = TaskState::kPending;
    next.last_error = result->summary;
    v.record.summary = result->summary;
    v.detail["source_changed"] = result->summary;
    v.event = "source_changed_rerun";
    v.level = "warn";
  } else if (result->source_changed) {
    next.state = TaskState::kNeedsAttention;
    next.last_error = "its source changed during each of " + std::to_string(next.attempts) +
                      " attempts and the retries (retries.max) are spent; the last: " + result->summary;
    v.record.summary = next.last_error;
    v.detail["source_changed"] = result->summary;
    v.event = "source_changed_out_of_retries";
    v.level = "error";
  } else if (result->passed) {
    next.state = TaskState::kValidated;
    v.record.passed = true;
    v.event = "validated";
  } else {
    next.state = TaskState::kInvalid;
    next.last_error = "validation failed: " + result->summary;
    v.record.summary = result->summary;
    v.detail["failed_checks"] = result->summary;
    v.event = "validation_failed";
    v.level = "error";
  }
  if (result.ok() && !result->report.empty()) v.record.report = result->report;
  v.save_record = !v.record.report.empty() || !v.record.summary.empty();
  return v;
}

}  // namespace gaggle
