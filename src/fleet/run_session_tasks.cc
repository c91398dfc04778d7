// RunSession, the tasks: dispatching attempts to the workers, taking their
// completions back, timeouts, retry timers, and the counts every move updates.
#include <algorithm>
#include <chrono>
#include <random>

#include "common/iso8601.h"
#include "common/json_text.h"
#include "fleet/core_budget.h"
#include "fleet/run_notifications.h"
#include "fleet/run_session.h"
#include "fleet/stage_gate.h"

namespace gaggle {
namespace {

int64_t Micros(std::chrono::milliseconds d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

// Adds (sign 1) or removes (sign -1) a done task's figures from its stage's counts.
void CountDone(const TaskRecord& rec, int sign, StageCounts* c) {
  c->rows_in += sign * rec.rows_in;
  c->rows_out += sign * rec.rows_out;
  c->dead_lettered += sign * rec.dead_lettered;
  c->filtered += sign * rec.filtered;
  c->done_bytes += sign * rec.size_bytes;
}

}  // namespace

// ---------------------------------------------------------------- bookkeeping

void RunSession::SetState(uint32_t i, TaskRecord next) {
  Slot& s = slots_[i];
  StageCounts& c = counts_[StageIndex(s.rec.stage)];
  c.by_state[static_cast<int>(s.rec.state)]--;
  c.by_state[static_cast<int>(next.state)]++;
  if (!IsSettled(s.rec.state)) bytes_left_ -= s.rec.size_bytes;
  if (!IsSettled(next.state)) bytes_left_ += next.size_bytes;
  if (IsDone(s.rec.state)) CountDone(s.rec, -1, &c);
  if (IsDone(next.state)) CountDone(next, 1, &c);
  s.rec = std::move(next);
}

void RunSession::RecountUnmet() {
  for (Slot& s : slots_) {
    s.unmet = 0;
    for (uint32_t u : s.upstream) s.unmet += IsDone(slots_[u].rec.state) ? 0 : 1;
  }
}

bool RunSession::InCurrentStage(const TaskRecord& rec) const {
  return stage_pos_ >= 0 && stage_pos_ < static_cast<int>(stage_numbers_.size()) &&
         rec.stage == stage_numbers_[stage_pos_];
}

Status RunSession::Refresh(uint32_t i) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<TaskRecord> fresh, store_->FindTask(migration_, slots_[i].rec.dataset_id));
  if (fresh) SetState(i, std::move(*fresh));
  return Status::OK();
}

// ---------------------------------------------------------------- dispatch

Status RunSession::DispatchReady() {
  if (shutdown_ != RunShutdown::kNone || !Dispatching(run_.state) || rollback_stage_ >= 0) return RecordApplied();
  const int limit = std::max(1, run_.concurrency);
  if (!executor_->asynchronous()) pool_.EnsureThreads(static_cast<size_t>(limit));
  // Every task that may start now starts in one transaction (group commit), with the
  // completions of the turn that freed their slots.
  std::vector<uint32_t> batch;
  std::vector<StateStore::TaskMove> starts;
  while (running_ + static_cast<int>(batch.size()) < limit && !ready_.empty()) {
    uint32_t i = ready_.top();
    ready_.pop();
    const TaskState st = slots_[i].rec.state;
    if ((st != TaskState::kPending && st != TaskState::kRetrying) || slots_[i].unmet > 0) continue;
    batch.push_back(i);
    starts.push_back(NextAttempt(i));
  }
  if (batch.empty()) return RecordApplied();
  std::vector<StateStore::TaskMove> moves = MovesOf(unrecorded_);
  const size_t ends = moves.size();
  moves.insert(moves.end(), starts.begin(), starts.end());
  BeforeRecording(unrecorded_);
  Status st = store_->MoveTasksTogether(moves, options_.actor, owner_);
  if (st.code() == StatusCode::kConflict || st.code() == StatusCode::kNotFound) {
    GAGGLE_RETURN_IF_ERROR(RecordApplied());                       // the ends alone, then
    for (uint32_t i : batch) GAGGLE_RETURN_IF_ERROR(Dispatch(i));  // one by one: which one moved?
    return Status::OK();
  }
  GAGGLE_RETURN_IF_ERROR(ends > 0 ? st.WithContext("recording the end of " + std::to_string(ends) +
                                                   " attempt(s) and validation(s) and " + std::to_string(batch.size()) +
                                                   " start(s)")
                                  : st);
  std::vector<Decision> recorded;
  recorded.swap(unrecorded_);
  for (const Decision& d : recorded) Announce(d);
  for (size_t k = 0; k < batch.size(); ++k) Started(batch[k], std::move(moves[ends + k].record));
  return Status::OK();
}

