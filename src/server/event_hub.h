// EventHub: the server's view of the event log as it grows. One thread polls the
// state store for events after the last one seen (every poll_ms; the store may be
// written by other processes, so polling is the one way that sees every commit),
// keeps the newest `ring` of them, and wakes the Server-Sent-Events streams waiting
// for them. Listeners (metrics, approval links) hear each new event on the hub's thread.
//  - Wait returns the events after a sequence number, oldest first: from the ring, or
//    from the store when the caller is further behind than the ring (a stream resumed
//    with an old Last-Event-ID misses nothing).
//  - Version(migration) is the sequence number of the newest event of that migration
//    seen so far: caches of per-migration answers compare it to know they are current.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/control_store.h"
#include "store/state_store.h"

namespace gaggle::server {

struct HubEvent {
  int64_t seq = 0;
  std::string migration;
  std::string json;  // the event as the API shows it (service::EventJson), compact
};

class EventHub {
 public:
  struct Options {
    int poll_ms = 50;
    size_t ring = 10000;
  };
  EventHub(StateStore* store, ControlStore* control, Options options);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Starts polling after the newest stored event.
  Status Start();
  // Stops polling and wakes every waiter (they see `stopped`).
  void Stop();
  // Registers a listener before Start(); called on the hub's thread for each new event.
  void AddListener(std::function<void(const Event&)> listener);

  // Up to `max` events with seq > `after` (of `migration` when not empty), waiting up
  // to `wait` for the first. `*stopped` is set when the hub stopped.
  std::vector<HubEvent> Wait(int64_t after, const std::string& migration, std::chrono::milliseconds wait, size_t max,
                             bool* stopped);
  int64_t Version(const std::string& migration);
  int64_t LastSeq();
  // Seconds since the newest event's time (-1 when no event is known).
  double LastEventAgeSeconds();
  int64_t polls() const { return polls_.load(); }

 private:
  void Run();
  Status PollOnce();

  StateStore* store_;
  ControlStore* control_;
  Options options_;
  std::vector<std::function<void(const Event&)>> listeners_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<HubEvent> ring_;                          // GUARDED_BY(mu_)
  std::unordered_map<std::string, int64_t> versions_;  // GUARDED_BY(mu_)
  int64_t last_seq_ = 0;                               // GUARDED_BY(mu_)
  int64_t last_event_ms_ = 0;                          // GUARDED_BY(mu_)
  bool stop_ = false;                                  // GUARDED_BY(mu_)
  std::atomic<int64_t> polls_{0};
  std::thread thread_;
};

}  // namespace gaggle::server
