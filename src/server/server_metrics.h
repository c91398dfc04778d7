// ServerMetrics: what `gaggle serve` counts itself for Prometheus' /metrics — HTTP
// responses by code, SSE clients, and, from the events it sees (EventHub listener),
// attempt durations (a histogram), retries and gate failures per migration. Counters
// start at zero when the server starts (Prometheus' rate() handles restarts).
// The per-migration gauges (tasks by state and stage, rows/s, queue depth, lease
// holder, last event age) come from the status cache when rendering.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/state_store.h"

namespace gaggle::server {

class ServerMetrics {
 public:
  static constexpr std::array<double, 10> kDurationBuckets = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800};

  void CountResponse(int status);
  void SseOpened();
  void SseClosed();
  int64_t sse_clients() const;
  // Hears one new event (EventHub listener).
  void Observe(const Event& e);
  // The server's own series, in the Prometheus text format.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<int64_t, kDurationBuckets.size()> buckets{};
    int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<int, int64_t> responses_;                                 // GUARDED_BY(mu_)
  int64_t sse_clients_ = 0;                                          // GUARDED_BY(mu_)
  std::unordered_map<std::string, int64_t> attempt_started_ms_;      // GUARDED_BY(mu_) "migration\ndataset"
  std::map<std::string, Histogram> durations_;                       // GUARDED_BY(mu_) by migration
  std::map<std::string, int64_t> retries_, gate_failures_, events_;  // GUARDED_BY(mu_) by migration
};

// A Prometheus label value, escaped.
std::string LabelValue(const std::string& v);

}  // namespace gaggle::server
