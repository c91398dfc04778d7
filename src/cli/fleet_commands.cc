#include "cli/fleet_commands.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/run_progress.h"
#include "fleet/run_log.h"
#include "fleet/runner_identity.h"
#include "store/state_store.h"

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
  cmd->add_option("--state", a->state, "State file (SQLite) holding the migration")->capture_default_str();
}

Result<std::unique_ptr<StateStore>> Open(const ControlArgs& a) {
  return OpenStateStore(a.state.empty() ? std::string(kDefaultStatePath) : a.state);
}

Result<MigrationRun> FindRunOrExplain(StateStore* store, const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, store->FindRun(migration));
  if (run) return *run;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationRun> runs, store->ListRuns());
  std::string known;
  for (const MigrationRun& r : runs) known += (known.empty() ? "" : ", ") + r.migration;
  return Status::NotFound("no migration '" + migration + "' has been run with state " + store->location() +
                          (known.empty() ? " (none has)" : " (known: " + known + ")"));
}

int64_t ParseIsoMillis(const std::string& iso) {
  struct tm tm = {};
  int ms = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &ms) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
}

// ---------------------------------------------------------------- pause / resume / cancel / fleet set

int RunPause(const ControlArgs& a) {
  auto store = Open(a);
  if (!store.ok()) return ReportError(store.status());
  auto run = FindRunOrExplain(store->get(), a.migration);
  if (!run.ok()) return ReportError(run.status());
  const std::string actor = OperatorName();
  if (!a.datasets.empty()) {
    auto moved =
        (*store)->TransitionTasks(a.migration, {TaskState::kPending, TaskState::kRetrying}, TaskState::kPaused,
                                  a.datasets, false, actor, a.reason.empty() ? "paused by " + actor : a.reason);
    if (!moved.ok()) return ReportError(moved.status());
    MigrationRunUpdate u;
    u.bump_requeue = true;
    auto updated = (*store)->UpdateRun(a.migration, u, actor, "datasets paused");
    if (!updated.ok()) return ReportError(updated.status());
    std::cout << *moved << " of " << a.datasets.size() << " datasets paused (running ones finish their attempt; "
              << "only pending and retrying tasks can be paused)\n";
    return kExitOk;
  }
  MigrationRunUpdate u;
  u.state = RunState::kPaused;
  u.state_reason = a.reason.empty() ? "paused by " + actor : a.reason;
  auto updated = (*store)->UpdateRun(a.migration, u, actor, *u.state_reason);
  if (!updated.ok()) return ReportError(updated.status());
  std::cout << "migration " << a.migration << " paused: no new datasets start; running ones finish.\n"
            << "continue with: gaggle resume " << a.migration << "\n";
  return kExitOk;
}

int RunResume(const ControlArgs& a) {
  auto store = Open(a);
  if (!store.ok()) return ReportError(store.status());
  auto run = FindRunOrExplain(store->get(), a.migration);
  if (!run.ok()) return ReportError(run.status());
  const std::string actor = OperatorName();
  auto moved = (*store)->TransitionTasks(
      a.migration, {TaskState::kFailed, TaskState::kNeedsAttention, TaskState::kInvalid, TaskState::kPaused},
      TaskState::kPending, a.datasets, true, actor, a.reason.empty() ? "re-queued by " + actor : a.reason);
  if (!moved.ok()) return ReportError(moved.status());
  MigrationRunUpdate u;
  u.bump_requeue = true;
  if (run->state == RunState::kPaused || (run->state == RunState::kCompleted && *moved > 0)) {
    u.state = RunState::kRunning;
    u.state_reason = "resumed by " + actor;
  }
  auto updated = (*store)->UpdateRun(a.migration, u, actor, a.reason.empty() ? "resumed" : a.reason);
  if (!updated.ok()) return ReportError(updated.status());
  std::cout << "migration " << a.migration << ": " << RunStateName(updated->state) << "; " << *moved
            << " failed, needs-attention or paused task" << (*moved == 1 ? "" : "s") << " re-queued with a fresh "
            << "retry budget\n";
  if (!HasLiveRunner(*updated)) {
    std::cout << "no runner is active: start one with `gaggle run "
              << (run->spec_path.empty() ? "MIGRATION.yaml" : run->spec_path) << " --state " << (*store)->location()
              << "`\n";
  }
  return kExitOk;
}

