#include "service/run_coordinator.h"

#include "fleet/runner_identity.h"
#include "service/control_plane_test_util.h"
#include "service/migration_operations.h"

namespace gaggle::service {
namespace {

using RunCoordinatorTest = service_test::ControlPlaneTest;

TEST_F(RunCoordinatorTest, AMigrationAnotherRunnerDrivesIsRefusedAndNothingChanges) {
  StartMigration(3);
  // A `gaggle run` on another host holds the lease.
  auto claimed =
      store_->ClaimRunner("m", "otherhost:4242:1", UnixMillis(), 60000, [](const std::string&) { return false; });
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  RunCoordinator runs(ctx_, ApprovalPolicy{});
  auto started = runs.Start("m", "ops");
  EXPECT_EQ(started.status().code(), StatusCode::kConflict);
  EXPECT_NE(started.status().message().find("otherhost:4242:1"), std::string::npos) << started.status().message();
  EXPECT_FALSE(runs.Drives("m"));
  EXPECT_TRUE(runs.List().empty());
  EXPECT_EQ(Run().runner, "otherhost:4242:1");
}

TEST_F(RunCoordinatorTest, UnknownMigrationsAreNotFound) {
  RunCoordinator runs(ctx_, ApprovalPolicy{});
  EXPECT_EQ(runs.Start("nope", "ops").status().code(), StatusCode::kNotFound);
}

TEST_F(RunCoordinatorTest, ARunThatCannotStartEndsWithItsErrorAndIsNotDrivenAnyMore) {
  StartMigration(2);  // its spec file m.yaml does not exist
  RunCoordinator runs(ctx_, ApprovalPolicy{});
  auto started = runs.Start("m", "ops");
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_TRUE(runs.Wait("m", 10000));
  auto list = runs.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].finished);
  EXPECT_NE(list[0].outcome.find("m.yaml"), std::string::npos) << list[0].outcome;
  EXPECT_EQ(list[0].started_by, "ops");
}

TEST_F(RunCoordinatorTest, StartingTakesACreatedMigrationOutOfItsHoldButNotAnOperatorsPause) {
  StartMigration(2);
  MigrationRunUpdate hold;
  hold.state = RunState::kPaused;
  hold.state_reason = "created by alice; not started (start it from the API, or `gaggle resume` then `gaggle run`)";
  ASSERT_TRUE(store_->UpdateRun("m", hold, "alice", "created").ok());
  EXPECT_TRUE(IsCreatedNotStarted(Run()));
  auto run = PrepareStart(ctx_, "m");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, RunState::kRunning);
  SetRun(RunState::kPaused, "paused by bob");
  run = PrepareStart(ctx_, "m");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, RunState::kPaused) << "starting is not resuming";
}

}  // namespace
}  // namespace gaggle::service
