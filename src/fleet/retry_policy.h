// RetryPolicy: when a failed task is tried again, and when it stops.
//
// Only retryable errors (Status::retryable(): I/O, timeouts, agents that say so)
// are retried, at most `max` times after the first attempt; the delay before
// retry n is min(max_delay, initial * factor^(n-1)), then jittered:
//   none   exactly that delay
//   full   uniform in [0, delay]           (spreads a thundering herd best)
//   equal  uniform in [delay/2, delay]
//   fraction  delay * (1 +- jitter_fraction), capped at max_delay
// A task out of retries is never dropped: the fleet flags it needs-attention.
// Thread-safety: immutable after construction; NextDelay takes its randomness as
// an argument so callers (and tests) control it.
#pragma once

#include <chrono>

#include "common/status.h"
#include "spec/migration_spec.h"

namespace gaggle {

class RetryPolicy {
 public:
  explicit RetryPolicy(RetrySpec spec = RetrySpec()) : spec_(spec) {}

  // True when `error` should be retried after `attempts` attempts so far (>= 1).
  bool ShouldRetry(const Status& error, int attempts) const { return error.retryable() && attempts <= spec_.max; }
  // Delay before retry number `retry` (1 = the first retry); `unit_random` in [0, 1).
  std::chrono::milliseconds NextDelay(int retry, double unit_random) const;
  int max_retries() const { return spec_.max; }

 private:
  RetrySpec spec_;
};

}  // namespace gaggle