int RunCancel(const ControlArgs& a) {
  auto store = Open(a);
  if (!store.ok()) return ReportError(store.status());
  auto run = FindRunOrExplain(store->get(), a.migration);
  if (!run.ok()) return ReportError(run.status());
  const std::string actor = OperatorName();
  const std::string reason = a.reason.empty() ? "cancelled by " + actor : a.reason;
  MigrationRunUpdate u;
  u.state = RunState::kCancelled;
  u.state_reason = reason;
  auto updated = (*store)->UpdateRun(a.migration, u, actor, reason);
  if (!updated.ok()) return ReportError(updated.status());
  std::vector<TaskState> from = {TaskState::kPending, TaskState::kRetrying, TaskState::kPaused};
  const bool active = HasLiveRunner(*updated);
  if (!active) from.push_back(TaskState::kRunning);  // orphans of a dead runner
  auto moved = (*store)->TransitionTasks(a.migration, from, TaskState::kCancelled, {}, false, actor, reason);
  if (!moved.ok()) return ReportError(moved.status());
  std::cout << "migration " << a.migration << " cancelled: " << *moved << " waiting tasks cancelled"
            << (active ? "; the runner is stopping its running agents" : "") << ".\n"
            << "Finished datasets keep their outputs; `gaggle run` starts the cancelled ones again.\n";
  return kExitOk;
}

