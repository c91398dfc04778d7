#include "fleet/fleet_runner.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "fleet/gate_pause.h"
#include "fleet/rollback.h"
#include "fleet/runner_identity.h"
#include "fleet/stage_gate.h"
#include "spec/spec_values.h"
#include "store/event_vocabulary.h"

namespace gaggle {

bool FleetRunSummary::all_succeeded() const {
  for (const StageCounts& s : stages) {
    if (s.done() != s.total() - s.count(TaskState::kCancelled) - s.count(TaskState::kRolledBack)) {
      return false;
    }
  }
  return ending == Ending::kCompleted;
}

const char* EndingName(FleetRunSummary::Ending ending) {
  switch (ending) {
    case FleetRunSummary::Ending::kCompleted: return "completed";
    case FleetRunSummary::Ending::kCancelled: return "cancelled";
    case FleetRunSummary::Ending::kInterrupted: return "interrupted";
    case FleetRunSummary::Ending::kPaused: return "paused";
  }
  return "?";
}

namespace {

using SteadyClock = std::chrono::steady_clock;

// A fixed set of threads that grows on demand; jobs run in submission order.
class WorkerPool {
 public:
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void EnsureThreads(size_t n) {
    while (threads_.size() < n) threads_.emplace_back([this] { Loop(); });
  }
  void Submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

 private:
  void Loop() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// One task as the runner holds it in memory.
struct Slot {
  TaskRecord rec;
  std::vector<uint32_t> upstream;    // slots this one waits for
  std::vector<uint32_t> downstream;  // slots waiting for this one
  uint32_t unmet = 0;                // upstreams not succeeded yet
  // While running:
  std::shared_ptr<CancellationToken> token;
  std::shared_ptr<std::atomic<int64_t>> live_rows;
  SteadyClock::time_point started;
  SteadyClock::time_point deadline;
  bool timed_out = false;
};

struct Completion {
  uint32_t slot;
  Result<TaskOutcome> result;  // an agent attempt
  double seconds;
  bool is_validation = false;
  Result<TaskValidation> validation = TaskValidation{};  // a validation job
};

enum class Shutdown { kNone, kCancel, kInterrupt, kFatal };

class RunSession {
 public:
  RunSession(StateStore* store, TaskExecutor* executor, const FleetRunOptions& options, std::string migration,
             const TaskGraph& graph)
      : store_(store),
        executor_(executor),
        options_(options),
        migration_(std::move(migration)),
        graph_(graph),
        owner_(options.owner.empty() ? CurrentRunnerIdentity() : options.owner),
        rng_(options.jitter_seed ? options.jitter_seed : std::random_device{}()) {}

  // Workers still running (after an early error return) are told to stop; the pool joins them.
  ~RunSession() { CancelRunning(); }

  Result<FleetRunSummary> Run();

 private:
  // --- setup
  Status ClaimLease();
  Status LoadTasks();
  void OpenStage();
  // --- the loop
  Status PollControl(bool force);
  Status DispatchReady();
  Status Dispatch(uint32_t i);
  Status HandleCompletion(Completion c);
  Status HandleValidation(Completion c);
  void SubmitValidation(uint32_t i);
  void TaskSettled(uint32_t i);
  Status CheckGate(double at_percent);
  Status RollBackStage(int stage, const std::string& why);
  // Every stage is done: verification and cut-over (FleetRunOptions::final_gate).
  // Passes, or pauses the run with the reason.
  Status RunFinalGate();
  void WatchTimeouts();
  void ReleaseTimers();
  bool StageIdle() const { return ready_.empty() && timers_.empty() && running_ == 0; }
  Status FinishStage();
  Status CancelWaitingTasks();
  Status Refresh(uint32_t i);
  void WaitForWork();
  void CancelRunning();
  // --- bookkeeping
  void SetState(uint32_t i, TaskRecord next);
  void Notify(const std::string& event, const std::string& text, nlohmann::json fields);
  void Log(const std::string& level, const std::string& event, nlohmann::json fields);
  void TaskLog(uint32_t i, const std::string& level, const std::string& event, nlohmann::json fields);
  void EmitProgress(bool force);
  FleetSnapshot Snapshot() const;
  FleetRunSummary Summarize(FleetRunSummary::Ending ending) const;
  int StageIndex(int stage) const;

  StateStore* store_;
  TaskExecutor* executor_;
  const FleetRunOptions& options_;
  const std::string migration_;
  const TaskGraph& graph_;
  const std::string owner_;
  std::mt19937_64 rng_;

