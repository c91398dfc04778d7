#include "server/status_cache.h"

#include <chrono>

namespace gaggle::server {
namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kRateWindowMs = 60000;
constexpr int64_t kMaxAgeMs = 5000;

}  // namespace

Result<std::shared_ptr<const CachedStatus>> StatusCache::Get(const std::string& migration) {
  const int64_t version = hub_->Version(migration);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(migration);
    if (it != entries_.end() && it->second.status) {
      const bool fresh =
          it->second.status->version == version && SteadyMillis() - it->second.status->computed_ms < kMaxAgeMs;
      if (fresh || it->second.refreshing) return it->second.status;
      it->second.refreshing = true;
    }
  }
  service::StatusRequest request;
  request.migration = migration;
  request.attention_limit = 20;
  request.running_limit = 20;
  auto computed = service::GetMigrationStatus(ctx_, request);
  if (!computed.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_[migration].refreshing = false;
    return computed.status();
  }
  service::MigrationStatus status = std::move(computed).value();
  auto fresh = std::make_shared<CachedStatus>();
  fresh->version = version;
  const int64_t now = SteadyMillis();
  fresh->computed_ms = now;
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[migration];
  e.refreshing = false;
  e.samples.push_back(Sample{now, status.rows_out, status.bytes_done});
  while (e.samples.size() > 2 && now - e.samples.front().ms > kRateWindowMs) e.samples.pop_front();
  const Sample& first = e.samples.front();
  const double seconds = static_cast<double>(now - first.ms) / 1000.0;
  if (seconds >= 1.0) {
    fresh->rows_per_second = static_cast<double>(status.rows_out - first.rows) / seconds;
    const double bytes_rate = static_cast<double>(status.bytes_done - first.bytes_done) / seconds;
    if (bytes_rate > 0) fresh->eta_seconds = static_cast<double>(status.bytes - status.bytes_done) / bytes_rate;
  }
  if (status.run.state != RunState::kRunning) fresh->eta_seconds = -1;
  nlohmann::json j = status.ToJson();
  j["rows_per_second"] = fresh->rows_per_second;
  j["eta_seconds"] = fresh->eta_seconds;
  j["version"] = version;
  fresh->body = j.dump();
  fresh->status = std::move(status);
  e.status = fresh;
  return std::shared_ptr<const CachedStatus>(fresh);
}

Result<std::vector<std::shared_ptr<const CachedStatus>>> StatusCache::All() {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationRun> runs, ctx_.store->ListRuns());
  std::vector<std::shared_ptr<const CachedStatus>> out;
  for (const MigrationRun& r : runs) {
    GAGGLE_ASSIGN_OR_RETURN(auto s, Get(r.migration));
    out.push_back(std::move(s));
  }
  return out;
}

void StatusCache::Invalidate(const std::string& migration) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(migration);
  if (it != entries_.end()) it->second.status.reset();
}

}  // namespace gaggle::server