int RunFleetSet(const ControlArgs& a) {
  auto store = Open(a);
  if (!store.ok()) return ReportError(store.status());
  auto run = FindRunOrExplain(store->get(), a.migration);
  if (!run.ok()) return ReportError(run.status());
  MigrationRunUpdate u;
  u.concurrency = a.concurrency;
  const std::string actor = OperatorName();
  auto updated =
      (*store)->UpdateRun(a.migration, u, actor,
                          "concurrency " + std::to_string(run->concurrency) + " -> " + std::to_string(a.concurrency));
  if (!updated.ok()) return ReportError(updated.status());
  std::cout << "migration " << a.migration << ": concurrency " << run->concurrency << " -> " << a.concurrency
            << (HasLiveRunner(*updated) ? " (the runner applies it within a second)" : " (applies at the next run)")
            << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------- status

nlohmann::json CountsJson(const StageCounts& c) {
  nlohmann::json counts = nlohmann::json::object();
  for (int k = 0; k < kNumTaskStates; ++k) {
    if (c.by_state[k]) counts[TaskStateName(static_cast<TaskState>(k))] = c.by_state[k];
  }
  return {{"stage", c.stage},       {"datasets", c.total()},  {"counts", counts},
          {"rows_in", c.rows_in},   {"rows_out", c.rows_out}, {"dead_lettered", c.dead_lettered},
          {"filtered", c.filtered}, {"bytes", c.size_bytes},  {"bytes_done", c.done_bytes}};
}

int StatusOne(StateStore* store, const std::string& migration, bool json) {
  auto run = FindRunOrExplain(store, migration);
  if (!run.ok()) return ReportError(run.status());
  auto counts = store->CountTasks(migration);
  if (!counts.ok()) return ReportError(counts.status());
  auto attention =
      store->ListTasks(migration, {TaskState::kFailed, TaskState::kNeedsAttention, TaskState::kInvalid}, false, 50);
  if (!attention.ok()) return ReportError(attention.status());
  auto running = store->ListTasks(migration, {TaskState::kRunning}, true, 10);
  if (!running.ok()) return ReportError(running.status());
  const bool active = HasLiveRunner(*run);
  const int64_t now = UnixMillis();
  int64_t total = 0, ok = 0, rows_out = 0, dlq = 0, bytes = 0, bytes_done = 0;
  for (const StageCounts& c : *counts) {
    total += c.total();
    ok += c.done();
    rows_out += c.rows_out;
    dlq += c.dead_lettered;
    bytes += c.size_bytes;
    bytes_done += c.done_bytes;
  }
  if (json) {
    nlohmann::json j = {{"migration", migration},
                        {"state", RunStateName(run->state)},
                        {"reason", run->state_reason},
                        {"plan", run->plan_hash},
                        {"spec", run->spec_path},
                        {"concurrency", run->concurrency},
                        {"runner", active ? run->runner : ""},
                        {"datasets", total},
                        {"succeeded", ok},
                        {"rows_out", rows_out},
                        {"dead_lettered", dlq},
                        {"bytes", bytes},
                        {"bytes_done", bytes_done},
                        {"updated_at", run->updated_at}};
    nlohmann::json stages = nlohmann::json::array();
    for (const StageCounts& c : *counts) stages.push_back(CountsJson(c));
    j["stages"] = stages;
    nlohmann::json att = nlohmann::json::array();
    for (const TaskRecord& t : *attention) {
      att.push_back({{"dataset", t.dataset_id},
                     {"state", TaskStateName(t.state)},
                     {"stage", t.stage},
                     {"attempts", t.attempts},
                     {"error", t.last_error},
                     {"finished_at", t.finished_at}});
    }
    j["needs_attention"] = att;
    nlohmann::json run_list = nlohmann::json::array();
    for (const TaskRecord& t : *running) {
      int64_t started = ParseIsoMillis(t.started_at);
      run_list.push_back({{"dataset", t.dataset_id},
                          {"attempt", t.attempts},
                          {"started_at", t.started_at},
                          {"seconds", started ? static_cast<double>(now - started) / 1000.0 : 0.0}});
    }
    j["running"] = run_list;
    std::cout << j.dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << "migration " << migration << ": " << RunStateName(run->state)
            << (run->state_reason.empty() ? "" : " (" + Indented(run->state_reason, "    ") + ")") << "\n";
  std::cout << "plan " << run->plan_hash.substr(0, 12) << ", concurrency " << run->concurrency << ", runner "
            << (active ? run->runner : std::string("none active")) << ", updated " << run->updated_at << "\n";
  std::cout << ok << "/" << total << " datasets migrated, " << HumanBytes(static_cast<double>(bytes_done)) << " of "
            << HumanBytes(static_cast<double>(bytes)) << ", " << HumanCount(static_cast<double>(rows_out))
            << " rows written, " << dlq << " dead-lettered\n\n";
  for (const std::string& line : StageLines(*counts, -1, 30)) std::cout << line << "\n";
  if (!running->empty()) {
    std::cout << "\nrunning longest:\n";
    for (const TaskRecord& t : *running) {
      int64_t started = ParseIsoMillis(t.started_at);
      std::cout << "  " << t.dataset_id << "  attempt " << t.attempts << ", "
                << (started ? HumanDuration(static_cast<double>(now - started) / 1000.0) : std::string("?"))
                << (active ? "" : "  (its runner is gone: the next `gaggle run` recovers it)") << "\n";
    }
  }
  if (!attention->empty()) {
    std::cout << "\nneeds attention (" << attention->size() << (attention->size() == 50 ? "+" : "") << "):\n";
    for (const TaskRecord& t : *attention) {
      std::cout << "  " << t.dataset_id << "  [" << TaskStateName(t.state) << ", stage " << t.stage << ", "
                << t.attempts << " attempt" << (t.attempts == 1 ? "" : "s") << "]  " << Indented(t.last_error) << "\n";
    }
  }
  return kExitOk;
}

int RunStatus(const ControlArgs& a) {
  auto store = Open(a);
  if (!store.ok()) return ReportError(store.status());
  if (!a.migration.empty()) return StatusOne(store->get(), a.migration, a.json);
  auto runs = (*store)->ListRuns();
  if (!runs.ok()) return ReportError(runs.status());
  nlohmann::json all = nlohmann::json::array();
  if (!a.json) {
    if (runs->empty())
      std::cout << "no migration has been run with state " << (*store)->location() << "\n";
    else
      std::cout << "migration              state       datasets  succeeded  attention  runner\n";
  }
  for (const MigrationRun& r : *runs) {
    auto counts = (*store)->CountTasks(r.migration);
    if (!counts.ok()) return ReportError(counts.status());
    int64_t total = 0, ok = 0, attention = 0;
    for (const StageCounts& c : *counts) {
      total += c.total();
      ok += c.done();
      attention += c.failing();
    }
    if (a.json) {
      all.push_back({{"migration", r.migration},
                     {"state", RunStateName(r.state)},
                     {"datasets", total},
                     {"succeeded", ok},
                     {"needs_attention", attention},
                     {"runner", HasLiveRunner(r) ? r.runner : ""}});
    } else {
      char line[256];
      std::snprintf(line, sizeof(line), "%-22s %-10s %9lld %10lld %10lld  %s\n", r.migration.c_str(),
                    RunStateName(r.state), static_cast<long long>(total), static_cast<long long>(ok),
                    static_cast<long long>(attention), HasLiveRunner(r) ? r.runner.c_str() : "-");
      std::cout << line;
    }
  }
  if (a.json) std::cout << all.dump(2) << std::endl;
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

int PrintTail(const std::string& path, size_t tail, bool json, bool structured) {
  std::ifstream in(path);
  if (!in) return -1;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(std::move(line));
    if (tail > 0 && lines.size() > tail * 2) lines.erase(lines.begin(), lines.end() - static_cast<long>(tail));
  }
  size_t from = tail > 0 && lines.size() > tail ? lines.size() - tail : 0;
  for (size_t i = from; i < lines.size(); ++i) {
    if (structured) {
      PrintLogLine(lines[i], json);
    } else {
      std::cout << lines[i] << "\n";
    }
  }
  return static_cast<int>(lines.size());
}

int RunLogs(const ControlArgs& a) {
  const std::string dir = a.logs.empty() ? DefaultLogsDir(a.state.empty() ? kDefaultStatePath : a.state) : a.logs;
  if (a.datasets.empty()) {
    std::string path = RunLog::RunLogPathFor(dir, a.migration);
    if (PrintTail(path, a.tail, a.json, true) < 0) {
      return ReportError(Status::NotFound("no log for migration '" + a.migration + "' at " + path +
                                          " (wrong --logs or --state? the logs live beside the state file)"));
    }
    return kExitOk;
  }
  const std::string& dataset = a.datasets.front();
  std::string path = RunLog::TaskLogPathFor(dir, a.migration, dataset);
  if (PrintTail(path, a.tail, a.json, true) < 0) {
    return ReportError(Status::NotFound("no log for dataset '" + dataset + "' of migration '" + a.migration + "' at " +
                                        path + " (has it started yet?)"));
  }
  std::string agent_log = RunLog::AgentLogPathFor(dir, a.migration, dataset);
  std::ifstream probe(agent_log);
  if (probe && probe.peek() != std::ifstream::traits_type::eof()) {
    if (!a.json) std::cout << "--- agent output (" << agent_log << ")\n";
    PrintTail(agent_log, a.tail, a.json, false);
  }
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
    cmd->add_option("--logs", a->logs, "Log directory (default: gaggle-logs/ beside the state file)");
    cmd->add_option("--tail", a->tail, "Last N lines (0 = all)")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print the raw JSON lines");
    AddStateOption(cmd, a.get());
    cmd->callback([a, exit_code] { *exit_code = RunLogs(*a); });
  }
}

}  // namespace gaggle::cli
