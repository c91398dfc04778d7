// WorkerPool: the threads that run a fleet run's agent attempts and validations.
//
// Jobs run in submission order on a set of threads that only grows
// (EnsureThreads: the runner raises it when an operator raises the concurrency;
// lowering the concurrency leaves idle threads waiting). The destructor lets the
// queued and running jobs finish, then joins every thread: whatever the jobs touch
// must outlive the pool (FleetRunner's session declares it last for that reason).
// The pool knows nothing of tasks; a job reports its own result.
// Thread-safety: Submit may be called from any thread; EnsureThreads and the
// destructor from the owner's thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace gaggle {

class WorkerPool {
 public:
  WorkerPool() = default;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Starts threads until there are at least `n`.
  void EnsureThreads(size_t n);
  void Submit(std::function<void()> job) EXCLUDES(mu_);
  size_t threads() const { return threads_.size(); }

 private:
  void Loop() EXCLUDES(mu_);

  Mutex mu_;
  CondVar wake_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // the owner's thread only
};

}  // namespace gaggle
