#include "fleet/queued_task_executor.h"

#include <vector>

#include "fleet/work_payload.h"

namespace gaggle {

QueuedTaskExecutor::QueuedTaskExecutor(WorkQueue* queue, QueuedTaskExecutorOptions options)
    : queue_(queue), options_(std::move(options)) {
  poller_ = std::thread([this] { PollLoop(); });
}

QueuedTaskExecutor::~QueuedTaskExecutor() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  poller_.join();
}

void QueuedTaskExecutor::Event(const std::string& event, const std::string& detail) {
  if (options_.on_event) options_.on_event(event, detail);
}

Result<FinishedWork> QueuedTaskExecutor::RunRemote(WorkKind kind, const TaskRecord& task, CancellationToken* token) {
  WorkRequest req;
  req.migration = task.migration;
  req.dataset_id = task.dataset_id;
  req.kind = kind;
  req.spec_hash = options_.spec_hash;
  req.identity = WorkIdentity(task);
  req.payload = EncodeWorkTask(task);
  GAGGLE_ASSIGN_OR_RETURN(int64_t id, queue_->Enqueue(req, options_.clock->NowMillis()));
  Waiter waiter;
  Status stopped;
  {
    MutexLock lock(&mu_);
    waiting_[id] = &waiter;
    cv_.SignalAll();  // the poller may be idle
    while (!waiter.done) {
      stopped = token->Check(std::string(WorkKindName(kind)) + " work on dataset '" + task.dataset_id + "'");
      if (!stopped.ok() || stop_) break;
      cv_.WaitFor(&mu_, std::chrono::milliseconds(50));
    }
    waiting_.erase(id);
    if (waiter.done) return std::move(waiter.work);
  }
  // Cancelled, timed out or shutting down: the item goes, so its worker stops and its
  // result is never taken. (A result that lands between the check and here is lost with
  // it: the attempt counts as cancelled, which is what the caller asked for.)
  Status cancel = queue_->Cancel(id);
  if (!cancel.ok()) Event("work_cancel_failed", cancel.ToString());
  if (stopped.ok()) stopped = Status::Cancelled("the coordinator is stopping");
  return stopped;
}

Result<TaskOutcome> QueuedTaskExecutor::Execute(const TaskRecord& task, CancellationToken* token,
                                                const TaskContext& context) {
  (void)context;  // progress and agent logs stay on the worker's host
  GAGGLE_ASSIGN_OR_RETURN(FinishedWork done, RunRemote(WorkKind::kAgent, task, token));
  return DecodeOutcome(done.result);
}

Result<TaskValidation> QueuedTaskExecutor::Validate(const TaskRecord& task, CancellationToken* token) {
  GAGGLE_ASSIGN_OR_RETURN(FinishedWork done, RunRemote(WorkKind::kValidate, task, token));
  return DecodeValidation(done.result);
}

void QueuedTaskExecutor::PollLoop() {
  auto next_reap = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<int64_t> ids;
    {
      MutexLock lock(&mu_);
      if (waiting_.empty() && !stop_) cv_.WaitFor(&mu_, options_.reap_interval);
      if (stop_) return;
      for (const auto& [id, w] : waiting_) ids.push_back(id);
    }
    auto finished = queue_->TakeFinished(ids);
    if (!finished.ok()) Event("work_poll_failed", finished.status().ToString());
    if (std::chrono::steady_clock::now() >= next_reap) {
      Reap();
      next_reap = std::chrono::steady_clock::now() + options_.reap_interval;
    }
    MutexLock lock(&mu_);
    if (finished.ok()) {
      for (FinishedWork& f : *finished) {
        auto it = waiting_.find(f.id);
        if (it == waiting_.end()) continue;  // its caller gave up after we asked
        it->second->done = true;
        it->second->work = std::move(f);
      }
      if (!finished->empty()) cv_.SignalAll();
    }
    if (!stop_) cv_.WaitFor(&mu_, options_.poll_interval);
  }
}

void QueuedTaskExecutor::Reap() {
  auto reaped = queue_->ReapExpired(options_.clock->NowMillis());
  if (!reaped.ok()) return Event("work_reap_failed", reaped.status().ToString());
  for (const std::string& r : *reaped) Event("lease_expired", r);
}

}  // namespace gaggle
