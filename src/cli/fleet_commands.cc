#include "cli/fleet_commands.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/run_progress.h"
#include "service/control_operations.h"
#include "service/log_operations.h"
#include "service/status_operations.h"

namespace gaggle::cli {
namespace {

struct ControlArgs {
  std::string migration;
  std::string state = kDefaultStatePath;
  std::vector<std::string> datasets;
  std::string reason;
  int concurrency = 0;
  bool json = false;
  std::string logs;
  size_t tail = 50;
};

void AddStateOption(CLI::App* cmd, ControlArgs* a) {
  cmd->add_option("--state", a->state,
                  "State: a SQLite file or a PostgreSQL URL (postgres://user@host/db) holding the migration")
      ->capture_default_str();
}

// ---------------------------------------------------------------- pause / resume / cancel / fleet set

int RunPause(const ControlArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::PauseMigration(c->ctx, {a.migration, a.datasets, a.reason});
  if (!r.ok()) return ReportError(r.status());
  if (!r->whole_run) {
    std::cout << r->datasets_paused << " of " << r->datasets_requested
              << " datasets paused (running ones finish their attempt; "
              << "only pending and retrying tasks can be paused)\n";
    return kExitOk;
  }
  std::cout << "migration " << a.migration << " paused: no new datasets start; running ones finish.\n"
            << "continue with: gaggle resume " << a.migration << "\n";
  return kExitOk;
}

int RunResume(const ControlArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::ResumeMigration(c->ctx, {a.migration, a.datasets, a.reason});
  if (!r.ok()) return ReportError(r.status());
  std::cout << "migration " << a.migration << ": " << RunStateName(r->state) << "; " << r->requeued
            << " failed, needs-attention or paused task" << (r->requeued == 1 ? "" : "s") << " re-queued with a fresh "
            << "retry budget\n";
  if (!r->runner_alive) {
    std::cout << "no runner is active: start one with `gaggle run "
              << (r->spec_path.empty() ? "MIGRATION.yaml" : r->spec_path) << " --state " << c->store->location()
              << "`\n";
  }
  return kExitOk;
}

int RunCancel(const ControlArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::CancelMigration(c->ctx, {a.migration, a.reason});
  if (!r.ok()) return ReportError(r.status());
  std::cout << "migration " << a.migration << " cancelled: " << r->cancelled << " waiting tasks cancelled"
            << (r->runner_alive ? "; the runner is stopping its running agents" : "") << ".\n"
            << "Finished datasets keep their outputs; `gaggle run` starts the cancelled ones again.\n";
  return kExitOk;
}

int RunFleetSet(const ControlArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::SetConcurrency(c->ctx, {a.migration, a.concurrency});
  if (!r.ok()) return ReportError(r.status());
  std::cout << "migration " << a.migration << ": concurrency " << r->from << " -> " << r->to
            << (r->runner_alive ? " (the runner applies it within a second)" : " (applies at the next run)") << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------- status

void PrintStatus(const service::MigrationStatus& s) {
  const MigrationRun& run = s.run;
  std::cout << "migration " << run.migration << ": " << RunStateName(run.state)
            << (run.state_reason.empty() ? "" : " (" + Indented(run.state_reason, "    ") + ")") << "\n";
  std::cout << "plan " << run.plan_hash.substr(0, 12) << ", concurrency " << run.concurrency << ", runner "
            << (s.runner_alive ? run.runner : std::string("none active")) << ", updated " << run.updated_at << "\n";
  std::cout << s.succeeded << "/" << s.datasets << " datasets migrated, "
            << HumanBytes(static_cast<double>(s.bytes_done)) << " of " << HumanBytes(static_cast<double>(s.bytes))
            << ", " << HumanCount(static_cast<double>(s.rows_out)) << " rows written, " << s.dead_lettered
            << " dead-lettered\n\n";
  for (const std::string& line : StageLines(s.stages, -1, 30)) std::cout << line << "\n";
  if (!s.running.empty()) {
    std::cout << "\nrunning longest:\n";
    for (const service::RunningTask& r : s.running) {
      std::cout << "  " << r.task.dataset_id << "  attempt " << r.task.attempts << ", "
                << (r.seconds >= 0 ? HumanDuration(r.seconds) : std::string("?"))
                << (s.runner_alive ? "" : "  (its runner is gone: the next `gaggle run` recovers it)") << "\n";
    }
  }
  if (!s.attention.empty()) {
    std::cout << "\nneeds attention (" << s.attention.size() << (s.attention.size() == s.attention_limit ? "+" : "")
              << "):\n";
    for (const TaskRecord& t : s.attention) {
      std::cout << "  " << t.dataset_id << "  [" << TaskStateName(t.state) << ", stage " << t.stage << ", "
                << t.attempts << " attempt" << (t.attempts == 1 ? "" : "s") << "]  " << Indented(t.last_error) << "\n";
    }
  }
}

void PrintMigrations(const std::vector<service::MigrationSummary>& all, const std::string& location) {
  if (all.empty()) {
    std::cout << "no migration has been run with state " << location << "\n";
    return;
  }
  std::cout << "migration              state       datasets  succeeded  attention  runner\n";
  for (const service::MigrationSummary& m : all) {
    char line[256];
    std::snprintf(line, sizeof(line), "%-22s %-10s %9lld %10lld %10lld  %s\n", m.run.migration.c_str(),
                  RunStateName(m.run.state), static_cast<long long>(m.datasets), static_cast<long long>(m.succeeded),
                  static_cast<long long>(m.needs_attention), m.runner_alive ? m.run.runner.c_str() : "-");
    std::cout << line;
  }
}

int RunStatus(const ControlArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  if (!a.migration.empty()) {
    auto s = service::GetMigrationStatus(c->ctx, {a.migration});
    if (!s.ok()) return ReportError(s.status());
    if (a.json) {
      std::cout << JsonText(s->ToJson()) << std::endl;
    } else {
      PrintStatus(*s);
    }
    return kExitOk;
  }
  auto all = service::ListMigrations(c->ctx);
  if (!all.ok()) return ReportError(all.status());
  if (a.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const service::MigrationSummary& m : *all) j.push_back(m.ToJson());
    std::cout << JsonText(j) << std::endl;
  } else {
    PrintMigrations(*all, c->store->location());
  }
  return kExitOk;
}

// ---------------------------------------------------------------- logs

void PrintLogLine(const std::string& raw, bool json) {
  if (json) {
    std::cout << raw << "\n";
    return;
  }
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (!j.is_object()) {
    std::cout << raw << "\n";
    return;
  }
  std::string out = j.value("time", "") + "  " + j.value("level", "") + "  " + j.value("event", "");
  if (j.contains("dataset") && j["dataset"].is_string()) out += "  " + j["dataset"].get<std::string>();
  for (auto& [k, v] : j.items()) {
    if (k == "time" || k == "level" || k == "event" || k == "dataset" || k == "migration") continue;
    out += "  " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  std::cout << out << "\n";
}

int RunLogs(const ControlArgs& a) {
  // Logs are files in the artefact location: reading them needs no state store.
  service::ServiceContext ctx;
  ctx.resolver = CliResolver();
  auto spool = service::OpenArtifacts(
      a.logs.empty() ? service::DefaultArtifactsDir(a.state.empty() ? kDefaultStatePath : a.state) : a.logs, &ctx);
  if (!spool.ok()) return ReportError(spool.status());
  service::LogRequest request{a.migration, a.datasets.empty() ? "" : a.datasets.front(), a.tail};
  bool agent_header = false;
  Status st = service::ReadLog(ctx, request, [&](service::LogSource source, const std::string& line) {
    if (source != service::LogSource::kAgent) return PrintLogLine(line, a.json);
    if (!agent_header && !a.json) {
      std::cout << "--- agent output (" << service::AgentLogPath(ctx, request.migration, request.dataset) << ")\n";
    }
    agent_header = true;
    std::cout << line << "\n";
  });
  if (!st.ok()) return ReportError(st);
  return kExitOk;
}

}  // namespace

void AddFleetCommands(CLI::App* app, int* exit_code) {
  {
    auto a = std::make_shared<ControlArgs>();
    CLI::App* cmd =
        app->add_subcommand("pause",
                            "Pause a migration: no new datasets start; running agents finish their attempt. With\n"
                            "--dataset, hold only those datasets (pending or retrying) and let the rest go on.");
    cmd->add_option("migration", a->migration, "Migration name (the spec's `name`)")->required();
    cmd->add_option("--dataset", a->datasets, "Pause only these datasets (repeatable)");
    cmd->add_option("--reason", a->reason, "Why (recorded in the event log)");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunPause(*a); });
  }
  {
    auto a = std::make_shared<ControlArgs>();
    CLI::App* cmd =
        app->add_subcommand("resume",
                            "Resume a paused migration and re-queue its failed, needs-attention and paused datasets\n"
                            "with a fresh retry budget (after a fix). With --dataset, only those datasets.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--dataset", a->datasets, "Re-queue only these datasets (repeatable)");
    cmd->add_option("--reason", a->reason, "Why (recorded in the event log)");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunResume(*a); });
  }
  {
    auto a = std::make_shared<ControlArgs>();
    CLI::App* cmd =
        app->add_subcommand("cancel",
                            "Cancel a migration: running agents are stopped, waiting datasets become cancelled.\n"
                            "Finished datasets keep their outputs; `gaggle run` starts the cancelled ones again.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("--reason", a->reason, "Why (recorded in the event log)");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunCancel(*a); });
  }
  {
    CLI::App* fleet = app->add_subcommand("fleet", "Change how a migration's fleet runs, while it runs.");
    fleet->require_subcommand(1);
    auto a = std::make_shared<ControlArgs>();
    CLI::App* set = fleet->add_subcommand("set", "Set the number of agents running at once (applies live).");
    set->add_option("migration", a->migration, "Migration name")->required();
    set->add_option("--concurrency", a->concurrency, "Agents at once")->required()->check(CLI::Range(1, 4096));
    AddStateOption(set, a.get());
    set->callback([a, exit_code] { *exit_code = RunFleetSet(*a); });
  }
  {
    auto a = std::make_shared<ControlArgs>();
    CLI::App* cmd =
        app->add_subcommand("status",
                            "Show migrations: without a name, every migration in the state file; with one, its state,\n"
                            "counts by stage and task state, the datasets that need attention with their last error,\n"
                            "and the tasks running longest.");
    cmd->add_option("migration", a->migration, "Migration name");
    cmd->add_flag("--json", a->json, "Print JSON");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunStatus(*a); });
  }
  {
    auto a = std::make_shared<ControlArgs>();
    CLI::App* cmd =
        app->add_subcommand("logs",
                            "Show a migration's structured log (JSON lines, rendered), or one dataset's attempts and\n"
                            "its agent's own output.");
    cmd->add_option("migration", a->migration, "Migration name")->required();
    cmd->add_option("dataset", a->datasets, "Dataset id")->expected(0, 1);
    cmd->add_option("--logs", a->logs,
                    "Artefact location: a directory (default: gaggle-logs/ beside the state file) or "
                    "s3://bucket/prefix, gs://bucket/prefix (the closed log segments uploaded there)");
    AddObjectStoreOptions(cmd);
    cmd->add_option("--tail", a->tail, "Last N lines (0 = all)")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print the raw JSON lines");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunLogs(*a); });
  }
}

}  // namespace gaggle::cli
