#include "server/event_hub.h"

#include <algorithm>
#include <ctime>

#include "service/status_operations.h"

namespace gaggle::server {
namespace {

int64_t IsoToMillis(const std::string& iso) {
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

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HubEvent ToHub(const Event& e) { return HubEvent{e.seq, e.migration, service::EventJson(e).dump()}; }

}  // namespace

EventHub::EventHub(StateStore* store, ControlStore* control, Options options)
    : store_(store), control_(control), options_(options) {}

EventHub::~EventHub() { Stop(); }

void EventHub::AddListener(std::function<void(const Event&)> listener) { listeners_.push_back(std::move(listener)); }

Status EventHub::Start() {
  GAGGLE_ASSIGN_OR_RETURN(int64_t last, control_->LastEventSeq());
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_seq_ = last;
  }
  if (last > 0) {
    EventFilter f;
    f.after_seq = last - 1;
    f.limit = 1;
    auto newest = store_->ListEvents(f);
    if (newest.ok() && !newest->empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      last_event_ms_ = IsoToMillis(newest->back().time);
    }
  }
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void EventHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventHub::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (changed_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [this] { return stop_; })) return;
    }
    Status s = PollOnce();
    (void)s;  // a busy store is retried at the next poll
    ++polls_;
  }
}

Status EventHub::PollOnce() {
  // Drains everything new, a thousand at a time.
  while (true) {
    EventFilter f;
    {
      std::lock_guard<std::mutex> lock(mu_);
      f.after_seq = last_seq_;
    }
    f.limit = 1000;
    GAGGLE_ASSIGN_OR_RETURN(std::vector<Event> events, store_->ListEvents(f));
    if (events.empty()) return Status::OK();
    for (const Event& e : events) {
      for (auto& l : listeners_) l(e);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Event& e : events) {
        ring_.push_back(ToHub(e));
        if (!e.migration.empty()) versions_[e.migration] = e.seq;
      }
      while (ring_.size() > options_.ring) ring_.pop_front();
      last_seq_ = events.back().seq;
      last_event_ms_ = IsoToMillis(events.back().time);
    }
    changed_.notify_all();
    if (events.size() < f.limit) return Status::OK();
  }
}

std::vector<HubEvent> EventHub::Wait(int64_t after, const std::string& migration, std::chrono::milliseconds wait,
                                     size_t max, bool* stopped) {
  std::vector<HubEvent> out;
  std::unique_lock<std::mutex> lock(mu_);
  const bool behind_ring = !ring_.empty() ? after < ring_.front().seq - 1 : after < last_seq_;
  if (behind_ring) {
    // Further behind than the ring holds: read the store (outside the lock).
    lock.unlock();
    EventFilter f;
    f.migration = migration;
    f.after_seq = after;
    f.limit = max;
    auto events = store_->ListEvents(f);
    if (events.ok()) {
      for (const Event& e : *events) out.push_back(ToHub(e));
    }
    lock.lock();
    *stopped = stop_;
    if (!out.empty() || !events.ok()) return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    *stopped = stop_;
    if (stop_) return out;
    // The ring is ordered by seq (with possible gaps): binary search for the first after `after`.
    auto it =
        std::upper_bound(ring_.begin(), ring_.end(), after, [](int64_t seq, const HubEvent& e) { return seq < e.seq; });
    for (; it != ring_.end() && out.size() < max; ++it) {
      if (migration.empty() || it->migration == migration) out.push_back(*it);
    }
    if (!out.empty()) return out;
    // Nothing for this filter yet: skip what was seen.
    if (!ring_.empty()) after = std::max(after, ring_.back().seq);
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      *stopped = stop_;
      return out;
    }
  }
}

int64_t EventHub::Version(const std::string& migration) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = versions_.find(migration);
  return it == versions_.end() ? 0 : it->second;
}

int64_t EventHub::LastSeq() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seq_;
}

double EventHub::LastEventAgeSeconds() {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_event_ms_ == 0) return -1;
  return static_cast<double>(WallMillis() - last_event_ms_) / 1000.0;
}

}  // namespace gaggle::server
