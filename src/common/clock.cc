#include "common/clock.h"

#include <algorithm>
#include <thread>

namespace gaggle {

Clock* Clock::System() {
  static SystemClock clock;
  return &clock;
}

// ---------------------------------------------------------------- SystemClock

int64_t SystemClock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SystemClock::SleepFor(std::chrono::microseconds d) { std::this_thread::sleep_for(d); }

void SystemClock::WaitUntil(CondVar* cv, Mutex* mu, int64_t deadline_micros) {
  cv->WaitUntil(mu, ToSteady(deadline_micros));
}

std::chrono::steady_clock::time_point SystemClock::ToSteady(int64_t deadline_micros) const {
  return std::chrono::steady_clock::time_point(std::chrono::microseconds(deadline_micros));
}

// ---------------------------------------------------------------- FakeClock

int64_t FakeClock::NowMicros() const {
  MutexLock lock(&mu_);
  const int64_t now = now_;
  now_ += tick_;
  return now;
}

void FakeClock::WaitUntil(CondVar* cv, Mutex* mu, int64_t deadline_micros) {
  MutexLock lock(&mu_);
  if (now_ >= deadline_micros) return;
  waiters_.push_back({cv, deadline_micros});
  // Releases cv's mutex and ours together: an Advance() (under our mutex) or a
  // signal (sent after a change under cv's mutex) cannot slip in unseen.
  cv->WaitReleasingAlso(mu, &mu_);
  auto it = std::find_if(waiters_.begin(), waiters_.end(),
                         [&](const Waiter& w) { return w.cv == cv && w.deadline == deadline_micros; });
  if (it != waiters_.end()) waiters_.erase(it);
}

std::chrono::steady_clock::time_point FakeClock::ToSteady(int64_t deadline_micros) const {
  return std::chrono::steady_clock::now() + std::chrono::microseconds(deadline_micros - MonotonicMicros());
}

void FakeClock::Advance(std::chrono::microseconds d) {
  MutexLock lock(&mu_);
  now_ += d.count();
  // Signalled with our mutex held: a waiter leaves WaitUntil (and may destroy its
  // CondVar) only after taking it back, so every cv here is alive.
  for (const Waiter& w : waiters_) {
    if (w.deadline <= now_) w.cv->SignalAll();
  }
}

int FakeClock::waiters() const {
  MutexLock lock(&mu_);
  return static_cast<int>(waiters_.size());
}

}  // namespace gaggle
