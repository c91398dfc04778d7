#include "service/approval_operations.h"

#include "fleet/gate_pause.h"
#include "service/control_plane_test_util.h"

namespace gaggle::service {
namespace {

class ApprovalOperationsTest : public service_test::ControlPlaneBackendTest {
 protected:
  void SetUp() override {
    ControlPlaneBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ctx_.clock = &clock_;
    policy_.base_url = "https://gaggle.example/";
    policy_.ttl_seconds = 3600;
    StartMigration(3);
  }
  void PauseAtGate(int stage, const std::string& why) { SetRun(RunState::kPaused, StageGatePauseReason(stage, why)); }
  FakeClock clock_;
  ApprovalPolicy policy_;
};

TEST_P(ApprovalOperationsTest, AGatePauseGetsOneLinkWithUrlRoleAndExpiry) {
  auto none = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "a running migration asks for no approval";
  PauseAtGate(0, "row counts differ");
  auto link = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(link.ok() && link->has_value()) << link.status().ToString();
  EXPECT_EQ((*link)->stage, 0);
  EXPECT_EQ((*link)->role, Role::kOperator);
  EXPECT_EQ((*link)->expires_ms, clock_.NowMicros() / 1000 + 3600 * 1000);
  // Asking again returns the same link.
  auto again = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->id, (*link)->id);
  Event e = LastEvent();
  EXPECT_EQ(e.to_state, "approval-requested");
  EXPECT_NE(e.detail.find("https://gaggle.example/approvals/" + (*link)->id), std::string::npos);
  auto view = GetApproval(ctx_, policy_, (*link)->id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "open");
}

TEST_P(ApprovalOperationsTest, AnOperatorApprovesOnceByLinkAndTheRunResumes) {
  PauseAtGate(0, "row counts differ");
  auto link = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(link.ok() && link->has_value());
  const std::string id = (*link)->id;
  // A viewer may not; nothing changes.
  auto denied = ApproveByLink(ctx_, policy_, {id, "fine", Role::kViewer});
  EXPECT_EQ(denied.status().code(), StatusCode::kConflict);
  EXPECT_NE(denied.status().message().find("needs the operator role"), std::string::npos);
  EXPECT_EQ(Run().state, RunState::kPaused);
  EXPECT_EQ(ApproveByLink(ctx_, policy_, {id, "", Role::kOperator}).status().code(), StatusCode::kInvalidArgument);
  auto ok = ApproveByLink(ctx_, policy_, {id, "expected drift", Role::kOperator});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Run().state, RunState::kRunning);
  EXPECT_EQ(ok->approval.status, "used");
  auto approvals = store_->ListApprovals("m");
  ASSERT_TRUE(approvals.ok());
  ASSERT_EQ(approvals->size(), 1u);
  EXPECT_EQ((*approvals)[0].actor, "alice");
  // Used once: a second use is refused.
  EXPECT_EQ(ApproveByLink(ctx_, policy_, {id, "again", Role::kAdmin}).status().code(), StatusCode::kConflict);
  auto view = GetApproval(ctx_, policy_, id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "used");
  EXPECT_EQ(view->link.used_by, "alice");
}

TEST_P(ApprovalOperationsTest, AnExpiredLinkIsShownExpiredAndCannotBeUsed) {
  PauseAtGate(1, "checksum mismatch");
  auto link = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(link.ok() && link->has_value());
  clock_.Advance(std::chrono::hours(2));
  auto view = GetApproval(ctx_, policy_, (*link)->id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "expired");
  EXPECT_EQ(ApproveByLink(ctx_, policy_, {(*link)->id, "late", Role::kAdmin}).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Run().state, RunState::kPaused);
}

TEST_P(ApprovalOperationsTest, ALinkClosesWhenItsGateNoLongerWaits) {
  PauseAtGate(0, "row counts differ");
  auto link = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(link.ok() && link->has_value());
  SetRun(RunState::kRunning, "resumed by bob");
  auto view = GetApproval(ctx_, policy_, (*link)->id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "closed");
  EXPECT_EQ(ApproveByLink(ctx_, policy_, {(*link)->id, "x", Role::kAdmin}).status().code(), StatusCode::kConflict);
  // A new pause at the same gate asks anew.
  PauseAtGate(0, "row counts differ again");
  auto second = EnsureApprovalLink(ctx_, policy_, "m");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_NE((*second)->id, (*link)->id);
}

INSTANTIATE_CONTROL_PLANE_SUITE(ApprovalOperationsTest);

}  // namespace
}  // namespace gaggle::service