StateStore::TaskMove RunSession::NextAttempt(uint32_t i) const {
  const TaskRecord& rec = slots_[i].rec;
  StateStore::TaskMove move{rec.state, rec, "", nullptr};
  TaskRecord& next = move.record;
  next.state = TaskState::kRunning;
  next.attempts += 1;
  next.runner = owner_;
  next.lease_expires_ms = clock_->NowMillis() + options_.task_timeout.count() + options_.watchdog_grace.count();
  next.started_at = Iso8601Millis(clock_->NowMicros());
  next.finished_at.clear();
  move.detail = JsonText(nlohmann::json{{"attempt", next.attempts}, {"runner", owner_}}, -1);
  return move;
}

Status RunSession::Dispatch(uint32_t i) {
  StateStore::TaskMove move = NextAttempt(i);
  Status st = store_->TransitionTask(move.from, move.record, options_.actor, move.detail, {owner_, nullptr});
  if (st.code() == StatusCode::kConflict || st.code() == StatusCode::kNotFound) {
    // An operator moved it (paused, cancelled) since we loaded it: take the stored state.
    Log("info", "dispatch_skipped", {{"dataset", slots_[i].rec.dataset_id}, {"reason", st.message()}});
    return Refresh(i);
  }
  GAGGLE_RETURN_IF_ERROR(st);
  Started(i, std::move(move.record));
  return Status::OK();
}

// The store says `next` runs: the slot takes it and its attempt goes to a worker.
void RunSession::Started(uint32_t i, TaskRecord next) {
  Slot& s = slots_[i];
  SetState(i, std::move(next));
  ++attempts_;
  if (s.rec.attempts > 1) ++retries_;
  ++running_;
  running_ids_.insert(i);
  s.started = clock_->MonotonicMicros();
  s.deadline = s.started + Micros(options_.task_timeout);
  s.timed_out = false;
  s.token = std::make_shared<CancellationToken>(clock_->ToSteady(s.deadline));
  s.live_rows = std::make_shared<std::atomic<int64_t>>(0);
  TaskLog(i, "info", "attempt_started", {{"attempt", s.rec.attempts}, {"stage", s.rec.stage}, {"wave", s.rec.wave}});
  SubmitAttempt(i);
}

void RunSession::SubmitAttempt(uint32_t i) {
  const Slot& s = slots_[i];
  TaskRecord task = s.rec;
  auto token = s.token;
  auto rows = s.live_rows;
  TaskContext context;
  context.threads = CoreShare(HostCores(), run_.concurrency);
  context.agent_log_path = options_.log ? options_.log->AgentLogPath(task.dataset_id) : "";
  context.on_rows = [rows](int64_t n) { rows->store(n); };
  const int64_t begin = clock_->MonotonicMicros();
  if (executor_->asynchronous()) {
    StartedAsync();
    executor_->ExecuteAsync(task, token, context, [this, i, begin, task](Result<TaskOutcome> result) {
      Completion c{i, std::move(result), SecondsSince(begin)};
      if (c.result.ok() && options_.validate) c.ready_validation = executor_->TakeReadyValidation(task);
      Complete(std::move(c), true);
    });
    return;
  }
  // A successful attempt is validated in the same job, as a worker does (fleet_worker.h): one
  // hand-off and one recorded move of the task instead of two. The store moves it from
  // running to its verdict in one transaction; a crash before that runs the attempt again,
  // which finds its output current.
  pool_.Submit([this, i, task = std::move(task), token, context = std::move(context), begin] {
    Completion c{i, executor_->Execute(task, token.get(), context), SecondsSince(begin)};
    if (c.result.ok() && options_.validate) c.ready_validation = ValidateNow(task, token.get());
    Complete(std::move(c), false);
  });
}

