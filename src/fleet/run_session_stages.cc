// RunSession, the run as a whole: its lease and tasks, its stages and their gates,
// the final gate, auto-rollback, and the operators' commands it polls for.
#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "fleet/gate_pause.h"
#include "fleet/rollback.h"
#include "fleet/run_notifications.h"
#include "fleet/run_session.h"
#include "fleet/runner_identity.h"
#include "fleet/stage_gate.h"
#include "store/event_vocabulary.h"

namespace gaggle {
namespace {

int64_t Micros(std::chrono::milliseconds d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

}  // namespace

// ---------------------------------------------------------------- setup

Status RunSession::ClaimLease() {
  auto claimed =
      store_->ClaimRunner(migration_, owner_, clock_->NowMillis(), options_.lease_ttl.count(), IsDeadLocalRunner);
  if (!claimed.ok()) return claimed.status();
  run_ = std::move(claimed).value();
  last_lease_ = clock_->MonotonicMicros();
  return Status::OK();
}

Status RunSession::WaitForLease() {
  bool told = false;
  for (;;) {
    Status st = ClaimLease();
    if (st.code() != StatusCode::kConflict) return st;
    if (options_.interrupted != nullptr && options_.interrupted->load()) return st;
    if (!told) Log("info", "standby", {{"holder", st.message()}});
    told = true;
    clock_->SleepFor(options_.lease_ttl / 4);
  }
}

// Tasks go straight into their slots as the store streams them (a million tasks held
// twice, as records and as slots, was most of a coordinator's memory).
Status RunSession::LoadTasks() {
  slots_.clear();
  GAGGLE_ASSIGN_OR_RETURN(std::vector<StageCounts> counts, store_->CountTasks(migration_));
  int64_t total = 0;
  for (const StageCounts& c : counts) total += c.total();
  slots_.reserve(static_cast<size_t>(total));
  GAGGLE_RETURN_IF_ERROR(store_->ScanTasks(migration_, [&](TaskRecord&& t) {
    slots_.emplace_back();
    slots_.back().rec = std::move(t);
  }));
  auto by_ordinal = [](const Slot& a, const Slot& b) { return a.rec.ordinal < b.rec.ordinal; };
  if (!std::is_sorted(slots_.begin(), slots_.end(), by_ordinal)) std::sort(slots_.begin(), slots_.end(), by_ordinal);
  bytes_left_ = 0;
  std::map<int, int> stages;
  for (const Slot& s : slots_) stages[s.rec.stage] = 0;
  stage_numbers_.clear();
  for (auto& [stage, unused] : stages) stage_numbers_.push_back(stage);
  by_stage_.assign(stage_numbers_.size(), {});
  counts_.assign(stage_numbers_.size(), {});
  for (size_t k = 0; k < stage_numbers_.size(); ++k) counts_[k].stage = stage_numbers_[k];
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    const TaskRecord& rec = slots_[i].rec;
    int k = StageIndex(rec.stage);
    by_stage_[k].push_back(i);
    StageCounts& c = counts_[k];
    c.by_state[static_cast<int>(rec.state)]++;
    if (!IsSettled(rec.state)) bytes_left_ += rec.size_bytes;
    c.size_bytes += rec.size_bytes;
    if (IsDone(rec.state)) {
      c.rows_in += rec.rows_in;
      c.rows_out += rec.rows_out;
      c.dead_lettered += rec.dead_lettered;
      c.filtered += rec.filtered;
      c.done_bytes += rec.size_bytes;
    }
  }
  LinkUpstreams();
  RecountUnmet();
  return Status::OK();
}

// Each slot's selected upstreams (TaskGraph) that are tasks of this migration.
void RunSession::LinkUpstreams() {
  std::unordered_map<std::string, uint32_t> index;
  index.reserve(slots_.size());
  for (uint32_t i = 0; i < slots_.size(); ++i) index.emplace(slots_[i].rec.dataset_id, i);
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    for (const std::string& up : graph_.Upstreams(slots_[i].rec.dataset_id)) {
      auto it = index.find(up);
      if (it == index.end() || it->second == i) continue;
      slots_[i].upstream.push_back(it->second);
      slots_[it->second].downstream.push_back(i);
    }
  }
}

// ---------------------------------------------------------------- stages

