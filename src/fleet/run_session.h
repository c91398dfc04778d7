// RunSession: one FleetRunner::Run(), from taking the migration's run lease to
// releasing it (fleet_runner.h states the behaviour). Internal to the fleet: only
// FleetRunner makes one. The work is split by concern:
//   run_session.cc         the loop: start, one turn at a time, the end
//   run_session_tasks.cc   dispatch, completions, timeouts, retry timers, counts
//   run_session_stages.cc  stages, gates, the final gate, rollback, operator control
// What an attempt's end means is attempt_outcome.h; the words it says are
// run_notifications.h; the threads are worker_pool.h. All time comes from
// FleetRunOptions::clock.
// Thread-safety: everything runs on the thread that called Run(), except the jobs
// on pool_ and the callbacks of an asynchronous executor, which touch only the
// executor, the clock and the completion queue.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "fleet/attempt_outcome.h"
#include "fleet/fleet_runner.h"
#include "fleet/worker_pool.h"

namespace gaggle {

class RunSession {
 public:
  RunSession(StateStore* store, TaskExecutor* executor, const FleetRunOptions& options, std::string migration,
             const TaskGraph& graph);
  // Workers still running (after an early error return) are told to stop; the pool joins
  // them, and asynchronous calls are waited for.
  ~RunSession() {
    CancelRunning();
    WaitForAsyncCalls();
  }

  Result<FleetRunSummary> Run();

 private:
  // One task as the session holds it in memory.
  struct Slot {
    TaskRecord rec;
    std::vector<uint32_t> upstream;    // slots this one waits for
    std::vector<uint32_t> downstream;  // slots waiting for this one
    uint32_t unmet = 0;                // upstreams not done yet
    // While running (times are the clock's MonotonicMicros):
    std::shared_ptr<CancellationToken> token;
    std::shared_ptr<std::atomic<int64_t>> live_rows;
    int64_t started = 0;
    int64_t deadline = 0;
    bool timed_out = false;
  };
  // What a worker reports: the end of an agent attempt or of a validation.
  struct Completion {
    uint32_t slot;
    Result<TaskOutcome> result;  // an agent attempt
    double seconds;
    bool is_validation = false;
    Result<TaskValidation> validation = TaskValidation{};  // a validation job
    // The attempt's validation when it was at hand as the attempt ended (SubmitAttempt): made
    // in the attempt's own job, or by a worker with the attempt (TakeReadyValidation).
    std::optional<Result<TaskValidation>> ready_validation = std::nullopt;
  };
  // What one turn of the loop decided: loop again at once, wait for work, or end.
  struct Turn {
    enum Kind { kAgain, kIdle, kEnd } kind = kIdle;
    FleetRunSummary::Ending ending = FleetRunSummary::Ending::kCompleted;
  };
  static Turn Again() { return {Turn::kAgain}; }
  static Turn Idle() { return {Turn::kIdle}; }
  static Turn End(FleetRunSummary::Ending ending) { return {Turn::kEnd, ending}; }
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min() / 2;
  // A completed run record with work left (a newer plan added datasets) runs like a running one.
  static bool Dispatching(RunState state) { return state == RunState::kRunning || state == RunState::kCompleted; }

  // --- the loop (run_session.cc)
  Status Start();
  Result<Turn> TakeTurn();
  void CheckSignals();
  void DrainCompletions() EXCLUDES(done_mu_);
  Result<Turn> WindDown();
  Result<Turn> RollBackWhenIdle();
  Result<Turn> DispatchAndAdvance();
  Result<FleetRunSummary> Finish(FleetRunSummary::Ending ending);
  Status RecordCompletion(const FleetRunSummary& summary);
  void WaitForWork() EXCLUDES(done_mu_);
  void Fail(Status st);

