// A coordinator (FleetRunner over QueuedTaskExecutor) and FleetWorkers sharing a
// PostgreSQL state on a private server: every dataset runs and validates once, a claim
// abandoned by a dead worker returns through the reaper without spending a retry, and a
// standby coordinator takes the run over when the first one's lease lapses. The
// executor's asynchronous calls end with their result, their token, or the executor.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <thread>

#include "fleet/fleet_runner.h"
#include "fleet/fleet_worker.h"
#include "fleet/queued_task_executor.h"
#include "fleet/runner_identity.h"
#include "fleet/work_payload.h"
#include "store/postgres_test_server_test_util.h"
#include "store/postgres_work_queue.h"

namespace gaggle {
namespace {

using namespace std::chrono_literals;
using namespace store_test;  // NOLINT

// Counts what ran where; every attempt succeeds after `work`.
class CountingExecutor : public TaskExecutor {
 public:
  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override {
    std::this_thread::sleep_for(2ms);
    GAGGLE_RETURN_IF_ERROR(token->Check("test"));
    if (context.before_publish) GAGGLE_RETURN_IF_ERROR(context.before_publish());
    std::lock_guard<std::mutex> lock(mu);
    executed[task.dataset_id]++;
    TaskOutcome o;
    o.rows_out = 10;
    return o;
  }
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken*) override {
    std::lock_guard<std::mutex> lock(mu);
    validated[task.dataset_id]++;
    return TaskValidation{};
  }
  std::mutex mu;
  std::map<std::string, int> executed, validated;
};

Plan MakePlan(int n) {
  Plan p;
  p.migration = "m1";
  p.spec_hash = "spec1";
  p.hash = "plan-" + std::to_string(n);
  for (int i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = "d" + std::to_string(i);
    r.priority = i + 1;
    r.source_uri = "file:///lake/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///lake2/" + r.dataset_id;
    p.rows.push_back(r);
  }
  p.stages.push_back(PlanStage{});
  return p;
}

TaskGraph GraphOf(const Plan& plan) {
  Catalog catalog;
  for (const PlanRow& r : plan.rows) {
    Entity d;
    d.kind = EntityKind::kDataset;
    d.id = d.name = r.dataset_id;
    d.type = "dataset";
    d.uri = r.source_uri;
    catalog.AddEntity(d);
  }
  EXPECT_TRUE(catalog.Finalize().ok());
  return TaskGraph::Build(catalog, plan);
}

class QueuedFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PostgresTestServer::Get();
    if (!server.ok() && server.status().code() == StatusCode::kUnsupported) GTEST_SKIP() << server.status().message();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    auto db = (*server)->CreateDatabase(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok());
    db_ = *db;
    url_ = (*server)->Url(db_);
    auto store = OpenStateStore(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    queue_ = OpenQueue();
    ASSERT_TRUE(queue_->PublishSpec("spec1", "m1", "unused", "test", "t").ok());
  }
  void TearDown() override {
    store_.reset();
    queue_.reset();
    auto server = PostgresTestServer::Get();
    if (server.ok() && !db_.empty()) (void)(*server)->DropDatabase(db_);
  }
  std::unique_ptr<PostgresWorkQueue> OpenQueue() {
    auto q = PostgresWorkQueue::Open(url_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }
  FleetRunOptions RunnerOptions() {
    FleetRunOptions o;
    o.poll_interval = 20ms;
    o.validate = true;
    o.gates.max_failed_datasets = 1.0;
    return o;
  }
  // A worker thread on its own connection, running until `stop_`.
  std::thread StartWorker(const std::string& name, int slots, std::chrono::milliseconds lease = 30s) {
    return std::thread([this, name, slots, lease] {
      auto q = OpenQueue();
      FleetWorkerOptions o;
      o.name = name;
      o.slots = slots;
      o.lease = lease;
      o.idle_poll = 200ms;
      o.make_executor = [this](const std::string&, const std::string&) -> Result<std::unique_ptr<TaskExecutor>> {
        return std::unique_ptr<TaskExecutor>(new Forward(&executor_));
      };
      FleetWorker worker(q.get(), o);
      auto done = worker.Run(&stop_);
      EXPECT_TRUE(done.ok()) << done.status().ToString();
      if (done.ok()) {
        MutexLock lock(&summaries_mu_);
        summaries_[name] = *done;
      }
    });
  }
  struct Forward : TaskExecutor {
    explicit Forward(TaskExecutor* e) : inner(e) {}
    Result<TaskOutcome> Execute(const TaskRecord& t, CancellationToken* k, const TaskContext& c) override {
      return inner->Execute(t, k, c);
    }
    Result<TaskValidation> Validate(const TaskRecord& t, CancellationToken* k) override {
      return inner->Validate(t, k);
    }
    TaskExecutor* inner;
  };

  std::string db_, url_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<PostgresWorkQueue> queue_;
  CountingExecutor executor_;
  std::atomic<bool> stop_{false};
  Mutex summaries_mu_;
  std::map<std::string, FleetWorkerSummary> summaries_ GUARDED_BY(summaries_mu_);

  void RunAndValidateEveryDatasetOnce(bool validate_with_attempt, int64_t items);
};

// 40 datasets on 2 workers; each attempt and each validation runs once, as one work item
// each (`validate_with_attempt` off) or one for both (on: the worker validates at once).
void QueuedFleetTest::RunAndValidateEveryDatasetOnce(bool validate_with_attempt, int64_t items) {
  const Plan plan = MakePlan(40);
  ASSERT_TRUE(store_->UpsertRun(plan, "spec.yaml", 8, "test").ok());
  std::thread w1 = StartWorker("w1", 3), w2 = StartWorker("w2", 3);
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = "spec1";
  qo.validate_with_attempt = validate_with_attempt;
  QueuedTaskExecutor remote(queue_.get(), qo);
  FleetRunner runner(store_.get(), &remote, RunnerOptions());
  auto summary = runner.Run("m1", GraphOf(plan));
  stop_ = true;
  w1.join();
  w2.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(summary->attempts, 40);
  for (const PlanRow& r : plan.rows) {
    EXPECT_EQ(executor_.executed[r.dataset_id], 1) << r.dataset_id;
    EXPECT_EQ(executor_.validated[r.dataset_id], 1) << r.dataset_id;
  }
  auto tasks = store_->LoadTasks("m1");
  ASSERT_TRUE(tasks.ok());
  for (const TaskRecord& t : *tasks) EXPECT_EQ(t.state, TaskState::kValidated) << t.dataset_id;
  auto counts = queue_->Count("m1");
  EXPECT_EQ(counts->queued + counts->claimed + counts->finished, 0) << "every result was taken";
  int64_t finished = 0;
  auto workers = queue_->ListWorkers();
  ASSERT_TRUE(workers.ok());
  for (const WorkerInfo& w : *workers) finished += w.finished;
  EXPECT_EQ(finished, items);
  // Each item was claimed once, by claim statements of which those that found something
  // took at least one item each.
  MutexLock lock(&summaries_mu_);
  int64_t claimed = 0, claims = 0, empty = 0;
  for (const auto& [name, s] : summaries_) {
    claimed += s.claimed;
    claims += s.claims;
    empty += s.empty_claims;
  }
  EXPECT_EQ(claimed, items);
  EXPECT_GE(claims - empty, 1);
  EXPECT_LE(claims - empty, items);
}

TEST_F(QueuedFleetTest, WorkersRunAndValidateEveryDatasetOnce) { RunAndValidateEveryDatasetOnce(false, 80); }

TEST_F(QueuedFleetTest, AWorkerValidatesRightAfterItsAttemptInOneItem) { RunAndValidateEveryDatasetOnce(true, 40); }

TEST_F(QueuedFleetTest, AClaimOfADeadWorkerReturnsWithoutSpendingARetry) {
  const Plan plan = MakePlan(3);
  ASSERT_TRUE(store_->UpsertRun(plan, "spec.yaml", 4, "test").ok());
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = "spec1";
  qo.reap_interval = 100ms;
  QueuedTaskExecutor remote(queue_.get(), qo);
  FleetRunOptions ro = RunnerOptions();
  ro.validate = false;
  FleetRunner runner(store_.get(), &remote, ro);
  Result<FleetRunSummary> summary = Status::Internal("not run");
  std::thread coordinator([&] { summary = runner.Run("m1", GraphOf(plan)); });
  // A worker that claims everything with a 1 s lease and dies (never reports).
  std::vector<ClaimedWork> lost;
  for (int i = 0; i < 100 && lost.size() < 3; ++i) {
    auto got = queue_->Claim("dead", 3, UnixMillis(), 1000);
    ASSERT_TRUE(got.ok());
    lost.insert(lost.end(), got->begin(), got->end());
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(lost.size(), 3u);
  std::thread live = StartWorker("live", 2);
  coordinator.join();
  stop_ = true;
  live.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  auto tasks = store_->LoadTasks("m1");
  ASSERT_TRUE(tasks.ok());
  for (const TaskRecord& t : *tasks) {
    EXPECT_EQ(t.attempts, 1) << t.dataset_id << ": an expired lease spends no retry";
    EXPECT_EQ(executor_.executed[t.dataset_id], 1);
  }
  for (const ClaimedWork& c : lost) {
    EXPECT_FALSE(*queue_->Finish("dead", c.id, c.epoch, true, "{}", UnixMillis())) << "the dead worker is fenced";
  }
}

TEST_F(QueuedFleetTest, AStandbyCoordinatorTakesOverWhenTheLeaseLapses) {
  const Plan plan = MakePlan(5);
  ASSERT_TRUE(store_->UpsertRun(plan, "spec.yaml", 4, "test").ok());
  // The first coordinator "died" holding the lease (another host: never declared dead).
  ASSERT_TRUE(
      store_->ClaimRunner("m1", "otherhost:1:1", UnixMillis(), 1500, [](const std::string&) { return false; }).ok());
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = "spec1";
  QueuedTaskExecutor remote(queue_.get(), qo);
  FleetRunOptions ro = RunnerOptions();
  ro.validate = false;
  FleetRunner refused(store_.get(), &remote, ro);
  auto conflict = refused.Run("m1", GraphOf(plan));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict);

  ro.wait_for_lease = true;
  ro.lease_ttl = 2000ms;
  FleetRunner standby(store_.get(), &remote, ro);
  std::thread w = StartWorker("w", 2);
  auto summary = standby.Run("m1", GraphOf(plan));
  stop_ = true;
  w.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(summary->succeeded, 5);
}

// What asynchronous calls (TaskExecutor::ExecuteAsync) handed back, by dataset.
struct AsyncResults {
  void Add(const std::string& dataset, Result<TaskOutcome> r) {
    MutexLock lock(&mu);
    got.emplace(dataset, std::move(r));
    cv.SignalAll();
  }
  // Waits up to 20 s for `dataset`'s result.
  std::optional<Result<TaskOutcome>> Wait(const std::string& dataset) {
    MutexLock lock(&mu);
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (!got.count(dataset) && std::chrono::steady_clock::now() < until) cv.WaitUntil(&mu, until);
    auto it = got.find(dataset);
    if (it == got.end()) return std::nullopt;
    return it->second;
  }
  Mutex mu;
  CondVar cv;
  std::map<std::string, Result<TaskOutcome>> got GUARDED_BY(mu);
};

TEST_F(QueuedFleetTest, AnAsynchronousCallEndsWithItsResultItsTokenOrTheExecutorsEnd) {
  AsyncResults results;
  auto start = [&](QueuedTaskExecutor& remote, const std::string& dataset, std::shared_ptr<CancellationToken> token) {
    TaskRecord task;
    task.migration = "m1";
    task.dataset_id = dataset;
    task.attempts = 1;
    remote.ExecuteAsync(task, std::move(token), TaskContext{},
                        [&results, dataset](Result<TaskOutcome> r) { results.Add(dataset, std::move(r)); });
  };
  auto unlimited = [] { return std::make_shared<CancellationToken>(); };
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = "spec1";
  auto remote = std::make_unique<QueuedTaskExecutor>(queue_.get(), qo);
  ASSERT_TRUE(remote->asynchronous());
  start(*remote, "runs", unlimited());
  start(*remote, "times-out",
        std::make_shared<CancellationToken>(std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
  auto cancelled = unlimited();
  start(*remote, "cancelled", cancelled);
  cancelled->Cancel();

  // No worker yet: the two stopped calls end on their own, and their items leave the queue.
  auto timed_out = results.Wait("times-out");
  ASSERT_TRUE(timed_out && !timed_out->ok());
  EXPECT_EQ(timed_out->status().code(), StatusCode::kTimeout) << timed_out->status().ToString();
  auto gone = results.Wait("cancelled");
  ASSERT_TRUE(gone && !gone->ok());
  EXPECT_EQ(gone->status().code(), StatusCode::kCancelled) << gone->status().ToString();
  EXPECT_EQ(queue_->Count("m1")->queued, 1) << "only the item of the call still out";

  // A worker runs the one left: its outcome comes back, with its validation at hand.
  std::thread w = StartWorker("w", 2);
  auto ran = results.Wait("runs");
  ASSERT_TRUE(ran && ran->ok()) << (ran ? ran->status().ToString() : "no result");
  EXPECT_EQ((*ran)->rows_out, 10);
  TaskRecord runs;
  runs.migration = "m1";
  runs.dataset_id = "runs";
  runs.attempts = 1;
  EXPECT_TRUE(remote->TakeReadyValidation(runs).has_value());
  // The blocking form is the same call, waited for.
  TaskRecord blocking = runs;
  blocking.dataset_id = "blocking";
  CancellationToken token;
  auto waited = remote->Execute(blocking, &token, TaskContext{});
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(waited->rows_out, 10);
  stop_ = true;
  w.join();

  // A call still out when the executor goes ends as cancelled, and its item goes with it.
  start(*remote, "left", unlimited());
  remote.reset();
  auto left = results.Wait("left");
  ASSERT_TRUE(left && !left->ok());
  EXPECT_EQ(left->status().code(), StatusCode::kCancelled);
  EXPECT_NE(left->status().message().find("stopping"), std::string::npos) << left->status().ToString();
  auto counts = queue_->Count("m1");
  EXPECT_EQ(counts->queued + counts->claimed + counts->finished, 0);
  EXPECT_EQ(executor_.executed["runs"], 1);
  EXPECT_EQ(executor_.executed["blocking"], 1);
  EXPECT_EQ(executor_.executed.count("times-out") + executor_.executed.count("cancelled"), 0u);
}

}  // namespace
}  // namespace gaggle
