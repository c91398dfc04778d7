#include "service/run_coordinator.h"

#include <chrono>

#include "fleet/runner_identity.h"
#include "service/migration_operations.h"

namespace gaggle::service {

nlohmann::json ServedRun::ToJson() const {
  return {{"migration", migration},
          {"started_by", started_by},
          {"started_at", started_at},
          {"finished", finished},
          {"outcome", outcome}};
}

RunCoordinator::RunCoordinator(ServiceContext base, ApprovalPolicy approvals, int local_workers)
    : base_(std::move(base)), approvals_(std::move(approvals)), local_workers_(local_workers) {}

void RunCoordinator::SetApprovalPolicy(const ApprovalPolicy& approvals) {
  std::lock_guard<std::mutex> lock(mu_);
  approvals_ = approvals;
}

RunCoordinator::~RunCoordinator() { Shutdown(); }

void RunCoordinator::JoinFinishedLocked() {
  for (auto& e : entries_) {
    if (e->info.finished && e->thread.joinable()) e->thread.join();
  }
}

Result<ServedRun> RunCoordinator::Start(const std::string& migration, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return Status::Cancelled("the server is shutting down");
  JoinFinishedLocked();
  for (auto& e : entries_) {
    if (e->info.migration == migration && !e->info.finished) {
      return Status::Conflict("migration '" + migration + "' is already driven by this server (started by " +
                              e->info.started_by + " at " + e->info.started_at + ")");
    }
  }
  ServiceContext ctx = base_;
  ctx.actor = actor;
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, RequireRun(ctx, migration));
  if (HasLiveRunner(run)) {
    return Status::Conflict("migration '" + migration + "' is driven by runner " + run.runner +
                            " (a `gaggle run` or another server); it keeps the lease while it runs");
  }
  GAGGLE_ASSIGN_OR_RETURN(run, PrepareStart(ctx, migration));
  auto entry = std::make_unique<Entry>();
  entry->info.migration = migration;
  entry->info.started_by = actor;
  entry->info.started_at = NowIso8601();
  entry->ctx = ctx;
  Entry* e = entry.get();
  const std::string spec_path = run.spec_path;
  const ApprovalPolicy approvals = approvals_;
  entry->thread = std::thread([this, e, spec_path, approvals] {
    StartRunRequest request;
    request.spec_path = spec_path;
    request.interrupted = &e->interrupted;
    request.local_workers = local_workers_;
    request.approval_link = [e, approvals](const std::string& migration) -> std::string {
      auto link = EnsureApprovalLink(e->ctx, approvals, migration);
      return link.ok() && link->has_value() ? ApprovalUrl(approvals, (*link)->id) : "";
    };
    auto outcome = StartRun(e->ctx, request);
    std::lock_guard<std::mutex> l(mu_);
    e->info.outcome = outcome.ok() ? EndingName(outcome->summary.ending) : outcome.status().ToString();
    e->info.finished = true;
  });
  ServedRun info = entry->info;
  entries_.insert(entries_.begin(), std::move(entry));
  return info;
}

std::vector<ServedRun> RunCoordinator::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ServedRun> out;
  for (auto& e : entries_) out.push_back(e->info);
  return out;
}

bool RunCoordinator::Drives(const std::string& migration) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& e : entries_) {
    if (e->info.migration == migration && !e->info.finished) return true;
  }
  return false;
}

bool RunCoordinator::Wait(const std::string& migration, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Drives(migration)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void RunCoordinator::StartTakingOver(int64_t period_ms, const std::string& actor) {
  take_over_ = std::thread([this, period_ms, actor] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!shut_down_) {
      lock.unlock();
      TakeOverOnce(actor);
      lock.lock();
      take_over_cv_.wait_for(lock, std::chrono::milliseconds(period_ms), [this] { return shut_down_; });
    }
  });
}

void RunCoordinator::TakeOverOnce(const std::string& actor) {
  auto runs = base_.store->ListRuns();
  if (!runs.ok()) return;  // the store is away: try again next period
  for (const MigrationRun& run : *runs) {
    if (run.state != RunState::kRunning || HasLiveRunner(run, base_.clock) || Drives(run.migration)) continue;
    (void)Start(run.migration, actor);  // another coordinator may win the lease first: fine
  }
}

void RunCoordinator::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
    take_over_cv_.notify_all();
    if (take_over_.joinable()) threads.push_back(std::move(take_over_));
    for (auto& e : entries_) {
      e->interrupted = true;
      if (e->thread.joinable()) threads.push_back(std::move(e->thread));
    }
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace gaggle::service
