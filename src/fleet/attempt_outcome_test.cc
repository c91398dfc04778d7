#include "fleet/attempt_outcome.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

using namespace std::chrono_literals;

TaskRecord Running(int attempts) {
  TaskRecord t;
  t.migration = "m1";
  t.dataset_id = "d0";
  t.state = TaskState::kRunning;
  t.attempts = attempts;
  t.runner = "host:1:2";
  t.lease_expires_ms = 99;
  return t;
}

RetryPolicy Retries(int max) {
  RetrySpec r;
  r.max = max;
  r.initial = 1000ms;
  r.factor = 2;
  r.jitter = RetrySpec::Jitter::kNone;
  return RetryPolicy(r);
}

// One row per way an agent attempt can end.
struct AttemptCase {
  const char* name;
  int attempts;
  Result<TaskOutcome> result;
  bool past_deadline;
  RunShutdown shutdown;
  TaskState want_state;
  const char* want_event;
  int want_attempts;
  const char* want_error_part;  // "" when the attempt left no error
};

TEST(AttemptOutcomeTest, ClassifiesEveryWayAnAttemptEnds) {
  const AttemptCase cases[] = {
      {"success", 1, TaskOutcome{}, false, RunShutdown::kNone, TaskState::kValidating, "attempt_succeeded", 1, ""},
      {"retryable, retries left", 1, Status::IOError("disk hiccup"), false, RunShutdown::kNone, TaskState::kRetrying,
       "attempt_failed_will_retry", 1, "disk hiccup"},
      {"retryable, out of retries", 3, Status::IOError("disk hiccup"), false, RunShutdown::kNone,
       TaskState::kNeedsAttention, "out_of_retries", 3, "disk hiccup"},
      {"permanent", 1, Status::SchemaMismatch("bad schema"), false, RunShutdown::kNone, TaskState::kFailed,
       "attempt_failed_permanently", 1, "bad schema"},
      {"token deadline", 1, Status::Timeout("d0: timed out"), false, RunShutdown::kNone, TaskState::kRetrying,
       "attempt_failed_will_retry", 1, "exceeded the fleet timeout of 30m"},
      {"watchdog cancel after the deadline", 1, Status::Cancelled("d0: cancelled"), true, RunShutdown::kNone,
       TaskState::kRetrying, "attempt_failed_will_retry", 1, "exceeded the fleet timeout"},
      {"operator cancel", 1, Status::Cancelled("d0: cancelled"), false, RunShutdown::kCancel, TaskState::kCancelled,
       "attempt_cancelled", 1, "cancelled"},
      {"SIGINT does not spend the attempt", 2, Status::Cancelled("d0: cancelled"), true, RunShutdown::kInterrupt,
       TaskState::kPending, "attempt_interrupted", 1, "cancelled"},
  };
  for (const AttemptCase& c : cases) {
    SCOPED_TRACE(c.name);
    AttemptContext ctx;
    ctx.seconds = 1.5;
    ctx.past_deadline = c.past_deadline;
    ctx.shutdown = c.shutdown;
    ctx.task_timeout = 30min;
    ctx.now_ms = 1000000;
    ctx.now_iso = "2024-05-01T00:00:00.000Z";
    int draws = 0;
    AttemptVerdict v = ClassifyAttempt(Running(c.attempts), c.result, ctx, Retries(2), [&draws] {
      ++draws;
      return 0.5;
    });
    EXPECT_EQ(v.next.state, c.want_state);
    EXPECT_EQ(v.event, c.want_event);
    EXPECT_EQ(v.next.attempts, c.want_attempts);
    EXPECT_EQ(v.next.runner, "");
    EXPECT_EQ(v.next.lease_expires_ms, 0);
    EXPECT_EQ(v.next.finished_at, "2024-05-01T00:00:00.000Z");
    EXPECT_EQ(v.next.duration_ms, 1500);
    EXPECT_EQ(v.detail["attempt"], c.attempts);
    EXPECT_NE(v.next.last_error.find(c.want_error_part), std::string::npos) << v.next.last_error;
    EXPECT_EQ(v.next.last_error.empty(), std::string(c.want_error_part).empty());
    // The randomness is drawn only for a retry, so a seeded run replays the same delays.
    EXPECT_EQ(draws, c.want_state == TaskState::kRetrying ? 1 : 0);
    if (c.want_state == TaskState::kRetrying) {
      EXPECT_EQ(v.next.next_attempt_ms, 1000000 + 1000 * (1 << (c.attempts - 1)));
      EXPECT_EQ(v.detail["retry_in_ms"], 1000 * (1 << (c.attempts - 1)));
    }
  }
}