Result<TaskValidation> RunSession::ValidateNow(const TaskRecord& task, CancellationToken* token) {
  if (std::optional<Result<TaskValidation>> ready = executor_->TakeReadyValidation(task)) return std::move(*ready);
  const int64_t begin = clock_->MonotonicMicros();
  Result<TaskValidation> v = executor_->Validate(task, token);
  if (v.ok() && v->seconds <= 0) v->seconds = SecondsSince(begin);
  return v;
}

void RunSession::SubmitValidation(uint32_t i) {
  const Slot& s = slots_[i];
  TaskRecord task = s.rec;
  auto token = s.token;
  auto finish = [this, i](Result<TaskValidation> validation, int64_t begin, bool async) {
    Completion c{i, TaskOutcome{}, 0, true, std::move(validation)};
    // A validation that ran elsewhere (a worker, right after its attempt) says how long.
    c.seconds = c.validation.ok() && c.validation->seconds > 0 ? c.validation->seconds : SecondsSince(begin);
    Complete(std::move(c), async);
  };
  const int64_t begin = clock_->MonotonicMicros();
  if (executor_->asynchronous()) {
    StartedAsync();
    executor_->ValidateAsync(task, token,
                             [finish, begin](Result<TaskValidation> v) { finish(std::move(v), begin, true); });
    return;
  }
  pool_.Submit([this, task = std::move(task), token, finish, begin] {
    finish(executor_->Validate(task, token.get()), begin, false);
  });
}

void RunSession::StartedAsync() {
  MutexLock lock(&done_mu_);
  ++async_out_;
}

// On a worker thread, or the executor's (an asynchronous call).
void RunSession::Complete(Completion c, bool async) {
  MutexLock lock(&done_mu_);
  done_.push_back(std::move(c));
  if (async) --async_out_;
  // Signalled under the lock: the destructor may be waiting for the last asynchronous call.
  done_cv_.Signal();
}

void RunSession::WaitForAsyncCalls() {
  MutexLock lock(&done_mu_);
  while (async_out_ > 0) done_cv_.Wait(&done_mu_);
}

// ---------------------------------------------------------------- time

void RunSession::ReleaseTimers() {
  const int64_t now = clock_->NowMillis();
  while (!timers_.empty() && timers_.top().first <= now) {
    uint32_t i = timers_.top().second;
    timers_.pop();
    if (slots_[i].rec.state == TaskState::kRetrying) ready_.push(i);
  }
}

void RunSession::WatchTimeouts() {
  const int64_t now = clock_->MonotonicMicros();
  const int64_t grace = Micros(options_.watchdog_grace);
  for (uint32_t i : running_ids_) {
    Slot& s = slots_[i];
    if (!s.token || s.timed_out) continue;
    if (now >= s.deadline + grace) {
      s.timed_out = true;
      s.token->Cancel();
      Log("warn", "watchdog_cancel", {{"dataset", s.rec.dataset_id}});
    } else if (now >= s.deadline) {
      s.timed_out = true;  // the token's deadline fires in the executor; remember why it stops
    }
  }
}

void RunSession::CancelRunning() {
  for (uint32_t i : running_ids_) {
    if (slots_[i].token) slots_[i].token->Cancel();
  }
}

