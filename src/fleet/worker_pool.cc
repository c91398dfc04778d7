#include "fleet/worker_pool.h"

#include <utility>

namespace gaggle {

WorkerPool::~WorkerPool() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  wake_.SignalAll();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::EnsureThreads(size_t n) {
  while (threads_.size() < n) threads_.emplace_back([this] { Loop(); });
}

void WorkerPool::Submit(std::function<void()> job) {
  {
    MutexLock lock(&mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.Signal();
}

void WorkerPool::Loop() {
  while (true) {
    std::function<void()> job;
    {
      MutexLock lock(&mu_);
      while (!stop_ && jobs_.empty()) wake_.Wait(&mu_);
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace gaggle