  MigrationRun run_;
  std::vector<Slot> slots_;
  std::vector<int> stage_numbers_;               // distinct stages, ascending
  std::vector<std::vector<uint32_t>> by_stage_;  // slots per stage index, plan order
  std::vector<StageCounts> counts_;              // per stage index
  int stage_pos_ = -1;                           // index into stage_numbers_
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready_;
  std::priority_queue<std::pair<int64_t, uint32_t>, std::vector<std::pair<int64_t, uint32_t>>, std::greater<>> timers_;
  int running_ = 0;
  std::unordered_set<uint32_t> running_ids_;
  bool stage_announced_ = false;
  size_t milestones_done_ = 0;  // of the current stage
  int rollback_stage_ = -1;     // stage to roll back once nothing runs (auto_rollback)
  std::string rollback_reason_;
  bool final_gate_passed_ = false;
  nlohmann::json final_gate_detail_;
  int64_t bytes_left_ = 0;  // planned bytes of tasks not settled

  Shutdown shutdown_ = Shutdown::kNone;
  Status fatal_;
  bool paused_noticed_ = false;
  SteadyClock::time_point start_ = SteadyClock::now();
  SteadyClock::time_point last_poll_{};
  SteadyClock::time_point last_lease_{};
  SteadyClock::time_point last_progress_{};
  int64_t attempts_ = 0, retries_ = 0, succeeded_ = 0, skipped_ = 0, recovered_ = 0;
  int64_t rows_in_ = 0, rows_out_ = 0, dead_lettered_ = 0, filtered_ = 0;
  int64_t bytes_done_ = 0;

  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::deque<Completion> done_;  // GUARDED_BY(done_mu_)
  // Last member: destroyed first, so workers finish before what they touch goes away.
  WorkerPool pool_;
};

// ---------------------------------------------------------------- bookkeeping

int RunSession::StageIndex(int stage) const {
  auto it = std::lower_bound(stage_numbers_.begin(), stage_numbers_.end(), stage);
  return static_cast<int>(it - stage_numbers_.begin());
}

void RunSession::SetState(uint32_t i, TaskRecord next) {
  Slot& s = slots_[i];
  StageCounts& c = counts_[StageIndex(s.rec.stage)];
  c.by_state[static_cast<int>(s.rec.state)]--;
  c.by_state[static_cast<int>(next.state)]++;
  if (!IsSettled(s.rec.state)) bytes_left_ -= s.rec.size_bytes;
  if (!IsSettled(next.state)) bytes_left_ += next.size_bytes;
  if (IsDone(s.rec.state)) {
    c.rows_in -= s.rec.rows_in;
    c.rows_out -= s.rec.rows_out;
    c.dead_lettered -= s.rec.dead_lettered;
    c.filtered -= s.rec.filtered;
    c.done_bytes -= s.rec.size_bytes;
  }
  if (IsDone(next.state)) {
    c.rows_in += next.rows_in;
    c.rows_out += next.rows_out;
    c.dead_lettered += next.dead_lettered;
    c.filtered += next.filtered;
    c.done_bytes += next.size_bytes;
  }
  s.rec = std::move(next);
}

void RunSession::Log(const std::string& level, const std::string& event, nlohmann::json fields) {
  if (options_.log) options_.log->Run(level, event, std::move(fields));
}

void RunSession::TaskLog(uint32_t i, const std::string& level, const std::string& event, nlohmann::json fields) {
  if (options_.log) options_.log->Task(slots_[i].rec.dataset_id, level, event, std::move(fields));
}

void RunSession::Notify(const std::string& event, const std::string& text, nlohmann::json fields) {
  Log("info", "notify", {{"notification", event}, {"text", text}});
  if (!options_.notifier) return;
  Notification n;
  n.event = event;
  n.migration = migration_;
  n.text = text;
  n.fields = std::move(fields);
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
  snap.elapsed_seconds = std::chrono::duration<double>(SteadyClock::now() - start_).count();
  snap.bytes_left = bytes_left_;
  auto now = SteadyClock::now();
  for (uint32_t i : running_ids_) {
    const Slot& s = slots_[i];
    snap.running.push_back({s.rec.dataset_id, s.rec.attempts, std::chrono::duration<double>(now - s.started).count(),
                            s.live_rows ? s.live_rows->load() : 0});
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
  auto now = SteadyClock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(100)) return;
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
  sum.seconds = std::chrono::duration<double>(SteadyClock::now() - start_).count();
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

// ---------------------------------------------------------------- setup

Status RunSession::ClaimLease() {
  auto claimed = store_->ClaimRunner(migration_, owner_, UnixMillis(), options_.lease_ttl.count(), IsDeadLocalRunner);
  if (!claimed.ok()) return claimed.status();
  run_ = std::move(claimed).value();
  last_lease_ = SteadyClock::now();
  return Status::OK();
}

Status RunSession::LoadTasks() {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store_->LoadTasks(migration_));
  std::sort(tasks.begin(), tasks.end(), [](const TaskRecord& a, const TaskRecord& b) { return a.ordinal < b.ordinal; });
  slots_.clear();
  slots_.resize(tasks.size());
  bytes_left_ = 0;
  std::unordered_map<std::string, uint32_t> index;
  index.reserve(tasks.size());
  std::map<int, int> stages;
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    index.emplace(tasks[i].dataset_id, i);
    stages[tasks[i].stage] = 0;
    slots_[i].rec = std::move(tasks[i]);
  }
  stage_numbers_.clear();
  for (auto& [stage, unused] : stages) stage_numbers_.push_back(stage);
  by_stage_.assign(stage_numbers_.size(), {});
  counts_.assign(stage_numbers_.size(), {});
  for (size_t k = 0; k < stage_numbers_.size(); ++k) counts_[k].stage = stage_numbers_[k];
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    int k = StageIndex(s.rec.stage);
    by_stage_[k].push_back(i);
    StageCounts& c = counts_[k];
    c.by_state[static_cast<int>(s.rec.state)]++;
    if (!IsSettled(s.rec.state)) bytes_left_ += s.rec.size_bytes;
    c.size_bytes += s.rec.size_bytes;
    if (IsDone(s.rec.state)) {
      c.rows_in += s.rec.rows_in;
      c.rows_out += s.rec.rows_out;
      c.dead_lettered += s.rec.dead_lettered;
      c.filtered += s.rec.filtered;
      c.done_bytes += s.rec.size_bytes;
    }
    for (const std::string& up : graph_.Upstreams(s.rec.dataset_id)) {
      auto it = index.find(up);
      if (it == index.end() || it->second == i) continue;
      s.upstream.push_back(it->second);
      slots_[it->second].downstream.push_back(i);
    }
  }
  for (Slot& s : slots_) {
    s.unmet = 0;
    for (uint32_t u : s.upstream) s.unmet += IsDone(slots_[u].rec.state) ? 0 : 1;
  }
  return Status::OK();
}

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
    const StageCounts& c = counts_[stage_pos_];
    int stage = stage_numbers_[stage_pos_];
    Notify("stage_started",
           "stage " + std::to_string(stage) + " started (" + std::to_string(c.total()) + " datasets, " +
               std::to_string(c.done()) + " already done)",
           {{"stage", stage}, {"datasets", c.total()}, {"already_done", c.done()}});
  }
}

