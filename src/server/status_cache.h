// StatusCache: each migration's status as the API serves it, recomputed only when the
// migration's events move on (EventHub::Version), so a page of a million datasets
// costs one count per change, not per request. It also keeps the samples that give a
// migration's rows/s and ETA (over the last minute of changes). An entry is also
// recomputed after kMaxAgeMs: whether the runner is alive depends on its lease's
// expiry, which writes no event. One request at a time recomputes an entry; requests
// that arrive meanwhile get the previous status (a status of a million datasets takes
// a while to count, and every waiting request counting it too starved them all).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/event_hub.h"
#include "service/status_operations.h"

namespace gaggle::server {

struct CachedStatus {
  service::MigrationStatus status;
  int64_t version = 0;
  int64_t computed_ms = 0;  // steady clock
  double rows_per_second = 0;
  double eta_seconds = -1;  // -1: unknown
  std::string body;         // the JSON the API returns, ready to send
};

class StatusCache {
 public:
  StatusCache(EventHub* hub, service::ServiceContext ctx) : hub_(hub), ctx_(std::move(ctx)) {}

  Result<std::shared_ptr<const CachedStatus>> Get(const std::string& migration);
  // Every migration's cached status, by name.
  Result<std::vector<std::shared_ptr<const CachedStatus>>> All();
  // Forgets `migration`'s entry (after a change made through this server).
  void Invalidate(const std::string& migration);

 private:
  struct Sample {
    int64_t ms;
    int64_t rows, bytes_done;
  };
  struct Entry {
    std::shared_ptr<const CachedStatus> status;
    std::deque<Sample> samples;
    bool refreshing = false;  // one request recomputes; the others get `status` meanwhile
  };
  EventHub* hub_;
  service::ServiceContext ctx_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace gaggle::server
