#include "service/control_operations.h"

#include <gtest/gtest.h>

#include "service/service_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ServiceTest;

TEST_F(ServiceTest, AnUnknownMigrationIsNotFoundAndNamesTheKnownOnes) {
  StartMigration(1);
  auto r = PauseMigration(ctx_, {"nope", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("known: m"), std::string::npos) << r.status().message();
}

TEST_F(ServiceTest, PauseHoldsTheRunOrOnlyTheNamedWaitingDatasets) {
  StartMigration(3);
  Walk("d1", {TaskState::kRunning});
  auto some = PauseMigration(ctx_, {"m", {"d0", "d1"}, ""});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_FALSE(some->whole_run);
  EXPECT_EQ(some->datasets_paused, 1);  // d1 is running: it finishes its attempt
  EXPECT_EQ(Task("d0").state, TaskState::kPaused);
  EXPECT_EQ(Task("d1").state, TaskState::kRunning);
  EXPECT_EQ(Task("d2").state, TaskState::kPending);
  EXPECT_EQ(Run().state, RunState::kRunning);

  ASSERT_TRUE(PauseMigration(ctx_, {"m", {}, ""}).ok());
  EXPECT_EQ(Run().state, RunState::kPaused);
  EXPECT_EQ(Run().state_reason, "paused by alice");
}

TEST_F(ServiceTest, ResumeRequeuesNeedsAttentionWorkWithAFreshBudgetAndUnpauses) {
  StartMigration(3);
  Walk("d0", {TaskState::kRunning, TaskState::kRetrying, TaskState::kRunning, TaskState::kNeedsAttention});
  Walk("d1", {TaskState::kRunning, TaskState::kFailed});
  Walk("d2", {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated});
  ASSERT_EQ(Task("d0").attempts, 2);
  SetRun(RunState::kPaused, "paused by bob");

  auto r = ResumeMigration(ctx_, {"m", {}, ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->requeued, 2);
  EXPECT_EQ(r->state, RunState::kRunning);
  EXPECT_FALSE(r->runner_alive);
  EXPECT_EQ(Task("d0").state, TaskState::kPending);
  EXPECT_EQ(Task("d0").attempts, 0);
  EXPECT_EQ(Task("d1").state, TaskState::kPending);
  EXPECT_EQ(Task("d2").state, TaskState::kValidated);  // done work is never redone
  EXPECT_GT(Run().requeue_seq, 0);
}

TEST_F(ServiceTest, ResumeRunsACompletedMigrationAgainOnlyWhenSomethingWasRequeued) {
  StartMigration(2);
  Walk("d0", {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated});
  Walk("d1", {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated});
  SetRun(RunState::kCompleted, "done");
  auto nothing = ResumeMigration(ctx_, {"m", {}, ""});
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->requeued, 0);
  EXPECT_EQ(Run().state, RunState::kCompleted);
}

TEST_F(ServiceTest, CancelStopsWaitingTasksAndTheOrphansOfADeadRunner) {
  StartMigration(3);
  Walk("d0", {TaskState::kRunning});  // no runner holds the lease: an orphan
  Walk("d1", {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated});
  auto r = CancelMigration(ctx_, {"m", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cancelled, 2);
  EXPECT_EQ(Task("d0").state, TaskState::kCancelled);
  EXPECT_EQ(Task("d1").state, TaskState::kValidated);
  EXPECT_EQ(Task("d2").state, TaskState::kCancelled);
  EXPECT_EQ(Run().state, RunState::kCancelled);
  EXPECT_EQ(Run().state_reason, "cancelled by alice");
}

TEST_F(ServiceTest, ConcurrencyBelowOneIsRefusedAndChangesNothing) {
  StartMigration(1);
  auto bad = SetConcurrency(ctx_, {"m", 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run().concurrency, 2);
  auto ok = SetConcurrency(ctx_, {"m", 7});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->from, 2);
  EXPECT_EQ(ok->to, 7);
  EXPECT_EQ(Run().concurrency, 7);
}

}  // namespace
}  // namespace gaggle::service
