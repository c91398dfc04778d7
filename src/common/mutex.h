// Mutex, MutexLock and CondVar: std::mutex and a condition variable with the
// thread-safety annotations clang checks (common/thread_annotations.h).
//
//   Mutex mu_;
//   CondVar cv_;
//   std::deque<Job> jobs_ GUARDED_BY(mu_);
//   ...
//   MutexLock lock(&mu_);
//   while (jobs_.empty()) cv_.Wait(&mu_);  // the condition is read here, where the analysis sees the lock
//
// A CondVar's waits take the Mutex that guards the condition (always the same one
// for one CondVar), REQUIRE it held, release it while blocked and hold it again
// when they return (as abseil's CondVar). Wake-ups may be spurious, so waits
// sit in a loop on their condition, written in the caller (a predicate lambda
// would hide the guarded reads from the analysis). Waits measured in a Clock's
// time, which a FakeClock can satisfy without real sleeping, are Clock::WaitUntil.
// Thread-safety: Mutex and CondVar are shared between threads by design; a
// MutexLock belongs to the thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/thread_annotations.h"

namespace gaggle {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis that the caller holds the mutex (not checked at run time).
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Blocks until signalled (or a spurious wake-up).
  void Wait(Mutex* mu) REQUIRES(mu);
  // Blocks until signalled or `deadline`; false when it returned because the deadline passed.
  bool WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline) REQUIRES(mu);
  bool WaitFor(Mutex* mu, std::chrono::steady_clock::duration timeout) REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout);
  }
  // Wakes one waiter / every waiter. The mutex need not be held, but a waiter only
  // sees a change made under the mutex before the signal.
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  friend class FakeClock;
  // Blocks until signalled, releasing both `mu` and `also` in one step, so that a
  // signal sent by a thread holding either cannot be missed; both are held again on
  // return (`mu` first). FakeClock waits on its own time this way.
  void WaitReleasingAlso(Mutex* mu, Mutex* also) REQUIRES(mu, also);

  // _any: it can release two mutexes at once (WaitReleasingAlso).
  std::condition_variable_any cv_;
};

// The analysis cannot see std::condition_variable release and retake the mutex.
inline void CondVar::Wait(Mutex* mu) NO_THREAD_SAFETY_ANALYSIS { cv_.wait(mu->mu_); }

inline bool CondVar::WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline) NO_THREAD_SAFETY_ANALYSIS {
  return cv_.wait_until(mu->mu_, deadline) == std::cv_status::no_timeout;
}

inline void CondVar::WaitReleasingAlso(Mutex* mu, Mutex* also) NO_THREAD_SAFETY_ANALYSIS {
  struct Both {
    std::mutex& first;
    std::mutex& second;
    void lock() {
      first.lock();
      second.lock();
    }
    void unlock() {
      second.unlock();
      first.unlock();
    }
  } both{mu->mu_, also->mu_};
  cv_.wait(both);
}

}  // namespace gaggle
