#include "service/run_operations.h"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

#include "agent/agent.h"
#include "cutover/migration_finisher.h"
#include "fleet/agent_task_executor.h"
#include "fleet/fault_injection.h"
#include "fleet/notifier.h"
#include "fleet/queued_task_executor.h"
#include "fleet/run_log.h"
#include "fleet/task_graph.h"
#include "service/plan_operations.h"
#include "service/worker_operations.h"
#include "spec/spec_values.h"

namespace gaggle::service {
namespace {

// How stale the run log and the task logs another host reads of a live run may be: at
// most one part per period with lines (a day's run writes at most 2,880 parts per
// coordinator), and one upload of the open task-log segment (under
// RunLogOptions::live_segment_bytes) and its index per period in which it grew.
constexpr std::chrono::seconds kRunLogPublishPeriod{30};

RunObserver& Quiet() {
  static RunObserver none;
  return none;
}

// Creates or refreshes the run record and its tasks from the plan; applies the
// concurrency override and the restart rule.
Result<MigrationRun> PrepareRunRecord(const ServiceContext& ctx, const StartRunRequest& request,
                                      const PlanOutcome& planned) {
  const std::string& m = planned.spec.name;
  const int concurrency = request.concurrency > 0 ? request.concurrency : planned.spec.fleet.concurrency;
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run,
                          ctx.store->UpsertRun(planned.plan, request.spec_path, concurrency, ctx.actor));
  if (request.concurrency > 0 && run.concurrency != request.concurrency) {
    MigrationRunUpdate u;
    u.concurrency = request.concurrency;
    GAGGLE_ASSIGN_OR_RETURN(run, ctx.store->UpdateRun(m, u, ctx.actor, "concurrency set by run --concurrency"));
  }
  if (run.state != RunState::kCancelled && run.state != RunState::kCompleted) return run;
  GAGGLE_RETURN_IF_ERROR(ctx.store
                             ->TransitionTasks(m, {TaskState::kCancelled, TaskState::kRolledBack}, TaskState::kPending,
                                               {}, /*reset_attempts=*/true, ctx.actor, "migration started again")
                             .status());
  MigrationRunUpdate u;
  u.state = RunState::kRunning;
  u.state_reason = "started again by " + ctx.actor;
  return ctx.store->UpdateRun(m, u, ctx.actor, "started again");
}

void NoteStart(RunObserver& obs, const StartRunRequest& request, const PlanOutcome& planned, const MigrationRun& run) {
  if (planned.imported) {
    const CatalogChangeSet& c = planned.imported->changes;
    obs.Note("catalog " + request.catalog_path + " imported (#" + std::to_string(c.import_id) + ": +" +
             std::to_string(c.num_added) + " ~" + std::to_string(c.num_updated) + " -" + std::to_string(c.num_removed) +
             ")");
  }
  const MigrationSpec& spec = planned.spec;
  obs.Note("plan " + planned.plan.hash.substr(0, 12) + (planned.saved_earlier ? " (saved earlier)" : " (new, saved)") +
           ": " + std::to_string(planned.plan.rows.size()) + " datasets in " +
           std::to_string(planned.plan.stages.size()) + " stages; concurrency " + std::to_string(run.concurrency) +
           ", timeout " + FormatDuration(spec.fleet.timeout) + ", retries " + std::to_string(spec.fleet.retries.max));
  if (run.state == RunState::kPaused) {
    obs.Note("migration " + spec.name + " is paused" + (run.state_reason.empty() ? "" : " (" + run.state_reason + ")") +
             (request.exit_when_paused ? "" : "; waiting for `gaggle resume " + spec.name + "`"));
  }
}

// Adds the approval link to a gate pause's notification (text and fields).
class ApprovalLinkNotifier final : public Notifier {
 public:
  ApprovalLinkNotifier(std::unique_ptr<Notifier> inner, std::function<std::string(const std::string&)> link)
      : inner_(std::move(inner)), link_(std::move(link)) {}
  void Notify(const Notification& n) override {
    if (n.event != "paused") return inner_->Notify(n);
    Notification with = n;
    const std::string url = link_(n.migration);
    if (!url.empty()) {
      with.text += " Approve: " + url;
      with.fields["approval_url"] = url;
    }
    inner_->Notify(with);
  }
  void Flush(std::chrono::milliseconds timeout) override { inner_->Flush(timeout); }