TEST(AttemptOutcomeTest, ASuccessCarriesItsCountsAndSucceedsWithoutValidation) {
  TaskOutcome out;
  out.skipped = true;
  out.rows_in = 10;
  out.rows_out = 8;
  out.dead_lettered = 1;
  out.filtered = 1;
  out.bytes_out = 4096;
  TaskRecord running = Running(1);
  running.last_error = "an earlier failure";
  AttemptContext ctx;
  ctx.validate = false;
  AttemptVerdict v = ClassifyAttempt(running, out, ctx, Retries(2), [] { return 0.0; });
  EXPECT_EQ(v.next.state, TaskState::kSucceeded);
  EXPECT_EQ(v.event, "attempt_skipped_current");
  EXPECT_EQ(v.next.rows_out, 8);
  EXPECT_EQ(v.next.bytes_out, 4096);
  EXPECT_EQ(v.next.last_error, "");
  EXPECT_EQ(v.detail["dead_lettered"], 1);
  EXPECT_EQ(v.level, "info");
}

TEST(AttemptOutcomeTest, ClassifiesEveryWayAValidationEnds) {
  TaskRecord validating = Running(2);
  validating.state = TaskState::kValidating;
  struct Case {
    const char* name;
    Result<TaskValidation> result;
    RunShutdown shutdown;
    TaskState want_state;
    const char* want_event;
    bool want_saved;
  };
  TaskValidation passed;
  passed.report = "{\"checks\":[]}";
  TaskValidation failed;
  failed.passed = false;
  failed.summary = "checksum, row_count";
  TaskValidation stale;
  stale.passed = false;
  stale.source_changed = true;
  stale.summary = "source changed since the agent ran";
  const Case cases[] = {
      {"passed", passed, RunShutdown::kNone, TaskState::kValidated, "validated", true},
      {"passed without a report", TaskValidation{}, RunShutdown::kNone, TaskState::kValidated, "validated", false},
      {"failed", failed, RunShutdown::kNone, TaskState::kInvalid, "validation_failed", true},
      {"source changed", stale, RunShutdown::kNone, TaskState::kPending, "source_changed_rerun", true},
      {"could not run", Status::IOError("gone"), RunShutdown::kNone, TaskState::kInvalid, "validation_error", true},
      {"cancelled", Status::Cancelled("x"), RunShutdown::kCancel, TaskState::kCancelled, "validation_interrupted",
       false},
      {"interrupted", Status::Cancelled("x"), RunShutdown::kInterrupt, TaskState::kPending, "validation_interrupted",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ValidationVerdict v = ClassifyValidation("m1", validating, c.result, 0.25, c.shutdown, Retries(3));
    EXPECT_EQ(v.next.state, c.want_state);
    EXPECT_EQ(v.event, c.want_event);
    EXPECT_EQ(v.save_record, c.want_saved);
    EXPECT_EQ(v.record.migration, "m1");
    EXPECT_EQ(v.record.attempt, 2);
    EXPECT_EQ(v.record.passed, c.want_state == TaskState::kValidated);
    EXPECT_EQ(v.next.attempts, std::string(c.name) == "interrupted" ? 1 : 2);
  }
  // Issue 20, case 17: a source that changed on every attempt spends the retries, then
  // needs attention with the reason instead of re-running without bound.
  ValidationVerdict spent = ClassifyValidation("m1", validating, stale, 0.25, RunShutdown::kNone, Retries(1));
  EXPECT_EQ(spent.next.state, TaskState::kNeedsAttention);
  EXPECT_EQ(spent.event, "source_changed_out_of_retries");
  EXPECT_NE(spent.next.last_error.find("source changed during each of 2 attempts"), std::string::npos)
      << spent.next.last_error;
}

}  // namespace
}  // namespace gaggle