  // --- tasks (run_session_tasks.cc)
  Status DispatchReady();
  Status Dispatch(uint32_t i);
  StateStore::TaskMove NextAttempt(uint32_t i) const;
  void Started(uint32_t i, TaskRecord next);
  void SubmitAttempt(uint32_t i) EXCLUDES(done_mu_);
  void SubmitValidation(uint32_t i) EXCLUDES(done_mu_);
  // An asynchronous executor call is out (TaskExecutor::asynchronous()).
  void StartedAsync() EXCLUDES(done_mu_);
  // `async`: the completion of an asynchronous call.
  void Complete(Completion c, bool async) EXCLUDES(done_mu_);
  void WaitForAsyncCalls() EXCLUDES(done_mu_);
  // What a completion means for its task: the move to record, and what to log.
  struct Decision {
    uint32_t slot = 0;
    bool validation = false;
    bool validated_with = false;  // an attempt whose validation is decided in the same turn
    StateStore::TaskMove move;
    std::optional<ValidationRecord> record;  // saved with the move
    nlohmann::json detail;
    std::string event, level;
  };
  // `current` is the task as the completion finds it (its slot's record, or the record an
  // attempt decided in the same turn left).
  Decision Decide(const Completion& c, const TaskRecord& current);
  // The decision on c.ready_validation, the validation of the attempt `d` decided, if any.
  std::optional<Decision> DecideReadyValidation(Decision& d, Completion& c);
  // In an attempt's job, right after it succeeded: the executor's own validation of it when
  // it made one, else a Validate call.
  Result<TaskValidation> ValidateNow(const TaskRecord& task, CancellationToken* token);
  Status HandleCompletions(std::deque<Completion>& done);
  // Whether this turn's completions can be written with its dispatch, in one transaction:
  // the turn goes on to dispatch, and no milestone gate needs them in the store first.
  bool RecordWithDispatch() const;
  static std::vector<StateStore::TaskMove> MovesOf(std::vector<Decision>& decided);
  // Tells the drill hook (FleetRunOptions::before_recording) which completions go next.
  void BeforeRecording(const std::vector<Decision>& decided) const;
  // Writes the applied completions not recorded yet (unrecorded_) and announces them.
  Status RecordApplied();
  // The in-memory part of a recorded (or about to be recorded) decision.
  void Apply(Decision& d);
  // What a decision sets going once it is in the store: its log line, its validation
  // job, a needs-attention notification, milestone gates.
  void Announce(const Decision& d);
  void Release(uint32_t i);
  void TaskSettled(uint32_t i);
  void UnblockDownstream(uint32_t i);
  void CheckMilestones(uint32_t i);
  void WatchTimeouts();
  void ReleaseTimers();
  void CancelRunning();
  Status CancelWaitingTasks();
  Status Refresh(uint32_t i);
  void SetState(uint32_t i, TaskRecord next);
  void RecountUnmet();
  bool InCurrentStage(const TaskRecord& rec) const;
  bool StageIdle() const { return ready_.empty() && timers_.empty() && running_ == 0; }

  // --- stages, gates and control (run_session_stages.cc)
  Status ClaimLease();
  // ClaimLease until it is free (FleetRunOptions::wait_for_lease), or interrupted.
  Status WaitForLease();
  Status LoadTasks();
  void LinkUpstreams();
  void OpenStage();
  Status FinishStage();
  Status CheckGate(double at_percent);
  Status RollBackStage(int stage, const std::string& why);
  // Every stage is done: verification and cut-over (FleetRunOptions::final_gate).
  // Passes, or pauses the run with the reason.
  Status RunFinalGate();
  Status Pause(const std::string& reason, const std::string& detail);
  Status PollControl(bool force);
  void NoticeRunChanges(RunState before, int concurrency_before);
  Status ReloadTasks();

  // --- reporting (run_session.cc)
  void Notify(Notification n);
  void Log(const std::string& level, const std::string& event, nlohmann::json fields);
  void TaskLog(uint32_t i, const std::string& level, const std::string& event, nlohmann::json fields);
  void EmitProgress(bool force);
  FleetSnapshot Snapshot() const;
  FleetRunSummary Summarize(FleetRunSummary::Ending ending) const;
  int StageIndex(int stage) const;
  double SecondsSince(int64_t monotonic_micros) const;

  StateStore* store_;
  TaskExecutor* executor_;
  const FleetRunOptions& options_;
  Clock* const clock_;
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
  // (next_attempt_ms on the wall clock, slot) of retrying tasks.
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

  RunShutdown shutdown_ = RunShutdown::kNone;
  Status fatal_;
  bool paused_noticed_ = false;
  const int64_t start_;  // MonotonicMicros
  int64_t last_poll_ = kNever;
  int64_t last_lease_ = kNever;
  int64_t last_progress_ = kNever;
  int64_t attempts_ = 0, retries_ = 0, succeeded_ = 0, skipped_ = 0, recovered_ = 0;
  int64_t rows_in_ = 0, rows_out_ = 0, dead_lettered_ = 0, filtered_ = 0;
  int64_t bytes_done_ = 0;

  Mutex done_mu_;
  CondVar done_cv_;
  std::deque<Completion> done_ GUARDED_BY(done_mu_);
  int async_out_ GUARDED_BY(done_mu_) = 0;  // asynchronous calls not completed yet
  // Completions applied in memory that go to the store with the turn's dispatch
  // (RecordWithDispatch); announced once written.
  std::vector<Decision> unrecorded_;
  // Last member: destroyed first, so workers finish before what they touch goes away.
  WorkerPool pool_;
};

}  // namespace gaggle
