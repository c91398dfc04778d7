#include "cli/run_command.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "catalog/catalog_loader.h"
#include "cli/cli_support.h"
#include "cli/run_progress.h"
#include "cutover/cut_over.h"
#include "cutover/migration_finisher.h"
#include "fleet/agent_task_executor.h"
#include "fleet/fault_injection.h"
#include "fleet/fleet_runner.h"
#include "fleet/notifier.h"
#include "fleet/run_log.h"
#include "fleet/task_graph.h"
#include "plan/planner.h"
#include "spec/migration_spec.h"
#include "spec/spec_values.h"
#include "store/state_store.h"

namespace gaggle::cli {
namespace {

struct RunArgs {
  std::string spec;
  std::string catalog;
  std::string state = kDefaultStatePath;
  std::string logs;
  int concurrency = 0;
  bool json = false;
  bool quiet = false;
  bool exit_when_paused = false;
};

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) {
  g_interrupted.store(true);
  // A second Ctrl-C kills at once (the state stays consistent: the next run recovers).
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

nlohmann::json TaskJson(const TaskRecord& t) {
  return {{"dataset", t.dataset_id},
          {"state", TaskStateName(t.state)},
          {"stage", t.stage},
          {"attempts", t.attempts},
          {"error", t.last_error}};
}

void PrintSummary(const FleetRunSummary& s, const std::string& migration, const std::string& logs_dir) {
  std::cout << "\nmigration " << migration << ": " << EndingName(s.ending) << " in " << HumanDuration(s.seconds)
            << "\n";
  for (const std::string& line : StageLines(s.stages, -1, 0)) std::cout << line << "\n";
  int64_t total = 0, ok = 0, rows_out = 0, dlq = 0, filtered = 0;
  for (const StageCounts& c : s.stages) {
    total += c.total();
    ok += c.done();
    rows_out += c.rows_out;
    dlq += c.dead_lettered;
    filtered += c.filtered;
  }
  std::cout << "datasets: " << ok << "/" << total << " migrated";
  if (s.skipped) std::cout << " (" << s.skipped << " already current)";
  std::cout << "; this run: " << s.succeeded << " succeeded, " << s.attempts << " attempts, " << s.retries
            << " retries";
  if (s.recovered) std::cout << ", " << s.recovered << " recovered from a dead runner";
  std::cout << "\nrows: " << HumanCount(static_cast<double>(rows_out)) << " written, " << dlq << " dead-lettered, "
            << filtered << " filtered (all succeeded datasets)\n";
  if (!s.attention.empty()) {
    std::cout << "\nneeds attention (" << s.attention.size() << "):\n";
    for (const TaskRecord& t : s.attention) {
      std::cout << "  " << t.dataset_id << "  [" << TaskStateName(t.state) << " after " << t.attempts << " attempt"
                << (t.attempts == 1 ? "" : "s") << "]  " << Indented(t.last_error) << "\n";
    }
    std::cout << "  logs: gaggle logs " << migration << " DATASET   (files under " << logs_dir << ")\n"
              << "  after a fix: gaggle resume " << migration << " && gaggle run ...\n";
  }
  if (!s.blocked.empty()) {
    std::cout << "\nblocked by an upstream that did not succeed (" << s.blocked.size() << "):\n";
    size_t shown = 0;
    for (const auto& [dataset, upstream] : s.blocked) {
      if (shown++ == 10) {
        std::cout << "  ... and " << s.blocked.size() - 10 << " more (gaggle status --json)\n";
        break;
      }
      std::cout << "  " << dataset << "  waits for " << upstream << "\n";
    }
  }
}

int RunRun(const RunArgs& a) {
  auto spec = LoadMigrationSpec(a.spec);
  if (!spec.ok()) return ReportError(spec.status());
  StateStoreOptions store_options;
  auto store = OpenStateStore(a.state.empty() ? std::string(kDefaultStatePath) : a.state, store_options);
  if (!store.ok()) return ReportError(store.status());
  StateStore& st = **store;
  const std::string actor = OperatorName();

  if (!a.catalog.empty()) {
    auto loaded = LoadCatalogFromPath(a.catalog);
    if (!loaded.ok()) return ReportError(loaded.status());
    auto changes = st.ReplaceCatalog(loaded->catalog, ImportOptions{a.catalog, actor});
    if (!changes.ok()) return ReportError(changes.status());
    if (!a.quiet) {
      std::cerr << "gaggle: catalog " << a.catalog << " imported (#" << changes->import_id << ": +"
                << changes->num_added << " ~" << changes->num_updated << " -" << changes->num_removed << ")\n";
    }
  }
  LoadCatalogOptions load;
  load.with_queries = false;
  load.with_annotations = false;
  auto catalog = st.LoadCatalog(load);
  if (!catalog.ok()) return ReportError(catalog.status());
  if (catalog->size() == 0) {
    return ReportError(Status::NotFound("the catalog in " + st.location() +
                                        " is empty: pass --catalog PATH or run `gaggle catalog import PATH` first"));
  }
  // Planned against the catalog as it was before this migration's own cut-over, so that
  // running or planning it again selects the datasets it already moved.
  auto cutovers = st.ListCutovers(spec->name);
  if (!cutovers.ok()) return ReportError(cutovers.status());
  catalog = CatalogBeforeCutOver(std::move(catalog).value(), *cutovers);
  if (!catalog.ok()) return ReportError(catalog.status());
  auto plan = BuildPlan(*catalog, *spec);
  if (!plan.ok()) return ReportError(plan.status().WithContext(a.spec));
  auto existing = st.LoadPlan(plan->hash);
  if (!existing.ok()) return ReportError(existing.status());
  if (!*existing) {
    Status saved = st.SavePlan(*plan);
    if (!saved.ok()) return ReportError(saved);
  }
  const int concurrency = a.concurrency > 0 ? a.concurrency : spec->fleet.concurrency;
  auto run = st.UpsertRun(*plan, a.spec, concurrency, actor);
  if (!run.ok()) return ReportError(run.status());
  if (a.concurrency > 0 && run->concurrency != a.concurrency) {
    MigrationRunUpdate u;
    u.concurrency = a.concurrency;
    run = st.UpdateRun(spec->name, u, actor, "concurrency set by run --concurrency");
    if (!run.ok()) return ReportError(run.status());
  }
  if (run->state == RunState::kCancelled || run->state == RunState::kCompleted) {
    // Started again: cancelled and rolled-back tasks go back to pending; the rest stay as they are.
    auto moved = st.TransitionTasks(spec->name, {TaskState::kCancelled, TaskState::kRolledBack}, TaskState::kPending,
                                    {}, true, actor, "migration started again");
    if (!moved.ok()) return ReportError(moved.status());
    MigrationRunUpdate u;
    u.state = RunState::kRunning;
    u.state_reason = "started again by " + actor;
    run = st.UpdateRun(spec->name, u, actor, "started again");
    if (!run.ok()) return ReportError(run.status());
  }
  if (!a.quiet) {
    std::cerr << "gaggle: plan " << plan->hash.substr(0, 12) << (*existing ? " (saved earlier)" : " (new, saved)")
              << ": " << plan->rows.size() << " datasets in " << plan->stages.size() << " stages; concurrency "
              << run->concurrency << ", timeout " << FormatDuration(spec->fleet.timeout) << ", retries "
              << spec->fleet.retries.max << "\n";
    if (run->state == RunState::kPaused) {
      std::cerr << "gaggle: migration " << spec->name << " is paused"
                << (run->state_reason.empty() ? "" : " (" + run->state_reason + ")")
                << (a.exit_when_paused ? "" : "; waiting for `gaggle resume " + spec->name + "`") << "\n";
    }
  }

  TaskGraph graph = TaskGraph::Build(*catalog, *plan);
  auto agent = MakeAgent(*spec);
  if (!agent.ok()) return ReportError(agent.status());
  AgentTaskExecutor agent_executor(*spec, std::move(agent).value());
  TaskExecutor* executor = &agent_executor;
  std::unique_ptr<FaultInjectingExecutor> faults;
  if (const char* inject = std::getenv("GAGGLE_INJECT_FAULTS"); inject && *inject) {
    auto parsed = FaultInjectingExecutor::Parse(inject, &agent_executor);
    if (!parsed.ok()) return ReportError(parsed.status());
    faults = std::move(parsed).value();
    executor = faults.get();
    if (!a.quiet) std::cerr << "gaggle: fault injection active (GAGGLE_INJECT_FAULTS=" << inject << ")\n";
  }

  const std::string logs_dir = a.logs.empty() ? DefaultLogsDir(st.location()) : a.logs;
  auto log = RunLog::Open(logs_dir, spec->name);
  if (!log.ok()) return ReportError(log.status());

  MultiNotifier notifier;
  for (const NotifySpec& n : spec->notify) {
    if (n.webhook.empty()) continue;
    RunLog* run_log = log->get();
    notifier.Add(
        std::make_unique<WebhookNotifier>(n.webhook, WebhookNotifier::Options{}, [run_log](const std::string& message) {
          run_log->Run("warn", "notification_failed", {{"error", message}});
        }));
  }

  const bool live = ::isatty(STDERR_FILENO) == 1;
  RunProgressDisplay display(!a.quiet && !a.json, live);
  FleetRunOptions options;
  options.actor = actor;
  options.task_timeout = spec->fleet.timeout;
  options.retry = RetryPolicy(spec->fleet.retries);
  options.gates = spec->gates;
  options.auto_rollback = spec->rollout.auto_rollback;
  options.notifier = notifier.empty() ? nullptr : &notifier;
  options.log = log->get();
  options.interrupted = &g_interrupted;
  options.exit_when_paused = a.exit_when_paused;
  options.on_progress = [&display](const FleetSnapshot& snap) { display.Update(snap); };
  std::string final_summary;
  RunLog* run_log = log->get();
  options.final_gate = [&](const std::function<void()>& keep_alive) -> Result<FinalGateResult> {
    display.Finish();
    if (!a.quiet)
      std::cerr << "gaggle: every stage is done; final gate: downstream query verification, then cut-over\n";
    FinishOptions fo;
    fo.actor = actor;
    fo.logs_dir = logs_dir;
    fo.progress = [&](const std::string& line) {
      keep_alive();
      run_log->Run("info", "verify_query", {{"result", line}});
      if (!a.quiet && !a.json) std::cerr << "gaggle: verify: " << line << "\n";
    };
    GAGGLE_ASSIGN_OR_RETURN(FinishResult finished, FinishMigration(&st, *spec, fo));
    final_summary = finished.summary;
    if (!a.quiet)
      std::cerr << "gaggle: final gate " << (finished.passed ? "passed" : "FAILED") << ": " << finished.summary << "\n";
    return FinalGateResult{finished.passed, finished.summary, std::move(finished.detail)};
  };

  g_interrupted.store(false);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  FleetRunner runner(&st, executor, options);
  auto summary = runner.Run(spec->name, graph);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  display.Finish();
  notifier.Flush(std::chrono::seconds(5));
  if (!summary.ok()) return ReportError(summary.status());

  if (a.json) {
    nlohmann::json j = {{"migration", spec->name},
                        {"plan", plan->hash},
                        {"ending", EndingName(summary->ending)},
                        {"seconds", summary->seconds},
                        {"tasks", summary->tasks},
                        {"attempts", summary->attempts},
                        {"retries", summary->retries},
                        {"succeeded_this_run", summary->succeeded},
                        {"skipped", summary->skipped},
                        {"recovered", summary->recovered},
                        {"all_succeeded", summary->all_succeeded()}};
    nlohmann::json stages = nlohmann::json::array();
    for (const StageCounts& c : summary->stages) {
      nlohmann::json counts = nlohmann::json::object();
      for (int k = 0; k < kNumTaskStates; ++k) {
        if (c.by_state[k]) counts[TaskStateName(static_cast<TaskState>(k))] = c.by_state[k];
      }
      stages.push_back({{"stage", c.stage},
                        {"counts", counts},
                        {"rows_out", c.rows_out},
                        {"dead_lettered", c.dead_lettered},
                        {"filtered", c.filtered}});
    }
    j["stages"] = stages;
    nlohmann::json attention = nlohmann::json::array();
    for (const TaskRecord& t : summary->attention) attention.push_back(TaskJson(t));
    j["needs_attention"] = attention;
    nlohmann::json blocked = nlohmann::json::array();
    for (const auto& [d, u] : summary->blocked) blocked.push_back({{"dataset", d}, {"waits_for", u}});
    j["blocked"] = blocked;
    std::cout << j.dump(2) << std::endl;
  } else {
    PrintSummary(*summary, spec->name, logs_dir);
    if (!final_summary.empty()) std::cout << "  final gate: " << final_summary << "\n";
  }
  switch (summary->ending) {
    case FleetRunSummary::Ending::kInterrupted:
      std::cerr << "gaggle: interrupted; running tasks were stopped and put back to pending. Run the same "
                   "command again to continue.\n";
      return kExitInterrupted;
    case FleetRunSummary::Ending::kCancelled: return kExitFailure;
    case FleetRunSummary::Ending::kPaused: return kExitRetryable;
    case FleetRunSummary::Ending::kCompleted: return summary->all_succeeded() ? kExitOk : kExitFailure;
  }
  return kExitFailure;
}

}  // namespace

void AddRunCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app->add_subcommand(
      "run",
      "Run a migration across the fleet: plan it (or reuse the saved plan with the same hash), then\n"
      "migrate its datasets stage by stage, wave by wave — never a dataset before its selected\n"
      "upstreams succeeded — with `fleet.concurrency` agents at once, timeouts, and retries with\n"
      "backoff. Every task's state is kept in the state store, so `run` can be stopped (Ctrl-C,\n"
      "kill -9, a reboot) and started again at any time: finished datasets are not redone.\n"
      "Steer it from another terminal with `gaggle pause|resume|cancel MIGRATION` and\n"
      "`gaggle fleet set MIGRATION --concurrency N`; watch it with `gaggle status` and `gaggle logs`.\n"
      "Exit codes: 0 every dataset migrated; 1 some need attention, or cancelled; 75 paused\n"
      "(--exit-when-paused); 130 interrupted.");
  cmd->add_option("spec", args->spec, "Migration spec (MIGRATION.yaml)")->required();
  cmd->add_option("--catalog", args->catalog, "Import this catalog file or directory first (else use the stored one)");
  cmd->add_option("--state", args->state, "State file (SQLite): catalog, plans, tasks and the event log")
      ->capture_default_str();
  cmd->add_option("--logs", args->logs, "Log directory (default: gaggle-logs/ beside the state file)");
  cmd->add_option("--concurrency", args->concurrency, "Agents at once (default: the spec's fleet.concurrency)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--json", args->json, "Print the final summary as JSON (no progress display)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display");
  cmd->add_flag("--exit-when-paused", args->exit_when_paused,
                "Exit (code 75) when the migration is paused instead of waiting for `gaggle resume`");
  cmd->callback([args, exit_code] { *exit_code = RunRun(*args); });
}

}  // namespace gaggle::cli
