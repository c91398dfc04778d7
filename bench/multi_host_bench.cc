// Many hosts' orchestration overhead (issue 16's benchmark): no-op tasks through the
// PostgreSQL work queue, a coordinator in one process and workers in others.
//
//   multi_host_bench init URL
//       creates the store's tables in the (empty) database at URL, so workers can start first.
//   multi_host_bench coordinate URL N CONCURRENCY
//       plans N independent no-op tasks into the (empty) state at URL and runs them with a
//       coordinator whose agents run on workers (QueuedTaskExecutor): every task is an
//       attempt and its validation, one work item (the worker validates at once). Prints tasks/s.
//   multi_host_bench work URL SLOTS
//       a worker (FleetWorker) with a no-op executor, until SIGTERM; then prints how many
//       items it ran, its claim latency (enqueue to claim) p50 and p99 in ms, and its claim
//       statements (all, and those that found nothing).
// Output: one "key value" per line, for bench/run-multi-host.sh.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>

#include "fleet/fleet_runner.h"
#include "fleet/fleet_worker.h"
#include "fleet/queued_task_executor.h"
#include "store/postgres_work_queue.h"
#include "store/state_store.h"

namespace {

using namespace gaggle;

class NoopExecutor : public TaskExecutor {
 public:
  Result<TaskOutcome> Execute(const TaskRecord&, CancellationToken*, const TaskContext&) override {
    TaskOutcome out;
    out.rows_in = out.rows_out = 1;
    return out;
  }
};

std::atomic<bool> g_stop{false};
extern "C" void OnBenchStopSignal(int) { g_stop.store(true); }

int Fail(const Status& st) {
  std::cerr << "multi_host_bench: " << st.ToString() << "\n";
  return 1;
}

Plan MakePlan(int64_t n) {
  Plan plan;
  plan.migration = "bench";
  plan.spec_hash = "bench-spec";
  plan.hash = "bench-plan-" + std::to_string(n);
  for (int64_t i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = "ds." + std::to_string(i);
    r.priority = static_cast<int>(i + 1);
    r.source_uri = "file:///lake/v1/" + r.dataset_id;
    r.target_uri = "file:///lake/v2/" + r.dataset_id;
    plan.rows.push_back(std::move(r));
  }
  plan.stages.resize(1);
  return plan;
}

int Coordinate(const std::string& url, int64_t n, int concurrency) {
  auto store = OpenStateStore(url);
  if (!store.ok()) return Fail(store.status());
  auto queue = PostgresWorkQueue::Open(url);
  if (!queue.ok()) return Fail(queue.status());
  if (Status st = (*queue)->PublishSpec("bench-spec", "bench", "", "bench", "t"); !st.ok()) return Fail(st);
  if (auto run = (*store)->UpsertRun(MakePlan(n), "bench.yaml", concurrency, "bench"); !run.ok()) {
    return Fail(run.status());
  }
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = "bench-spec";
  QueuedTaskExecutor remote(queue->get(), qo);
  FleetRunOptions options;
  options.gates.max_failed_datasets = 1.0;
  const auto t0 = std::chrono::steady_clock::now();
  auto summary = FleetRunner(store->get(), &remote, options).Run("bench", TaskGraph());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!summary.ok()) return Fail(summary.status());
  if (summary->succeeded != n) return Fail(Status::Internal("only " + std::to_string(summary->succeeded) + " ran"));
  std::cout << "tasks " << n << "\nrun_seconds " << secs << "\ntasks_per_second " << static_cast<double>(n) / secs
            << "\n";
  return 0;
}

int Work(const std::string& url, int slots) {
  auto queue = PostgresWorkQueue::Open(url);
  if (!queue.ok()) return Fail(queue.status());
  FleetWorkerOptions o;
  o.name = "bench-" + std::to_string(::getpid());
  o.slots = slots;
  o.make_executor = [](const std::string&, const std::string&) -> Result<std::unique_ptr<TaskExecutor>> {
    return std::unique_ptr<TaskExecutor>(new NoopExecutor());
  };
  std::signal(SIGTERM, OnBenchStopSignal);
  auto summary = FleetWorker(queue->get(), o).Run(&g_stop);
  if (!summary.ok()) return Fail(summary.status());
  std::vector<int64_t> lat = summary->claim_latency_ms;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0 : lat[static_cast<size_t>(p * static_cast<double>(lat.size() - 1))];
  };
  std::cout << "items " << summary->recorded << "\nclaim_p50_ms " << pct(0.5) << "\nclaim_p99_ms " << pct(0.99)
            << "\nclaims " << summary->claims << "\nempty_claims " << summary->empty_claims << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "init" && argc == 3) {
    auto store = OpenStateStore(argv[2]);
    return store.ok() ? 0 : Fail(store.status());
  }
  if (mode == "coordinate" && argc == 5) return Coordinate(argv[2], std::stoll(argv[3]), std::stoi(argv[4]));
  if (mode == "work" && argc == 4) return Work(argv[2], std::stoi(argv[3]));
  std::cerr << "usage: multi_host_bench init URL | coordinate URL N CONCURRENCY | work URL SLOTS\n";
  return 2;
}
