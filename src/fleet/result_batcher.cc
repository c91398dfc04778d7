#include "fleet/result_batcher.h"

namespace gaggle {

Result<bool> ResultBatcher::Report(const WorkResult& result) {
  Waiter me{&result};
  const auto linger_until = std::chrono::steady_clock::now() + linger_;
  MutexLock lock(&mu_);
  pending_.push_back(&me);
  cv_.SignalAll();  // a lingering writer counts this result in
  while (!me.done) {
    if (writing_) {
      cv_.Wait(&mu_);
    } else if (MoreComing() && std::chrono::steady_clock::now() < linger_until) {
      cv_.WaitUntil(&mu_, linger_until);
    } else {
      WriteBatch();
    }
  }
  return me.recorded;
}

bool ResultBatcher::MoreComing() const {
  return in_flight_ != nullptr && static_cast<int>(pending_.size()) < in_flight_->load();
}

void ResultBatcher::WriteBatch() {
  writing_ = true;
  std::vector<Waiter*> batch;
  batch.swap(pending_);
  std::vector<WorkResult> results;
  results.reserve(batch.size());
  for (const Waiter* w : batch) results.push_back(*w->result);
  // The waiters stay valid: each waits until it is done.
  mu_.Unlock();
  Result<std::vector<bool>> recorded = queue_->FinishAll(worker_, results, clock_->NowMillis());
  mu_.Lock();
  for (size_t k = 0; k < batch.size(); ++k) {
    batch[k]->recorded = recorded.ok() ? Result<bool>(bool((*recorded)[k])) : Result<bool>(recorded.status());
    batch[k]->done = true;
  }
  writes_++;
  results_ += static_cast<int64_t>(batch.size());
  writing_ = false;
  cv_.SignalAll();  // the batch's callers, and a next writer among those who queued meanwhile
}

int64_t ResultBatcher::writes() const {
  MutexLock lock(&mu_);
  return writes_;
}

int64_t ResultBatcher::results() const {
  MutexLock lock(&mu_);
  return results_;
}

int64_t ResultBatcher::waiting() const {
  MutexLock lock(&mu_);
  return writing_ ? static_cast<int64_t>(pending_.size()) : 0;
}

}  // namespace gaggle
