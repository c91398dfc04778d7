#include "fleet/fleet_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/iso8601.h"
#include "fleet/core_budget.h"
#include "fleet/fault_injection.h"
#include "fleet/runner_identity.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Time in these tests is a FakeClock's (FleetRunOptions::clock): backoff, task
// deadlines, the watchdog, lease renewal and polling happen in fake time, so a
// 30-minute task timeout or a 10-minute backoff costs no real time and the outcome
// does not depend on the machine's speed. The runner moves the clock itself when it
// sleeps with nothing running (a retry's backoff); while an attempt is out it waits
// for the completion, and a test whose attempt hangs moves the clock past the
// deadline (AdvanceWhenWaiting). The executor's `work` stays real: it is what makes
// attempts overlap, so that the concurrency limit can be seen.
// One test keeps the real clock: PauseResumeConcurrencyAndCancelFromAnotherConnection,
// where an operator on another connection races the runner while tasks run, and
// "nothing starts while paused" can only be seen by letting real time pass.

// Waits (really, bounded) until `ready()` holds and the runner is blocked on the clock
// waiting for a running attempt, then moves the clock forward by `d`. Advancing only
// while the runner waits means the move cannot slip between its reading of the clock
// and its wait.
void AdvanceWhenWaiting(FakeClock* clock, const std::function<bool()>& ready, std::chrono::microseconds d) {
  for (int i = 0; i < 10000 && !(ready() && clock->waiters() > 0); ++i) std::this_thread::sleep_for(1ms);
  clock->Advance(d);
}

// Plays a script per dataset and attempt: "ok", "retry" (retryable error), "fail"
// (permanent), "hang" (waits for its token). Records what ran and checks that no
// dataset starts before its upstreams finished.
class ScriptedExecutor : public TaskExecutor {
 public:
  std::map<std::string, std::vector<std::string>> script;
  std::map<std::string, std::vector<std::string>> upstreams;
  std::chrono::milliseconds work{5};

  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override {
    {
      MutexLock lock(&mu_);
      started_.push_back(task.dataset_id);
      threads_.push_back(context.threads);
      started_stage_.push_back(task.stage);
      max_running_ = std::max(max_running_, ++running_);
      for (const std::string& up : upstreams[task.dataset_id]) {
        if (!succeeded_.count(up)) order_violations_.push_back(task.dataset_id + " before " + up);
      }
    }
    std::string action = "ok";
    auto it = script.find(task.dataset_id);
    if (it != script.end() && task.attempts - 1 < static_cast<int>(it->second.size())) {
      action = it->second[task.attempts - 1];
    }
    Result<TaskOutcome> result = TaskOutcome{};
    if (action == "hang") {
      // Until the token fires; a bound in real time, so that a test whose clock never
      // reaches the deadline fails instead of hanging.
      result = Status::Internal(task.dataset_id + ": hung for 20 s of real time, its token never fired");
      for (int i = 0; i < 10000; ++i) {
        Status st = token->Check(task.dataset_id);
        if (!st.ok()) {
          result = st;
          break;
        }
        std::this_thread::sleep_for(2ms);
      }
    } else {
      std::this_thread::sleep_for(work);
      if (action == "retry") result = Status::IOError(task.dataset_id + ": flaky");
      if (action == "fail") result = Status::SchemaMismatch(task.dataset_id + ": bad schema");
    }
    if (result.ok()) {
      result->rows_in = 100;
      result->rows_out = 98;
      result->dead_lettered = 1;
      result->filtered = 1;
    }
    if (result.ok() && validate_with_attempt) {
      TaskValidation v = Scripted(task);
      MutexLock lock(&mu_);
      ready_[task.dataset_id] = v;
    }
    MutexLock lock(&mu_);
    --running_;
    if (result.ok()) succeeded_.insert(task.dataset_id);
    return result;
  }

  // Per validation of a dataset, in order: "pass" (default), "fail", "stale" (source changed).
  std::map<std::string, std::vector<std::string>> validation;

  // Validates with the attempt, as a worker does: TakeReadyValidation hands it over.
  bool validate_with_attempt = false;

