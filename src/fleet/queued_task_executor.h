// QueuedTaskExecutor: the TaskExecutor of a coordinator whose agents run on `gaggle
// worker` processes (fleet/fleet_worker.h). Each call puts one item in the work queue
// (store/work_queue.h) and ends when a worker's result comes back, so the
// fleet's scheduling (fleet/run_session.h: stages, upstreams, concurrency, retries,
// gates) stays in one place and does not know where agents run. It is asynchronous
// (task_executor.h): ExecuteAsync and ValidateAsync hold no thread while the item is
// out, and the poller hands each result to its callback, so a coordinator running
// hundreds of items does not switch between hundreds of waiting threads. Execute and
// Validate are the same calls, waited for.
//  - One poller thread queues the requests of every call made since its last round in one
//    transaction (group commit), takes the finished items of every waiting call in one
//    query per poll interval, sooner while results flow (results are polled; NOTIFY is
//    sent on enqueue only), and
//    returns expired leases to the queue every reap interval, without spending a retry.
//  - A call whose token fires (timeout, cancel, interrupt) cancels its item: the
//    worker's next lease extension fails and it stops; its result is never recorded.
//    The poller checks the tokens of the calls out every round.
//  - An item left by a coordinator that died is adopted by Enqueue (same task, same
//    target), so a takeover does not run the work again.
// Thread-safety: every call may be made concurrently from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "fleet/task_executor.h"
#include "store/work_queue.h"

namespace gaggle {

struct QueuedTaskExecutorOptions {
  std::string spec_hash;  // published with WorkQueue::PublishSpec before the first call
  Clock* clock = Clock::System();
  std::chrono::milliseconds poll_interval{5};
  // The interval after a poll that took results (work is flowing).
  std::chrono::milliseconds busy_poll_interval{1};
  std::chrono::milliseconds reap_interval{1000};
  // The fleet validates each successful attempt (FleetRunOptions::validate): a worker
  // then validates right after the attempt, in the same work item, and Validate returns
  // that result without a second round through the queue.
  bool validate_with_attempt = true;
  // The worker labels every item needs ("k=v,k=v", store/work_queue.h; "" = any worker).
  std::string worker_labels;
  // Told about each lease the reaper returned ("dataset (worker)") and each queue error.
  std::function<void(const std::string& event, const std::string& detail)> on_event;
};

class QueuedTaskExecutor final : public TaskExecutor {
 public:
  QueuedTaskExecutor(WorkQueue* queue, QueuedTaskExecutorOptions options);
  ~QueuedTaskExecutor() override;
  QueuedTaskExecutor(const QueuedTaskExecutor&) = delete;
  QueuedTaskExecutor& operator=(const QueuedTaskExecutor&) = delete;

  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override;
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) override;
  std::optional<Result<TaskValidation>> TakeReadyValidation(const TaskRecord& task) override EXCLUDES(mu_);
  bool asynchronous() const override { return true; }
  void ExecuteAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token, const TaskContext& context,
                    std::function<void(Result<TaskOutcome>)> done) override EXCLUDES(mu_);
  void ValidateAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                     std::function<void(Result<TaskValidation>)> done) override EXCLUDES(mu_);

 private:
  // One call out: the executor owns it (calls_), the poller watches its token and calls
  // `finish` with the result.
  struct Waiter {
    WorkRequest request;
    int64_t id = 0;          // once queued
    bool in_flight = false;  // the poller is queueing it (outside mu_): the waiter must stay
    std::shared_ptr<CancellationToken> token;
    std::function<void(Result<FinishedWork>)> finish;
  };
  // A call that is over, to finish outside mu_.
  struct Finishing {
    std::unique_ptr<Waiter> waiter;
    Result<FinishedWork> result;
    int64_t cancel_id = 0;  // its item, to cancel first (0: none)
  };
  // The key of an attempt's validation that a worker made with it.
  static std::string AttemptKey(const TaskRecord& task);
  WorkRequest RequestFor(WorkKind kind, const TaskRecord& task) const;
  // Queues the work and calls `finish` with its result, or the token's status.
  void StartRemote(WorkKind kind, const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                   std::function<void(Result<FinishedWork>)> finish) EXCLUDES(mu_);
  // Takes a call out of the executor's books.
  std::unique_ptr<Waiter> Detach(Waiter* w) REQUIRES(mu_);
  // The calls whose tokens fired; every one when `all` (stopping).
  void CollectStopped(bool all, std::vector<Finishing>* out) REQUIRES(mu_);
  void FinishAll(std::vector<Finishing>& calls) EXCLUDES(mu_);
  void PollLoop() EXCLUDES(mu_);
  // Queues what calls asked for since the last round; true when there was anything.
  bool EnqueuePending() EXCLUDES(mu_);
  // Hands out the results of TakeFinished, then ends the calls stopped since.
  void Deliver(Result<std::vector<FinishedWork>>& finished) EXCLUDES(mu_);
  // Returns expired leases to the queue.
  void Reap();
  void Event(const std::string& event, const std::string& detail);

  WorkQueue* const queue_;
  const QueuedTaskExecutorOptions options_;
  Mutex mu_;
  CondVar poller_cv_;                             // new requests, or stop
  std::vector<Waiter*> pending_ GUARDED_BY(mu_);  // not queued yet
  std::map<int64_t, Waiter*> waiting_ GUARDED_BY(mu_);
  std::map<Waiter*, std::unique_ptr<Waiter>> calls_ GUARDED_BY(mu_);
  // Validations workers made with their attempts, until Validate asks (AttemptKey).
  std::map<std::string, std::string> validations_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread poller_;
};

}  // namespace gaggle
