// The task state machine: the states a fleet task (store/fleet_records.h) moves
// through, and which moves are allowed (docs/fleet.md has the diagram too).
//
//   pending ──> running ──> validating ──> validated   (the agent succeeded; then its
//      ^  \        │              └────> invalid      validation passed or failed)
//      │   \       │  \───> succeeded                 (no validation: `gaggle transform`-style runs)
//      ^  \        │  \───> retrying ──> running (after the backoff)
//      │   \       │   \──> failed            (permanent error)
//      │    \      │    \─> needs-attention   (out of retries)
//      │     \     └──────> pending           (interrupted: runner died or stopped)
//      │      └──> paused / cancelled         (operator)
//      └── failed, needs-attention, paused, cancelled, rolled-back (resume / run again)
//   succeeded, validated, invalid ──> rolled-back (rollback); invalid ──> pending (resume)
//   validating ──> pending (its source changed since the agent ran: run it again)
//
// The state store refuses a transition that is not an edge (StateStore::TransitionTask).
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/status.h"

namespace gaggle {

enum class TaskState {
  kPending,
  kRunning,
  kSucceeded,
  kFailed,          // permanent error: retrying cannot help
  kRetrying,        // retryable error; waits for next_attempt_ms
  kNeedsAttention,  // out of retries
  kPaused,          // held by an operator
  kCancelled,
  kRolledBack,
  kValidating,  // the agent succeeded; its output is being validated
  kValidated,   // the output passed validation: the dataset is done
  kInvalid,     // the output failed validation (see its validation record)
};
inline constexpr int kNumTaskStates = 12;

// "pending", "running", ..., "needs-attention", "rolled-back", "validating", ...
const char* TaskStateName(TaskState s);
Result<TaskState> ParseTaskState(std::string_view name);
// True when `from -> to` is an edge of the state machine above.
bool IsAllowedTransition(TaskState from, TaskState to);
// No runner will pick it up without an operator (or a later `run`) acting.
inline bool IsSettled(TaskState s) {
  return s == TaskState::kSucceeded || s == TaskState::kFailed || s == TaskState::kNeedsAttention ||
         s == TaskState::kCancelled || s == TaskState::kRolledBack || s == TaskState::kPaused ||
         s == TaskState::kValidated || s == TaskState::kInvalid;
}
// Migrated and (when validated) proven: downstream datasets may start.
inline bool IsDone(TaskState s) { return s == TaskState::kSucceeded || s == TaskState::kValidated; }
// Waiting for a human: failed, needs-attention or invalid.
inline bool NeedsOperator(TaskState s) {
  return s == TaskState::kFailed || s == TaskState::kNeedsAttention || s == TaskState::kInvalid;
}

}  // namespace gaggle