  // Called by each Validate before it answers (may be empty).
  std::function<void(const TaskRecord&)> on_validate;

  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken*) override {
    {
      MutexLock lock(&mu_);
      ++validate_calls_;
    }
    if (on_validate) on_validate(task);
    return Scripted(task);
  }

  std::optional<Result<TaskValidation>> TakeReadyValidation(const TaskRecord& task) override {
    MutexLock lock(&mu_);
    auto it = ready_.find(task.dataset_id);
    if (it == ready_.end()) return std::nullopt;
    TaskValidation v = it->second;
    ready_.erase(it);
    return v;
  }

  TaskValidation Scripted(const TaskRecord& task) {
    std::string action = "pass";
    {
      MutexLock lock(&mu_);
      int n = validations_[task.dataset_id]++;
      auto it = validation.find(task.dataset_id);
      if (it != validation.end() && n < static_cast<int>(it->second.size())) action = it->second[n];
    }
    TaskValidation v;
    if (action == "fail") {
      v.passed = false;
      v.summary = "checksum, row_count";
      v.report = "{\"checks\":[]}";
    } else if (action == "stale") {
      v.passed = false;
      v.source_changed = true;
      v.summary = "source changed since the agent ran";
    }
    return v;
  }

  std::vector<std::string> started() {
    MutexLock lock(&mu_);
    return started_;
  }
  int validate_calls() {
    MutexLock lock(&mu_);
    return validate_calls_;
  }
  std::vector<int> started_stages() {
    MutexLock lock(&mu_);
    return started_stage_;
  }
  int max_running() {
    MutexLock lock(&mu_);
    return max_running_;
  }
  std::vector<int> threads() {  // per attempt: the threads the fleet's core budget gave it
    MutexLock lock(&mu_);
    return threads_;
  }
  std::vector<std::string> order_violations() {
    MutexLock lock(&mu_);
    return order_violations_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> started_ GUARDED_BY(mu_);
  std::map<std::string, TaskValidation> ready_ GUARDED_BY(mu_);
  int validate_calls_ GUARDED_BY(mu_) = 0;
  std::vector<int> started_stage_ GUARDED_BY(mu_);
  std::vector<int> threads_ GUARDED_BY(mu_);
  std::set<std::string> succeeded_ GUARDED_BY(mu_);
  std::map<std::string, int> validations_ GUARDED_BY(mu_);
  std::vector<std::string> order_violations_ GUARDED_BY(mu_);
  int running_ GUARDED_BY(mu_) = 0;
  int max_running_ GUARDED_BY(mu_) = 0;
};

// The asynchronous form of an executor (TaskExecutor::asynchronous): each call runs on a
// thread of its own and reports through its callback, as a work queue's poller does.
// Counts the blocking calls, which the fleet must not make then.
class AsyncExecutor : public TaskExecutor {
 public:
  explicit AsyncExecutor(TaskExecutor* inner) : inner_(inner) {}
  ~AsyncExecutor() override {
    MutexLock lock(&mu_);
    for (std::thread& t : threads_) t.join();
  }
  bool asynchronous() const override { return true; }
  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override {
    ++blocking_calls;
    return inner_->Execute(task, token, context);
  }
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) override {
    ++blocking_calls;
    return inner_->Validate(task, token);
  }
  std::optional<Result<TaskValidation>> TakeReadyValidation(const TaskRecord& task) override {
    return inner_->TakeReadyValidation(task);
  }
  void ExecuteAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token, const TaskContext& context,
                    std::function<void(Result<TaskOutcome>)> done) override {
    Spawn([this, task, token, context, done] { done(inner_->Execute(task, token.get(), context)); });
  }
  void ValidateAsync(const TaskRecord& task, std::shared_ptr<CancellationToken> token,
                     std::function<void(Result<TaskValidation>)> done) override {
    Spawn([this, task, token, done] { done(inner_->Validate(task, token.get())); });
  }
  std::atomic<int> blocking_calls{0};

 private:
  void Spawn(std::function<void()> call) {
    MutexLock lock(&mu_);
    threads_.emplace_back(std::move(call));
  }
  TaskExecutor* inner_;
  Mutex mu_;
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

struct Estate {
  Catalog catalog;
  Plan plan;
};

// Datasets d0..d{n-1}; `edges` (upstream, downstream) by index; stage of each dataset.
Estate MakeEstate(int n, const std::vector<std::pair<int, int>>& edges, const std::vector<int>& stages) {
  Estate e;
  for (int i = 0; i < n; ++i) {
    Entity d;
    d.kind = EntityKind::kDataset;
    d.id = d.name = "d" + std::to_string(i);
    d.type = "dataset";
    d.uri = "file:///lake/" + d.id;
    d.format = "avro";
    e.catalog.AddEntity(d);
  }
  for (auto [u, d] : edges) e.catalog.AddEdge("d" + std::to_string(u), "d" + std::to_string(d));
  EXPECT_TRUE(e.catalog.Finalize().ok());
  e.plan.migration = "m1";
  e.plan.spec_hash = "spec";
  e.plan.hash = "plan-" + std::to_string(n);
  int max_stage = 0;
  for (int i = 0; i < n; ++i) {
    PlanRow r;
    r.dataset_id = "d" + std::to_string(i);
    r.stage = stages.empty() ? 0 : stages[i];
    r.priority = i + 1;
    r.size_bytes = 1000;
    r.source_uri = "file:///lake/" + r.dataset_id;
    r.source_format = "avro";
    r.target_uri = "file:///lake2/" + r.dataset_id;
    max_stage = std::max(max_stage, r.stage);
    e.plan.rows.push_back(r);
  }
  for (int s = 0; s <= max_stage; ++s) {
    PlanStage st;
    st.index = s;
    e.plan.stages.push_back(st);
  }
  return e;
}