// ---------------------------------------------------------------- control

Status RunSession::PollControl(bool force) {
  auto now = SteadyClock::now();
  if (!force && now - last_poll_ < options_.poll_interval) return Status::OK();
  last_poll_ = now;
  if (now - last_lease_ >= options_.lease_ttl / 3) {
    auto claimed = store_->ClaimRunner(migration_, owner_, UnixMillis(), options_.lease_ttl.count(), IsDeadLocalRunner);
    if (!claimed.ok()) return claimed.status().WithContext("renewing the run lease");
    last_lease_ = now;
  }
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, store_->FindRun(migration_));
  if (!run) return Status::NotFound("migration '" + migration_ + "' has no run record any more");
  const RunState before = run_.state;
  const int concurrency_before = run_.concurrency;
  run_ = std::move(*run);
  if (run_.concurrency != concurrency_before) {
    Log("info", "concurrency_changed", {{"from", concurrency_before}, {"to", run_.concurrency}});
  }
  if (run_.state == RunState::kPaused && !paused_noticed_) {
    paused_noticed_ = true;
    Notify("paused", "paused" + (run_.state_reason.empty() ? "" : ": " + run_.state_reason),
           {{"reason", run_.state_reason}});
  } else if (run_.state != RunState::kPaused && before == RunState::kPaused) {
    paused_noticed_ = false;
    Log("info", "resumed", {{"reason", run_.state_reason}});
  }
  if (run_.state == RunState::kCancelled && shutdown_ == Shutdown::kNone) {
    shutdown_ = Shutdown::kCancel;
    Log("warn", "cancel_requested", {{"reason", run_.state_reason}});
  }
  if (run_.requeue_seq > run_.requeue_applied_seq) {
    // An operator changed task states (resume, retry): reload what is not running here.
    GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> fresh, store_->LoadTasks(migration_));
    std::unordered_map<std::string, TaskRecord*> by_id;
    for (TaskRecord& t : fresh) by_id[t.dataset_id] = &t;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].rec.state == TaskState::kRunning) continue;
      auto it = by_id.find(slots_[i].rec.dataset_id);
      if (it != by_id.end() && it->second->state != slots_[i].rec.state) SetState(i, *it->second);
    }
    for (Slot& s : slots_) {
      s.unmet = 0;
      for (uint32_t u : s.upstream) s.unmet += IsDone(slots_[u].rec.state) ? 0 : 1;
    }
    MigrationRunUpdate applied;
    applied.requeue_applied_seq = run_.requeue_seq;
    GAGGLE_ASSIGN_OR_RETURN(run_,
                            store_->UpdateRun(migration_, applied, options_.actor, "runner reloaded task states"));
    Log("info", "tasks_reloaded", {{"requeue_seq", run_.requeue_seq}});
    // Re-queued tasks may sit in earlier stages: start again from the first stage with work.
    stage_pos_ = 0;
    OpenStage();
  }
  return Status::OK();
}

