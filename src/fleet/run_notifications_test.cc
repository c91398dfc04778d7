#include "fleet/run_notifications.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

StageCounts Counts(int64_t validated, int64_t failed, int64_t pending) {
  StageCounts c;
  c.stage = 1;
  c.by_state[static_cast<int>(TaskState::kValidated)] = validated;
  c.by_state[static_cast<int>(TaskState::kFailed)] = failed;
  c.by_state[static_cast<int>(TaskState::kPending)] = pending;
  c.rows_out = 980;
  return c;
}

TEST(RunNotificationsTest, StageTexts) {
  Notification started = StageStartedNotification(1, Counts(2, 0, 8));
  EXPECT_EQ(started.event, "stage_started");
  EXPECT_EQ(started.text, "stage 1 started (10 datasets, 2 already done)");
  Notification finished = StageFinishedNotification(1, Counts(7, 1, 2));
  EXPECT_EQ(finished.text, "stage 1 finished: 7/10 done, 1 need attention, 2 blocked by upstreams");
  EXPECT_EQ(finished.fields["rows_out"], 980);
  EXPECT_EQ(StageFinishedNotification(1, Counts(10, 0, 0)).text, "stage 1 finished: 10/10 done");
}

TEST(RunNotificationsTest, TaskAndOperatorTexts) {
  TaskRecord t;
  t.dataset_id = "orders";
  t.state = TaskState::kNeedsAttention;
  t.attempts = 4;
  t.stage = 2;
  t.last_error = "IOError: flaky";
  Notification n = NeedsAttentionNotification(t, "/logs/orders.jsonl");
  EXPECT_EQ(n.event, "needs_attention");
  EXPECT_EQ(n.text, "dataset `orders` needs-attention after 4 attempts: IOError: flaky");
  EXPECT_EQ(n.fields["log"], "/logs/orders.jsonl");
  t.attempts = 1;
  EXPECT_NE(NeedsAttentionNotification(t, "").text.find("after 1 attempt:"), std::string::npos);
  EXPECT_EQ(PausedNotification("").text, "paused");
  EXPECT_EQ(PausedNotification("lunch").text, "paused: lunch");
  EXPECT_EQ(CancelledNotification("wrong spec").text, "cancelled: wrong spec");
}

TEST(RunNotificationsTest, GateAndCompletionTexts) {
  EXPECT_EQ(GatePausedNotification(0, "x", {}).text, "paused by the stage 0 gate: x");
  EXPECT_EQ(FinalGatePausedNotification("1 query differs", {}).text,
            "paused by the final verification: 1 query differs");
  EXPECT_EQ(AutoRollbackCancelReason(1, "2 invalid"), "stage 1 rolled back (rollout.auto_rollback): 2 invalid");
  RollbackReport report;
  report.rolled_back = 3;
  report.quarantine_dir = "/q";
  EXPECT_EQ(RolledBackNotification(1, report).text,
            "stage 1 rolled back automatically: 3 datasets, outputs quarantined in /q");

  FleetRunSummary summary;
  TaskRecord bad;
  bad.dataset_id = "d2";
  bad.state = TaskState::kFailed;
  summary.attention.push_back(bad);
  summary.blocked.emplace_back("d3", "d2");
  nlohmann::json gate = {{"summary", "2 datasets cut over"}, {"cut_over", {{"datasets", 2}}}};
  std::string reason = CompletionReason(3, 5, summary, gate);
  EXPECT_EQ(reason, "3 of 5 datasets migrated, 1 need attention, 1 blocked by them; 2 datasets cut over");
  Notification done = CompletedNotification(reason, 3, 5, summary, gate);
  EXPECT_EQ(done.text, "completed: " + reason);
  EXPECT_EQ(done.fields["needs_attention"][0]["dataset"], "d2");
  EXPECT_EQ(done.fields["cut_over"]["datasets"], 2);
  EXPECT_EQ(CompletionReason(5, 5, FleetRunSummary{}, nullptr), "5 of 5 datasets migrated");
}

}  // namespace
}  // namespace gaggle
