// The control plane under load (issue 14's benchmark), driven by bench/run-serve.sh:
//
//   serve_bench setup STATE N      a state holding migration "big" of N datasets in 4
//                                  stages (every 100th needs attention, every 7th
//                                  validated) and migration "live" of 20,000 pending ones
//   serve_bench churn STATE SECS   "live" runs: a runner's transitions (pending ->
//                                  running -> validated, one transaction and one chained
//                                  event each) at full speed for SECS seconds, through
//                                  the same store calls the fleet makes
//   serve_bench sse URL TOKEN STATE SAMPLES
//                                  event delivery latency: commits an event, times its
//                                  arrival on GET /api/v1/events/stream; prints p50/p99
// Output: "key value" lines.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/state_store.h"

namespace {

using namespace gaggle;
using Clock = std::chrono::steady_clock;

Plan MakePlan(const std::string& migration, int64_t n, int stages) {
  Plan p;
  p.migration = migration;
  p.spec_hash = "bench";
  p.hash = migration + "-" + std::to_string(n);
  p.rows.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = migration + ".ds" + std::to_string(i);
    r.stage = static_cast<int>(i * stages / n);
    r.wave = static_cast<int>(i % 17);
    r.size_bytes = 1000 + i % 5000;
    r.source_uri = "file:///lake/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///v2/" + r.dataset_id;
    p.rows.push_back(std::move(r));
  }
  return p;
}

int Setup(const std::string& state, int64_t n) {
  auto store = OpenStateStore(state);
  if (!store.ok()) return std::cerr << store.status().ToString() << "\n", 1;
  const auto t0 = Clock::now();
  for (auto [name, count, stages] :
       {std::tuple{std::string("big"), n, 4}, std::tuple{std::string("live"), int64_t{20000}, 1}}) {
    Plan p = MakePlan(name, count, stages);
    if (!(*store)->SavePlan(p).ok()) return 1;
    auto run = (*store)->UpsertRun(p, name + ".yaml", 4, "bench");
    if (!run.ok()) return std::cerr << run.status().ToString() << "\n", 1;
  }
  // Settle part of "big": every 7th validated, every 100th needing attention.
  std::vector<std::string> done, attention;
  for (int64_t i = 0; i < n; ++i) {
    if (i % 100 == 50) {
      attention.push_back("big.ds" + std::to_string(i));
    } else if (i % 7 == 0) {
      done.push_back("big.ds" + std::to_string(i));
    }
  }
  for (const auto& [list, to] : {std::pair{&done, TaskState::kRunning}, std::pair{&attention, TaskState::kRunning}}) {
    if (!(*store)->TransitionTasks("big", {TaskState::kPending}, to, *list, false, "bench", "").ok()) return 1;
  }
  if (!(*store)
           ->TransitionTasks("big", {TaskState::kRunning}, TaskState::kNeedsAttention, attention, false, "bench",
                             "out of retries: source unreadable")
           .ok() ||
      !(*store)->TransitionTasks("big", {TaskState::kRunning}, TaskState::kSucceeded, done, false, "bench", "").ok()) {
    return 1;
  }
  MigrationRunUpdate u;
  u.state = RunState::kPaused;
  u.state_reason = "bench";
  if (!(*store)->UpdateRun("big", u, "bench", "bench").ok()) return 1;
  std::cout << "setup_datasets " << n << "\nsetup_seconds " << std::chrono::duration<double>(Clock::now() - t0).count()
            << "\n";
  return 0;
}

int Churn(const std::string& state, double seconds) {
  auto store = OpenStateStore(state);
  if (!store.ok()) return 1;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  int64_t moved = 0;
  int64_t i = 0;
  while (Clock::now() < end && i < 20000) {
    auto t = (*store)->FindTask("live", "live.ds" + std::to_string(i++));
    if (!t.ok() || !t->has_value()) break;
    TaskRecord r = **t;
    for (TaskState to : {TaskState::kRunning, TaskState::kValidating, TaskState::kValidated}) {
      const TaskState from = r.state;
      r.state = to;
      if (to == TaskState::kRunning) ++r.attempts;
      if (to == TaskState::kValidated) r.rows_out = r.rows_in = 1000;
      if (!(*store)->TransitionTask(from, r, "bench-runner", "").ok()) return 1;
      ++moved;
    }
  }
  std::cout << "churn_transitions " << moved << "\nchurn_transitions_per_second " << moved / seconds << "\n";
  return 0;
}

int Sse(const std::string& url, const std::string& token, const std::string& state, int samples) {
  auto store = OpenStateStore(state);
  if (!store.ok()) return 1;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> arrived;
  std::atomic<bool> connected{false}, stop{false};
  std::thread reader([&] {
    httplib::Client c(url);
    c.set_read_timeout(30, 0);
    std::string buf;
    c.Get("/api/v1/events/stream?migration=sse-bench", {{"Authorization", "Bearer " + token}},
          [&](const char* data, size_t n) {
            const auto now = Clock::now();
            buf.append(data, n);
            connected = true;
            size_t pos;
            while ((pos = buf.find("\n\n")) != std::string::npos) {
              const std::string frame = buf.substr(0, pos);
              buf.erase(0, pos + 2);
              const size_t k = frame.find("\"detail\":\"probe-");
              if (k == std::string::npos) continue;
              const size_t e = frame.find('"', k + 10);
              std::lock_guard<std::mutex> l(mu);
              arrived[frame.substr(k + 10, e - k - 10)] = now;
              cv.notify_all();
            }
            return !stop.load();
          });
  });
  for (int i = 0; i < 200 && !connected; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    Event e;
    e.actor = "bench";
    e.migration = "sse-bench";
    e.to_state = "probe";
    e.detail = "probe-" + std::to_string(i);
    if (!(*store)->AppendEvent(e).ok()) return 1;
    const auto committed = Clock::now();
    std::unique_lock<std::mutex> l(mu);
    if (!cv.wait_for(l, std::chrono::seconds(5), [&] { return arrived.count(e.detail); })) {
      std::cerr << "event " << i << " did not arrive within 5 s\n";
      stop = true;
      l.unlock();
      reader.detach();
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(arrived[e.detail] - committed).count());
    l.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(37));  // spread over the poll interval
  }
  stop = true;
  // One more event ends the reader's wait.
  Event last;
  last.actor = "bench";
  last.migration = "sse-bench";
  last.detail = "end";
  (void)(*store)->AppendEvent(last);
  reader.join();
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  };
  std::cout << "sse_samples " << ms.size() << "\nsse_p50_ms " << pct(0.5) << "\nsse_p99_ms " << pct(0.99)
            << "\nsse_max_ms " << ms.back() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "setup" && argc == 4) return Setup(argv[2], std::stoll(argv[3]));
  if (cmd == "churn" && argc == 4) return Churn(argv[2], std::stod(argv[3]));
  if (cmd == "sse" && argc == 6) return Sse(argv[2], argv[3], argv[4], std::stoi(argv[5]));
  std::cerr << "usage: serve_bench setup STATE N | churn STATE SECONDS | sse URL TOKEN STATE SAMPLES\n";
  return 2;
}
