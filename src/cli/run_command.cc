#include "cli/run_command.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/cli_support.h"
#include "cli/run_progress.h"
#include "service/run_operations.h"

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
  int local_workers = -1;
  bool standby = false;
};

std::atomic<bool> g_interrupted{false};

// How long `run` may take to stop after SIGINT/SIGTERM (agents are stopped, state
// written) before it exits anyway: the state store is transactional, so the next run
// recovers whatever was in flight, exactly as after kill -9.
constexpr unsigned kInterruptGraceSeconds = 30;

extern "C" void OnGraceOver(int) { ::_exit(kExitInterrupted); }

extern "C" void OnInterrupt(int) {
  g_interrupted.store(true);
  // A second Ctrl-C kills at once (the state stays consistent: the next run recovers),
  // and the first one ends the process within the grace period whatever it is waiting on.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGALRM, OnGraceOver);
  ::alarm(kInterruptGraceSeconds);
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
  if (s.blocked.empty()) return;
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

// The terminal side of a run: notes and verification lines on stderr, live progress.
class TerminalObserver final : public service::RunObserver {
 public:
  TerminalObserver(const RunArgs& a, RunProgressDisplay* display) : a_(a), display_(display) {}
  void Note(const std::string& line) override {
    if (!a_.quiet) std::cerr << "gaggle: " << line << "\n";
  }
  void Progress(const FleetSnapshot& snapshot) override { display_->Update(snapshot); }
  void FinalGateStarting() override {
    display_->Finish();
    if (!a_.quiet)
      std::cerr << "gaggle: every stage is done; final gate: downstream query verification, then cut-over\n";
  }
  void Verified(const std::string& line) override {
    if (!a_.quiet && !a_.json) std::cerr << "gaggle: verify: " << line << "\n";
  }

 private:
  const RunArgs& a_;
  RunProgressDisplay* display_;
};

int ExitCodeForEnding(const FleetRunSummary& s) {
  switch (s.ending) {
    case FleetRunSummary::Ending::kInterrupted:
      std::cerr << "gaggle: interrupted; running tasks were stopped and put back to pending. Run the same "
                   "command again to continue.\n";
      return kExitInterrupted;
    case FleetRunSummary::Ending::kCancelled: return kExitFailure;
    case FleetRunSummary::Ending::kPaused: return kExitRetryable;
    case FleetRunSummary::Ending::kCompleted: return s.all_succeeded() ? kExitOk : kExitFailure;
  }
  return kExitFailure;
}

int RunRun(const RunArgs& a) {
  auto c = OpenCliContext(a.state, a.logs);
  if (!c.ok()) return ReportError(c.status());
  if (a.local_workers >= 0) {
    Status st = AttachWorkQueue(&*c, a.state, "--local-workers");
    if (!st.ok()) return ReportError(st);
  }
  RunProgressDisplay display(!a.quiet && !a.json, ::isatty(STDERR_FILENO) == 1);
  TerminalObserver observer(a, &display);
  service::StartRunRequest request;
  request.spec_path = a.spec;
  request.catalog_path = a.catalog;
  request.concurrency = a.concurrency;
  request.exit_when_paused = a.exit_when_paused;
  request.local_workers = a.local_workers;
  request.standby = a.standby;
  if (const char* inject = std::getenv("GAGGLE_INJECT_FAULTS"); inject && *inject) request.fault_injection = inject;
  request.interrupted = &g_interrupted;
  request.observer = &observer;

  g_interrupted.store(false);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  auto outcome = service::StartRun(c->ctx, request);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  ::alarm(0);
  display.Finish();
  if (!outcome.ok()) {
    // Another `gaggle run` holds the migration's lease: a documented, retryable ending.
    if (outcome.status().code() == StatusCode::kConflict) {
      ReportError(outcome.status().WithContext("another runner holds the lease"));
      return kExitRetryable;
    }
    return ReportError(outcome.status());
  }
  if (a.json) {
    std::cout << JsonText(outcome->ToJson()) << std::endl;
  } else {
    PrintSummary(outcome->summary, outcome->migration, outcome->logs_dir);
    if (!outcome->final_summary.empty()) std::cout << "  final gate: " << outcome->final_summary << "\n";
  }
  return ExitCodeForEnding(outcome->summary);
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
      "(--exit-when-paused) or another runner holds the lease; 130 interrupted.");
  cmd->add_option("spec", args->spec, "Migration spec (MIGRATION.yaml)")->required();
  cmd->add_option("--catalog", args->catalog, "Import this catalog file or directory first (else use the stored one)");
  cmd->add_option(
         "--state", args->state,
         "State: a SQLite file or a PostgreSQL URL (postgres://user@host/db): catalog, plans, tasks and the event log")
      ->capture_default_str();
  cmd->add_option("--logs", args->logs,
                  "Artefact location: a directory (default: gaggle-logs/ beside the state file), or s3://bucket/prefix "
                  "or gs://bucket/prefix (spooled locally, each file uploaded whole once complete)");
  cmd->add_option("--concurrency", args->concurrency, "Agents at once (default: the spec's fleet.concurrency)")
      ->check(CLI::Range(1, 4096));
  AddObjectStoreOptions(cmd);
  cmd->add_flag("--json", args->json, "Print the final summary as JSON (no progress display)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display");
  cmd->add_flag("--exit-when-paused", args->exit_when_paused,
                "Exit (code 75) when the migration is paused instead of waiting for `gaggle resume`");
  cmd->add_option("--local-workers", args->local_workers,
                  "Run agents on `gaggle worker` processes that share the PostgreSQL --state, with N worker\n"
                  "slots in this process (0: none; this process only coordinates). Default: every agent\n"
                  "runs in this process, as on one host")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--standby", args->standby,
                "When another coordinator holds the migration's lease, wait and take over once it lapses\n"
                "(within its lease time, 10 s) instead of exiting with 75");
  cmd->callback([args, exit_code] { *exit_code = RunRun(*args); });
}

}  // namespace gaggle::cli
