// CancellationToken: how a caller stops a running agent. An agent checks it
// between batches (never mid-write) and cleans up before returning the status.
// Cancel() may be called from any thread or a signal-safe flag setter; Check()
// returns Cancelled after Cancel(), Timeout once the deadline has passed.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"

namespace gaggle {

class CancellationToken {
 public:
  using Clock = std::chrono::steady_clock;

  CancellationToken() = default;
  explicit CancellationToken(std::optional<Clock::time_point> deadline) : deadline_(deadline) {}

  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  void set_deadline(std::optional<Clock::time_point> d) { deadline_ = d; }

  // Whether Check would fail, without making its message.
  bool fired() const { return cancelled() || (deadline_ && Clock::now() >= *deadline_); }

  // OK, Cancelled, or Timeout (retryable) naming `what`.
  Status Check(const std::string& what) const {
    if (cancelled()) return Status::Cancelled(what + ": cancelled");
    if (deadline_ && Clock::now() >= *deadline_) return Status::Timeout(what + ": timed out");
    return Status::OK();
  }

 private:
  std::atomic<bool> cancelled_{false};
  std::optional<Clock::time_point> deadline_;
};

}  // namespace gaggle