class FleetRunnerTest : public ::testing::Test {
 protected:
  void ExpectValidationDecides(bool validate_with_attempt);
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-fleet-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<StateStore> OpenStore() {
    StateStoreOptions o;
    o.clock = &clock_;  // event times in fake time too
    auto s = OpenStateStore((dir_ / "gaggle.db").string(), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  void Upsert(const Estate& e, int concurrency) {
    auto run = store_->UpsertRun(e.plan, "spec.yaml", concurrency, "test");
    ASSERT_TRUE(run.ok()) << run.status().ToString();
  }
  // Production's timings (FleetRunOptions' and RetrySpec's defaults), in fake time.
  FleetRunOptions Options() {
    FleetRunOptions o;
    o.clock = &clock_;
    RetrySpec r;
    r.max = 2;
    o.retry = RetryPolicy(r);
    o.jitter_seed = 7;
    o.validate = false;                 // the validation and gate tests turn it on
    o.gates.max_failed_datasets = 1.0;  // no gate stops these runs
    return o;
  }
  std::map<std::string, TaskState> States() {
    std::map<std::string, TaskState> out;
    auto tasks = store_->LoadTasks("m1");
    EXPECT_TRUE(tasks.ok());
    if (tasks.ok()) {
      for (const TaskRecord& t : *tasks) out[t.dataset_id] = t.state;
    }
    return out;
  }
  // A thread that moves the clock past `o`'s task timeout and the watchdog's grace once
  // d0 is the first attempt `exec` started, so that d0's hanging attempt times out.
  std::thread TimeOutD0(ScriptedExecutor* exec, const FleetRunOptions& o) {
    const auto past = o.task_timeout + o.watchdog_grace;
    return std::thread([this, exec, past] {
      auto d0_started = [exec] { return !exec->started().empty() && exec->started()[0] == "d0"; };
      AdvanceWhenWaiting(&clock_, d0_started, past);
    });
  }
  std::vector<std::string> Transitions(const std::string& dataset) {
    EventFilter f;
    f.migration = "m1";
    f.dataset = dataset;
    auto events = store_->ListEvents(f);
    EXPECT_TRUE(events.ok());
    std::vector<std::string> out;
    if (events.ok()) {
      for (const Event& e : *events) out.push_back(e.from_state + ">" + e.to_state);
    }
    return out;
  }

  FakeClock clock_;
  fs::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(FleetRunnerTest, RunsEveryTaskAfterItsUpstreamsWithBoundedConcurrency) {
  // A diamond plus a chain: d0 -> d1, d0 -> d2, d1 -> d3, d2 -> d3; d4..d11 independent.
  Estate e = MakeEstate(12, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}, {});
  Upsert(e, 3);
  ScriptedExecutor exec;
  exec.upstreams = {{"d1", {"d0"}}, {"d2", {"d0"}}, {"d3", {"d1", "d2"}}};
  TaskGraph graph = TaskGraph::Build(e.catalog, e.plan);
  EXPECT_EQ(graph.Upstreams("d3"), (std::vector<std::string>{"d1", "d2"}));
  FleetRunner runner(store_.get(), &exec, Options());
  auto summary = runner.Run("m1", graph);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->ending, FleetRunSummary::Ending::kCompleted);
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(summary->succeeded, 12);
  EXPECT_EQ(summary->rows_out, 12 * 98);
  EXPECT_TRUE(exec.order_violations().empty()) << exec.order_violations().front();
  EXPECT_LE(exec.max_running(), 3);
  EXPECT_GE(exec.max_running(), 2);
  // The 3 agents at once share the host's cores (fleet/core_budget.h).
  EXPECT_EQ(exec.threads(), std::vector<int>(12, CoreShare(HostCores(), 3)));
  for (auto& [id, st] : States()) EXPECT_EQ(st, TaskState::kSucceeded) << id;
  EXPECT_EQ(Transitions("d3"), (std::vector<std::string>{">pending", "pending>running", "running>succeeded"}));
  auto run = store_->FindRun("m1");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->state, RunState::kCompleted);
  EXPECT_EQ((*run)->runner, "");  // lease released

  // A second run has nothing to do.
  ScriptedExecutor again;
  FleetRunner runner2(store_.get(), &again, Options());
  auto second = runner2.Run("m1", graph);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(again.started().empty());
  EXPECT_EQ(second->attempts, 0);
}

TEST_F(FleetRunnerTest, StagesRunInOrder) {
  Estate e = MakeEstate(9, {}, {0, 0, 1, 1, 1, 2, 2, 2, 2});
  Upsert(e, 4);
  ScriptedExecutor exec;
  FleetRunner runner(store_.get(), &exec, Options());
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok());
  std::vector<int> stages = exec.started_stages();
  ASSERT_EQ(stages.size(), 9u);
  EXPECT_TRUE(std::is_sorted(stages.begin(), stages.end()));
}

