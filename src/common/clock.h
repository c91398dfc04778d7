// Clock: the seam for time. Production uses the system clock (Clock::System());
// tests use FakeClock to travel through backoff delays, task deadlines, lease
// renewals, polling and retention periods without sleeping. Code that needs time
// takes a Clock* from its caller (FleetRunOptions::clock, StateStoreOptions::clock)
// instead of reading std::chrono itself.
//
// Two readings: NowMicros() is wall time, for what is stored or shown (event
// times, leases and retry times in the state store); MonotonicMicros() never goes
// back, for durations and deadlines inside one process. Waits: SleepFor() when
// nothing else can happen; WaitUntil() to wait for a CondVar's signal or a
// deadline of this clock, whichever comes first.
//
// FakeClock: time moves only when told. Advance() and SleepFor() move it at once
// (a sleeper "sleeps" instantly); a WaitUntil() returns when its CondVar is
// signalled or when some thread advances the clock past its deadline, never
// because real time passed. Its two readings are the same number.
// Thread-safety: every method of both clocks may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/mutex.h"

namespace gaggle {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  // Monotonic time, microseconds since an arbitrary origin.
  virtual int64_t MonotonicMicros() const = 0;
  virtual void SleepFor(std::chrono::microseconds d) = 0;
  // Blocks until `cv` is signalled or MonotonicMicros() reaches `deadline_micros`;
  // releases `mu` while blocked. Wake-ups may be spurious: callers loop on their
  // condition and the deadline.
  virtual void WaitUntil(CondVar* cv, Mutex* mu, int64_t deadline_micros) REQUIRES(mu) = 0;
  // The std::chrono::steady_clock instant at which MonotonicMicros() reads
  // `deadline_micros`, for code below that takes a steady deadline
  // (CancellationToken). A FakeClock answers as if its time went on at the real pace.
  virtual std::chrono::steady_clock::time_point ToSteady(int64_t deadline_micros) const = 0;

  int64_t NowMillis() const { return NowMicros() / 1000; }

  // The process-wide real clock.
  static Clock* System();
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicMicros() const override;
  void SleepFor(std::chrono::microseconds d) override;
  void WaitUntil(CondVar* cv, Mutex* mu, int64_t deadline_micros) REQUIRES(mu) override;
  std::chrono::steady_clock::time_point ToSteady(int64_t deadline_micros) const override;
};

class FakeClock final : public Clock {
 public:
  // `tick`: each NowMicros() reading moves time forward by that much afterwards, so
  // that successive timestamps differ (stores that order events by time); 0: off.
  explicit FakeClock(int64_t start_micros = 1700000000000000LL, std::chrono::microseconds tick = {})
      : now_(start_micros), tick_(tick.count()) {}

  int64_t NowMicros() const override;
  int64_t MonotonicMicros() const override { return NowMicros(); }
  void SleepFor(std::chrono::microseconds d) override { Advance(d); }
  void WaitUntil(CondVar* cv, Mutex* mu, int64_t deadline_micros) REQUIRES(mu) override;
  std::chrono::steady_clock::time_point ToSteady(int64_t deadline_micros) const override;

  // Moves time forward by `d` and wakes the waiters whose deadline it reached.
  void Advance(std::chrono::microseconds d);
  // How many threads are blocked in WaitUntil, for tests that must wait for a
  // component to go idle before they advance time.
  int waiters() const;

 private:
  struct Waiter {
    CondVar* cv;
    int64_t deadline;
  };
  mutable Mutex mu_;
  mutable int64_t now_ GUARDED_BY(mu_);
  const int64_t tick_;
  std::vector<Waiter> waiters_ GUARDED_BY(mu_);
};

}  // namespace gaggle