 private:
  std::unique_ptr<Notifier> inner_;
  std::function<std::string(const std::string&)> link_;
};

// The webhooks of the spec; a failed delivery is logged, never fatal.
std::unique_ptr<MultiNotifier> MakeNotifier(const MigrationSpec& spec, RunLog* log,
                                            const std::function<std::string(const std::string&)>& approval_link) {
  auto notifier = std::make_unique<MultiNotifier>();
  for (const NotifySpec& n : spec.notify) {
    if (n.webhook.empty()) continue;
    std::unique_ptr<Notifier> hook =
        std::make_unique<WebhookNotifier>(n.webhook, WebhookNotifier::Options{}, [log](const std::string& e) {
          log->Run("warn", "notification_failed", {{"error", e}});
        });
    if (approval_link) hook = std::make_unique<ApprovalLinkNotifier>(std::move(hook), approval_link);
    notifier->Add(std::move(hook));
  }
  return notifier;
}

// With an artefact location in object storage, this process's logs carry a writer id of
// their own, and each file is published as it is completed (a closed segment, its index,
// a part of the run log every kRunLogPublishPeriod and the last at the end), and the open
// task-log segment with its live index every kRunLogPublishPeriod in which it grew; a failed
// upload is a warning and is retried when the command ends (PublishArtifacts).
RunLogOptions RunLogOptionsFor(const ServiceContext& ctx) {
  RunLogOptions o;
  if (ctx.mirror == nullptr) return o;
  o.writer = ArtifactMirror::NewWriterId();
  o.shown_location = ctx.mirror->remote();
  o.publish_every = kRunLogPublishPeriod;
  ArtifactMirror* mirror = ctx.mirror;
  o.on_file_closed = [mirror](const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return;
    Status st = mirror->Upload(path);
    if (!st.ok()) std::cerr << "gaggle: warning: " << st.ToString() << " (retried when the command ends)\n";
  };
  return o;
}

// Everything one run needs alive while the runner works.
struct RunWiring {
  std::unique_ptr<AgentTaskExecutor> agent;
  std::unique_ptr<FaultInjectingExecutor> faults;
  std::unique_ptr<QueuedTaskExecutor> queued;  // agents on workers (local_workers >= 0)
  std::unique_ptr<LocalWorkers> local;         // this process's worker slots
  std::unique_ptr<RunLog> log;
  std::unique_ptr<MultiNotifier> notifier;
  TaskExecutor* executor() const {
    if (queued) return queued.get();
    return faults ? static_cast<TaskExecutor*>(faults.get()) : agent.get();
  }
};

// Agents on `gaggle worker` processes: the spec goes to the store, attempts to the queue.
Status WireWorkers(const ServiceContext& ctx, const StartRunRequest& request, const MigrationSpec& spec,
                   RunObserver& obs, RunWiring* w) {
  GAGGLE_RETURN_IF_ERROR(PublishRunSpec(ctx, spec));
  QueuedTaskExecutorOptions qo;
  qo.spec_hash = spec.hash;
  qo.clock = ctx.clock;
  qo.worker_labels = FormatWorkerLabels(spec.fleet.worker_labels);
  RunLog* log = w->log.get();
  qo.on_event = [log](const std::string& event, const std::string& detail) {
    log->Run("warn", event, {{"detail", detail}});
  };
  w->queued = std::make_unique<QueuedTaskExecutor>(ctx.work_queue, qo);
  if (request.local_workers > 0) {
    w->local = std::make_unique<LocalWorkers>(ctx, request.local_workers, [log](const std::string& line) {
      log->Run("info", "local_worker", {{"detail", line}});
    });
  }
  obs.Note("agents run on workers through the store's work queue" +
           (request.local_workers > 0 ? " (" + std::to_string(request.local_workers) + " slots in this process)"
                                      : std::string(" (none in this process)")));
  return Status::OK();
}

Result<RunWiring> Wire(const ServiceContext& ctx, const StartRunRequest& request, const MigrationSpec& spec,
                       RunObserver& obs) {
  RunWiring w;
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, MakeAgent(spec));
  w.agent = std::make_unique<AgentTaskExecutor>(spec, std::move(agent), ctx.resolver);
  if (!request.fault_injection.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(w.faults, FaultInjectingExecutor::Parse(request.fault_injection, w.agent.get()));
    obs.Note("fault injection active (GAGGLE_INJECT_FAULTS=" + request.fault_injection + ")");
  }
  GAGGLE_ASSIGN_OR_RETURN(w.log, RunLog::Open(ctx.artifacts, spec.name, RunLogOptionsFor(ctx)));
  w.notifier = MakeNotifier(spec, w.log.get(), request.approval_link);
  if (request.local_workers >= 0) GAGGLE_RETURN_IF_ERROR(WireWorkers(ctx, request, spec, obs, &w));
  return w;
}

