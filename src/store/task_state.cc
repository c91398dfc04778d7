// Task state names and the task state machine's edges (see task_state.h).
#include "store/task_state.h"

#include <array>
#include <cstdint>

namespace gaggle {
namespace {

constexpr std::array<const char*, kNumTaskStates> kTaskStateNames = {
    "pending", "running",   "succeeded",   "failed",     "retrying",  "needs-attention",
    "paused",  "cancelled", "rolled-back", "validating", "validated", "invalid",
};

// kEdges[from] is a bit set of the states `from` may move to.
constexpr uint32_t Bit(TaskState s) { return 1u << static_cast<int>(s); }

constexpr std::array<uint32_t, kNumTaskStates> MakeEdges() {
  using S = TaskState;
  std::array<uint32_t, kNumTaskStates> e{};
  auto add = [&e](S from, uint32_t to) { e[static_cast<int>(from)] |= to; };
  add(S::kPending, Bit(S::kRunning) | Bit(S::kPaused) | Bit(S::kCancelled));
  add(S::kRetrying, Bit(S::kRunning) | Bit(S::kPaused) | Bit(S::kCancelled));
  add(S::kRunning, Bit(S::kSucceeded) | Bit(S::kRetrying) | Bit(S::kFailed) | Bit(S::kNeedsAttention) |
                       Bit(S::kCancelled) | Bit(S::kPending) | Bit(S::kValidating));
  // Validation: passed, failed, source changed (run again), or the runner died (run again).
  // A source that kept changing until the retries were spent needs attention.
  add(S::kValidating,
      Bit(S::kValidated) | Bit(S::kInvalid) | Bit(S::kPending) | Bit(S::kCancelled) | Bit(S::kNeedsAttention));
  add(S::kSucceeded, Bit(S::kValidating));
  add(S::kValidated, Bit(S::kRolledBack) | Bit(S::kPending));
  add(S::kInvalid, Bit(S::kPending) | Bit(S::kRolledBack) | Bit(S::kCancelled));
  // Resume / run again.
  for (S s : {S::kFailed, S::kNeedsAttention, S::kPaused, S::kCancelled, S::kRolledBack}) add(s, Bit(S::kPending));
  // Operators give up on what waits for them.
  for (S s : {S::kFailed, S::kNeedsAttention, S::kPaused}) add(s, Bit(S::kCancelled));
  for (S s : {S::kSucceeded, S::kFailed, S::kNeedsAttention}) add(s, Bit(S::kRolledBack));
  add(S::kSucceeded, Bit(S::kPending));  // its source changed: run it again
  return e;
}

constexpr std::array<uint32_t, kNumTaskStates> kEdges = MakeEdges();

}  // namespace

const char* TaskStateName(TaskState s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < kNumTaskStates ? kTaskStateNames[static_cast<size_t>(i)] : "unknown";
}

Result<TaskState> ParseTaskState(std::string_view name) {
  for (int i = 0; i < kNumTaskStates; ++i) {
    if (name == kTaskStateNames[static_cast<size_t>(i)]) return static_cast<TaskState>(i);
  }
  return Status::InvalidArgument("unknown task state '" + std::string(name) +
                                 "' (expected pending, running, succeeded, failed, retrying, needs-attention, "
                                 "paused, cancelled, rolled-back, validating, validated or invalid)");
}

bool IsAllowedTransition(TaskState from, TaskState to) {
  const int f = static_cast<int>(from), t = static_cast<int>(to);
  if (f < 0 || f >= kNumTaskStates || t < 0 || t >= kNumTaskStates) return false;
  return (kEdges[static_cast<size_t>(f)] & Bit(to)) != 0;
}

}  // namespace gaggle