Status RunSession::Refresh(uint32_t i) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<TaskRecord> fresh, store_->FindTask(migration_, slots_[i].rec.dataset_id));
  if (fresh) SetState(i, std::move(*fresh));
  return Status::OK();
}

// ---------------------------------------------------------------- dispatch

Status RunSession::Dispatch(uint32_t i) {
  Slot& s = slots_[i];
  const TaskState from = s.rec.state;
  TaskRecord next = s.rec;
  next.state = TaskState::kRunning;
  next.attempts += 1;
  next.runner = owner_;
  next.lease_expires_ms = UnixMillis() + options_.task_timeout.count() + options_.watchdog_grace.count();
  next.started_at = NowIso8601();
  next.finished_at.clear();
  nlohmann::json detail = {{"attempt", next.attempts}, {"runner", owner_}};
  Status st = store_->TransitionTask(from, next, options_.actor, detail.dump());
  if (st.code() == StatusCode::kConflict || st.code() == StatusCode::kNotFound) {
    // An operator moved it (paused, cancelled) since we loaded it: take the stored state.
    Log("info", "dispatch_skipped", {{"dataset", s.rec.dataset_id}, {"reason", st.message()}});
    return Refresh(i);
  }
  GAGGLE_RETURN_IF_ERROR(st);
  SetState(i, std::move(next));
  ++attempts_;
  if (s.rec.attempts > 1) ++retries_;
  ++running_;
  running_ids_.insert(i);
  s.started = SteadyClock::now();
  s.deadline = s.started + options_.task_timeout;
  s.timed_out = false;
  s.token = std::make_shared<CancellationToken>(s.deadline);
  s.live_rows = std::make_shared<std::atomic<int64_t>>(0);
  TaskLog(i, "info", "attempt_started", {{"attempt", s.rec.attempts}, {"stage", s.rec.stage}, {"wave", s.rec.wave}});

  TaskRecord task = s.rec;
  auto token = s.token;
  auto rows = s.live_rows;
  std::string agent_log = options_.log ? options_.log->AgentLogPath(task.dataset_id) : "";
  pool_.Submit([this, i, task = std::move(task), token, rows, agent_log] {
    TaskContext context;
    context.agent_log_path = agent_log;
    context.on_rows = [rows](int64_t n) { rows->store(n); };
    auto begin = SteadyClock::now();
    Result<TaskOutcome> result = executor_->Execute(task, token.get(), context);
    double seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      done_.push_back(Completion{i, std::move(result), seconds});
    }
    done_cv_.notify_one();
  });
  return Status::OK();
}

// A completed run record with work left (a newer plan added datasets) runs like a running one.
bool Dispatching(RunState state) { return state == RunState::kRunning || state == RunState::kCompleted; }

Status RunSession::DispatchReady() {
  if (shutdown_ != Shutdown::kNone || !Dispatching(run_.state) || rollback_stage_ >= 0) return Status::OK();
  const int limit = std::max(1, run_.concurrency);
  pool_.EnsureThreads(static_cast<size_t>(limit));
  while (running_ < limit && !ready_.empty()) {
    uint32_t i = ready_.top();
    ready_.pop();
    const TaskState st = slots_[i].rec.state;
    if ((st != TaskState::kPending && st != TaskState::kRetrying) || slots_[i].unmet > 0) continue;
    GAGGLE_RETURN_IF_ERROR(Dispatch(i));
  }
  return Status::OK();
}

void RunSession::ReleaseTimers() {
  const int64_t now = UnixMillis();
  while (!timers_.empty() && timers_.top().first <= now) {
    uint32_t i = timers_.top().second;
    timers_.pop();
    if (slots_[i].rec.state == TaskState::kRetrying) ready_.push(i);
  }
}

