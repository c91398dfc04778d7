// Clock: the seam for time. Production uses SystemClock; tests use FakeClock to
// travel through backoff delays and retention periods without sleeping.
// Thread-safety: both implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace gaggle {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  virtual void SleepFor(std::chrono::microseconds d) = 0;
  // The process-wide real clock.
  static Clock* System();
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepFor(std::chrono::microseconds d) override { std::this_thread::sleep_for(d); }
};

// Time moves only when told (SleepFor advances it instantly).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1700000000000000LL) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void SleepFor(std::chrono::microseconds d) override { now_ += d.count(); }
  void Advance(std::chrono::microseconds d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_;
};

inline Clock* Clock::System() {
  static SystemClock clock;
  return &clock;
}

}  // namespace gaggle
