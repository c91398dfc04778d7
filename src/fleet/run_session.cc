// RunSession, the loop: start, one turn at a time, the end; and what the session
// reports (logs, notifications, progress, the summary).
#include "fleet/run_session.h"

#include <algorithm>
#include <chrono>

#include "fleet/run_notifications.h"
#include "fleet/runner_identity.h"

namespace gaggle {

RunSession::RunSession(StateStore* store, TaskExecutor* executor, const FleetRunOptions& options, std::string migration,
                       const TaskGraph& graph)
    : store_(store),
      executor_(executor),
      options_(options),
      clock_(options.clock ? options.clock : Clock::System()),
      migration_(std::move(migration)),
      graph_(graph),
      owner_(options.owner.empty() ? CurrentRunnerIdentity() : options.owner),
      rng_(options.jitter_seed ? options.jitter_seed : std::random_device{}()),
      start_(clock_->MonotonicMicros()) {}

Result<FleetRunSummary> RunSession::Run() {
  GAGGLE_RETURN_IF_ERROR(Start());
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(Turn turn, TakeTurn());
    // A turn's completions go to the store with its dispatch; none may outlive the turn.
    GAGGLE_RETURN_IF_ERROR(RecordApplied());
    if (turn.kind == Turn::kEnd) return Finish(turn.ending);
    if (turn.kind == Turn::kIdle) {
      EmitProgress(false);
      WaitForWork();
    }
  }
}

// ---------------------------------------------------------------- the loop

Status RunSession::Start() {
  GAGGLE_RETURN_IF_ERROR(options_.wait_for_lease ? WaitForLease() : ClaimLease());
  // Tasks left in running belong to a runner that is gone (we hold the lease now).
  GAGGLE_ASSIGN_OR_RETURN(recovered_, store_->TransitionTasks(migration_, {TaskState::kRunning, TaskState::kValidating},
                                                              TaskState::kPending, {}, false, options_.actor,
                                                              "recovered: the runner that started it is gone"));
  GAGGLE_RETURN_IF_ERROR(LoadTasks());
  Log("info", "run_started",
      {{"runner", owner_},
       {"tasks", slots_.size()},
       {"plan", run_.plan_hash},
       {"concurrency", run_.concurrency},
       {"recovered", recovered_}});
  if (recovered_ > 0) Log("warn", "recovered_tasks", {{"count", recovered_}});
  GAGGLE_RETURN_IF_ERROR(PollControl(true));
  stage_pos_ = 0;
  OpenStage();
  return Status::OK();
}

Result<RunSession::Turn> RunSession::TakeTurn() {
  CheckSignals();
  // Completions first: they free slots and unblock downstream tasks.
  DrainCompletions();
  if (shutdown_ != RunShutdown::kNone) return WindDown();
  if (rollback_stage_ >= 0) return RollBackWhenIdle();
  WatchTimeouts();
  ReleaseTimers();
  if (Dispatching(run_.state)) return DispatchAndAdvance();
  if (run_.state == RunState::kPaused && running_ == 0 && options_.exit_when_paused) {
    return End(FleetRunSummary::Ending::kPaused);
  }
  return Idle();
}

// SIGINT, and the operators' commands in the run record.
void RunSession::CheckSignals() {
  if (options_.interrupted && options_.interrupted->load() && shutdown_ == RunShutdown::kNone) {
    shutdown_ = RunShutdown::kInterrupt;
    Log("warn", "interrupted", {{"running", running_}});
  }
  if (shutdown_ == RunShutdown::kNone) {
    Status st = PollControl(false);
    if (!st.ok()) Fail(st);
  }
  if (shutdown_ != RunShutdown::kNone) CancelRunning();
}

void RunSession::DrainCompletions() {
  std::deque<Completion> done;
  {
    MutexLock lock(&done_mu_);
    done.swap(done_);
  }
  if (done.empty()) return;
  Status st = HandleCompletions(done);
  if (!st.ok() && shutdown_ != RunShutdown::kFatal) {
    Fail(st);
    CancelRunning();
  }
}

