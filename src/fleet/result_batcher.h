// ResultBatcher: group commit of a worker's results. Report() blocks until its result is
// written to the work queue; results that arrive while a write is in flight go together
// in the next one (WorkQueue::FinishAll), so slots that finish together cost one round
// trip and one commit instead of one each. The first caller that finds no write in
// flight writes for everyone waiting (there is no thread of its own). While fewer results
// wait than items are in flight (`in_flight`, the worker's count), it lingers up to
// `linger` for the others first: items claimed together mostly finish together, and a
// lone result is written at once. A failed write fails every result in it; their
// callers retry.
// Thread-safety: Report() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "store/work_queue.h"

namespace gaggle {

class ResultBatcher {
 public:
  // `in_flight` (may be null: no lingering) counts the caller's items that will report.
  ResultBatcher(WorkQueue* queue, std::string worker, Clock* clock, const std::atomic<int>* in_flight = nullptr,
                std::chrono::microseconds linger = std::chrono::milliseconds(2))
      : queue_(queue), worker_(std::move(worker)), clock_(clock), in_flight_(in_flight), linger_(linger) {}

  // Whether the result was recorded (false: the lease was lost, nothing was written).
  Result<bool> Report(const WorkResult& result) EXCLUDES(mu_);

  // Writes so far, and results in them (for tests and `gaggle worker`'s summary).
  int64_t writes() const EXCLUDES(mu_);
  int64_t results() const EXCLUDES(mu_);
  // Results queued behind the write in flight.
  int64_t waiting() const EXCLUDES(mu_);

 private:
  struct Waiter {
    const WorkResult* result;
    bool done = false;
    Result<bool> recorded = false;
  };
  // Writes what is pending; called with mu_ held by the caller that found no write in flight.
  void WriteBatch() REQUIRES(mu_);
  // Whether results still running may join the pending ones.
  bool MoreComing() const REQUIRES(mu_);

  WorkQueue* const queue_;
  const std::string worker_;
  Clock* const clock_;
  const std::atomic<int>* const in_flight_;
  const std::chrono::microseconds linger_;
  mutable Mutex mu_;
  CondVar cv_;
  std::vector<Waiter*> pending_ GUARDED_BY(mu_);
  bool writing_ GUARDED_BY(mu_) = false;
  int64_t writes_ GUARDED_BY(mu_) = 0;
  int64_t results_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaggle
