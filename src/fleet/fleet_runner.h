// FleetRunner: executes one migration's tasks — the heart of `gaggle run`.
//
// It takes the migration's run lease (one runner per migration), recovers tasks
// a dead runner left in running, then works stage by stage: inside the current
// stage it starts tasks in plan order as soon as every selected upstream
// succeeded, at most `concurrency` at once (re-read from the run record, so
// `gaggle fleet set` applies live), and moves each task through the state
// machine of store/task_state.h, one state-store transaction per transition:
//  - a retryable failure with retries left waits out the backoff (RetryPolicy);
//  - a permanent failure becomes failed; a retryable one out of retries
//    needs-attention; the rest of the migration goes on without it, and the
//    datasets downstream of it wait (reported as blocked);
//  - a task over its timeout is cancelled (the token's deadline; a watchdog
//    cancels executors that ignore it) and counts as a retryable failure.
// After its agent succeeds, a dataset is validated (validating -> validated or
// invalid; a source that changed since the agent ran sends it back to pending).
// A stage ends when nothing in it can run any more; its gate then decides (and at
// each milestone inside it): pass -> the next stage starts; fail -> the migration
// pauses with the failing datasets and checks as its reason (or, with
// auto_rollback, the stage is rolled back and the run cancelled). An operator's
// `gaggle approve --stage N` lets a failed gate pass.
// Operators steer a running migration through the run record (pause, resume,
// cancel, concurrency), which the runner polls; SIGINT (`interrupted`) cancels
// running tasks and puts them back to pending. Every step is logged (RunLog),
// notified where it matters (Notifier), and visible in progress snapshots.
// Time (backoff, task deadlines, the watchdog, lease renewal, polling, progress)
// is FleetRunOptions::clock's: tests pass a FakeClock and never sleep. The runner
// sleeps on the clock only when no attempt is out; while one is, it waits for its
// completion or the next deadline of the clock, whichever comes first.
// The implementation is RunSession (run_session.h).
// Thread-safety: one Run() at a time per FleetRunner; the executor is called
// from worker threads; the store only from the thread calling Run().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fleet/notifier.h"
#include "fleet/retry_policy.h"
#include "fleet/run_log.h"
#include "fleet/task_executor.h"
#include "fleet/task_graph.h"
#include "storage/file_system_resolver.h"
#include "store/fleet_records.h"
#include "store/state_store.h"

namespace gaggle {

// What the runner is doing now, for progress displays.
struct FleetSnapshot {
  std::string migration;
  RunState state = RunState::kRunning;
  std::string state_reason;
  int concurrency = 0;
  int current_stage = -1;  // -1: not started or finished
  std::vector<StageCounts> stages;
  int64_t rows_done = 0;   // rows read by tasks finished in this run
  int64_t bytes_done = 0;  // planned source bytes of tasks finished in this run
  int64_t bytes_left = 0;  // planned source bytes of tasks not settled yet
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // -1: unknown yet
  int64_t retries = 0;
  struct Running {
    std::string dataset;
    int attempt = 0;
    double seconds = 0;
    int64_t rows = 0;
  };
  std::vector<Running> running;  // longest running first
};

// What the final gate (downstream verification and cut-over, wired by the caller) decided.
struct FinalGateResult {
  bool passed = true;
  std::string summary;    // one line, for the run record and notifications
  nlohmann::json detail;  // merged into the "completed" notification (or sent with the pause)
};

struct FleetRunOptions {
  // The object stores of s3:// and gs:// outputs, for automatic rollback; nullptr: the environment's.
  FileSystemResolver* resolver = nullptr;
  std::string actor = "gaggle";
  Clock* clock = Clock::System();  // every time the runner reads or waits for
  std::string owner;               // run lease holder; CurrentRunnerIdentity() when empty
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds lease_ttl{10000};
  std::chrono::milliseconds task_timeout{30 * 60 * 1000};
  // After the deadline, how long an executor may take to notice before the watchdog cancels it.
  std::chrono::milliseconds watchdog_grace{10000};
  RetryPolicy retry;
  uint64_t jitter_seed = 0;                               // 0: random
  std::function<void(const FleetSnapshot&)> on_progress;  // called on the runner's thread
  Notifier* notifier = nullptr;
  RunLog* log = nullptr;
  const std::atomic<bool>* interrupted = nullptr;  // set by a SIGINT handler
  bool exit_when_paused = false;                   // return instead of waiting for `gaggle resume`
  // A live holder of the run lease is waited for (polled each lease_ttl/4) instead of
  // failing with Conflict: a standby coordinator takes over within the lease time.
  bool wait_for_lease = false;
  // Validate each dataset after its agent succeeds (TaskExecutor::Validate) and hold each
  // stage behind its gate (fleet/stage_gate.h).
  bool validate = true;
  GatesSpec gates;
  bool auto_rollback = false;  // a failed gate rolls its stage back instead of pausing
  // Runs on the runner's thread once every stage is done, before the run completes. A
  // failed final gate pauses the run (`gaggle resume` runs the gate again). The gate
  // must call `keep_alive` every few seconds: it renews the run lease.
  std::function<Result<FinalGateResult>(const std::function<void()>& keep_alive)> final_gate;
  // Drills: called on the runner's thread right before completions are recorded (their
  // agents' work is done and published; the store does not know yet), with their datasets.
  std::function<void(const std::vector<std::string>& datasets)> before_recording;
};

struct FleetRunSummary {
  enum class Ending { kCompleted, kCancelled, kInterrupted, kPaused };
  Ending ending = Ending::kCompleted;
  std::vector<StageCounts> stages;
  int64_t tasks = 0;
  int64_t attempts = 0;   // started by this run
  int64_t retries = 0;    // of those, retries
  int64_t succeeded = 0;  // succeeded in this run
  int64_t skipped = 0;    // of those, already current
  int64_t recovered = 0;  // found running after a dead runner, put back to pending
  int64_t rows_in = 0, rows_out = 0, dead_lettered = 0, filtered = 0;  // tasks succeeded in this run
  std::vector<TaskRecord> attention;                                   // failed and needs-attention, plan order
  std::vector<std::pair<std::string, std::string>> blocked;            // (dataset, the upstream it waits for)
  double seconds = 0;

  bool all_succeeded() const;
};

const char* EndingName(FleetRunSummary::Ending ending);

class FleetRunner {
 public:
  FleetRunner(StateStore* store, TaskExecutor* executor, FleetRunOptions options)
      : store_(store), executor_(executor), options_(std::move(options)) {}

  // Runs `migration`, whose run record and tasks exist (StateStore::UpsertRun), with
  // `graph` giving each dataset's selected upstreams. Returns when every task has
  // settled, or the run is cancelled, interrupted, or paused with exit_when_paused.
  // Errors: the lease is held by a live runner (Conflict), or the store failed.
  Result<FleetRunSummary> Run(const std::string& migration, const TaskGraph& graph);

 private:
  StateStore* store_;
  TaskExecutor* executor_;
  FleetRunOptions options_;
};

}  // namespace gaggle