// The final gate: downstream verification, then cut-over (cutover/migration_finisher.h).
using FinalGate = std::function<Result<FinalGateResult>(const std::function<void()>& keep_alive)>;

FinalGate MakeFinalGate(const ServiceContext& ctx, const MigrationSpec& spec, RunLog* log, RunObserver& obs,
                        std::string* final_summary) {
  return [&ctx, &spec, log, &obs, final_summary](const std::function<void()>& keep_alive) -> Result<FinalGateResult> {
    obs.FinalGateStarting();
    FinishOptions fo;
    fo.actor = ctx.actor;
    fo.resolver = ctx.resolver;
    fo.logs_dir = ctx.artifacts;
    fo.progress = [&](const std::string& line) {
      keep_alive();
      log->Run("info", "verify_query", {{"result", line}});
      obs.Verified(line);
    };
    GAGGLE_ASSIGN_OR_RETURN(FinishResult finished, FinishMigration(ctx.store, spec, fo));
    *final_summary = finished.summary;
    obs.Note(std::string("final gate ") + (finished.passed ? "passed" : "FAILED") + ": " + finished.summary);
    return FinalGateResult{finished.passed, finished.summary, std::move(finished.detail)};
  };
}

// GAGGLE_INJECT_FAULTS=crash-before-commit:K: before the K-th recording of completions,
// say which datasets it holds (on stderr, unbuffered) and die as kill -9 would.
std::function<void(const std::vector<std::string>&)> CrashDrill(int k) {
  auto count = std::make_shared<int>(0);
  return [k, count](const std::vector<std::string>& datasets) {
    if (++*count < k) return;
    std::string line =
        "gaggle: crash drill: SIGKILL before recording " + std::to_string(datasets.size()) + " completion(s):";
    for (const std::string& d : datasets) line += " " + d;
    line += "\n";
    (void)!::write(2, line.data(), line.size());
    std::raise(SIGKILL);
  };
}

