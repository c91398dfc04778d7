// Run notifications: the words a fleet run says to people — the notifications
// it sends (Slack-compatible one-liners with structured fields, fleet/notifier.h)
// and the reasons it writes into the run record when it is rolled back or
// completes (a gate's pause reason is fleet/gate_pause.h's, which approve reads). Operators and integration tests read
// these texts, so they change only on purpose. The runner decides when to send them; this file only says what. The
// returned Notification has no migration: the runner fills it in. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fleet/fleet_runner.h"
#include "fleet/notifier.h"
#include "fleet/rollback.h"
#include "store/fleet_records.h"

namespace gaggle {

// A stage opened with work to do ("stage 1 started (40 datasets, 2 already done)").
Notification StageStartedNotification(int stage, const StageCounts& counts);
// Nothing in the stage can run any more: what got done, what needs attention, what is blocked.
Notification StageFinishedNotification(int stage, const StageCounts& counts);
// A task settled in failed or needs-attention; `log_path` says where its task log is read
// (the `gaggle logs` command line; "" when none).
Notification NeedsAttentionNotification(const TaskRecord& task, const std::string& log_path);
// An operator paused or cancelled the run, with the reason they gave ("" when none).
Notification PausedNotification(const std::string& reason);
Notification CancelledNotification(const std::string& reason);

// A stage gate failed (at a milestone or at the stage's end): `summary` is GateDecision::Summary().
Notification GateFailedNotification(const std::string& summary, const nlohmann::json& detail);
Notification GatePausedNotification(int stage, const std::string& summary, const nlohmann::json& detail);

// The final gate (verification and cut-over) did not pass.
Notification FinalGateFailedNotification(const std::string& summary, const nlohmann::json& detail);
Notification FinalGatePausedNotification(const std::string& summary, const nlohmann::json& detail);

// A failed gate rolled its stage back (rollout.auto_rollback) and the run was cancelled.
std::string AutoRollbackRequestReason(const std::string& why);
std::string AutoRollbackCancelReason(int stage, const std::string& why);
Notification RolledBackNotification(int stage, const RollbackReport& report);

// The run record's reason when the run completes ("12 of 12 datasets migrated, ...");
// `final_gate` is the final gate's detail (its "summary" is appended) or null.
std::string CompletionReason(int64_t done, int64_t datasets, const FleetRunSummary& summary,
                             const nlohmann::json& final_gate);
// The "completed" notification; the final gate's findings are merged into its fields.
Notification CompletedNotification(const std::string& reason, int64_t done, int64_t datasets,
                                   const FleetRunSummary& summary, const nlohmann::json& final_gate);

}  // namespace gaggle
