#include "service/task_operations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fleet/run_log.h"
#include "service/catalog_operations.h"
#include "service/control_operations.h"
#include "service/gate_operations.h"
#include "service/log_operations.h"
#include "service/status_operations.h"

namespace gaggle::service {
namespace {

nlohmann::json ParseOrText(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

nlohmann::json FilterJson(const TaskPageQuery& q) {
  nlohmann::json states = nlohmann::json::array();
  for (TaskState s : q.states) states.push_back(TaskStateName(s));
  return {{"states", states}, {"stage", q.stage}, {"wave", q.wave},
          {"owner", q.owner}, {"tier", q.tier},   {"text", q.text}};
}

// Attempts from the dataset's events: each move to running starts one; the next move
// out of running ends it (with the error as the event's detail).
nlohmann::json AttemptsFrom(const std::vector<Event>& events) {
  nlohmann::json attempts = nlohmann::json::array();
  nlohmann::json* open = nullptr;
  for (const Event& e : events) {
    if (e.to_state == "running") {
      attempts.push_back({{"attempt", static_cast<int64_t>(attempts.size()) + 1},
                          {"started_at", e.time},
                          {"finished_at", ""},
                          {"outcome", "running"},
                          {"error", ""}});
      open = &attempts.back();
    } else if (open && e.from_state == "running") {
      (*open)["finished_at"] = e.time;
      // Moving on to validation is the agent's success.
      (*open)["outcome"] = e.to_state == "validating" ? std::string("succeeded") : e.to_state;
      if (e.to_state != "succeeded" && e.to_state != "validating") (*open)["error"] = e.detail;
      open = nullptr;
    }
  }
  return attempts;
}

// The consumer patches under ARTIFACTS/MIGRATION/patches/ that mention `dataset`.
Status FindPatches(const ServiceContext& ctx, const std::string& migration, const std::string& dataset,
                   nlohmann::json* out) {
  GAGGLE_RETURN_IF_ERROR(FetchArtifacts(ctx, migration, "patches"));
  const std::filesystem::path dir = std::filesystem::path(ctx.artifacts) / RunLog::SafeFileName(migration) / "patches";
  std::error_code ec;
  if (ctx.artifacts.empty() || !std::filesystem::is_directory(dir, ec)) return Status::OK();
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".patch" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  constexpr size_t kMaxBytes = 64 * 1024;
  for (const auto& f : files) {
    if (out->size() >= 20) break;
    std::ifstream in(f, std::ios::binary);
    std::string text(kMaxBytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(kMaxBytes));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.find(dataset) == std::string::npos) continue;
    out->push_back({{"file", f.filename().string()}, {"diff", text}});
  }
  return Status::OK();
}

}  // namespace

Result<TaskQueryPage> QueryTaskPage(const ServiceContext& ctx, const TaskPageQuery& query) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "task pages"));
  if (query.limit == 0 || query.limit > kMaxTaskPageLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxTaskPageLimit) + " (got " +
                                   std::to_string(query.limit) + ")");
  }
  GAGGLE_RETURN_IF_ERROR(RequireRun(ctx, query.migration).status());
  return control->QueryTasks(query);
}

nlohmann::json TaskRowJson(const TaskRow& r) {
  const TaskRecord& t = r.task;
  return {{"dataset", t.dataset_id},
          {"state", TaskStateName(t.state)},
          {"stage", t.stage},
          {"wave", t.wave},
          {"ordinal", t.ordinal},
          {"owner", r.owner},
          {"tier", r.tier},
          {"attempts", t.attempts},
          {"error", t.last_error},
          {"started_at", t.started_at},
          {"finished_at", t.finished_at},
          {"rows_in", t.rows_in},
          {"rows_out", t.rows_out},
          {"dead_lettered", t.dead_lettered},
          {"bytes", t.size_bytes},
          {"duration_ms", t.duration_ms},
          {"source", t.source_uri},
          {"target", t.target_uri}};
}

nlohmann::json TaskQueryPageJson(const TaskQueryPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const TaskRow& r : page.rows) items.push_back(TaskRowJson(r));
  nlohmann::json j = {{"items", std::move(items)}, {"more", page.more}, {"scanned", page.scanned}};
  j["next"] = page.more ? nlohmann::json(std::to_string(page.next_stage) + ":" + std::to_string(page.next_ordinal))
                        : nlohmann::json(nullptr);
  return j;
}

