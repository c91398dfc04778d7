#include "fleet/queued_task_executor.h"

#include <algorithm>
#include <future>
#include <memory>
#include <vector>

#include "fleet/work_payload.h"

namespace gaggle {

QueuedTaskExecutor::QueuedTaskExecutor(WorkQueue* queue, QueuedTaskExecutorOptions options)
    : queue_(queue), options_(std::move(options)) {
  poller_ = std::thread([this] { PollLoop(); });
}

// The poller ends every call still out before it returns (PollLoop).
QueuedTaskExecutor::~QueuedTaskExecutor() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
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

namespace {

// Waits for the callback of an asynchronous call: the blocking forms are these calls,
// waited for. The shared state outlives whichever side finishes last.
template <typename T>
struct Awaited {
  std::shared_ptr<std::promise<Result<T>>> promise = std::make_shared<std::promise<Result<T>>>();
  std::function<void(Result<T>)> Callback() {
    return [p = promise](Result<T> r) { p->set_value(std::move(r)); };
  }
  Result<T> Get() { return promise->get_future().get(); }
};

// The caller's token, shared without ownership: it outlives the blocking call, and the
// executor reads it only until the call's callback.
std::shared_ptr<CancellationToken> Borrowed(CancellationToken* token) {
  return std::shared_ptr<CancellationToken>(std::shared_ptr<void>(), token);
}

}  // namespace

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
      calls_[waiter.get()] = std::move(waiter);
      poller_cv_.Signal();
      return;
    }
  }
  waiter->finish(Status::Cancelled("the coordinator is stopping"));
}

std::unique_ptr<QueuedTaskExecutor::Waiter> QueuedTaskExecutor::Detach(Waiter* w) {
  auto owned = calls_.find(w);
  std::unique_ptr<Waiter> out = std::move(owned->second);
  calls_.erase(owned);
  if (w->id != 0) waiting_.erase(w->id);
  pending_.erase(std::remove(pending_.begin(), pending_.end(), w), pending_.end());
  return out;
}

void QueuedTaskExecutor::CollectStopped(bool all, std::vector<Finishing>* out) {
  std::vector<std::pair<Waiter*, Status>> stopped;
  for (auto& [w, owned] : calls_) {
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
    out->push_back({Detach(w), std::move(st), id});
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
  // A waiter in flight is not detached (CollectStopped skips it), so these stay valid.
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
      } else {
        failed.push_back({Detach(w), ids.status(), 0});
      }
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
  Awaited<TaskOutcome> call;
  ExecuteAsync(task, Borrowed(token), context, call.Callback());
  return call.Get();
}

void QueuedTaskExecutor::ExecuteAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                                      const TaskContext& context, std::function<void(Result<TaskOutcome>)> done) {
  (void)context;  // progress and agent logs stay on the worker's host
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
  Awaited<TaskValidation> call;
  ValidateAsync(task, Borrowed(token), call.Callback());
  return call.Get();
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
        if (it == waiting_.end()) continue;  // its call ended (token) after we asked
        calls.push_back({Detach(it->second), std::move(f), 0});
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