// Fills the ready queue and timers with the current stage's runnable tasks.
void RunSession::OpenStage() {
  ready_ = {};
  timers_ = {};
  stage_announced_ = false;
  milestones_done_ = 0;
  if (stage_pos_ < 0 || stage_pos_ >= static_cast<int>(stage_numbers_.size())) return;
  bool any = false;
  for (uint32_t i : by_stage_[stage_pos_]) {
    const Slot& s = slots_[i];
    if (s.unmet > 0) continue;
    if (s.rec.state == TaskState::kPending) {
      ready_.push(i);
      any = true;
    } else if (s.rec.state == TaskState::kRetrying) {
      timers_.emplace(s.rec.next_attempt_ms, i);
      any = true;
    }
  }
  if (any) {
    stage_announced_ = true;
    Notify(StageStartedNotification(stage_numbers_[stage_pos_], counts_[stage_pos_]));
  }
}

Status RunSession::FinishStage() {
  const StageCounts& c = counts_[stage_pos_];
  const int stage = stage_numbers_[stage_pos_];
  int64_t waiting = c.count(TaskState::kPending) + c.count(TaskState::kRetrying);
  int64_t attention = c.count(TaskState::kFailed) + c.count(TaskState::kNeedsAttention);
  if (stage_announced_ || attention > 0) Notify(StageFinishedNotification(stage, c));
  Log("info", "stage_finished",
      {{"stage", stage}, {"done", c.done()}, {"needs_attention", attention}, {"blocked", waiting}});
  ++stage_pos_;
  OpenStage();
  return Status::OK();
}

Status RunSession::CheckGate(double at_percent) {
  if (stage_pos_ < 0 || stage_pos_ >= static_cast<int>(stage_numbers_.size())) return Status::OK();
  const int stage = stage_numbers_[stage_pos_];
  std::vector<GateDataset> tasks;
  tasks.reserve(by_stage_[stage_pos_].size());
  for (uint32_t i : by_stage_[stage_pos_]) {
    const TaskRecord& r = slots_[i].rec;
    tasks.push_back({r.dataset_id, r.state, FailsGate(r.state) ? r.last_error : ""});
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<StageApproval> approvals, store_->ListApprovals(migration_));
  bool approved = false;
  for (const StageApproval& a : approvals) approved |= a.stage == stage;
  GateDecision d = EvaluateStageGate(options_.gates, stage, at_percent, tasks, approved);
  nlohmann::json failures = nlohmann::json::array();
  for (const GateDataset& f : d.failures) {
    failures.push_back({{"dataset", f.dataset}, {"state", TaskStateName(f.state)}, {"reason", f.reason}});
  }
  nlohmann::json detail = {{"stage", stage},         {"at_percent", at_percent},       {"passed", d.passed},
                           {"approved", d.approved}, {"failing", d.failing},           {"settled", d.settled},
                           {"datasets", d.datasets}, {"fraction", d.failing_fraction}, {"threshold", d.threshold},
                           {"failures", failures}};
  Event ev = events::GateDecided(migration_, d.passed, detail);
  ev.actor = options_.actor;
  GAGGLE_RETURN_IF_ERROR(store_->AppendEvent(ev).status());
  Log(d.passed ? "info" : "error", d.passed ? "gate_passed" : "gate_failed", detail);
  if (d.passed) return Status::OK();

  const std::string summary = d.Summary();
  Notify(GateFailedNotification(summary, detail));
  if (options_.auto_rollback) {
    rollback_stage_ = stage;
    rollback_reason_ = summary;
    return Status::OK();
  }
  GAGGLE_RETURN_IF_ERROR(Pause(StageGatePauseReason(stage, summary), summary));
  Notify(GatePausedNotification(stage, summary, detail));
  return Status::OK();
}

Status RunSession::RunFinalGate() {
  Log("info", "final_gate_started", {});
  Status lease = Status::OK();
  auto keep_alive = [this, &lease] {
    if (!lease.ok() || clock_->MonotonicMicros() - last_lease_ < Micros(options_.lease_ttl / 3)) return;
    lease = ClaimLease();
  };
  auto result = options_.final_gate(keep_alive);
  GAGGLE_RETURN_IF_ERROR(lease.WithContext("renewing the run lease during the final gate"));
  if (!result.ok()) return result.status().WithContext("the final gate (verification and cut-over)");
  GAGGLE_RETURN_IF_ERROR(ClaimLease());
  nlohmann::json detail = result->detail.is_null() ? nlohmann::json::object() : result->detail;
  detail["summary"] = result->summary;
  Log(result->passed ? "info" : "error", result->passed ? "final_gate_passed" : "final_gate_failed", detail);
  if (result->passed) {
    final_gate_passed_ = true;
    final_gate_detail_ = std::move(detail);
    return Status::OK();
  }
  Notify(FinalGateFailedNotification(result->summary, detail));
  GAGGLE_RETURN_IF_ERROR(Pause(FinalGatePauseReason(result->summary), result->summary));
  Notify(FinalGatePausedNotification(result->summary, detail));
  return Status::OK();
}