void RunSession::WatchTimeouts() {
  auto now = SteadyClock::now();
  for (uint32_t i : running_ids_) {
    Slot& s = slots_[i];
    if (!s.token || s.timed_out) continue;
    if (now >= s.deadline + options_.watchdog_grace) {
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

// ---------------------------------------------------------------- completion

Status RunSession::HandleCompletion(Completion c) {
  const uint32_t i = c.slot;
  Slot& s = slots_[i];
  TaskRecord next = s.rec;
  next.runner.clear();
  next.lease_expires_ms = 0;
  next.finished_at = NowIso8601();
  next.duration_ms = static_cast<int64_t>(c.seconds * 1000);
  nlohmann::json detail = {{"attempt", next.attempts}, {"seconds", c.seconds}};
  std::string level = "info", event;
  if (c.result.ok()) {
    const TaskOutcome& out = *c.result;
    next.state = options_.validate ? TaskState::kValidating : TaskState::kSucceeded;
    next.skipped = out.skipped;
    next.rows_in = out.rows_in;
    next.rows_out = out.rows_out;
    next.dead_lettered = out.dead_lettered;
    next.filtered = out.filtered;
    next.bytes_out = out.bytes_out;
    next.last_error.clear();
    detail["rows_in"] = out.rows_in;
    detail["rows_out"] = out.rows_out;
    detail["dead_lettered"] = out.dead_lettered;
    detail["filtered"] = out.filtered;
    detail["skipped"] = out.skipped;
    event = out.skipped ? "attempt_skipped_current" : "attempt_succeeded";
  } else {
    Status err = c.result.status();
    const bool past_deadline = s.timed_out || SteadyClock::now() >= s.deadline;
    if (err.code() == StatusCode::kTimeout ||
        (err.code() == StatusCode::kCancelled && past_deadline && shutdown_ == Shutdown::kNone)) {
      err = Status::Timeout("dataset '" + s.rec.dataset_id + "': attempt " + std::to_string(s.rec.attempts) +
                            " exceeded the fleet timeout of " + FormatDuration(options_.task_timeout) + " (" +
                            err.message() + ")");
    }
    next.last_error = err.ToString();
    detail["error"] = next.last_error;
    detail["retryable"] = err.retryable();
    level = "error";
    if (err.code() == StatusCode::kCancelled && shutdown_ == Shutdown::kCancel) {
      next.state = TaskState::kCancelled;
      event = "attempt_cancelled";
    } else if (err.code() == StatusCode::kCancelled && shutdown_ != Shutdown::kNone) {
      // Interrupted by us (SIGINT or a fatal store error): the attempt does not count.
      next.state = TaskState::kPending;
      next.attempts = std::max(0, next.attempts - 1);
      event = "attempt_interrupted";
      level = "warn";
    } else if (options_.retry.ShouldRetry(err, next.attempts)) {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      auto delay = options_.retry.NextDelay(next.attempts, unit(rng_));
      next.state = TaskState::kRetrying;
      next.next_attempt_ms = UnixMillis() + delay.count();
      detail["retry_in_ms"] = delay.count();
      event = "attempt_failed_will_retry";
      level = "warn";
    } else if (err.retryable()) {
      next.state = TaskState::kNeedsAttention;
      event = "out_of_retries";
    } else {
      next.state = TaskState::kFailed;
      event = "attempt_failed_permanently";
    }
  }
  Status st = store_->TransitionTask(TaskState::kRunning, next, options_.actor,
                                     detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!st.ok()) return st.WithContext("recording the end of dataset '" + s.rec.dataset_id + "'");
  TaskLog(i, level, event, detail);
  const TaskState to = next.state;
  SetState(i, std::move(next));
  if (to == TaskState::kValidating) {
    // The slot stays taken: the validation job is part of the dataset's turn.
    SubmitValidation(i);
    return Status::OK();
  }
  s.token.reset();
  --running_;
  running_ids_.erase(i);
  TaskSettled(i);
  return Status::OK();
}

// A task left running or validating: count it, unblock its downstream, notify.
void RunSession::TaskSettled(uint32_t i) {
  const TaskState to = slots_[i].rec.state;
  const int64_t planned_bytes = slots_[i].rec.size_bytes;
  if (IsDone(to)) {
    ++succeeded_;
    skipped_ += slots_[i].rec.skipped ? 1 : 0;
    rows_in_ += slots_[i].rec.rows_in;
    rows_out_ += slots_[i].rec.rows_out;
    dead_lettered_ += slots_[i].rec.dead_lettered;
    filtered_ += slots_[i].rec.filtered;
    bytes_done_ += planned_bytes;
    for (uint32_t d : slots_[i].downstream) {
      Slot& ds = slots_[d];
      if (ds.unmet > 0 && --ds.unmet == 0 && stage_pos_ >= 0 && stage_pos_ < static_cast<int>(stage_numbers_.size()) &&
          ds.rec.stage == stage_numbers_[stage_pos_]) {
        if (ds.rec.state == TaskState::kPending) ready_.push(d);
        if (ds.rec.state == TaskState::kRetrying) timers_.emplace(ds.rec.next_attempt_ms, d);
      }
    }
  } else if (to == TaskState::kRetrying) {
    timers_.emplace(slots_[i].rec.next_attempt_ms, i);
  } else if (NeedsOperator(to)) {
    const TaskRecord& r = slots_[i].rec;
    Notify("needs_attention",
           "dataset `" + r.dataset_id + "` " + TaskStateName(to) + " after " + std::to_string(r.attempts) + " attempt" +
               (r.attempts == 1 ? "" : "s") + ": " + r.last_error,
           {{"dataset", r.dataset_id},
            {"state", TaskStateName(to)},
            {"attempts", r.attempts},
            {"error", r.last_error},
            {"stage", r.stage},
            {"log", options_.log ? options_.log->TaskLogPath(r.dataset_id) : ""}});
  } else if (to == TaskState::kPending) {
    // Back in line (interrupted, or its source changed): runnable again in this stage.
    const Slot& s = slots_[i];
    if (shutdown_ == Shutdown::kNone && s.unmet == 0 && stage_pos_ >= 0 &&
        stage_pos_ < static_cast<int>(stage_numbers_.size()) && s.rec.stage == stage_numbers_[stage_pos_]) {
      ready_.push(i);
    }
  }
  // Milestones: the share of the current stage that has settled.
  if (stage_pos_ >= 0 && stage_pos_ < static_cast<int>(stage_numbers_.size()) &&
      slots_[i].rec.stage == stage_numbers_[stage_pos_] && IsSettled(to) && !options_.gates.milestones.empty()) {
    const StageCounts& c = counts_[stage_pos_];
    int64_t settled = 0;
    for (int k = 0; k < kNumTaskStates; ++k) {
      if (IsSettled(static_cast<TaskState>(k))) settled += c.by_state[k];
    }
    double fraction = c.total() ? static_cast<double>(settled) / static_cast<double>(c.total()) : 1.0;
    for (double m : ReachedMilestones(options_.gates, fraction, milestones_done_)) {
      ++milestones_done_;
      Status st = CheckGate(m);
      if (!st.ok() && shutdown_ == Shutdown::kNone) {
        fatal_ = st;
        shutdown_ = Shutdown::kFatal;
      }
    }
  }
}

void RunSession::SubmitValidation(uint32_t i) {
  Slot& s = slots_[i];
  TaskRecord task = s.rec;
  auto token = s.token;
  pool_.Submit([this, i, task = std::move(task), token] {
    auto begin = SteadyClock::now();
    Completion c{i, TaskOutcome{}, 0, true, TaskValidation{}};
    c.validation = executor_->Validate(task, token.get());
    c.seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      done_.push_back(std::move(c));
    }
    done_cv_.notify_one();
  });
}

Status RunSession::HandleValidation(Completion c) {
  const uint32_t i = c.slot;
  Slot& s = slots_[i];
  --running_;
  running_ids_.erase(i);
  s.token.reset();
  TaskRecord next = s.rec;
  nlohmann::json detail = {{"attempt", next.attempts}, {"validation_seconds", c.seconds}};
  std::string event, level = "info";
  ValidationRecord record;
  record.migration = migration_;
  record.dataset_id = next.dataset_id;
  record.attempt = next.attempts;
  if (!c.validation.ok()) {
    const Status& err = c.validation.status();
    if (err.code() == StatusCode::kCancelled && shutdown_ != Shutdown::kNone) {
      next.state = shutdown_ == Shutdown::kCancel ? TaskState::kCancelled : TaskState::kPending;
      if (next.state == TaskState::kPending) next.attempts = std::max(0, next.attempts - 1);
      event = "validation_interrupted";
      level = "warn";
    } else {
      next.state = TaskState::kInvalid;
      next.last_error = "validation could not run: " + err.ToString();
      record.summary = next.last_error;
      event = "validation_error";
      level = "error";
    }
    detail["error"] = err.ToString();
  } else if (c.validation->source_changed) {
    next.state = TaskState::kPending;
    next.last_error = c.validation->summary;
    record.summary = c.validation->summary;
    detail["source_changed"] = c.validation->summary;
    event = "source_changed_rerun";
    level = "warn";
  } else if (c.validation->passed) {
    next.state = TaskState::kValidated;
    record.passed = true;
    event = "validated";
  } else {
    next.state = TaskState::kInvalid;
    next.last_error = "validation failed: " + c.validation->summary;
    record.summary = c.validation->summary;
    detail["failed_checks"] = c.validation->summary;
    event = "validation_failed";
    level = "error";
  }
  if (c.validation.ok() && !c.validation->report.empty()) {
    record.report = c.validation->report;
    GAGGLE_RETURN_IF_ERROR(store_->SaveValidation(record));
  } else if (!record.summary.empty()) {
    GAGGLE_RETURN_IF_ERROR(store_->SaveValidation(record));
  }
  Status st = store_->TransitionTask(TaskState::kValidating, next, options_.actor,
                                     detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!st.ok()) return st.WithContext("recording the validation of dataset '" + s.rec.dataset_id + "'");
  TaskLog(i, level, event, detail);
  SetState(i, std::move(next));
  TaskSettled(i);
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
  Notify("gate_failed", summary, detail);
  if (options_.auto_rollback) {
    rollback_stage_ = stage;
    rollback_reason_ = summary;
    return Status::OK();
  }
  MigrationRunUpdate pause;
  pause.state = RunState::kPaused;
  pause.state_reason = StageGatePauseReason(stage, summary);
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, pause, options_.actor, summary));
  paused_noticed_ = true;
  Notify("paused", "paused by the stage " + std::to_string(stage) + " gate: " + summary, detail);
  return Status::OK();
}