FleetRunOptions RunnerOptions(const ServiceContext& ctx, const StartRunRequest& request, const MigrationSpec& spec,
                              const RunWiring& w, RunObserver& obs) {
  FleetRunOptions o;
  o.actor = ctx.actor;
  o.resolver = ctx.resolver;
  o.task_timeout = spec.fleet.timeout;
  o.retry = RetryPolicy(spec.fleet.retries);
  o.gates = spec.gates;
  o.auto_rollback = spec.rollout.auto_rollback;
  o.notifier = w.notifier->empty() ? nullptr : w.notifier.get();
  o.log = w.log.get();
  o.interrupted = request.interrupted;
  o.exit_when_paused = request.exit_when_paused;
  o.wait_for_lease = request.standby;
  o.on_progress = [&obs](const FleetSnapshot& snap) { obs.Progress(snap); };
  if (w.faults && w.faults->crash_before_commit() > 0) o.before_recording = CrashDrill(w.faults->crash_before_commit());
  return o;
}

}  // namespace

Result<RunOutcome> StartRun(const ServiceContext& ctx, const StartRunRequest& request) {
  RunObserver& obs = request.observer ? *request.observer : Quiet();
  GAGGLE_ASSIGN_OR_RETURN(PlanOutcome planned,
                          PreparePlan(ctx, PlanRequest{request.spec_path, request.catalog_path, true, ""}));
  const MigrationSpec& spec = planned.spec;
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, PrepareRunRecord(ctx, request, planned));
  NoteStart(obs, request, planned, run);

  const TaskGraph graph = TaskGraph::Build(planned.catalog, planned.plan);
  GAGGLE_ASSIGN_OR_RETURN(RunWiring wiring, Wire(ctx, request, spec, obs));
  RunOutcome out;
  out.migration = spec.name;
  out.plan_hash = planned.plan.hash;
  out.logs_dir = ctx.artifacts;
  FleetRunOptions options = RunnerOptions(ctx, request, spec, wiring, obs);
  options.final_gate = MakeFinalGate(ctx, spec, wiring.log.get(), obs, &out.final_summary);
  FleetRunner runner(ctx.store, wiring.executor(), options);
  auto summary = runner.Run(spec.name, graph);
  wiring.notifier->Flush(std::chrono::seconds(5));
  { RunWiring done = std::move(wiring); }  // stops the runner's parts; closes (and publishes) the logs
  out.logs_dir = ArtifactsShown(ctx);
  if (Status published = PublishArtifacts(ctx, spec.name); !published.ok() && summary.ok()) return published;
  if (!summary.ok()) return summary.status();
  out.summary = std::move(summary).value();
  return out;
}

nlohmann::json RunOutcome::ToJson() const {
  const FleetRunSummary& s = summary;
  nlohmann::json j = {{"migration", migration},
                      {"plan", plan_hash},
                      {"ending", EndingName(s.ending)},
                      {"seconds", s.seconds},
                      {"tasks", s.tasks},
                      {"attempts", s.attempts},
                      {"retries", s.retries},
                      {"succeeded_this_run", s.succeeded},
                      {"skipped", s.skipped},
                      {"recovered", s.recovered},
                      {"all_succeeded", s.all_succeeded()}};
  j["stages"] = nlohmann::json::array();
  for (const StageCounts& c : s.stages) {
    nlohmann::json counts = nlohmann::json::object();
    for (int k = 0; k < kNumTaskStates; ++k) {
      if (c.by_state[k]) counts[TaskStateName(static_cast<TaskState>(k))] = c.by_state[k];
    }
    j["stages"].push_back({{"stage", c.stage},
                           {"counts", counts},
                           {"rows_out", c.rows_out},
                           {"dead_lettered", c.dead_lettered},
                           {"filtered", c.filtered}});
  }
  j["needs_attention"] = nlohmann::json::array();
  for (const TaskRecord& t : s.attention) {
    j["needs_attention"].push_back({{"dataset", t.dataset_id},
                                    {"state", TaskStateName(t.state)},
                                    {"stage", t.stage},
                                    {"attempts", t.attempts},
                                    {"error", t.last_error}});
  }
  j["blocked"] = nlohmann::json::array();
  for (const auto& [d, u] : s.blocked) j["blocked"].push_back({{"dataset", d}, {"waits_for", u}});
  return j;
}

}  // namespace gaggle::service