// Cancelled, interrupted or failed: wait for running tasks, then end.
Result<RunSession::Turn> RunSession::WindDown() {
  if (running_ > 0) {
    WaitForWork();
    return Again();
  }
  if (shutdown_ == RunShutdown::kFatal) return End(FleetRunSummary::Ending::kCompleted);  // Finish reports fatal_
  if (shutdown_ == RunShutdown::kCancel) {
    GAGGLE_RETURN_IF_ERROR(CancelWaitingTasks());
    Notify(CancelledNotification(run_.state_reason));
    return End(FleetRunSummary::Ending::kCancelled);
  }
  return End(FleetRunSummary::Ending::kInterrupted);
}

// A gate failed with rollout.auto_rollback: let running tasks finish, then undo the stage.
Result<RunSession::Turn> RunSession::RollBackWhenIdle() {
  if (running_ > 0) {
    WaitForWork();
    return Again();
  }
  GAGGLE_RETURN_IF_ERROR(RollBackStage(rollback_stage_, rollback_reason_));
  return End(FleetRunSummary::Ending::kCancelled);
}

// Starts what may start, advances over stages with nothing left to do (each behind
// its gate), and once every stage is done runs the final gate.
Result<RunSession::Turn> RunSession::DispatchAndAdvance() {
  const int num_stages = static_cast<int>(stage_numbers_.size());
  Status st = DispatchReady();
  while (st.ok() && Dispatching(run_.state) && rollback_stage_ < 0 && stage_pos_ < num_stages && StageIdle()) {
    st = CheckGate(100);
    if (!st.ok() || !Dispatching(run_.state) || rollback_stage_ >= 0) break;
    GAGGLE_RETURN_IF_ERROR(FinishStage());
    st = DispatchReady();
  }
  if (!st.ok()) {
    Fail(st);
    return Again();
  }
  if (stage_pos_ < num_stages || running_ > 0) return Idle();
  if (!options_.final_gate || final_gate_passed_) return End(FleetRunSummary::Ending::kCompleted);
  st = RunFinalGate();
  if (!st.ok()) {
    Fail(st);
    return Again();
  }
  return final_gate_passed_ ? End(FleetRunSummary::Ending::kCompleted) : Idle();
}

Result<FleetRunSummary> RunSession::Finish(FleetRunSummary::Ending ending) {
  EmitProgress(true);
  if (shutdown_ == RunShutdown::kFatal) {
    Log("error", "run_failed", {{"error", fatal_.ToString()}});
    (void)store_->ReleaseRunner(migration_, owner_);
    return fatal_;
  }
  FleetRunSummary summary = Summarize(ending);
  if (ending == FleetRunSummary::Ending::kCompleted) GAGGLE_RETURN_IF_ERROR(RecordCompletion(summary));
  Log("info", "run_ended",
      {{"ending", EndingName(ending)},
       {"attempts", attempts_},
       {"retries", retries_},
       {"succeeded", succeeded_},
       {"seconds", summary.seconds}});
  GAGGLE_RETURN_IF_ERROR(store_->ReleaseRunner(migration_, owner_));
  return summary;
}

Status RunSession::RecordCompletion(const FleetRunSummary& summary) {
  int64_t done = 0;
  for (const StageCounts& c : counts_) done += c.done();
  const int64_t datasets = static_cast<int64_t>(slots_.size());
  const std::string reason = CompletionReason(done, datasets, summary, final_gate_detail_);
  MigrationRunUpdate update;
  update.state = RunState::kCompleted;
  update.state_reason = reason;
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, update, options_.actor, reason));
  Notify(CompletedNotification(reason, done, datasets, summary, final_gate_detail_));
  return Status::OK();
}

// Until a completion arrives, or the next retry or poll is due.
void RunSession::WaitForWork() {
  int64_t wait_ms = options_.poll_interval.count();
  if (!timers_.empty()) {
    const int64_t until = timers_.top().first - clock_->NowMillis();
    wait_ms = std::min(wait_ms, std::max<int64_t>(1, until));
  }
  const std::chrono::microseconds wait = std::chrono::milliseconds(wait_ms);
  if (running_ == 0) {
    // Nothing is out on a worker, so no completion can come: sleep (a FakeClock moves on).
    clock_->SleepFor(wait);
    return;
  }
  MutexLock lock(&done_mu_);
  const int64_t deadline = clock_->MonotonicMicros() + wait.count();
  while (done_.empty() && clock_->MonotonicMicros() < deadline) clock_->WaitUntil(&done_cv_, &done_mu_, deadline);
}

