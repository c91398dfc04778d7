#include "server/server_metrics.h"

#include <ctime>
#include <sstream>

namespace gaggle::server {
namespace {

int64_t IsoMillis(const std::string& iso) {
  struct tm tm = {};
  int ms = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &ms) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
}

}  // namespace

std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void ServerMetrics::CountResponse(int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++responses_[status];
}

void ServerMetrics::SseOpened() {
  std::lock_guard<std::mutex> lock(mu_);
  ++sse_clients_;
}

void ServerMetrics::SseClosed() {
  std::lock_guard<std::mutex> lock(mu_);
  --sse_clients_;
}

int64_t ServerMetrics::sse_clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sse_clients_;
}

void ServerMetrics::Observe(const Event& e) {
  std::lock_guard<std::mutex> lock(mu_);
  ++events_[e.migration];
  if (e.to_state == "retrying") ++retries_[e.migration];
  if (e.to_state == "gate-failed") ++gate_failures_[e.migration];
  if (e.dataset.empty()) return;
  const std::string key = e.migration + "\n" + e.dataset;
  if (e.to_state == "running") {
    attempt_started_ms_[key] = IsoMillis(e.time);
    return;
  }
  if (e.from_state != "running") return;
  auto it = attempt_started_ms_.find(key);
  if (it == attempt_started_ms_.end()) return;
  const double seconds = static_cast<double>(IsoMillis(e.time) - it->second) / 1000.0;
  attempt_started_ms_.erase(it);
  Histogram& h = durations_[e.migration];
  for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (seconds <= kDurationBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string ServerMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o << "# HELP gaggle_http_responses_total HTTP responses by status code.\n"
       "# TYPE gaggle_http_responses_total counter\n";
  for (const auto& [code, n] : responses_) o << "gaggle_http_responses_total{code=\"" << code << "\"} " << n << "\n";
  o << "# HELP gaggle_sse_clients Open event streams.\n# TYPE gaggle_sse_clients gauge\ngaggle_sse_clients "
    << sse_clients_ << "\n";
  o << "# HELP gaggle_attempt_duration_seconds Duration of agent attempts seen by this server.\n"
       "# TYPE gaggle_attempt_duration_seconds histogram\n";
  for (const auto& [m, h] : durations_) {
    const std::string l = "migration=\"" + LabelValue(m) + "\"";
    for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
      o << "gaggle_attempt_duration_seconds_bucket{" << l << ",le=\"" << kDurationBuckets[i] << "\"} " << h.buckets[i]
        << "\n";
    }
    o << "gaggle_attempt_duration_seconds_bucket{" << l << ",le=\"+Inf\"} " << h.count << "\n";
    o << "gaggle_attempt_duration_seconds_sum{" << l << "} " << h.sum << "\n";
    o << "gaggle_attempt_duration_seconds_count{" << l << "} " << h.count << "\n";
  }
  auto counter = [&o](const char* name, const char* help, const std::map<std::string, int64_t>& values) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const auto& [m, n] : values) o << name << "{migration=\"" << LabelValue(m) << "\"} " << n << "\n";
  };
  counter("gaggle_retries_total", "Attempts that failed and will be retried.", retries_);
  counter("gaggle_gate_failures_total", "Validation gates that failed.", gate_failures_);
  counter("gaggle_events_total", "Events appended to the event log (seen by this server).", events_);
  return o.str();
}

}  // namespace gaggle::server