TEST_F(FleetRunnerTest, RetriesThenNeedsAttentionOrFailedAndTheRestGoesOn) {
  // d0 flaky once; d1 always retryable (out of retries); d2 permanent; d3 waits for d2.
  Estate e = MakeEstate(5, {{2, 3}}, {});
  Upsert(e, 2);
  ScriptedExecutor exec;
  exec.script = {{"d0", {"retry"}}, {"d1", {"retry", "retry", "retry", "retry"}}, {"d2", {"fail"}}};
  FleetRunner runner(store_.get(), &exec, Options());
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto states = States();
  EXPECT_EQ(states["d0"], TaskState::kSucceeded);
  EXPECT_EQ(states["d1"], TaskState::kNeedsAttention);
  EXPECT_EQ(states["d2"], TaskState::kFailed);
  EXPECT_EQ(states["d3"], TaskState::kPending);  // blocked by d2
  EXPECT_EQ(states["d4"], TaskState::kSucceeded);
  EXPECT_FALSE(summary->all_succeeded());
  ASSERT_EQ(summary->attention.size(), 2u);
  EXPECT_EQ(summary->attention[0].dataset_id, "d1");
  EXPECT_EQ(summary->attention[0].attempts, 3);  // first attempt + max 2 retries
  EXPECT_NE(summary->attention[0].last_error.find("flaky"), std::string::npos);
  EXPECT_NE(summary->attention[1].last_error.find("bad schema"), std::string::npos);
  ASSERT_EQ(summary->blocked.size(), 1u);
  EXPECT_EQ(summary->blocked[0], (std::pair<std::string, std::string>{"d3", "d2"}));
  EXPECT_EQ(Transitions("d0"), (std::vector<std::string>{">pending", "pending>running", "running>retrying",
                                                         "retrying>running", "running>succeeded"}));
  EXPECT_EQ(Transitions("d2"), (std::vector<std::string>{">pending", "pending>running", "running>failed"}));
  EXPECT_EQ(summary->retries, 1 + 2);

  // resume re-queues the failures with a fresh budget; with the faults gone they succeed.
  auto moved = store_->TransitionTasks("m1", {TaskState::kFailed, TaskState::kNeedsAttention}, TaskState::kPending, {},
                                       true, "op", "fixed");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 2);
  ScriptedExecutor fixed;
  FleetRunner runner2(store_.get(), &fixed, Options());
  auto second = runner2.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->all_succeeded());
  EXPECT_EQ(fixed.started().size(), 3u);  // d1, d2, then d3
}

TEST_F(FleetRunnerTest, TimeoutCancelsTheAttemptAndCountsAsRetryable) {
  Estate e = MakeEstate(2, {}, {});
  Upsert(e, 2);
  ScriptedExecutor exec;
  exec.script = {{"d0", {"hang", "ok"}}};
  FleetRunOptions o = Options();
  o.task_timeout = 30min;
  // Half an hour and the watchdog's grace pass while d0 hangs.
  std::thread time = TimeOutD0(&exec, o);
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  time.join();
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->all_succeeded());
  auto task = store_->FindTask("m1", "d0");
  ASSERT_TRUE(task.ok() && *task);
  EXPECT_EQ((*task)->attempts, 2);
  auto events = store_->ListEvents({"m1", "d0", 0, 100});
  ASSERT_TRUE(events.ok());
  bool saw_timeout = false;
  for (const Event& ev : *events) {
    if (ev.to_state == "retrying" && ev.detail.find("timeout") != std::string::npos) saw_timeout = true;
  }
  EXPECT_TRUE(saw_timeout);
}

// An asynchronous executor gets every attempt and validation through its asynchronous
// calls, and the fleet keeps its rules: upstreams first, the concurrency, timeouts.
TEST_F(FleetRunnerTest, AnAsynchronousExecutorRunsTheSameFleet) {
  Estate e = MakeEstate(12, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}, {});
  Upsert(e, 3);
  ScriptedExecutor scripted;
  scripted.upstreams = {{"d1", {"d0"}}, {"d2", {"d0"}}, {"d3", {"d1", "d2"}}};
  scripted.script = {{"d0", {"hang", "ok"}}};
  AsyncExecutor exec(&scripted);
  FleetRunOptions o = Options();
  o.validate = true;
  o.task_timeout = 30min;
  std::thread time = TimeOutD0(&scripted, o);
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  time.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(summary->succeeded, 12);
  EXPECT_EQ(summary->attempts, 13) << "d0 timed out once";
  EXPECT_EQ(exec.blocking_calls.load(), 0);
  EXPECT_EQ(scripted.validate_calls(), 12);
  EXPECT_TRUE(scripted.order_violations().empty()) << scripted.order_violations().front();
  EXPECT_LE(scripted.max_running(), 3);
  for (auto& [id, st] : States()) EXPECT_EQ(st, TaskState::kValidated) << id;
}