void RunSession::Fail(Status st) {
  fatal_ = std::move(st);
  shutdown_ = RunShutdown::kFatal;
}

// ---------------------------------------------------------------- reporting

int RunSession::StageIndex(int stage) const {
  auto it = std::lower_bound(stage_numbers_.begin(), stage_numbers_.end(), stage);
  return static_cast<int>(it - stage_numbers_.begin());
}

double RunSession::SecondsSince(int64_t monotonic_micros) const {
  return static_cast<double>(clock_->MonotonicMicros() - monotonic_micros) / 1e6;
}

void RunSession::Log(const std::string& level, const std::string& event, nlohmann::json fields) {
  if (options_.log) options_.log->Run(level, event, std::move(fields));
}

void RunSession::TaskLog(uint32_t i, const std::string& level, const std::string& event, nlohmann::json fields) {
  if (options_.log) options_.log->Task(slots_[i].rec.dataset_id, level, event, std::move(fields));
}

void RunSession::Notify(Notification n) {
  Log("info", "notify", {{"notification", n.event}, {"text", n.text}});
  if (!options_.notifier) return;
  n.migration = migration_;
  options_.notifier->Notify(n);
}

FleetSnapshot RunSession::Snapshot() const {
  FleetSnapshot snap;
  snap.migration = migration_;
  snap.state = run_.state;
  snap.state_reason = run_.state_reason;
  snap.concurrency = run_.concurrency;
  snap.current_stage =
      stage_pos_ >= 0 && stage_pos_ < static_cast<int>(stage_numbers_.size()) ? stage_numbers_[stage_pos_] : -1;
  snap.stages = counts_;
  snap.rows_done = rows_in_;
  snap.bytes_done = bytes_done_;
  snap.retries = retries_;
  snap.elapsed_seconds = SecondsSince(start_);
  snap.bytes_left = bytes_left_;
  for (uint32_t i : running_ids_) {
    const Slot& s = slots_[i];
    snap.running.push_back(
        {s.rec.dataset_id, s.rec.attempts, SecondsSince(s.started), s.live_rows ? s.live_rows->load() : 0});
  }
  std::sort(snap.running.begin(), snap.running.end(),
            [](const FleetSnapshot::Running& a, const FleetSnapshot::Running& b) { return a.seconds > b.seconds; });
  if (bytes_done_ > 0 && snap.elapsed_seconds > 1) {
    snap.eta_seconds = static_cast<double>(snap.bytes_left) * snap.elapsed_seconds / static_cast<double>(bytes_done_);
  }
  return snap;
}

void RunSession::EmitProgress(bool force) {
  if (!options_.on_progress) return;
  const int64_t now = clock_->MonotonicMicros();
  if (!force && now - last_progress_ < 100000) return;  // at most ten snapshots a second
  last_progress_ = now;
  options_.on_progress(Snapshot());
}

FleetRunSummary RunSession::Summarize(FleetRunSummary::Ending ending) const {
  FleetRunSummary sum;
  sum.ending = ending;
  sum.stages = counts_;
  sum.tasks = static_cast<int64_t>(slots_.size());
  sum.attempts = attempts_;
  sum.retries = retries_;
  sum.succeeded = succeeded_;
  sum.skipped = skipped_;
  sum.recovered = recovered_;
  sum.rows_in = rows_in_;
  sum.rows_out = rows_out_;
  sum.dead_lettered = dead_lettered_;
  sum.filtered = filtered_;
  sum.seconds = SecondsSince(start_);
  for (const Slot& s : slots_) {
    if (NeedsOperator(s.rec.state)) sum.attention.push_back(s.rec);
    if ((s.rec.state == TaskState::kPending || s.rec.state == TaskState::kRetrying) && s.unmet > 0) {
      for (uint32_t u : s.upstream) {
        if (!IsDone(slots_[u].rec.state)) {
          sum.blocked.emplace_back(s.rec.dataset_id, slots_[u].rec.dataset_id);
          break;
        }
      }
    }
  }
  return sum;
}

}  // namespace gaggle
