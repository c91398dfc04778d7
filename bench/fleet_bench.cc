// Orchestration overhead of the fleet (issue 5's benchmark).
//
//   fleet_bench tasks N [DIR]   N tasks with a no-op agent through the whole state
//                               machine (pending -> running -> succeeded, one SQLite
//                               transaction per transition, events and logs included),
//                               concurrency 4; prints tasks/s and microseconds per task.
//   fleet_bench start N [DIR]   plans N tasks into a fresh state file and times a
//                               runner's start (lease, recovery, loading every task,
//                               first dispatch), then stops it; leaves DIR/gaggle.db for
//                               `gaggle status` latency measurements.
//   fleet_bench resume N URL    times a runner's start on the PostgreSQL state at URL that
//                               `start` left planned, in a process that never held the
//                               plan: its peak RSS is the coordinator's own (issue 16).
//   DIR may be a PostgreSQL URL (an empty database): the state goes there, logs to /tmp.
// Output: one "key value" per line, for bench/run-fleet.sh.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include "fleet/fleet_runner.h"
#include "store/state_store.h"

namespace {

using namespace gaggle;
using SteadyClock = std::chrono::steady_clock;

class NoopExecutor : public TaskExecutor {
 public:
  explicit NoopExecutor(std::atomic<bool>* stop_on_first = nullptr) : stop_on_first_(stop_on_first) {}
  Result<TaskOutcome> Execute(const TaskRecord&, CancellationToken*, const TaskContext&) override {
    if (stop_on_first_ && !first_.exchange(true)) {
      first_at_ = SteadyClock::now();
      stop_on_first_->store(true);
    }
    TaskOutcome out;
    out.rows_in = out.rows_out = 1;
    return out;
  }
  SteadyClock::time_point first_at() const { return first_at_; }

 private:
  std::atomic<bool>* stop_on_first_;
  std::atomic<bool> first_{false};
  SteadyClock::time_point first_at_{};
};

Plan MakePlan(int64_t n) {
  Plan plan;
  plan.migration = "bench";
  plan.spec_hash = "bench-spec";
  plan.hash = "bench-plan-" + std::to_string(n);
  plan.rows.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = "ds." + std::to_string(i);
    r.stage = i < n / 20 ? 0 : 1;
    r.priority = static_cast<int>(i + 1);
    r.size_bytes = 1 << 20;
    r.source_uri = "file:///lake/v1/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///lake/v2/" + r.dataset_id;
    plan.rows.push_back(std::move(r));
  }
  plan.stages.resize(2);
  plan.stages[1].index = 1;
  return plan;
}

double Seconds(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

long PeakRssMb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

int Fail(const Status& st) {
  std::cerr << "fleet_bench: " << st.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: fleet_bench tasks|start|resume N [DIR]\n";
    return 2;
  }
  const std::string mode = argv[1];
  const int64_t n = std::stoll(argv[2]);
  const std::string where = argc > 3 ? argv[3] : "/tmp/gaggle-fleet-bench";
  const bool postgres = where.rfind("postgres", 0) == 0;
  const std::string dir = postgres ? "/tmp/gaggle-fleet-bench-pg" : where;
  const bool resume = mode == "resume";
  if (resume && !postgres) return Fail(Status::InvalidArgument("resume takes the PostgreSQL URL `start` planned"));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = OpenStateStore(postgres ? where : dir + "/gaggle.db");
  if (!store.ok()) return Fail(store.status());
  std::cout << "tasks " << n << "\n";
  if (!resume) {
    const Plan plan = MakePlan(n);
    auto t0 = SteadyClock::now();
    auto run = (*store)->UpsertRun(plan, "bench.yaml", 4, "bench");
    if (!run.ok()) return Fail(run.status());
    std::cout << "upsert_seconds " << Seconds(t0, SteadyClock::now()) << "\n";
  }

  auto log = RunLog::Open(dir + "/logs", "bench");
  if (!log.ok()) return Fail(log.status());
  FleetRunOptions options;
  options.poll_interval = std::chrono::milliseconds(200);
  options.log = log->get();
  TaskGraph graph;  // independent tasks: the overhead measured is the state machine's

  if (mode == "tasks") {
    NoopExecutor noop;
    FleetRunner runner(store->get(), &noop, options);
    auto t2 = SteadyClock::now();
    auto summary = runner.Run("bench", graph);
    auto t3 = SteadyClock::now();
    if (!summary.ok()) return Fail(summary.status());
    if (summary->succeeded != n) {
      std::cerr << "fleet_bench: only " << summary->succeeded << " of " << n << " tasks succeeded\n";
      return 1;
    }
    double secs = Seconds(t2, t3);
    std::cout << "run_seconds " << secs << "\n";
    std::cout << "tasks_per_second " << static_cast<double>(n) / secs << "\n";
    std::cout << "us_per_task " << secs * 1e6 / static_cast<double>(n) << "\n";
    std::cout << "peak_rss_mb " << PeakRssMb() << "\n";
    return 0;
  }
  if (mode == "start" || resume) {
    std::atomic<bool> stop{false};
    NoopExecutor first(&stop);
    options.interrupted = &stop;
    FleetRunner runner(store->get(), &first, options);
    auto t2 = SteadyClock::now();
    auto summary = runner.Run("bench", graph);
    if (!summary.ok()) return Fail(summary.status());
    std::cout << "start_seconds " << Seconds(t2, first.first_at()) << "\n";
    std::cout << "peak_rss_mb " << PeakRssMb() << "\n";
    return 0;
  }
  std::cerr << "fleet_bench: unknown mode '" << mode << "'\n";
  return 2;
}