// The crash drill's hook (GAGGLE_INJECT_FAULTS=crash-before-commit:K) fires after an
// attempt's work and before the store records it: every dataset it names is still running
// (or validating) in the store then, and recorded right after.
TEST_F(FleetRunnerTest, TheRecordingHookSeesCompletionsBeforeTheStoreDoes) {
  Estate e = MakeEstate(6, {{0, 3}}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  auto parsed = FaultInjectingExecutor::Parse("crash-before-commit:3,fail-once:d1", &exec);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->crash_before_commit(), 3);
  EXPECT_FALSE(FaultInjectingExecutor::Parse("crash-before-commit:0", &exec).ok());
  EXPECT_FALSE(FaultInjectingExecutor::Parse("crash-before-commit:x", &exec).ok());
  FleetRunOptions o = Options();
  o.validate = true;
  std::vector<std::string> problems;
  int completions = 0;
  o.before_recording = [&](const std::vector<std::string>& datasets) {
    for (const std::string& d : datasets) {
      ++completions;
      auto t = store_->FindTask("m1", d);
      if (!t.ok() || !*t) {
        problems.push_back(d + ": not found");
      } else if ((*t)->state != TaskState::kRunning && (*t)->state != TaskState::kValidating) {
        problems.push_back(d + ": already " + TaskStateName((*t)->state));
      }
    }
  };
  FleetRunner runner(store_.get(), parsed->get(), o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(problems.empty()) << problems[0];
  EXPECT_EQ(completions, 6 * 2 + 1);  // an attempt and a validation each, d1's failed attempt
  for (const auto& [id, state] : States()) EXPECT_EQ(state, TaskState::kValidated) << id;
}

TEST_F(FleetRunnerTest, InjectedStallOnceTimesOutThenSucceeds) {
  Estate e = MakeEstate(1, {}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  auto faults = FaultInjectingExecutor::Parse("stall-once:d0", &exec);
  ASSERT_TRUE(faults.ok());
  EXPECT_FALSE(FaultInjectingExecutor::Parse("explode:d0", &exec).ok());
  EXPECT_FALSE(FaultInjectingExecutor::Parse("stall-once:", &exec).ok());
  FleetRunOptions o = Options();
  o.validate = true;
  exec.validation = {{"d0", {"fail"}}};  // validation is the inner executor's, never skipped
  // The only attempt out is the stalled one: once the runner waits for it, its deadline passes.
  std::thread time([&] {
    AdvanceWhenWaiting(
        &clock_, [] { return true; }, o.task_timeout + o.watchdog_grace);
  });
  FleetRunner runner(store_.get(), faults->get(), o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  time.join();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->retries, 1);
  EXPECT_EQ(exec.started().size(), 1u);  // the stalled attempt never reached the agent
  auto states = States();
  EXPECT_EQ(states["d0"], TaskState::kInvalid);
}

TEST_F(FleetRunnerTest, RecoversTasksOfADeadRunnerAndRefusesALiveOne) {
  Estate e = MakeEstate(3, {}, {});
  Upsert(e, 2);
  // A runner on another host holds a valid lease: refused.
  auto held =
      store_->ClaimRunner("m1", "elsewhere:1:1", clock_.NowMillis(), 60000, [](const std::string&) { return false; });
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ScriptedExecutor exec;
  FleetRunner runner(store_.get(), &exec, Options());
  auto refused = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("elsewhere:1:1"), std::string::npos);
  // That runner "died" mid-task on this host: its lease names a pid that does not exist.
  ASSERT_TRUE(store_->ReleaseRunner("m1", "elsewhere:1:1").ok());
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  std::string dead = std::string(host) + ":999999999:1";
  ASSERT_TRUE(
      store_->ClaimRunner("m1", dead, clock_.NowMillis(), 60000, [](const std::string&) { return false; }).ok());
  auto task = store_->FindTask("m1", "d1");
  ASSERT_TRUE(task.ok() && *task);
  TaskRecord running = **task;
  running.state = TaskState::kRunning;
  running.attempts = 1;
  running.runner = dead;
  ASSERT_TRUE(store_->TransitionTask(TaskState::kPending, running, "gaggle", "").ok());

  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->recovered, 1);
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(Transitions("d1"), (std::vector<std::string>{">pending", "pending>running", "running>pending",
                                                         "pending>running", "running>succeeded"}));
}

TEST_F(FleetRunnerTest, PauseResumeConcurrencyAndCancelFromAnotherConnection) {
  Estate e = MakeEstate(40, {}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  exec.work = 20ms;
  std::atomic<bool> stop{false};
  std::thread operator_thread([&] {
    auto other = OpenStore();  // as another terminal would
    auto wait_started = [&](size_t n) {
      for (int i = 0; i < 500 && exec.started().size() < n; ++i) std::this_thread::sleep_for(5ms);
    };
    wait_started(2);
    MigrationRunUpdate pause;
    pause.state = RunState::kPaused;
    pause.state_reason = "test pause";
    ASSERT_TRUE(other->UpdateRun("m1", pause, "op", "pause").ok());
    std::this_thread::sleep_for(150ms);
    size_t during_pause = exec.started().size();
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(exec.started().size(), during_pause);  // nothing new starts while paused
    MigrationRunUpdate resume;
    resume.state = RunState::kRunning;
    resume.concurrency = 4;
    ASSERT_TRUE(other->UpdateRun("m1", resume, "op", "resume").ok());
    wait_started(during_pause + 8);
    MigrationRunUpdate cancel;
    cancel.state = RunState::kCancelled;
    ASSERT_TRUE(other->UpdateRun("m1", cancel, "op", "cancel").ok());
    stop = true;
  });
  // The real clock (see the top of the file): the operator's thread and the runner race,
  // and the runner must poll the run record while real time passes.
  FleetRunOptions o = Options();
  o.clock = Clock::System();
  o.poll_interval = 10ms;
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  operator_thread.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->ending, FleetRunSummary::Ending::kCancelled);
  EXPECT_GE(exec.max_running(), 3);  // the raised concurrency applied live
  int succeeded = 0, cancelled = 0;
  for (auto& [id, st] : States()) {
    succeeded += st == TaskState::kSucceeded;
    cancelled += st == TaskState::kCancelled;
    EXPECT_TRUE(st == TaskState::kSucceeded || st == TaskState::kCancelled) << id << " " << TaskStateName(st);
  }
  EXPECT_GT(cancelled, 0);
  EXPECT_EQ(succeeded + cancelled, 40);
}