Status RunSession::CancelWaitingTasks() {
  auto moved = store_->TransitionTasks(
      migration_, {TaskState::kPending, TaskState::kRetrying, TaskState::kPaused}, TaskState::kCancelled, {}, false,
      options_.actor, "migration cancelled" + (run_.state_reason.empty() ? "" : ": " + run_.state_reason));
  if (!moved.ok()) return moved.status();
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    TaskState st = slots_[i].rec.state;
    if (st == TaskState::kPending || st == TaskState::kRetrying || st == TaskState::kPaused) {
      TaskRecord next = slots_[i].rec;
      next.state = TaskState::kCancelled;
      SetState(i, std::move(next));
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------- completion

// What one completion means, decided before anything is written.
RunSession::Decision RunSession::Decide(const Completion& c, const TaskRecord& current) {
  const uint32_t i = c.slot;
  const Slot& s = slots_[i];
  Decision d;
  d.slot = i;
  d.validation = c.is_validation;
  if (c.is_validation) {
    ValidationVerdict v = ClassifyValidation(migration_, current, c.validation, c.seconds, shutdown_, options_.retry);
    d.move = {TaskState::kValidating, std::move(v.next), JsonText(v.detail, -1), nullptr};
    if (v.save_record) d.record = std::move(v.record);
    d.detail = std::move(v.detail);
    d.event = std::move(v.event);
    d.level = std::move(v.level);
    return d;
  }
  AttemptContext context;
  context.seconds = c.seconds;
  context.past_deadline = s.timed_out || clock_->MonotonicMicros() >= s.deadline;
  context.shutdown = shutdown_;
  context.validate = options_.validate;
  context.task_timeout = options_.task_timeout;
  context.now_ms = clock_->NowMillis();
  context.now_iso = Iso8601Millis(clock_->NowMicros());
  AttemptVerdict v = ClassifyAttempt(current, c.result, context, options_.retry,
                                     [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); });
  d.move = {TaskState::kRunning, std::move(v.next), JsonText(v.detail, -1), nullptr};
  d.detail = std::move(v.detail);
  d.event = std::move(v.event);
  d.level = std::move(v.level);
  return d;
}

std::optional<RunSession::Decision> RunSession::DecideReadyValidation(Decision& d, Completion& c) {
  if (d.validation || d.move.record.state != TaskState::kValidating) return std::nullopt;
  std::optional<Result<TaskValidation>> ready = std::move(c.ready_validation);
  if (!ready) return std::nullopt;
  d.validated_with = true;
  Completion v{d.slot, TaskOutcome{}, 0, true, std::move(*ready)};
  v.seconds = v.validation.ok() ? v.validation->seconds : 0;
  return Decide(v, d.move.record);
}

// Every completion drained in one turn is recorded in one transaction (group commit),
// then applied in order: with the turn's dispatch when it can, on its own otherwise. A
// validation a worker made with its attempt is decided with it, so the store folds the
// two moves into one update of the task.
Status RunSession::HandleCompletions(std::deque<Completion>& done) {
  std::vector<Decision> decided;
  decided.reserve(2 * done.size());
  for (Completion& c : done) {
    decided.push_back(Decide(c, slots_[c.slot].rec));
    if (std::optional<Decision> v = DecideReadyValidation(decided.back(), c)) decided.push_back(std::move(*v));
  }
  if (RecordWithDispatch()) {
    for (Decision& d : decided) Apply(d);
    unrecorded_.insert(unrecorded_.end(), std::make_move_iterator(decided.begin()),
                       std::make_move_iterator(decided.end()));
    return Status::OK();
  }
  BeforeRecording(decided);
  Status st = store_->MoveTasksTogether(MovesOf(decided), options_.actor, owner_);
  if (!st.ok()) {
    return st.WithContext("recording the end of " + std::to_string(decided.size()) + " attempt(s) and validation(s)");
  }
  for (Decision& d : decided) {
    Apply(d);
    Announce(d);
  }
  return Status::OK();
}

bool RunSession::RecordWithDispatch() const {
  return shutdown_ == RunShutdown::kNone && rollback_stage_ < 0 && Dispatching(run_.state) &&
         options_.gates.milestones.empty();
}

std::vector<StateStore::TaskMove> RunSession::MovesOf(std::vector<Decision>& decided) {
  std::vector<StateStore::TaskMove> moves;
  moves.reserve(decided.size());
  for (Decision& d : decided) {
    moves.push_back(d.move);
    if (d.record) moves.back().validation = &*d.record;
  }
  return moves;
}

void RunSession::BeforeRecording(const std::vector<Decision>& decided) const {
  if (!options_.before_recording || decided.empty()) return;
  std::vector<std::string> datasets;
  for (const Decision& d : decided) datasets.push_back(d.move.record.dataset_id);
  options_.before_recording(datasets);
}

Status RunSession::RecordApplied() {
  if (unrecorded_.empty()) return Status::OK();
  std::vector<Decision> recorded;
  recorded.swap(unrecorded_);
  BeforeRecording(recorded);
  Status st = store_->MoveTasksTogether(MovesOf(recorded), options_.actor, owner_);
  if (!st.ok()) {
    return st.WithContext("recording the end of " + std::to_string(recorded.size()) + " attempt(s) and validation(s)");
  }
  for (const Decision& d : recorded) Announce(d);
  return Status::OK();
}

void RunSession::Apply(Decision& d) {
  const uint32_t i = d.slot;
  const TaskState to = d.move.record.state;
  SetState(i, d.move.record);
  // An attempt to validate keeps its slot: the validation job is part of the dataset's turn.
  if (!d.validation && to == TaskState::kValidating) return;
  Release(i);
  TaskSettled(i);
}

void RunSession::Announce(const Decision& d) {
  const uint32_t i = d.slot;
  TaskLog(i, d.level, d.event, d.detail);
  const TaskState to = d.move.record.state;
  if (!d.validation && to == TaskState::kValidating) {
    if (!d.validated_with) SubmitValidation(i);
    return;
  }
  if (NeedsOperator(to)) {
    Notify(NeedsAttentionNotification(d.move.record,
                                      options_.log ? options_.log->TaskLogCommand(d.move.record.dataset_id) : ""));
  }
  CheckMilestones(i);
}

// The dataset's turn on a worker is over: its slot is free.
void RunSession::Release(uint32_t i) {
  slots_[i].token.reset();
  --running_;
  running_ids_.erase(i);
}

// A task left running or validating: count it, unblock its downstream, time its retry.
void RunSession::TaskSettled(uint32_t i) {
  const Slot& s = slots_[i];
  const TaskState to = s.rec.state;
  if (IsDone(to)) {
    ++succeeded_;
    skipped_ += s.rec.skipped ? 1 : 0;
    rows_in_ += s.rec.rows_in;
    rows_out_ += s.rec.rows_out;
    dead_lettered_ += s.rec.dead_lettered;
    filtered_ += s.rec.filtered;
    bytes_done_ += s.rec.size_bytes;
    UnblockDownstream(i);
  } else if (to == TaskState::kRetrying) {
    timers_.emplace(s.rec.next_attempt_ms, i);
  } else if (to == TaskState::kPending) {
    // Back in line (interrupted, or its source changed): runnable again in this stage.
    if (shutdown_ == RunShutdown::kNone && s.unmet == 0 && InCurrentStage(s.rec)) ready_.push(i);
  }
}

void RunSession::UnblockDownstream(uint32_t i) {
  for (uint32_t d : slots_[i].downstream) {
    Slot& ds = slots_[d];
    if (ds.unmet > 0 && --ds.unmet == 0 && InCurrentStage(ds.rec)) {
      if (ds.rec.state == TaskState::kPending) ready_.push(d);
      if (ds.rec.state == TaskState::kRetrying) timers_.emplace(ds.rec.next_attempt_ms, d);
    }
  }
}

// Milestones: the share of the current stage that has settled.
void RunSession::CheckMilestones(uint32_t i) {
  if (!InCurrentStage(slots_[i].rec) || !IsSettled(slots_[i].rec.state) || options_.gates.milestones.empty()) return;
  const StageCounts& c = counts_[stage_pos_];
  int64_t settled = 0;
  for (int k = 0; k < kNumTaskStates; ++k) {
    if (IsSettled(static_cast<TaskState>(k))) settled += c.by_state[k];
  }
  double fraction = c.total() ? static_cast<double>(settled) / static_cast<double>(c.total()) : 1.0;
  for (double m : ReachedMilestones(options_.gates, fraction, milestones_done_)) {
    ++milestones_done_;
    Status st = CheckGate(m);
    if (!st.ok() && shutdown_ == RunShutdown::kNone) Fail(st);
  }
}

}  // namespace gaggle
