#include "fleet/run_notifications.h"

namespace gaggle {
namespace {

Notification Make(const std::string& event, const std::string& text, nlohmann::json fields) {
  Notification n;
  n.event = event;
  n.text = text;
  n.fields = std::move(fields);
  return n;
}

std::string WithReason(const std::string& what, const std::string& reason) {
  return what + (reason.empty() ? "" : ": " + reason);
}

}  // namespace

Notification StageStartedNotification(int stage, const StageCounts& c) {
  return Make("stage_started",
              "stage " + std::to_string(stage) + " started (" + std::to_string(c.total()) + " datasets, " +
                  std::to_string(c.done()) + " already done)",
              {{"stage", stage}, {"datasets", c.total()}, {"already_done", c.done()}});
}

Notification StageFinishedNotification(int stage, const StageCounts& c) {
  const int64_t waiting = c.count(TaskState::kPending) + c.count(TaskState::kRetrying);
  const int64_t attention = c.count(TaskState::kFailed) + c.count(TaskState::kNeedsAttention);
  return Make("stage_finished",
              "stage " + std::to_string(stage) + " finished: " + std::to_string(c.done()) + "/" +
                  std::to_string(c.total()) + " done" +
                  (attention ? ", " + std::to_string(attention) + " need attention" : "") +
                  (waiting ? ", " + std::to_string(waiting) + " blocked by upstreams" : ""),
              {{"stage", stage},
               {"datasets", c.total()},
               {"done", c.done()},
               {"needs_attention", attention},
               {"blocked", waiting},
               {"rows_out", c.rows_out},
               {"dead_lettered", c.dead_lettered}});
}

Notification NeedsAttentionNotification(const TaskRecord& r, const std::string& log_path) {
  return Make("needs_attention",
              "dataset `" + r.dataset_id + "` " + TaskStateName(r.state) + " after " + std::to_string(r.attempts) +
                  " attempt" + (r.attempts == 1 ? "" : "s") + ": " + r.last_error,
              {{"dataset", r.dataset_id},
               {"state", TaskStateName(r.state)},
               {"attempts", r.attempts},
               {"error", r.last_error},
               {"stage", r.stage},
               {"log", log_path}});
}

Notification PausedNotification(const std::string& reason) {
  return Make("paused", WithReason("paused", reason), {{"reason", reason}});
}

Notification CancelledNotification(const std::string& reason) {
  return Make("cancelled", WithReason("cancelled", reason), {{"reason", reason}});
}

Notification GateFailedNotification(const std::string& summary, const nlohmann::json& detail) {
  return Make("gate_failed", summary, detail);
}

Notification GatePausedNotification(int stage, const std::string& summary, const nlohmann::json& detail) {
  return Make("paused", "paused by the stage " + std::to_string(stage) + " gate: " + summary, detail);
}

Notification FinalGateFailedNotification(const std::string& summary, const nlohmann::json& detail) {
  return Make("verification_failed", summary, detail);
}

Notification FinalGatePausedNotification(const std::string& summary, const nlohmann::json& detail) {
  return Make("paused", "paused by the final verification: " + summary, detail);
}

std::string AutoRollbackRequestReason(const std::string& why) { return "rollout.auto_rollback: " + why; }

std::string AutoRollbackCancelReason(int stage, const std::string& why) {
  return "stage " + std::to_string(stage) + " rolled back (rollout.auto_rollback): " + why;
}

Notification RolledBackNotification(int stage, const RollbackReport& report) {
  return Make("rolled_back",
              "stage " + std::to_string(stage) + " rolled back automatically: " + std::to_string(report.rolled_back) +
                  " datasets, outputs quarantined in " + report.quarantine_dir,
              {{"stage", stage}, {"rolled_back", report.rolled_back}, {"quarantine", report.quarantine_dir}});
}

std::string CompletionReason(int64_t done, int64_t datasets, const FleetRunSummary& summary,
                             const nlohmann::json& final_gate) {
  const int64_t attention = static_cast<int64_t>(summary.attention.size());
  std::string reason = std::to_string(done) + " of " + std::to_string(datasets) + " datasets migrated";
  if (attention) reason += ", " + std::to_string(attention) + " need attention";
  if (!summary.blocked.empty()) reason += ", " + std::to_string(summary.blocked.size()) + " blocked by them";
  if (final_gate.is_object() && final_gate.contains("summary")) {
    reason += "; " + final_gate["summary"].get<std::string>();
  }
  return reason;
}

Notification CompletedNotification(const std::string& reason, int64_t done, int64_t datasets,
                                   const FleetRunSummary& summary, const nlohmann::json& final_gate) {
  nlohmann::json attention = nlohmann::json::array();
  for (const TaskRecord& t : summary.attention) {
    attention.push_back({{"dataset", t.dataset_id}, {"state", TaskStateName(t.state)}, {"error", t.last_error}});
  }
  nlohmann::json fields = {{"datasets", datasets},         {"succeeded", done},
                           {"needs_attention", attention}, {"blocked", summary.blocked.size()},
                           {"rows_out", summary.rows_out}, {"dead_lettered", summary.dead_lettered},
                           {"retries", summary.retries}};
  // The final gate's findings: verification, cut-over, per-consumer patches.
  if (final_gate.is_object()) {
    for (auto& [key, value] : final_gate.items()) fields[key] = value;
  }
  return Make("completed", "completed: " + reason, std::move(fields));
}

}  // namespace gaggle
