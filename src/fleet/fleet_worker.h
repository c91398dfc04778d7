// FleetWorker: the loop of `gaggle worker`. It claims task attempts and validations from
// the work queue (store/work_queue.h) that a coordinator (fleet/queued_task_executor.h)
// filled, runs each with the migration's executor on this host, and reports the result.
//  - At most `slots` items at once. It claims when woken (WorkQueue::WaitForWork):
//    once when an enqueue picked it for some of its items, and, when there is a backlog
//    (or the idle poll passed), again as slots free up until a claim leaves slots free.
//  - A heartbeat thread extends every held lease each lease/3. A lease that cannot be
//    extended is lost: the item's token is cancelled and the agent stops.
//  - Right before an agent's output replaces anything, the lease is extended once more
//    and the commit is refused when it is lost (TaskContext::before_publish); the result
//    is recorded only under the epoch it was claimed with (WorkQueue::FinishAll), so a
//    worker that was paused, partitioned or slow never commits. Results that finish
//    together are recorded together (fleet/result_batcher.h).
//  - The executor of a migration is made once per spec hash from the spec text the
//    coordinator published in the store (workers need no spec file).
//  - A store error while reporting is retried for a while inside the lease; after that the
//    lease expires and the item runs again elsewhere (agents are idempotent).
//  - When `stop` is set, it claims nothing more, cancels what runs, and gives those
//    items back to the queue at once (WorkQueue::Release), so no retry is spent.
// Thread-safety: one Run() per FleetWorker.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "fleet/result_batcher.h"
#include "fleet/task_executor.h"
#include "fleet/worker_pool.h"
#include "store/work_queue.h"

namespace gaggle {

struct FleetWorkerOptions {
  std::string name;    // unique among live workers ("host:pid" by default)
  std::string host;    // for `gaggle workers`
  std::string labels;  // "k=v,k=v" sorted (FormatWorkerLabels): this worker claims only items they cover
  int slots = 2;
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds idle_poll{1000};  // the fallback when a NOTIFY is missed
  std::string artifacts;                      // agent logs go under it when set (shared by hosts)
  // Set when `artifacts` is this process's spool of an object-store location: the agent
  // log's folder is created as needed, and each agent log is handed here before its attempt
  // (starting: to fetch what earlier attempts on other hosts wrote, since the agent
  // appends) and after it (to be uploaded).
  std::function<void(const std::string& agent_log, bool starting)> sync_agent_log;
  Clock* clock = Clock::System();
  // Builds the executor of a published spec (text, origin).
  std::function<Result<std::unique_ptr<TaskExecutor>>(const std::string& spec_text, const std::string& origin)>
      make_executor;
  std::function<void(const std::string& line)> on_line;  // one human line per event
  int64_t max_items = 0;                                 // stop after this many results (tests); 0: never
};

struct FleetWorkerSummary {
  int64_t claimed = 0, recorded = 0, fenced = 0, released = 0, failed_reports = 0;
  // Claim statements sent, and how many found nothing: the cost of waking up, which
  // targeted wake-ups keep near one claim per batch of items.
  int64_t claims = 0, empty_claims = 0;
  // Milliseconds from enqueue to claim (on the hosts' clocks), one per claimed item in
  // claim order, at most the first 1,000,000: for benchmarks and `gaggle worker --json`.
  std::vector<int64_t> claim_latency_ms;
};

class FleetWorker {
 public:
  FleetWorker(WorkQueue* queue, FleetWorkerOptions options);
  ~FleetWorker();

  Result<FleetWorkerSummary> Run(const std::atomic<bool>* stop);

 private:
  struct Held {
    int64_t epoch = 0;
    std::shared_ptr<CancellationToken> token;
    bool lost = false;
  };
  void Work(const ClaimedWork& item) EXCLUDES(mu_);
  Result<std::string> Perform(const ClaimedWork& item, const TaskRecord& task, CancellationToken* token, bool* ok);
  Result<TaskExecutor*> ExecutorFor(const std::string& spec_hash) EXCLUDES(mu_);
  Status Fence(int64_t id, int64_t epoch);
  void Report(const ClaimedWork& item, bool ok, const std::string& result) EXCLUDES(mu_);
  void Heartbeat() EXCLUDES(mu_);
  void Line(const std::string& line);
  int Busy() EXCLUDES(mu_);

  WorkQueue* const queue_;
  const FleetWorkerOptions options_;
  Mutex mu_;
  CondVar cv_;
  std::map<int64_t, Held> held_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<TaskExecutor>> executors_ GUARDED_BY(mu_);
  FleetWorkerSummary summary_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<int> in_flight_{0};  // held items that will report (ResultBatcher lingers for them)
  ResultBatcher results_;
  // Last member: destroyed first, so jobs finish before what they touch goes away.
  WorkerPool pool_;
};

}  // namespace gaggle
