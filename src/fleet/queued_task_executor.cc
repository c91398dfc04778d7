#include "fleet/queued_task_executor.h"

#include <algorithm>
#include <vector>

#include "fleet/work_payload.h"

namespace gaggle {

QueuedTaskExecutor::QueuedTaskExecutor(WorkQueue* queue, QueuedTaskExecutorOptions options)
    : queue_(queue), options_(std::move(options)) {
  poller_ = std::thread([this] { PollLoop(); });
}

// The poller ends every asynchronous call still out before it returns (PollLoop).
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

WorkRequest QueuedTaskExecutor::RequestFor(WorkKind kind, const TaskRecord& task) const {
  return {task.migration,       task.dataset_id,       kind, options_.spec_hash, WorkIdentity(task),
          EncodeWorkTask(task), options_.worker_labels};
}

Result<FinishedWork> QueuedTaskExecutor::RunRemote(WorkKind kind, const TaskRecord& task, CancellationToken* token) {
  Waiter waiter;
  waiter.request = RequestFor(kind, task);
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

void QueuedTaskExecutor::StartRemote(WorkKind kind, const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                                     std::function<void(Result<FinishedWork>)> finish) {
  auto waiter = std::make_unique<Waiter>();
  waiter->request = RequestFor(kind, task);
  waiter->token = std::move(token);
  waiter->finish = std::move(finish);
  {
    MutexLock lock(&mu_);
    if (!stop_) {
      pending_.push_back(waiter.get());
      async_[waiter.get()] = std::move(waiter);
      poller_cv_.Signal();
      return;
    }
  }
  waiter->finish(Status::Cancelled("the coordinator is stopping"));
}

std::unique_ptr<QueuedTaskExecutor::Waiter> QueuedTaskExecutor::DetachAsync(Waiter* w) {
  auto owned = async_.find(w);
  std::unique_ptr<Waiter> out = std::move(owned->second);
  async_.erase(owned);
  if (w->id != 0) waiting_.erase(w->id);
  pending_.erase(std::remove(pending_.begin(), pending_.end(), w), pending_.end());
  return out;
}

void QueuedTaskExecutor::CollectStopped(bool all, std::vector<Finishing>* out) {
  std::vector<std::pair<Waiter*, Status>> stopped;
  for (auto& [w, owned] : async_) {
    if (w->in_flight) continue;  // being queued outside mu_: next round
    Status st;
    if (w->token && w->token->fired()) {
      st = w->token->Check(std::string(WorkKindName(w->request.kind)) + " work on dataset '" + w->request.dataset_id +
                           "'");
    }
    if (st.ok() && all) st = Status::Cancelled("the coordinator is stopping");
    if (!st.ok()) stopped.emplace_back(w, std::move(st));
  }
  for (auto& [w, st] : stopped) {
    const int64_t id = w->id;
    out->push_back({DetachAsync(w), std::move(st), id});
  }
}

// Cancelled, timed out or stopping: the item goes first, so its worker stops and its
// result is never taken.
void QueuedTaskExecutor::FinishAll(std::vector<Finishing>& calls) {
  for (Finishing& f : calls) {
    if (f.cancel_id != 0) {
      Status cancel = queue_->Cancel(f.cancel_id);
      if (!cancel.ok()) Event("work_cancel_failed", cancel.ToString());
    }
    f.waiter->finish(std::move(f.result));
  }
  calls.clear();
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
  std::vector<Finishing> failed;
  {
    MutexLock lock(&mu_);
    for (size_t k = 0; k < batch.size(); ++k) {
      Waiter* w = batch[k];
      w->in_flight = false;
      if (ids.ok()) {
        w->id = (*ids)[k];
        waiting_[w->id] = w;
      } else if (w->finish) {
        failed.push_back({DetachAsync(w), ids.status(), 0});
      } else {
        w->error = ids.status();
      }
      w->cv.Signal();
    }
  }
  FinishAll(failed);
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

void QueuedTaskExecutor::ExecuteAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                                      const TaskContext& context, std::function<void(Result<TaskOutcome>)> done) {
  (void)context;
  const WorkKind kind = options_.validate_with_attempt ? WorkKind::kAgentThenValidate : WorkKind::kAgent;
  std::string key = AttemptKey(task);
  {
    MutexLock lock(&mu_);
    validations_.erase(key);
  }
  StartRemote(kind, task, std::move(token),
              [this, key = std::move(key), done = std::move(done)](Result<FinishedWork> work) {
                if (!work.ok()) return done(work.status());
                auto [outcome, validation] = SplitAttemptReport(work->result);
                if (validation) {
                  MutexLock lock(&mu_);
                  validations_[key] = std::move(*validation);
                }
                done(DecodeOutcome(outcome));
              });
}

void QueuedTaskExecutor::ValidateAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                                       std::function<void(Result<TaskValidation>)> done) {
  if (auto ready = TakeReadyValidation(task)) return done(std::move(*ready));
  StartRemote(WorkKind::kValidate, task, std::move(token), [done = std::move(done)](Result<FinishedWork> work) {
    if (!work.ok()) return done(work.status());
    done(DecodeValidation(work->result));
  });
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
      if (stop_) break;
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
    Deliver(finished);
    MutexLock lock(&mu_);
    // While results come back, the next are likely near: poll sooner.
    const bool busy = finished.ok() && !finished->empty();
    const auto wait = busy ? std::min(options_.poll_interval, options_.busy_poll_interval) : options_.poll_interval;
    if (!stop_ && pending_.empty()) poller_cv_.WaitFor(&mu_, wait);
  }
  std::vector<Finishing> left;
  {
    MutexLock lock(&mu_);
    CollectStopped(true, &left);
  }
  FinishAll(left);
}

void QueuedTaskExecutor::Deliver(Result<std::vector<FinishedWork>>& finished) {
  std::vector<Finishing> calls;
  {
    MutexLock lock(&mu_);
    if (finished.ok()) {
      for (FinishedWork& f : *finished) {
        auto it = waiting_.find(f.id);
        if (it == waiting_.end()) continue;  // its caller gave up after we asked
        Waiter* w = it->second;
        if (w->finish) {
          calls.push_back({DetachAsync(w), std::move(f), 0});
          continue;
        }
        w->done = true;
        w->work = std::move(f);
        w->cv.Signal();  // only its caller wakes
      }
    }
    CollectStopped(false, &calls);
  }
  FinishAll(calls);
}

void QueuedTaskExecutor::Reap() {
  auto reaped = queue_->ReapExpired(options_.clock->NowMillis());
  if (!reaped.ok()) return Event("work_reap_failed", reaped.status().ToString());
  for (const std::string& r : *reaped) Event("lease_expired", r);
}

}  // namespace gaggle