TEST_F(FleetRunnerTest, InterruptPutsRunningTasksBackWithoutSpendingAnAttempt) {
  Estate e = MakeEstate(3, {}, {});
  Upsert(e, 3);
  ScriptedExecutor exec;
  exec.script = {{"d0", {"hang"}}, {"d1", {"hang"}}, {"d2", {"hang"}}};
  std::atomic<bool> interrupted{false};
  FleetRunOptions o = Options();
  o.interrupted = &interrupted;
  std::thread sigint([&] {
    for (int i = 0; i < 500 && exec.started().size() < 3; ++i) std::this_thread::sleep_for(5ms);
    interrupted = true;
    // The runner notices at its next poll: one poll interval later.
    AdvanceWhenWaiting(
        &clock_, [] { return true; }, o.poll_interval);
  });
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  sigint.join();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->ending, FleetRunSummary::Ending::kInterrupted);
  auto tasks = store_->LoadTasks("m1");
  ASSERT_TRUE(tasks.ok());
  for (const TaskRecord& t : *tasks) {
    EXPECT_EQ(t.state, TaskState::kPending) << t.dataset_id;
    EXPECT_EQ(t.attempts, 0) << t.dataset_id;
    EXPECT_EQ(t.runner, "");
  }
}

TEST_F(FleetRunnerTest, BackoffIsWaitedOutOnTheClock) {
  Estate e = MakeEstate(1, {}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  exec.work = 0ms;
  exec.script = {{"d0", {"retry", "retry", "ok"}}};
  FleetRunOptions o = Options();
  RetrySpec r;
  r.max = 3;
  r.initial = 1min;
  r.factor = 2;
  r.max_delay = 1h;
  r.jitter = RetrySpec::Jitter::kNone;
  o.retry = RetryPolicy(r);
  const int64_t start = clock_.NowMicros();
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(summary->retries, 2);
  auto events = store_->ListEvents({"m1", "d0", 0, 100});
  ASSERT_TRUE(events.ok());
  std::vector<int64_t> delays;
  for (const Event& ev : *events) {
    if (ev.to_state == "retrying") delays.push_back(nlohmann::json::parse(ev.detail)["retry_in_ms"].get<int64_t>());
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{60000, 120000}));
  // The last attempt started when both backoffs had passed on the clock, not before.
  auto task = store_->FindTask("m1", "d0");
  ASSERT_TRUE(task.ok() && *task);
  EXPECT_EQ((*task)->started_at, Iso8601Millis(start + 180'000'000));
  EXPECT_EQ((*task)->attempts, 3);
}

TEST_F(FleetRunnerTest, RenewsTheRunLeaseOnItsClockWhileAnAttemptRuns) {
  Estate e = MakeEstate(1, {}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  exec.script = {{"d0", {"hang", "ok"}}};
  FleetRunOptions o = Options();
  o.lease_ttl = 9s;
  const int64_t start_ms = clock_.NowMillis();
  int64_t renewed_until = 0;
  std::thread time([&] {
    auto other = OpenStore();
    // A third of the lease has passed 4 s in: the runner's next poll renews it for 9 s.
    AdvanceWhenWaiting(
        &clock_, [&] { return !exec.started().empty(); }, 4s);
    for (int i = 0; i < 10000 && renewed_until == 0; ++i) {
      auto run = other->FindRun("m1");
      if (run.ok() && *run && (*run)->runner_expires_ms > start_ms + 9000) renewed_until = (*run)->runner_expires_ms;
      std::this_thread::sleep_for(1ms);
    }
    AdvanceWhenWaiting(
        &clock_, [] { return true; }, o.task_timeout + o.watchdog_grace);
  });
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  time.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->all_succeeded());
  EXPECT_EQ(renewed_until, start_ms + 4000 + 9000);
}

