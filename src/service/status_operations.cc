#include "service/status_operations.h"

#include <ctime>

#include "fleet/runner_identity.h"

namespace gaggle::service {
namespace {

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

nlohmann::json CountsJson(const StageCounts& c) {
  nlohmann::json counts = nlohmann::json::object();
  for (int k = 0; k < kNumTaskStates; ++k) {
    if (c.by_state[k]) counts[TaskStateName(static_cast<TaskState>(k))] = c.by_state[k];
  }
  return {{"stage", c.stage},       {"datasets", c.total()},  {"counts", counts},
          {"rows_in", c.rows_in},   {"rows_out", c.rows_out}, {"dead_lettered", c.dead_lettered},
          {"filtered", c.filtered}, {"bytes", c.size_bytes},  {"bytes_done", c.done_bytes}};
}

nlohmann::json TaskJson(const TaskRecord& t) {
  return {{"dataset", t.dataset_id},    {"state", TaskStateName(t.state)},
          {"stage", t.stage},           {"wave", t.wave},
          {"attempts", t.attempts},     {"error", t.last_error},
          {"started_at", t.started_at}, {"finished_at", t.finished_at},
          {"rows_out", t.rows_out},     {"target", t.target_uri}};
}

}  // namespace

nlohmann::json MigrationStatus::ToJson() const {
  nlohmann::json j = {{"migration", run.migration},
                      {"state", RunStateName(run.state)},
                      {"reason", run.state_reason},
                      {"plan", run.plan_hash},
                      {"spec", run.spec_path},
                      {"concurrency", run.concurrency},
                      {"runner", runner_alive ? run.runner : ""},
                      {"datasets", datasets},
                      {"succeeded", succeeded},
                      {"rows_out", rows_out},
                      {"dead_lettered", dead_lettered},
                      {"bytes", bytes},
                      {"bytes_done", bytes_done},
                      {"updated_at", run.updated_at}};
  j["stages"] = nlohmann::json::array();
  for (const StageCounts& c : stages) j["stages"].push_back(CountsJson(c));
  j["needs_attention"] = nlohmann::json::array();
  for (const TaskRecord& t : attention) {
    j["needs_attention"].push_back({{"dataset", t.dataset_id},
                                    {"state", TaskStateName(t.state)},
                                    {"stage", t.stage},
                                    {"attempts", t.attempts},
                                    {"error", t.last_error},
                                    {"finished_at", t.finished_at}});
  }
  j["running"] = nlohmann::json::array();
  for (const RunningTask& r : running) {
    j["running"].push_back({{"dataset", r.task.dataset_id},
                            {"attempt", r.task.attempts},
                            {"started_at", r.task.started_at},
                            {"seconds", r.seconds < 0 ? 0.0 : r.seconds}});
  }
  return j;
}

Result<MigrationStatus> GetMigrationStatus(const ServiceContext& ctx, const StatusRequest& request) {
  MigrationStatus s;
  GAGGLE_ASSIGN_OR_RETURN(s.run, RequireRun(ctx, request.migration));
  GAGGLE_ASSIGN_OR_RETURN(s.stages, ctx.store->CountTasks(request.migration));
  s.attention_limit = request.attention_limit;
  GAGGLE_ASSIGN_OR_RETURN(
      s.attention,
      ctx.store->ListTasks(request.migration, {TaskState::kFailed, TaskState::kNeedsAttention, TaskState::kInvalid},
                           false, request.attention_limit));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> running,
                          ctx.store->ListTasks(request.migration, {TaskState::kRunning}, true, request.running_limit));
  s.runner_alive = HasLiveRunner(s.run);
  const int64_t now_ms = ctx.clock->NowMicros() / 1000;
  for (TaskRecord& t : running) {
    const int64_t started = ParseIsoMillis(t.started_at);
    const double seconds = started ? static_cast<double>(now_ms - started) / 1000.0 : -1.0;
    s.running.push_back(RunningTask{std::move(t), seconds});
  }
  for (const StageCounts& c : s.stages) {
    s.datasets += c.total();
    s.succeeded += c.done();
    s.rows_out += c.rows_out;
    s.dead_lettered += c.dead_lettered;
    s.bytes += c.size_bytes;
    s.bytes_done += c.done_bytes;
  }
  return s;
}

nlohmann::json MigrationSummary::ToJson() const {
  return {
      {"migration", run.migration}, {"state", RunStateName(run.state)},   {"datasets", datasets},
      {"succeeded", succeeded},     {"needs_attention", needs_attention}, {"runner", runner_alive ? run.runner : ""}};
}

Result<std::vector<MigrationSummary>> ListMigrations(const ServiceContext& ctx) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationRun> runs, ctx.store->ListRuns());
  std::vector<MigrationSummary> out;
  for (MigrationRun& r : runs) {
    GAGGLE_ASSIGN_OR_RETURN(std::vector<StageCounts> counts, ctx.store->CountTasks(r.migration));
    MigrationSummary m;
    m.runner_alive = HasLiveRunner(r);
    for (const StageCounts& c : counts) {
      m.datasets += c.total();
      m.succeeded += c.done();
      m.needs_attention += c.failing();
    }
    m.run = std::move(r);
    out.push_back(std::move(m));
  }
  return out;
}

nlohmann::json TaskPage::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const TaskRecord& t : tasks) j.push_back(TaskJson(t));
  return {{"tasks", j}};
}

Result<TaskPage> ListTaskPage(const ServiceContext& ctx, const TaskPageRequest& request) {
  GAGGLE_RETURN_IF_ERROR(RequireRun(ctx, request.migration).status());
  std::vector<TaskState> states = request.states;
  if (states.empty()) {
    for (int k = 0; k < kNumTaskStates; ++k) states.push_back(static_cast<TaskState>(k));
  }
  TaskPage page;
  GAGGLE_ASSIGN_OR_RETURN(page.tasks, ctx.store->ListTasks(request.migration, states, false, request.limit));
  return page;
}

nlohmann::json EventJson(const Event& e) {
  return {{"seq", e.seq},         {"time", e.time},       {"actor", e.actor}, {"migration", e.migration},
          {"dataset", e.dataset}, {"from", e.from_state}, {"to", e.to_state}, {"detail", e.detail},
          {"hash", e.hash}};
}

nlohmann::json EventPage::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const Event& e : events) j.push_back(EventJson(e));
  return j;
}

Result<EventPage> ListEventPage(const ServiceContext& ctx, const EventPageRequest& request) {
  EventFilter f;
  f.migration = request.migration;
  f.dataset = request.dataset;
  f.after_seq = request.after_seq;
  f.limit = request.limit;
  EventPage page;
  GAGGLE_ASSIGN_OR_RETURN(page.events, ctx.store->ListEvents(f));
  page.next_after = page.events.empty() ? request.after_seq : page.events.back().seq;
  return page;
}

nlohmann::json EventChainJson(const EventChainReport& r) {
  return {{"intact", r.intact},
          {"events", r.events},
          {"chained", r.chained},
          {"unchained", r.unchained},
          {"first_broken_seq", r.first_broken_seq},
          {"problem", r.problem},
          {"head", r.head}};
}

Result<EventChainReport> VerifyEvents(const ServiceContext& ctx) { return ctx.store->VerifyEventChain(); }

}  // namespace gaggle::service