Status RunSession::RunFinalGate() {
  Log("info", "final_gate_started", {});
  Status lease = Status::OK();
  auto keep_alive = [this, &lease] {
    if (!lease.ok() || SteadyClock::now() - last_lease_ < options_.lease_ttl / 3) return;
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
  Notify("verification_failed", result->summary, detail);
  MigrationRunUpdate pause;
  pause.state = RunState::kPaused;
  pause.state_reason = FinalGatePauseReason(result->summary);
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, pause, options_.actor, result->summary));
  paused_noticed_ = true;
  Notify("paused", "paused by the final verification: " + result->summary, detail);
  return Status::OK();
}

Status RunSession::RollBackStage(int stage, const std::string& why) {
  RollbackRequest request;
  request.migration = migration_;
  request.stage = stage;
  request.actor = options_.actor;
  request.reason = "rollout.auto_rollback: " + why;
  GAGGLE_ASSIGN_OR_RETURN(RollbackReport report, RollbackMigration(store_, request));
  for (uint32_t i : by_stage_[StageIndex(stage)]) {
    GAGGLE_RETURN_IF_ERROR(Refresh(i));
  }
  Log("warn", "stage_rolled_back",
      {{"stage", stage}, {"rolled_back", report.rolled_back}, {"quarantine", report.quarantine_dir}});
  Notify("rolled_back",
         "stage " + std::to_string(stage) + " rolled back automatically: " + std::to_string(report.rolled_back) +
             " datasets, outputs quarantined in " + report.quarantine_dir,
         {{"stage", stage}, {"rolled_back", report.rolled_back}, {"quarantine", report.quarantine_dir}});
  MigrationRunUpdate u;
  u.state = RunState::kCancelled;
  u.state_reason = "stage " + std::to_string(stage) + " rolled back (rollout.auto_rollback): " + why;
  GAGGLE_ASSIGN_OR_RETURN(run_, store_->UpdateRun(migration_, u, options_.actor, *u.state_reason));
  return Status::OK();
}

