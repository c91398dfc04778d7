#include "store/task_state.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "store/fleet_records.h"

namespace gaggle {
namespace {

using S = TaskState;

TEST(TaskState, NamesRoundTrip) {
  const char* names[] = {"pending", "running",   "succeeded",   "failed",     "retrying",  "needs-attention",
                         "paused",  "cancelled", "rolled-back", "validating", "validated", "invalid"};
  for (int i = 0; i < kNumTaskStates; ++i) {
    S s = static_cast<S>(i);
    EXPECT_STREQ(TaskStateName(s), names[i]);
    auto parsed = ParseTaskState(names[i]);
    ASSERT_TRUE(parsed.ok()) << names[i];
    EXPECT_EQ(*parsed, s);
  }
  for (const char* bad : {"", "Pending", "needs_attention", "rolledback", "pending "}) {
    auto r = ParseTaskState(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("unknown task state '" + std::string(bad) + "'"), std::string::npos);
  }
  EXPECT_STREQ(TaskStateName(static_cast<S>(42)), "unknown");
}

TEST(TaskState, RunStateNamesRoundTrip) {
  const char* names[] = {"running", "paused", "cancelled", "completed"};
  for (int i = 0; i < 4; ++i) {
    RunState s = static_cast<RunState>(i);
    EXPECT_STREQ(RunStateName(s), names[i]);
    auto parsed = ParseRunState(names[i]);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(ParseRunState("pending").ok());
  EXPECT_FALSE(ParseRunState("").ok());
}

// Every one of the 144 (from, to) pairs against the diagram in task_state.h.
TEST(TaskState, AllowedTransitionsAreExactlyTheDiagram) {
  const std::set<std::pair<S, S>> edges = {
      {S::kPending, S::kRunning},
      {S::kPending, S::kPaused},
      {S::kPending, S::kCancelled},
      {S::kRetrying, S::kRunning},
      {S::kRetrying, S::kPaused},
      {S::kRetrying, S::kCancelled},
      {S::kRunning, S::kSucceeded},
      {S::kRunning, S::kRetrying},
      {S::kRunning, S::kFailed},
      {S::kRunning, S::kNeedsAttention},
      {S::kRunning, S::kCancelled},
      {S::kRunning, S::kPending},
      {S::kFailed, S::kPending},
      {S::kNeedsAttention, S::kPending},
      {S::kPaused, S::kPending},
      {S::kCancelled, S::kPending},
      {S::kRolledBack, S::kPending},
      {S::kFailed, S::kCancelled},
      {S::kNeedsAttention, S::kCancelled},
      {S::kPaused, S::kCancelled},
      {S::kSucceeded, S::kRolledBack},
      {S::kFailed, S::kRolledBack},
      {S::kNeedsAttention, S::kRolledBack},
      {S::kSucceeded, S::kPending},
      {S::kRunning, S::kValidating},
      {S::kSucceeded, S::kValidating},
      {S::kValidating, S::kValidated},
      {S::kValidating, S::kInvalid},
      {S::kValidating, S::kPending},
      {S::kValidating, S::kCancelled},
      {S::kValidating, S::kNeedsAttention},
      {S::kValidated, S::kRolledBack},
      {S::kValidated, S::kPending},
      {S::kInvalid, S::kPending},
      {S::kInvalid, S::kRolledBack},
      {S::kInvalid, S::kCancelled},
  };
  int allowed = 0;
  for (int f = 0; f < kNumTaskStates; ++f) {
    for (int t = 0; t < kNumTaskStates; ++t) {
      S from = static_cast<S>(f), to = static_cast<S>(t);
      bool want = edges.count({from, to}) > 0;
      EXPECT_EQ(IsAllowedTransition(from, to), want) << TaskStateName(from) << " -> " << TaskStateName(to);
      allowed += IsAllowedTransition(from, to) ? 1 : 0;
    }
  }
  EXPECT_EQ(allowed, 36);
  for (int i = 0; i < kNumTaskStates; ++i) {
    EXPECT_FALSE(IsAllowedTransition(static_cast<S>(i), static_cast<S>(i))) << "self edge " << i;
  }
  EXPECT_FALSE(IsAllowedTransition(static_cast<S>(-1), S::kPending));
  EXPECT_FALSE(IsAllowedTransition(S::kPending, static_cast<S>(kNumTaskStates)));
}

TEST(TaskState, SettledAndOperatorStates) {
  EXPECT_FALSE(IsSettled(S::kPending));
  EXPECT_FALSE(IsSettled(S::kRunning));
  EXPECT_FALSE(IsSettled(S::kRetrying));
  EXPECT_TRUE(IsSettled(S::kSucceeded));
  EXPECT_TRUE(IsSettled(S::kPaused));
  EXPECT_TRUE(NeedsOperator(S::kFailed));
  EXPECT_TRUE(NeedsOperator(S::kNeedsAttention));
  EXPECT_FALSE(NeedsOperator(S::kCancelled));
  EXPECT_FALSE(IsSettled(S::kValidating));
  EXPECT_TRUE(IsSettled(S::kValidated));
  EXPECT_TRUE(IsSettled(S::kInvalid));
  EXPECT_TRUE(NeedsOperator(S::kInvalid));
  EXPECT_TRUE(IsDone(S::kValidated));
  EXPECT_TRUE(IsDone(S::kSucceeded));
  EXPECT_FALSE(IsDone(S::kValidating));
}

}  // namespace
}  // namespace gaggle