// With validate_with_attempt the executor hands each validation over with its attempt (as
// a worker does): the same decisions, recorded with the attempt's end, and Validate is
// never called.
void FleetRunnerTest::ExpectValidationDecides(bool validate_with_attempt) {
  Estate e = MakeEstate(4, {{0, 3}}, {});
  Upsert(e, 2);
  ScriptedExecutor exec;
  exec.validate_with_attempt = validate_with_attempt;
  exec.upstreams = {{"d3", {"d0"}}};
  exec.validation = {{"d1", {"fail"}}, {"d2", {"stale", "pass"}}};
  FleetRunOptions o = Options();
  o.validate = true;
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto states = States();
  EXPECT_EQ(states["d0"], TaskState::kValidated);
  EXPECT_EQ(states["d1"], TaskState::kInvalid);
  EXPECT_EQ(states["d2"], TaskState::kValidated);
  EXPECT_EQ(states["d3"], TaskState::kValidated);
  EXPECT_TRUE(exec.order_violations().empty());
  EXPECT_EQ(Transitions("d2"),
            (std::vector<std::string>{">pending", "pending>running", "running>validating", "validating>pending",
                                      "pending>running", "running>validating", "validating>validated"}));
  auto record = store_->LatestValidation("m1", "d1");
  ASSERT_TRUE(record.ok() && *record);
  EXPECT_FALSE((*record)->passed);
  EXPECT_EQ((*record)->summary, "checksum, row_count");
  auto task = store_->FindTask("m1", "d1");
  ASSERT_TRUE(task.ok() && *task);
  EXPECT_NE((*task)->last_error.find("checksum"), std::string::npos);
  ASSERT_EQ(summary->attention.size(), 1u);
  EXPECT_EQ(summary->attention[0].dataset_id, "d1");
  EXPECT_EQ(exec.validate_calls(), validate_with_attempt ? 0 : 5);
}

// The attempt's own job validates it, so the store never holds a task that waits for its
// validation: the attempt's end and the verdict are recorded together, both events kept.
TEST_F(FleetRunnerTest, AnAttemptIsValidatedInItsOwnJobAndRecordedWithIt) {
  Estate e = MakeEstate(3, {}, {});
  Upsert(e, 2);
  ScriptedExecutor exec;
  std::mutex seen_mu;
  std::vector<std::string> seen;  // the stored state of each task as it is validated
  exec.on_validate = [&](const TaskRecord& task) {
    auto stored = store_->FindTask("m1", task.dataset_id);
    std::lock_guard<std::mutex> lock(seen_mu);
    seen.push_back(stored.ok() && *stored ? TaskStateName((*stored)->state) : "missing");
  };
  FleetRunOptions o = Options();
  o.validate = true;
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  for (const auto& [id, state] : States()) EXPECT_EQ(state, TaskState::kValidated) << id;
  EXPECT_EQ(seen, std::vector<std::string>(3, "running"));
  EXPECT_EQ(exec.validate_calls(), 3);
  EXPECT_EQ(Transitions("d0"),
            (std::vector<std::string>{">pending", "pending>running", "running>validating", "validating>validated"}));
}

TEST_F(FleetRunnerTest, ValidationDecidesValidatedInvalidOrRerunWhenTheSourceChanged) {
  ExpectValidationDecides(false);
}

TEST_F(FleetRunnerTest, AValidationMadeWithTheAttemptIsRecordedWithItAndDecidesTheSame) {
  ExpectValidationDecides(true);
}

TEST_F(FleetRunnerTest, AFailedGatePausesBeforeTheNextStageAndApprovalLetsItGoOn) {
  Estate e = MakeEstate(6, {}, {0, 0, 0, 1, 1, 1});
  Upsert(e, 2);
  ScriptedExecutor exec;
  exec.validation = {{"d1", {"fail"}}};
  FleetRunOptions o = Options();
  o.validate = true;
  o.gates.max_failed_datasets = 0.01;
  o.exit_when_paused = true;
  FleetRunner runner(store_.get(), &exec, o);
  TaskGraph graph = TaskGraph::Build(e.catalog, e.plan);
  auto first = runner.Run("m1", graph);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->ending, FleetRunSummary::Ending::kPaused);
  EXPECT_EQ(exec.started().size(), 3u);  // stage 1 never started
  auto run = store_->FindRun("m1");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->state, RunState::kPaused);
  EXPECT_NE((*run)->state_reason.find("stage 0 gate failed"), std::string::npos) << (*run)->state_reason;
  EXPECT_NE((*run)->state_reason.find("d1 [invalid"), std::string::npos) << (*run)->state_reason;
  EXPECT_NE((*run)->state_reason.find("checksum"), std::string::npos) << (*run)->state_reason;
  EventFilter f;
  f.migration = "m1";
  auto events = store_->ListEvents(f);
  ASSERT_TRUE(events.ok());
  int gate_failed = 0;
  for (const Event& ev : *events) gate_failed += ev.to_state == "gate-failed";
  EXPECT_EQ(gate_failed, 1);

  // A second run while paused does not start stage 1 either.
  auto again = runner.Run("m1", graph);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ending, FleetRunSummary::Ending::kPaused);
  EXPECT_EQ(exec.started().size(), 3u);

  ASSERT_TRUE(store_->ApproveStage({"m1", 0, "alice", "", "known bad fixture"}).ok());
  MigrationRunUpdate resume;
  resume.state = RunState::kRunning;
  ASSERT_TRUE(store_->UpdateRun("m1", resume, "alice", "approved").ok());
  auto approved = runner.Run("m1", graph);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->ending, FleetRunSummary::Ending::kCompleted);
  EXPECT_EQ(exec.started().size(), 6u);
  auto approvals = store_->ListApprovals("m1");
  ASSERT_TRUE(approvals.ok());
  ASSERT_EQ(approvals->size(), 1u);
  EXPECT_EQ((*approvals)[0].actor, "alice");
}