// ---------------------------------------------------------------- stages

Status RunSession::FinishStage() {
  const StageCounts& c = counts_[stage_pos_];
  const int stage = stage_numbers_[stage_pos_];
  int64_t waiting = c.count(TaskState::kPending) + c.count(TaskState::kRetrying);
  int64_t attention = c.count(TaskState::kFailed) + c.count(TaskState::kNeedsAttention);
  if (stage_announced_ || attention > 0) {
    Notify("stage_finished",
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
  Log("info", "stage_finished",
      {{"stage", stage}, {"done", c.done()}, {"needs_attention", attention}, {"blocked", waiting}});
  ++stage_pos_;
  OpenStage();
  return Status::OK();
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

void RunSession::WaitForWork() {
  auto wait = options_.poll_interval;
  if (!timers_.empty()) {
    int64_t until = timers_.top().first - UnixMillis();
    wait = std::min(wait, std::chrono::milliseconds(std::max<int64_t>(1, until)));
  }
  std::unique_lock<std::mutex> lock(done_mu_);
  done_cv_.wait_for(lock, wait, [this] { return !done_.empty(); });
}

// ---------------------------------------------------------------- the loop

Result<FleetRunSummary> RunSession::Run() {
  GAGGLE_RETURN_IF_ERROR(ClaimLease());
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

  FleetRunSummary::Ending ending = FleetRunSummary::Ending::kCompleted;
  while (true) {
    if (options_.interrupted && options_.interrupted->load() && shutdown_ == Shutdown::kNone) {
      shutdown_ = Shutdown::kInterrupt;
      Log("warn", "interrupted", {{"running", running_}});
    }
    if (shutdown_ == Shutdown::kNone) {
      Status st = PollControl(false);
      if (!st.ok()) {
        fatal_ = st;
        shutdown_ = Shutdown::kFatal;
      }
    }
    if (shutdown_ != Shutdown::kNone) CancelRunning();

    // Completions first: they free slots and unblock downstream tasks.
    std::deque<Completion> done;
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      done.swap(done_);
    }
    for (Completion& c : done) {
      Status st = c.is_validation ? HandleValidation(std::move(c)) : HandleCompletion(std::move(c));
      if (!st.ok() && shutdown_ != Shutdown::kFatal) {
        fatal_ = st;
        shutdown_ = Shutdown::kFatal;
        CancelRunning();
      }
    }

    if (shutdown_ != Shutdown::kNone) {
      if (running_ > 0) {
        WaitForWork();
        continue;
      }
      if (shutdown_ == Shutdown::kFatal) break;
      if (shutdown_ == Shutdown::kCancel) {
        GAGGLE_RETURN_IF_ERROR(CancelWaitingTasks());
        ending = FleetRunSummary::Ending::kCancelled;
        Notify("cancelled", "cancelled" + (run_.state_reason.empty() ? "" : ": " + run_.state_reason),
               {{"reason", run_.state_reason}});
      } else {
        ending = FleetRunSummary::Ending::kInterrupted;
      }
      break;
    }

    if (rollback_stage_ >= 0) {
      // A gate failed with rollout.auto_rollback: let running tasks finish, then undo the stage.
      if (running_ > 0) {
        WaitForWork();
        continue;
      }
      GAGGLE_RETURN_IF_ERROR(RollBackStage(rollback_stage_, rollback_reason_));
      ending = FleetRunSummary::Ending::kCancelled;
      break;
    }
    WatchTimeouts();
    ReleaseTimers();
    if (Dispatching(run_.state)) {
      Status st = DispatchReady();
      if (!st.ok()) {
        fatal_ = st;
        shutdown_ = Shutdown::kFatal;
        continue;
      }
      // Advance over stages with nothing left to do, each behind its gate.
      while (Dispatching(run_.state) && rollback_stage_ < 0 && stage_pos_ < static_cast<int>(stage_numbers_.size()) &&
             StageIdle()) {
        st = CheckGate(100);
        if (!st.ok() || !Dispatching(run_.state) || rollback_stage_ >= 0) break;
        GAGGLE_RETURN_IF_ERROR(FinishStage());
        st = DispatchReady();
        if (!st.ok()) break;
      }
      if (!st.ok()) {
        fatal_ = st;
        shutdown_ = Shutdown::kFatal;
        continue;
      }
      if (stage_pos_ >= static_cast<int>(stage_numbers_.size()) && running_ == 0) {
        if (!options_.final_gate || final_gate_passed_) break;
        st = RunFinalGate();
        if (!st.ok()) {
          fatal_ = st;
          shutdown_ = Shutdown::kFatal;
          continue;
        }
        if (final_gate_passed_) break;
      }
    } else if (run_.state == RunState::kPaused && running_ == 0 && options_.exit_when_paused) {
      ending = FleetRunSummary::Ending::kPaused;
      break;
    }
    EmitProgress(false);
    WaitForWork();
  }

  EmitProgress(true);
  if (shutdown_ == Shutdown::kFatal) {
    Log("error", "run_failed", {{"error", fatal_.ToString()}});
    (void)store_->ReleaseRunner(migration_, owner_);
    return fatal_;
  }
  FleetRunSummary summary = Summarize(ending);
  if (ending == FleetRunSummary::Ending::kCompleted) {
    int64_t done = 0, attention = static_cast<int64_t>(summary.attention.size());
    for (const StageCounts& c : counts_) done += c.done();
    std::string reason = std::to_string(done) + " of " + std::to_string(slots_.size()) + " datasets migrated";
    if (attention) reason += ", " + std::to_string(attention) + " need attention";
    if (!summary.blocked.empty()) reason += ", " + std::to_string(summary.blocked.size()) + " blocked by them";
    if (final_gate_detail_.is_object() && final_gate_detail_.contains("summary")) {
      reason += "; " + final_gate_detail_["summary"].get<std::string>();
    }
    MigrationRunUpdate update;
    update.state = RunState::kCompleted;
    update.state_reason = reason;
    auto updated = store_->UpdateRun(migration_, update, options_.actor, reason);
    if (!updated.ok()) return updated.status();
    run_ = std::move(updated).value();
    nlohmann::json attention_list = nlohmann::json::array();
    for (const TaskRecord& t : summary.attention) {
      attention_list.push_back({{"dataset", t.dataset_id}, {"state", TaskStateName(t.state)}, {"error", t.last_error}});
    }
    nlohmann::json fields = {{"datasets", slots_.size()},         {"succeeded", done},
                             {"needs_attention", attention_list}, {"blocked", summary.blocked.size()},
                             {"rows_out", summary.rows_out},      {"dead_lettered", summary.dead_lettered},
                             {"retries", summary.retries}};
    // The final gate's findings: verification, cut-over, per-consumer patches.
    if (final_gate_detail_.is_object()) {
      for (auto& [key, value] : final_gate_detail_.items()) fields[key] = value;
    }
    Notify("completed", "completed: " + reason, fields);
  }
  Log("info", "run_ended",
      {{"ending", EndingName(ending)},
       {"attempts", attempts_},
       {"retries", retries_},
       {"succeeded", succeeded_},
       {"seconds", summary.seconds}});
  GAGGLE_RETURN_IF_ERROR(store_->ReleaseRunner(migration_, owner_));
  return summary;
}

}  // namespace

Result<FleetRunSummary> FleetRunner::Run(const std::string& migration, const TaskGraph& graph) {
  RunSession session(store_, executor_, options_, migration, graph);
  return session.Run();
}

}  // namespace gaggle