// The runner pauses the run itself (a failed gate); `detail` goes to the event.
Status RunSession::Pause(const std::string& reason, const std::string& detail) {
  MigrationRunUpdate pause;
  pause.state = RunState::kPaused;
  pause.state_reason = reason;
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, pause, options_.actor, detail));
  paused_noticed_ = true;
  return Status::OK();
}

Status RunSession::RollBackStage(int stage, const std::string& why) {
  RollbackRequest request;
  request.migration = migration_;
  request.stage = stage;
  request.actor = options_.actor;
  request.reason = AutoRollbackRequestReason(why);
  request.resolver = options_.resolver;
  GAGGLE_ASSIGN_OR_RETURN(RollbackReport report, RollbackMigration(store_, request));
  for (uint32_t i : by_stage_[StageIndex(stage)]) {
    GAGGLE_RETURN_IF_ERROR(Refresh(i));
  }
  Log("warn", "stage_rolled_back",
      {{"stage", stage}, {"rolled_back", report.rolled_back}, {"quarantine", report.quarantine_dir}});
  Notify(RolledBackNotification(stage, report));
  MigrationRunUpdate u;
  u.state = RunState::kCancelled;
  u.state_reason = AutoRollbackCancelReason(stage, why);
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, u, options_.actor, *u.state_reason));
  return Status::OK();
}

// ---------------------------------------------------------------- control

Status RunSession::PollControl(bool force) {
  const int64_t now = clock_->MonotonicMicros();
  if (!force && now - last_poll_ < Micros(options_.poll_interval)) return Status::OK();
  last_poll_ = now;
  if (now - last_lease_ >= Micros(options_.lease_ttl / 3)) {
    auto claimed =
        store_->ClaimRunner(migration_, owner_, clock_->NowMillis(), options_.lease_ttl.count(), IsDeadLocalRunner);
    if (!claimed.ok()) return claimed.status().WithContext("renewing the run lease");
    last_lease_ = now;
  }
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, store_->FindRun(migration_));
  if (!run) return Status::NotFound("migration '" + migration_ + "' has no run record any more");
  const RunState before = run_.state;
  const int concurrency_before = run_.concurrency;
  run_ = std::move(*run);
  NoticeRunChanges(before, concurrency_before);
  if (run_.requeue_seq > run_.requeue_applied_seq) GAGGLE_RETURN_IF_ERROR(ReloadTasks());
  return Status::OK();
}

// What an operator changed in the run record since the last poll.
void RunSession::NoticeRunChanges(RunState before, int concurrency_before) {
  if (run_.concurrency != concurrency_before) {
    Log("info", "concurrency_changed", {{"from", concurrency_before}, {"to", run_.concurrency}});
  }
  if (run_.state == RunState::kPaused && !paused_noticed_) {
    paused_noticed_ = true;
    Notify(PausedNotification(run_.state_reason));
  } else if (run_.state != RunState::kPaused && before == RunState::kPaused) {
    paused_noticed_ = false;
    Log("info", "resumed", {{"reason", run_.state_reason}});
  }
  if (run_.state == RunState::kCancelled && shutdown_ == RunShutdown::kNone) {
    shutdown_ = RunShutdown::kCancel;
    Log("warn", "cancel_requested", {{"reason", run_.state_reason}});
  }
}

// An operator changed task states (resume, retry): reload what is not running here.
Status RunSession::ReloadTasks() {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> fresh, store_->LoadTasks(migration_));
  std::unordered_map<std::string, TaskRecord*> by_id;
  for (TaskRecord& t : fresh) by_id[t.dataset_id] = &t;
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].rec.state == TaskState::kRunning) continue;
    auto it = by_id.find(slots_[i].rec.dataset_id);
    if (it != by_id.end() && it->second->state != slots_[i].rec.state) SetState(i, *it->second);
  }
  RecountUnmet();
  MigrationRunUpdate applied;
  applied.requeue_applied_seq = run_.requeue_seq;
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, applied, options_.actor, "runner reloaded task states"));
  Log("info", "tasks_reloaded", {{"requeue_seq", run_.requeue_seq}});
  // Re-queued tasks may sit in earlier stages: start again from the first stage with work.
  stage_pos_ = 0;
  OpenStage();
  return Status::OK();
}

}  // namespace gaggle