TEST_F(FleetRunnerTest, AMilestoneGateStopsAStageEarly) {
  Estate e = MakeEstate(10, {}, {});
  Upsert(e, 1);
  ScriptedExecutor exec;
  exec.validation = {{"d0", {"fail"}}};
  FleetRunOptions o = Options();
  o.validate = true;
  o.gates.max_failed_datasets = 0.05;
  o.gates.milestones = {20, 50};
  o.exit_when_paused = true;
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->ending, FleetRunSummary::Ending::kPaused);
  EXPECT_LE(exec.started().size(), 3u);  // paused at the 20% milestone, not after all 10
  auto run = store_->FindRun("m1");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_NE((*run)->state_reason.find("at 20%"), std::string::npos) << (*run)->state_reason;
}

TEST_F(FleetRunnerTest, AutoRollbackUndoesTheFailingStage) {
  Estate e = MakeEstate(4, {}, {0, 0, 1, 1});
  Upsert(e, 2);
  ScriptedExecutor exec;
  exec.validation = {{"d0", {"fail"}}};
  FleetRunOptions o = Options();
  o.validate = true;
  o.gates.max_failed_datasets = 0.01;
  o.auto_rollback = true;
  FleetRunner runner(store_.get(), &exec, o);
  auto summary = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->ending, FleetRunSummary::Ending::kCancelled);
  auto states = States();
  EXPECT_EQ(states["d0"], TaskState::kRolledBack);
  EXPECT_EQ(states["d1"], TaskState::kRolledBack);
  EXPECT_EQ(states["d2"], TaskState::kPending);  // stage 1 never ran
  auto run = store_->FindRun("m1");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->state, RunState::kCancelled);
  EXPECT_NE((*run)->state_reason.find("rolled back"), std::string::npos);
}

}  // namespace
}  // namespace gaggle

namespace gaggle {
namespace {

TEST_F(FleetRunnerTest, AFailedFinalGatePausesTheRunAndResumeRunsItAgain) {
  Estate e = MakeEstate(4, {}, {0, 0, 1, 1});
  Upsert(e, 2);
  ScriptedExecutor exec;
  FleetRunOptions o = Options();
  o.exit_when_paused = true;
  int calls = 0;
  int keep_alive_calls = 0;
  std::vector<size_t> started_when_called;
  o.final_gate = [&](const std::function<void()>& keep_alive) -> Result<FinalGateResult> {
    keep_alive();
    ++keep_alive_calls;
    started_when_called.push_back(exec.started().size());
    if (++calls == 1) return FinalGateResult{false, "1 of 2 consumer queries differ", {{"verification", "bad"}}};
    return FinalGateResult{true, "2 datasets cut over", {{"cut_over", {{"datasets", 2}}}}};
  };
  FleetRunner runner(store_.get(), &exec, o);
  TaskGraph graph = TaskGraph::Build(e.catalog, e.plan);
  auto first = runner.Run("m1", graph);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->ending, FleetRunSummary::Ending::kPaused);
  ASSERT_EQ(started_when_called, std::vector<size_t>{4});  // only after every stage is done
  auto run = store_->FindRun("m1");
  ASSERT_TRUE(run.ok() && *run);
  EXPECT_EQ((*run)->state, RunState::kPaused);
  EXPECT_NE((*run)->state_reason.find("final verification: 1 of 2 consumer queries differ"), std::string::npos)
      << (*run)->state_reason;

  MigrationRunUpdate resume;
  resume.state = RunState::kRunning;
  ASSERT_TRUE(store_->UpdateRun("m1", resume, "alice", "fixed").ok());
  auto second = runner.Run("m1", graph);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->ending, FleetRunSummary::Ending::kCompleted);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(exec.started().size(), 4u);  // nothing ran again
  run = store_->FindRun("m1");
  EXPECT_EQ((*run)->state, RunState::kCompleted);
  EXPECT_NE((*run)->state_reason.find("2 datasets cut over"), std::string::npos) << (*run)->state_reason;
}

TEST_F(FleetRunnerTest, AFinalGateErrorStopsTheRunWithTheError) {
  Estate e = MakeEstate(2, {}, {0, 0});
  Upsert(e, 1);
  ScriptedExecutor exec;
  FleetRunOptions o = Options();
  o.final_gate = [](const std::function<void()>&) -> Result<FinalGateResult> { return Status::IOError("disk full"); };
  FleetRunner runner(store_.get(), &exec, o);
  auto r = runner.Run("m1", TaskGraph::Build(e.catalog, e.plan));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find("final gate"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("disk full"), std::string::npos);
  EXPECT_NE((*store_->FindRun("m1"))->state, RunState::kCompleted);
}

}  // namespace
}  // namespace gaggle