nlohmann::json DatasetDetail::ToJson() const {
  nlohmann::json j = {{"migration", task.migration},
                      {"dataset", task.dataset_id},
                      {"task", TaskRowJson(TaskRow{task, entity ? entity->owner : "", ""})},
                      {"attempts", attempts},
                      {"events", events},
                      {"validation", validation},
                      {"verifications", verifications},
                      {"cutover", cutover},
                      {"patches", patches},
                      {"logs", {{"task", task_log}, {"agent", agent_log}}}};
  j["catalog"] = entity ? EntityToJson(*entity, false) : nlohmann::json(nullptr);
  if (entity) j["task"]["tier"] = TierName(entity->tier);
  return j;
}

Result<DatasetDetail> GetDatasetDetail(const ServiceContext& ctx, const DatasetDetailRequest& request) {
  GAGGLE_RETURN_IF_ERROR(RequireRun(ctx, request.migration).status());
  GAGGLE_ASSIGN_OR_RETURN(std::optional<TaskRecord> task, ctx.store->FindTask(request.migration, request.dataset));
  if (!task) {
    return Status::NotFound("migration '" + request.migration + "' has no dataset '" + request.dataset + "'");
  }
  DatasetDetail d;
  d.task = std::move(*task);
  GAGGLE_ASSIGN_OR_RETURN(d.entity, ctx.store->FindEntity(request.dataset));
  EventFilter f;
  f.migration = request.migration;
  f.dataset = request.dataset;
  f.limit = 1000;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<Event> events, ctx.store->ListEvents(f));
  d.attempts = AttemptsFrom(events);
  for (const Event& e : events) d.events.push_back(EventJson(e));
  GAGGLE_ASSIGN_OR_RETURN(std::optional<ValidationRecord> v,
                          ctx.store->LatestValidation(request.migration, request.dataset));
  if (v) {
    d.validation = {{"attempt", v->attempt},
                    {"time", v->time},
                    {"passed", v->passed},
                    {"summary", v->summary},
                    {"report", ParseOrText(v->report)}};
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<VerificationRecord> verifications,
                          ctx.store->ListVerifications(request.migration, 0));
  for (const VerificationRecord& r : verifications) {
    if (r.report.find("\"" + request.dataset + "\"") == std::string::npos) continue;
    d.verifications.push_back(
        {{"time", r.time}, {"passed", r.passed}, {"summary", r.summary}, {"report", ParseOrText(r.report)}});
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers,
                          ctx.store->ListCutovers(request.migration, request.dataset));
  if (!cutovers.empty()) {
    const CutoverRecord& c = cutovers.back();
    d.cutover = {
        {"state", CutoverStateName(c.state)},
        {"previous",
         {{"uri", c.previous.uri}, {"format", c.previous.format}, {"schema_version", c.previous.schema_version}}},
        {"next", {{"uri", c.next.uri}, {"format", c.next.format}, {"schema_version", c.next.schema_version}}},
        {"cut_at", c.cut_at},
        {"retain_until", c.retain_until},
        {"changed_at", c.changed_at},
        {"changed_by", c.changed_by}};
  }
  GAGGLE_RETURN_IF_ERROR(FindPatches(ctx, request.migration, request.dataset, &d.patches));
  Status logs = ReadLog(ctx, LogRequest{request.migration, request.dataset, request.log_tail},
                        [&d](LogSource source, const std::string& line) {
                          (source == LogSource::kAgent ? d.agent_log : d.task_log).push_back(line);
                        });
  if (!logs.ok() && logs.code() != StatusCode::kNotFound) return logs;
  return d;
}

std::string AttentionAdvice(TaskState state) {
  switch (state) {
    case TaskState::kFailed:
      return "a permanent error: fix its cause (see the error and the dataset's log), then retry the dataset";
    case TaskState::kNeedsAttention:
      return "out of retries on retryable errors: check the source and the agent's log, then retry the dataset";
    case TaskState::kInvalid:
      return "its output failed validation: read the validation report; retry after fixing the data, roll it back, "
             "or approve the stage gate when the difference is expected";
    default: return "";
  }
}

nlohmann::json AttentionPage::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const AttentionItem& i : items) {
    nlohmann::json row = TaskRowJson(i.row);
    row["migration"] = i.row.task.migration;
    row["advice"] = i.advice;
    j.push_back(std::move(row));
  }
  nlohmann::json out = {{"items", j}, {"more", more}};
  out["next"] =
      more ? nlohmann::json(next_migration + ":" + std::to_string(next_stage) + ":" + std::to_string(next_ordinal))
           : nlohmann::json(nullptr);
  return out;
}

