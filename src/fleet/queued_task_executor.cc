#include "fleet/queued_task_executor.h"

#include <algorithm>
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
    for (Waiter* w : pending_) w->cv.Signal();
    for (auto& [id, w] : waiting_) w->cv.Signal();
  }
  poller_cv_.Signal();
  poller_.join();
}

void QueuedTaskExecutor::Event(const std::string& event, const std::string& detail) {
  if (options_.on_event) options_.on_event(event, detail);
}

Result<FinishedWork> QueuedTaskExecutor::RunRemote(WorkKind kind, const TaskRecord& task, CancellationToken* token) {
  Waiter waiter;
  waiter.request = {task.migration,       task.dataset_id,       kind, options_.spec_hash, WorkIdentity(task),
                    EncodeWorkTask(task), options_.worker_labels};
  Status stopped;
  int64_t id = 0;
  {
    MutexLock lock(&mu_);
    pending_.push_back(&waiter);
    poller_cv_.Signal();  // the poller queues it at its next round
    while (!waiter.done && waiter.error.ok()) {
      stopped = token->Check(std::string(WorkKindName(kind)) + " work on dataset '" + task.dataset_id + "'");
      if (!stopped.ok() || stop_) break;
      waiter.cv.WaitFor(&mu_, std::chrono::milliseconds(50));  // the token's deadline is checked each round
    }
    while (waiter.in_flight) waiter.cv.Wait(&mu_);  // the poller writes into it until it is queued
    if (waiter.id == 0) pending_.erase(std::remove(pending_.begin(), pending_.end(), &waiter), pending_.end());
    waiting_.erase(waiter.id);
    if (waiter.done) return std::move(waiter.work);
    if (!waiter.error.ok()) return waiter.error;
    id = waiter.id;
  }
  // Cancelled, timed out or shutting down: the item goes, so its worker stops and its
  // result is never taken. (A result that lands between the check and here is lost with
  // it: the attempt counts as cancelled, which is what the caller asked for.)
  if (id != 0) {
    Status cancel = queue_->Cancel(id);
    if (!cancel.ok()) Event("work_cancel_failed", cancel.ToString());
  }
  if (stopped.ok()) stopped = Status::Cancelled("the coordinator is stopping");
  return stopped;
}

bool QueuedTaskExecutor::EnqueuePending() {
  std::vector<Waiter*> batch;
  std::vector<WorkRequest> requests;
  {
    MutexLock lock(&mu_);
    batch.swap(pending_);
    for (Waiter* w : batch) {
      w->in_flight = true;
      requests.push_back(w->request);
    }
  }
  if (batch.empty()) return false;
  // A caller whose waiter is in flight does not leave (RunRemote), so these stay valid.
  auto ids = queue_->EnqueueAll(requests, options_.clock->NowMillis());
  MutexLock lock(&mu_);
  for (size_t k = 0; k < batch.size(); ++k) {
    batch[k]->in_flight = false;
    if (ids.ok()) {
      batch[k]->id = (*ids)[k];
      waiting_[batch[k]->id] = batch[k];
    } else {
      batch[k]->error = ids.status();
    }
    batch[k]->cv.Signal();
  }
  return true;
}

std::string QueuedTaskExecutor::AttemptKey(const TaskRecord& task) {
  return task.migration + '\n' + task.dataset_id + '\n' + WorkIdentity(task) + '\n' + std::to_string(task.attempts);
}

Result<TaskOutcome> QueuedTaskExecutor::Execute(const TaskRecord& task, CancellationToken* token,
                                                const TaskContext& context) {
  (void)context;  // progress and agent logs stay on the worker's host
  const WorkKind kind = options_.validate_with_attempt ? WorkKind::kAgentThenValidate : WorkKind::kAgent;
  {
    MutexLock lock(&mu_);
    validations_.erase(AttemptKey(task));
  }
  GAGGLE_ASSIGN_OR_RETURN(FinishedWork done, RunRemote(kind, task, token));
  auto [outcome, validation] = SplitAttemptReport(done.result);
  if (validation) {
    MutexLock lock(&mu_);
    validations_[AttemptKey(task)] = std::move(*validation);
  }
  return DecodeOutcome(outcome);
}

std::optional<Result<TaskValidation>> QueuedTaskExecutor::TakeReadyValidation(const TaskRecord& task) {
  MutexLock lock(&mu_);
  auto made = validations_.find(AttemptKey(task));
  if (made == validations_.end()) return std::nullopt;
  std::string text = std::move(made->second);
  validations_.erase(made);
  return DecodeValidation(text);
}

Result<TaskValidation> QueuedTaskExecutor::Validate(const TaskRecord& task, CancellationToken* token) {
  if (auto ready = TakeReadyValidation(task)) return std::move(*ready);
  GAGGLE_ASSIGN_OR_RETURN(FinishedWork done, RunRemote(WorkKind::kValidate, task, token));
  return DecodeValidation(done.result);
}

void QueuedTaskExecutor::PollLoop() {
  auto next_reap = std::chrono::steady_clock::now();
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (waiting_.empty() && pending_.empty() && !stop_) poller_cv_.WaitFor(&mu_, options_.reap_interval);
      if (stop_) return;
    }
    EnqueuePending();
    std::vector<int64_t> ids;
    {
      MutexLock lock(&mu_);
      for (const auto& [id, w] : waiting_) ids.push_back(id);
    }
    auto finished = queue_->TakeFinished(ids);
    if (!finished.ok()) Event("work_poll_failed", finished.status().ToString());
    if (std::chrono::steady_clock::now() >= next_reap) {
      Reap();
      next_reap = std::chrono::steady_clock::now() + options_.reap_interval;
    }
    MutexLock lock(&mu_);
    const bool busy = finished.ok() && !finished->empty();
    if (finished.ok()) {
      for (FinishedWork& f : *finished) {
        auto it = waiting_.find(f.id);
        if (it == waiting_.end()) continue;  // its caller gave up after we asked
        it->second->done = true;
        it->second->work = std::move(f);
        it->second->cv.Signal();  // only its caller wakes
      }
    }
    // While results come back, the next are likely near: poll sooner.
    const auto wait = busy ? std::min(options_.poll_interval, options_.busy_poll_interval) : options_.poll_interval;
    if (!stop_ && pending_.empty()) poller_cv_.WaitFor(&mu_, wait);
  }
}

void QueuedTaskExecutor::Reap() {
  auto reaped = queue_->ReapExpired(options_.clock->NowMillis());
  if (!reaped.ok()) return Event("work_reap_failed", reaped.status().ToString());
  for (const std::string& r : *reaped) Event("lease_expired", r);
}

}  // namespace gaggle
