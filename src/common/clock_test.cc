#include "common/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/iso8601.h"

namespace gaggle {
namespace {

using namespace std::chrono_literals;

// A value guarded the way the fleet guards its queues.
struct Box {
  Mutex mu;
  CondVar cv;
  bool ready GUARDED_BY(mu) = false;
};

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  EXPECT_EQ(clock.MonotonicMicros(), 1000);
  clock.Advance(5ms);
  EXPECT_EQ(clock.NowMicros(), 6000);
  clock.SleepFor(1s);  // a fake sleep returns at once, time has moved
  EXPECT_EQ(clock.NowMicros(), 1006000);
  EXPECT_EQ(clock.NowMillis(), 1006);
}

TEST(FakeClockTest, TickSeparatesSuccessiveReadings) {
  FakeClock clock(0, 1ms);
  EXPECT_EQ(clock.NowMicros(), 0);
  EXPECT_EQ(clock.NowMicros(), 1000);
  EXPECT_EQ(clock.NowMicros(), 2000);
}

TEST(FakeClockTest, AWaitPastItsDeadlineReturnsAtOnce) {
  FakeClock clock(10);
  Box box;
  MutexLock lock(&box.mu);
  clock.WaitUntil(&box.cv, &box.mu, 10);
  EXPECT_EQ(clock.waiters(), 0);
}

TEST(FakeClockTest, AWaitEndsWhenAnotherThreadAdvancesPastItsDeadline) {
  FakeClock clock(0);
  Box box;
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    MutexLock lock(&box.mu);
    const int64_t deadline = clock.MonotonicMicros() + 60'000'000;  // a minute of fake time
    while (!box.ready && clock.MonotonicMicros() < deadline) clock.WaitUntil(&box.cv, &box.mu, deadline);
    returned = true;
  });
  for (int i = 0; i < 2000 && clock.waiters() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(clock.waiters(), 1);
  clock.Advance(30s);  // not yet
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned);
  clock.Advance(30s);
  waiter.join();
  EXPECT_TRUE(returned);
  EXPECT_EQ(clock.waiters(), 0);
  EXPECT_EQ(clock.NowMicros(), 60'000'000);
}

TEST(FakeClockTest, AWaitEndsWhenItsConditionIsSignalled) {
  FakeClock clock(0);
  Box box;
  std::thread waiter([&] {
    MutexLock lock(&box.mu);
    while (!box.ready) clock.WaitUntil(&box.cv, &box.mu, 3'600'000'000LL);
  });
  for (int i = 0; i < 2000 && clock.waiters() == 0; ++i) std::this_thread::sleep_for(1ms);
  {
    MutexLock lock(&box.mu);
    box.ready = true;
  }
  box.cv.Signal();
  waiter.join();
  EXPECT_EQ(clock.NowMicros(), 0);  // no time passed
}

TEST(FakeClockTest, ToSteadyKeepsTheRemainingTime) {
  FakeClock clock(0);
  auto before = std::chrono::steady_clock::now();
  auto at = clock.ToSteady(10'000'000);
  EXPECT_GE(at - before, 10s);
  EXPECT_LT(at - before, 11s);
}

TEST(SystemClockTest, WaitUntilTimesOutOnTheRealClock) {
  Clock* clock = Clock::System();
  Box box;
  MutexLock lock(&box.mu);
  const int64_t start = clock->MonotonicMicros();
  const int64_t deadline = start + 20'000;
  while (clock->MonotonicMicros() < deadline) clock->WaitUntil(&box.cv, &box.mu, deadline);
  EXPECT_GE(clock->MonotonicMicros() - start, 20'000);
  EXPECT_LE(std::chrono::steady_clock::now(), clock->ToSteady(clock->MonotonicMicros() + 1000));
}

TEST(Iso8601Test, FormatsUtcMilliseconds) {
  EXPECT_EQ(Iso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Iso8601Millis(1714564800123456LL), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(Iso8601Millis(-1000), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Iso8601Millis(FakeClock().NowMicros()), "2023-11-14T22:13:20.000Z");
}

}  // namespace
}  // namespace gaggle