Result<AttentionPage> ListAttention(const ServiceContext& ctx, const AttentionRequest& request) {
  GAGGLE_ASSIGN_OR_RETURN(ControlStore * control, RequireControl(ctx, "the needs-attention queue"));
  if (request.limit == 0 || request.limit > kMaxTaskPageLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxTaskPageLimit));
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationRun> runs, ctx.store->ListRuns());
  AttentionPage page;
  for (const MigrationRun& run : runs) {
    if (run.migration < request.after_migration) continue;
    TaskPageQuery q;
    q.migration = run.migration;
    q.states = {TaskState::kFailed, TaskState::kNeedsAttention, TaskState::kInvalid};
    q.limit = request.limit - page.items.size();
    if (run.migration == request.after_migration) {
      q.after_stage = request.after_stage;
      q.after_ordinal = request.after_ordinal;
    }
    GAGGLE_ASSIGN_OR_RETURN(TaskQueryPage tasks, control->QueryTasks(q));
    for (TaskRow& r : tasks.rows) page.items.push_back(AttentionItem{r, AttentionAdvice(r.task.state)});
    if (tasks.more) {
      page.more = true;
      page.next_migration = run.migration;
      page.next_stage = tasks.next_stage;
      page.next_ordinal = tasks.next_ordinal;
      break;
    }
  }
  return page;
}

Result<BulkAction> ParseBulkAction(const std::string& name) {
  if (name == "pause") return BulkAction::kPause;
  if (name == "retry") return BulkAction::kRetry;
  if (name == "rollback") return BulkAction::kRollback;
  return Status::InvalidArgument("action: unknown bulk action '" + name + "' (expected pause, retry or rollback)");
}

const char* BulkActionName(BulkAction a) {
  switch (a) {
    case BulkAction::kPause: return "pause";
    case BulkAction::kRetry: return "retry";
    case BulkAction::kRollback: return "rollback";
  }
  return "pause";
}

nlohmann::json BulkResult::ToJson() const {
  return {{"migration", migration},
          {"action", BulkActionName(action)},
          {"matched", matched},
          {"changed", changed},
          {"detail", detail}};
}

Result<BulkResult> RunBulkAction(const ServiceContext& ctx, const BulkRequest& request) {
  if (request.reason.empty()) return Status::InvalidArgument("reason: say why (bulk actions are audited)");
  std::vector<std::string> datasets;
  TaskPageQuery q = request.filter;
  q.limit = kMaxTaskPageLimit;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(TaskQueryPage page, QueryTaskPage(ctx, q));
    for (const TaskRow& r : page.rows) datasets.push_back(r.task.dataset_id);
    if (datasets.size() > request.max_datasets) {
      return Status::InvalidArgument("the filter matches more than " + std::to_string(request.max_datasets) +
                                     " datasets: narrow it");
    }
    if (!page.more) break;
    q.after_stage = page.next_stage;
    q.after_ordinal = page.next_ordinal;
  }
  BulkResult out;
  out.migration = request.filter.migration;
  out.action = request.action;
  out.matched = static_cast<int64_t>(datasets.size());
  // Nothing matched: change nothing (an empty list means "the whole migration" below).
  if (!datasets.empty()) {
    if (request.action == BulkAction::kPause) {
      GAGGLE_ASSIGN_OR_RETURN(PauseResult r, PauseMigration(ctx, {out.migration, datasets, request.reason}));
      out.changed = r.datasets_paused;
      out.detail = r.ToJson();
    } else if (request.action == BulkAction::kRetry) {
      GAGGLE_ASSIGN_OR_RETURN(ResumeResult r, ResumeMigration(ctx, {out.migration, datasets, request.reason}));
      out.changed = r.requeued;
      out.detail = r.ToJson();
    } else {
      RollbackOperation op;
      op.migration = out.migration;
      op.datasets = datasets;
      op.reason = request.reason;
      GAGGLE_ASSIGN_OR_RETURN(RollbackResult r, Rollback(ctx, op));
      out.changed = r.report.rolled_back;
      out.detail = r.ToJson();
    }
  }
  Event e;
  e.actor = ctx.actor;
  e.migration = out.migration;
  e.from_state = "bulk";
  e.to_state = std::string("bulk-") + BulkActionName(request.action);
  e.detail = nlohmann::json{{"filter", FilterJson(request.filter)},
                            {"matched", out.matched},
                            {"changed", out.changed},
                            {"reason", request.reason}}
                 .dump();
  GAGGLE_RETURN_IF_ERROR(ctx.store->AppendEvent(e).status());
  return out;
}

}  // namespace gaggle::service
