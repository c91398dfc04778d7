#include "service/gate_operations.h"

#include <gtest/gtest.h>

#include "fleet/gate_pause.h"
#include "fleet/runner_identity.h"
#include "service/service_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ServiceTest;

size_t Approvals(StateStore* store) {
  auto a = store->ListApprovals("m");
  EXPECT_TRUE(a.ok());
  return a.ok() ? a->size() : 0;
}

TEST_F(ServiceTest, ApproveUnpausesARunPausedByThatGate) {
  StartMigration(2);
  SetRun(RunState::kPaused, StageGatePauseReason(1, "stage 1 gate failed at its end: 1 of 2 datasets failing"));
  auto r = Approve(ctx_, {"m", 1, false, "known bad partition"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->what, "stage 1");
  EXPECT_EQ(Run().state, RunState::kRunning);
  auto approvals = store_->ListApprovals("m");
  ASSERT_TRUE(approvals.ok());
  ASSERT_EQ(approvals->size(), 1u);
  EXPECT_EQ((*approvals)[0].stage, 1);
  EXPECT_EQ((*approvals)[0].actor, "alice");
  EXPECT_EQ((*approvals)[0].reason, "known bad partition");
}

TEST_F(ServiceTest, ApproveRefusesARunAnOperatorPausedAndLeavesItPaused) {
  StartMigration(2);
  SetRun(RunState::kPaused, "paused by bob: maintenance window");
  auto r = Approve(ctx_, {"m", 0, false, "go"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_NE(r.status().message().find("by an operator"), std::string::npos) << r.status().message();
  EXPECT_EQ(Run().state, RunState::kPaused);
  EXPECT_EQ(Approvals(store_.get()), 0u);
}

TEST_F(ServiceTest, ApproveRefusesAStageThatHasNotFailedOrDoesNotExist) {
  StartMigration(2);
  for (int stage : {0, 999}) {
    auto r = Approve(ctx_, {"m", stage, false, "pre-approve"});
    ASSERT_FALSE(r.ok()) << stage;
    EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  }
  SetRun(RunState::kPaused, StageGatePauseReason(0, "stage 0 gate failed"));
  auto other = Approve(ctx_, {"m", 1, false, "wrong stage"});
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("stage 0 (approve that one)"), std::string::npos) << other.status().message();
  EXPECT_EQ(Approvals(store_.get()), 0u);
}

TEST_F(ServiceTest, TheFinalGateIsApprovedOnlyAtTheFinalGate) {
  StartMigration(1);
  SetRun(RunState::kPaused, StageGatePauseReason(0, "stage 0 gate failed"));
  EXPECT_FALSE(Approve(ctx_, {"m", -1, true, "cut over"}).ok());
  SetRun(RunState::kPaused, FinalGatePauseReason("1 of 2 consumer queries differ"));
  EXPECT_FALSE(Approve(ctx_, {"m", 0, false, "wrong gate"}).ok());
  auto r = Approve(ctx_, {"m", -1, true, "the difference is the planted fix"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stage, kFinalGateStage);
  EXPECT_EQ(Run().state, RunState::kRunning);
}

TEST_F(ServiceTest, ApproveNeedsAReasonAndExactlyOneGate) {
  StartMigration(1);
  SetRun(RunState::kPaused, StageGatePauseReason(0, "stage 0 gate failed"));
  EXPECT_EQ(Approve(ctx_, {"m", 0, false, ""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Approve(ctx_, {"m", 0, true, "both"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Approve(ctx_, {"m", -1, false, "neither"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run().state, RunState::kPaused);
}

TEST_F(ServiceTest, RollbackIsRefusedWhileALiveRunnerRunsTheMigration) {
  StartMigration(2);
  Walk("d0", {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated});
  ASSERT_TRUE(store_->ClaimRunner("m", CurrentRunnerIdentity(), UnixMillis(), 60000, nullptr).ok());
  auto r = Rollback(ctx_, {"m", {}, -1, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(Task("d0").state, TaskState::kValidated);
  EXPECT_EQ(Run().state, RunState::kRunning);

  // Paused, the same runner's tasks may be rolled back; the run is then cancelled.
  SetRun(RunState::kPaused, "paused by bob");
  auto ok = Rollback(ctx_, {"m", {"d0"}, -1, "bad output"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->report.rolled_back, 1);
  EXPECT_EQ(Task("d0").state, TaskState::kRolledBack);
  EXPECT_EQ(Run().state, RunState::kCancelled);
}

TEST(GatePause, TheMarkerIsReadBackOnlyFromAPausedRun) {
  MigrationRun run;
  run.state = RunState::kPaused;
  run.state_reason = StageGatePauseReason(12, "stage 12 gate failed");
  EXPECT_EQ(PausedAtGate(run), 12);
  run.state_reason = FinalGatePauseReason("2 of 9 consumer queries differ");
  EXPECT_EQ(PausedAtGate(run), kFinalGateStage);
  run.state = RunState::kRunning;
  EXPECT_EQ(PausedAtGate(run), std::nullopt);
  run.state = RunState::kPaused;
  for (const char* reason : {"paused by bob", "", "`gaggle approve --stage x` to go on",
                             "`gaggle approve --stage ` to go on", "approve --stage 3` to go on"}) {
    run.state_reason = reason;
    EXPECT_EQ(PausedAtGate(run), std::nullopt) << reason;
  }
}

}  // namespace
}  // namespace gaggle::service
