#include "service/control_operations.h"

#include "fleet/runner_identity.h"

namespace gaggle::service {

nlohmann::json PauseResult::ToJson() const {
  nlohmann::json j = {{"migration", migration}, {"whole_run", whole_run}};
  if (!whole_run) {
    j["datasets_requested"] = datasets_requested;
    j["datasets_paused"] = datasets_paused;
  }
  return j;
}

Result<PauseResult> PauseMigration(const ServiceContext& ctx, const PauseRequest& request) {
  GAGGLE_RETURN_IF_ERROR(RequireRun(ctx, request.migration).status());
  const std::string reason = request.reason.empty() ? "paused by " + ctx.actor : request.reason;
  PauseResult out;
  out.migration = request.migration;
  if (!request.datasets.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(out.datasets_paused,
                            ctx.store->TransitionTasks(request.migration, {TaskState::kPending, TaskState::kRetrying},
                                                       TaskState::kPaused, request.datasets, false, ctx.actor, reason));
    MigrationRunUpdate u;
    u.bump_requeue = true;  // the runner reloads task states
    GAGGLE_RETURN_IF_ERROR(ctx.store->UpdateRun(request.migration, u, ctx.actor, "datasets paused").status());
    out.whole_run = false;
    out.datasets_requested = static_cast<int64_t>(request.datasets.size());
    return out;
  }
  MigrationRunUpdate u;
  u.state = RunState::kPaused;
  u.state_reason = reason;
  GAGGLE_RETURN_IF_ERROR(ctx.store->UpdateRun(request.migration, u, ctx.actor, reason).status());
  return out;
}

nlohmann::json ResumeResult::ToJson() const {
  return {
      {"migration", migration}, {"state", RunStateName(state)}, {"requeued", requeued}, {"runner_alive", runner_alive}};
}

Result<ResumeResult> ResumeMigration(const ServiceContext& ctx, const ResumeRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, request.migration));
  ResumeResult out;
  out.migration = request.migration;
  GAGGLE_ASSIGN_OR_RETURN(
      out.requeued,
      ctx.store->TransitionTasks(
          request.migration, {TaskState::kFailed, TaskState::kNeedsAttention, TaskState::kInvalid, TaskState::kPaused},
          TaskState::kPending, request.datasets, /*reset_attempts=*/true, ctx.actor,
          request.reason.empty() ? "re-queued by " + ctx.actor : request.reason));
  MigrationRunUpdate u;
  u.bump_requeue = true;
  if (run.state == RunState::kPaused || (run.state == RunState::kCompleted && out.requeued > 0)) {
    u.state = RunState::kRunning;
    u.state_reason = "resumed by " + ctx.actor;
  }
  GAGGLE_ASSIGN_OR_RETURN(
      MigrationRun updated,
      ctx.store->UpdateRun(request.migration, u, ctx.actor, request.reason.empty() ? "resumed" : request.reason));
  out.state = updated.state;
  out.runner_alive = HasLiveRunner(updated);
  out.spec_path = updated.spec_path;
  return out;
}

nlohmann::json CancelResult::ToJson() const {
  return {{"migration", migration}, {"cancelled", cancelled}, {"runner_alive", runner_alive}};
}

Result<CancelResult> CancelMigration(const ServiceContext& ctx, const CancelRequest& request) {
  GAGGLE_RETURN_IF_ERROR(RequireRun(ctx, request.migration).status());
  const std::string reason = request.reason.empty() ? "cancelled by " + ctx.actor : request.reason;
  MigrationRunUpdate u;
  u.state = RunState::kCancelled;
  u.state_reason = reason;
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun updated, ctx.store->UpdateRun(request.migration, u, ctx.actor, reason));
  CancelResult out;
  out.migration = request.migration;
  out.runner_alive = HasLiveRunner(updated);
  std::vector<TaskState> from = {TaskState::kPending, TaskState::kRetrying, TaskState::kPaused};
  if (!out.runner_alive) from.push_back(TaskState::kRunning);  // orphans of a dead runner
  GAGGLE_ASSIGN_OR_RETURN(out.cancelled, ctx.store->TransitionTasks(request.migration, from, TaskState::kCancelled, {},
                                                                    false, ctx.actor, reason));
  return out;
}

nlohmann::json ConcurrencyResult::ToJson() const {
  return {{"migration", migration}, {"from", from}, {"to", to}, {"runner_alive", runner_alive}};
}

Result<ConcurrencyResult> SetConcurrency(const ServiceContext& ctx, const ConcurrencyRequest& request) {
  if (request.concurrency < 1) {
    return Status::InvalidArgument("concurrency must be at least 1 (got " + std::to_string(request.concurrency) + ")");
  }
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, request.migration));
  MigrationRunUpdate u;
  u.concurrency = request.concurrency;
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun updated, ctx.store->UpdateRun(request.migration, u, ctx.actor,
                                                                     "concurrency " + std::to_string(run.concurrency) +
                                                                         " -> " + std::to_string(request.concurrency)));
  return ConcurrencyResult{request.migration, run.concurrency, request.concurrency, HasLiveRunner(updated)};
}

}  // namespace gaggle::service
