#include "service/gate_operations.h"

#include "fleet/gate_pause.h"
#include "fleet/runner_identity.h"

namespace gaggle::service {
namespace {

std::string GateName(int stage) {
  return stage == kFinalGateStage ? "the final verification" : "stage " + std::to_string(stage);
}

// The run must be paused by the very gate being approved.
Status CheckApprovable(const MigrationRun& run, int stage) {
  const std::optional<int> waiting = PausedAtGate(run);
  if (waiting && *waiting == stage) return Status::OK();
  std::string now = "the migration is " + std::string(RunStateName(run.state));
  if (waiting) {
    now += " at the gate of " + GateName(*waiting) + " (approve that one)";
  } else if (run.state == RunState::kPaused) {
    now += " by an operator, not by a gate" + (run.state_reason.empty() ? "" : " (" + run.state_reason + ")");
  }
  return Status::Conflict("cannot approve the gate of " + GateName(stage) + " of migration '" + run.migration +
                          "': only a gate that failed and paused the migration can be "
                          "approved, and " +
                          now);
}

}  // namespace

nlohmann::json ApproveResult::ToJson() const {
  return {{"migration", migration},
          {"gate", stage == kFinalGateStage ? nlohmann::json("final") : nlohmann::json(stage)},
          {"resumed", resumed},
          {"runner_alive", runner_alive}};
}

Result<ApproveResult> Approve(const ServiceContext& ctx, const ApproveRequest& request) {
  if (request.reason.empty()) return Status::InvalidArgument("approve needs a reason: say why (it is audited)");
  if (request.final_gate == (request.stage >= 0)) {
    return Status::InvalidArgument("approve needs exactly one of a stage and the final gate");
  }
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, request.migration));
  const int stage = request.final_gate ? kFinalGateStage : request.stage;
  GAGGLE_RETURN_IF_ERROR(CheckApprovable(run, stage));
  ApproveResult out;
  out.migration = request.migration;
  out.stage = stage;
  out.what = GateName(stage);
  GAGGLE_RETURN_IF_ERROR(
      ctx.store->ApproveStage(StageApproval{request.migration, stage, ctx.actor, "", request.reason}));
  MigrationRunUpdate u;
  u.state = RunState::kRunning;
  u.state_reason = out.what + " gate approved by " + ctx.actor + ": " + request.reason;
  GAGGLE_ASSIGN_OR_RETURN(run, ctx.store->UpdateRun(request.migration, u, ctx.actor, *u.state_reason));
  out.resumed = true;
  out.runner_alive = HasLiveRunner(run);
  return out;
}

nlohmann::json RollbackResult::ToJson() const {
  return {{"migration", migration},
          {"rolled_back", report.rolled_back},
          {"quarantined", report.quarantined},
          {"restored", report.restored},
          {"moved", report.moved},
          {"skipped", report.skipped},
          {"quarantine_dir", report.quarantine_dir}};
}

Result<RollbackResult> Rollback(const ServiceContext& ctx, const RollbackOperation& request) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, request.migration));
  if (HasLiveRunner(run) && run.state == RunState::kRunning) {
    return Status::Conflict("migration '" + request.migration + "' is running (runner " + run.runner +
                            "): `gaggle pause` or `gaggle cancel` it first");
  }
  RollbackRequest rb;
  rb.resolver = ctx.resolver;
  rb.migration = request.migration;
  rb.datasets = request.datasets;
  rb.stage = request.stage;
  rb.actor = ctx.actor;
  rb.reason = request.reason.empty() ? "rollback by " + ctx.actor : request.reason;
  RollbackResult out;
  out.migration = request.migration;
  GAGGLE_ASSIGN_OR_RETURN(out.report, RollbackMigration(ctx.store, rb));
  if (out.report.rolled_back > 0) {
    // The migration is no longer what it was: stop it; `gaggle run` starts it again.
    MigrationRunUpdate u;
    u.state = RunState::kCancelled;
    u.state_reason =
        "rolled back by " + ctx.actor + " (" + std::to_string(out.report.rolled_back) + " datasets): " + rb.reason;
    GAGGLE_RETURN_IF_ERROR(ctx.store->UpdateRun(request.migration, u, ctx.actor, *u.state_reason).status());
  }
  return out;
}

}  // namespace gaggle::service
