#include "fleet/retry_policy.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TEST(RetryPolicy, ExponentialCappedAndJittered) {
  RetrySpec spec;
  spec.initial = std::chrono::milliseconds(1000);
  spec.factor = 2;
  spec.max_delay = std::chrono::milliseconds(5000);
  spec.jitter = RetrySpec::Jitter::kNone;
  RetryPolicy none(spec);
  EXPECT_EQ(none.NextDelay(1, 0.3).count(), 1000);
  EXPECT_EQ(none.NextDelay(2, 0.3).count(), 2000);
  EXPECT_EQ(none.NextDelay(3, 0.3).count(), 4000);
  EXPECT_EQ(none.NextDelay(4, 0.3).count(), 5000);  // capped
  spec.jitter = RetrySpec::Jitter::kFull;
  RetryPolicy full(spec);
  EXPECT_EQ(full.NextDelay(2, 0.0).count(), 0);
  EXPECT_EQ(full.NextDelay(2, 0.5).count(), 1000);
  EXPECT_LE(full.NextDelay(10, 0.999).count(), 5000);
  spec.jitter = RetrySpec::Jitter::kEqual;
  RetryPolicy equal(spec);
  EXPECT_EQ(equal.NextDelay(2, 0.0).count(), 1000);
  EXPECT_EQ(equal.NextDelay(2, 1.0).count(), 2000);
}

TEST(RetryPolicy, OnlyRetryableErrorsAndOnlyUpToMax) {
  RetrySpec spec;
  spec.max = 3;
  RetryPolicy p(spec);
  EXPECT_TRUE(p.ShouldRetry(Status::IOError("disk"), 1));
  EXPECT_TRUE(p.ShouldRetry(Status::Timeout("slow"), 3));
  EXPECT_FALSE(p.ShouldRetry(Status::Timeout("slow"), 4));  // 1 attempt + 3 retries used
  EXPECT_FALSE(p.ShouldRetry(Status::SchemaMismatch("x"), 1));
  EXPECT_FALSE(p.ShouldRetry(Status::DeadLetterLimit("x"), 1));
  EXPECT_TRUE(p.ShouldRetry(Status::AgentError("flaky", true), 2));
  EXPECT_FALSE(p.ShouldRetry(Status::AgentError("bug"), 1));
}

}  // namespace
}  // namespace gaggle
