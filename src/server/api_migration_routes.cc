// Routes: migrations — list, create, plan preview, status, start, pause, resume,
// cancel, concurrency, approve, rollback, report and the audit archive.

#include <fstream>

#include "fleet/gate_pause.h"
#include "server/api_handlers.h"
#include "service/after_operations.h"
#include "service/control_operations.h"
#include "service/gate_operations.h"
#include "service/migration_operations.h"
#include "service/task_operations.h"

namespace gaggle::server {
namespace {

constexpr size_t kMaxSpecBytes = 256 * 1024;
constexpr size_t kMaxDatasets = 100000;

const std::string& Mig(ApiCall& c) { return c.path["migration"]; }

void ListMigrations(ApiCall& c) {
  auto all = c.server.statuses().All();
  if (!all.ok()) return c.Fail(all.status());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : *all) {
    const service::MigrationStatus& st = s->status;
    int64_t attention = 0, failed = 0;
    nlohmann::json stages = nlohmann::json::array();
    for (const StageCounts& sc : st.stages) {
      attention += sc.count(TaskState::kNeedsAttention) + sc.count(TaskState::kInvalid);
      failed += sc.count(TaskState::kFailed);
      stages.push_back({{"stage", sc.stage}, {"datasets", sc.total()}, {"done", sc.done()}, {"failing", sc.failing()}});
    }
    items.push_back({{"migration", st.run.migration},
                     {"state", RunStateName(st.run.state)},
                     {"reason", st.run.state_reason},
                     {"runner", st.runner_alive ? st.run.runner : ""},
                     {"datasets", st.datasets},
                     {"done", st.succeeded},
                     {"attention", attention},
                     {"failed", failed},
                     {"rows_out", st.rows_out},
                     {"rows_per_second", s->rows_per_second},
                     {"eta_seconds", s->eta_seconds},
                     {"stages", stages},
                     {"updated_at", st.run.updated_at}});
  }
  c.Json({{"items", items}});
}

// A create carrying an idempotency key that an earlier create used with the same spec
// answers 200 with that migration (existing: true) and starts it only if it was never
// started; a new migration answers 201.
void CreateMigration(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto spec = body->String("spec", kMaxSpecBytes);
  if (!spec.ok()) return c.Fail(spec.status());
  auto start = body->OptBool("start");
  if (!start.ok()) return c.Fail(start.status());
  auto key = body->OptString("idempotency_key", 128);
  if (!key.ok()) return c.Fail(key.status());
  if (!FinishBody(c, *body)) return;
  auto created = service::CreateMigration(c.ctx, {*spec, key->value_or("")});
  if (!created.ok()) return c.Fail(created.status());
  if (start->value_or(false) && created->created_not_started) {
    auto run = c.server.runs().Start(created->migration, c.ctx.actor);
    c.server.statuses().Invalidate(created->migration);
    if (!run.ok()) return c.Fail(run.status());
    created->state = "running";
    created->created_not_started = false;
  }
  c.Json(created->ToJson(), created->existing ? 200 : 201);
}

void PreviewPlan(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto spec = body->String("spec", kMaxSpecBytes);
  if (!spec.ok()) return c.Fail(spec.status());
  auto top = body->OptInt("top", 0, 1000);
  if (!top.ok()) return c.Fail(top.status());
  if (!FinishBody(c, *body)) return;
  Send(c, service::PreviewPlan(c.ctx, {*spec, static_cast<size_t>(top->value_or(20))}));
}

void GetStatus(ApiCall& c) {
  auto s = c.server.statuses().Get(Mig(c));
  if (!s.ok()) return c.Fail(s.status());
  c.res.set_content((*s)->body, "application/json");
}

void StartMigration(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body || !FinishBody(c, *body)) return;
  auto run = c.server.runs().Start(Mig(c), c.ctx.actor);
  c.server.statuses().Invalidate(Mig(c));
  if (!run.ok()) return c.Fail(run.status());
  c.Json(run->ToJson(), 202);
}

// Reads {datasets, reason} for pause and resume.
bool DatasetsAndReason(ApiCall& c, std::vector<std::string>* datasets, std::string* reason) {
  auto body = ReadBody(c);
  if (!body) return false;
  auto d = body->StringList("datasets", kMaxDatasets);
  if (!d.ok()) return c.Fail(d.status()), false;
  auto r = body->OptString("reason", 4096);
  if (!r.ok()) return c.Fail(r.status()), false;
  if (!FinishBody(c, *body)) return false;
  *datasets = std::move(*d);
  *reason = r->value_or("");
  return true;
}

void Pause(ApiCall& c) {
  std::vector<std::string> datasets;
  std::string reason;
  if (!DatasetsAndReason(c, &datasets, &reason)) return;
  auto r = service::PauseMigration(c.ctx, {Mig(c), datasets, reason});
  c.server.statuses().Invalidate(Mig(c));
  Send(c, r);
}

void Resume(ApiCall& c) {
  std::vector<std::string> datasets;
  std::string reason;
  if (!DatasetsAndReason(c, &datasets, &reason)) return;
  auto r = service::ResumeMigration(c.ctx, {Mig(c), datasets, reason});
  c.server.statuses().Invalidate(Mig(c));
  Send(c, r);
}

void Cancel(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto reason = body->OptString("reason", 4096);
  if (!reason.ok()) return c.Fail(reason.status());
  if (!FinishBody(c, *body)) return;
  auto r = service::CancelMigration(c.ctx, {Mig(c), reason->value_or("")});
  c.server.statuses().Invalidate(Mig(c));
  Send(c, r);
}

void Concurrency(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto n = body->OptInt("concurrency", 1, 10000);
  if (!n.ok()) return c.Fail(n.status());
  if (!FinishBody(c, *body)) return;
  if (!*n) return c.Fail(Status::InvalidArgument("concurrency: required"));
  auto r = service::SetConcurrency(c.ctx, {Mig(c), static_cast<int>(**n)});
  c.server.statuses().Invalidate(Mig(c));
  Send(c, r);
}

void ApproveGate(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto stage = body->OptInt("stage", 0, 1000000);
  if (!stage.ok()) return c.Fail(stage.status());
  auto final_gate = body->OptBool("final");
  if (!final_gate.ok()) return c.Fail(final_gate.status());
  auto reason = body->String("reason", 4096);
  if (!reason.ok()) return c.Fail(reason.status());
  if (!FinishBody(c, *body)) return;
  service::ApproveRequest r;
  r.migration = Mig(c);
  r.stage = stage->has_value() ? static_cast<int>(**stage) : -1;
  r.final_gate = final_gate->value_or(false);
  r.reason = *reason;
  auto out = service::Approve(c.ctx, r);
  c.server.statuses().Invalidate(Mig(c));
  Send(c, out);
}

void RollbackMigration(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto datasets = body->StringList("datasets", kMaxDatasets);
  if (!datasets.ok()) return c.Fail(datasets.status());
  auto stage = body->OptInt("stage", 0, 1000000);
  if (!stage.ok()) return c.Fail(stage.status());
  auto reason = body->String("reason", 4096);
  if (!reason.ok()) return c.Fail(reason.status());
  auto filter = body->OptObject("filter");
  if (!filter.ok()) return c.Fail(filter.status());
  if (!FinishBody(c, *body)) return;
  if (*filter) {
    // A filter: the bulk action, which audits the filter with the counts.
    if (!datasets->empty() || stage->has_value()) {
      return c.Fail(Status::InvalidArgument("filter: give a filter, or datasets and/or a stage, not both"));
    }
    auto q = TaskQueryFromJson(&**filter, Mig(c));
    if (!q.ok()) return c.Fail(q.status());
    service::BulkRequest b;
    b.action = service::BulkAction::kRollback;
    b.filter = *q;
    b.reason = *reason;
    auto r = service::RunBulkAction(c.ctx, b);
    c.server.statuses().Invalidate(Mig(c));
    return Send(c, r);
  }
  service::RollbackOperation op;
  op.migration = Mig(c);
  op.datasets = *datasets;
  op.stage = stage->has_value() ? static_cast<int>(**stage) : -1;
  op.reason = *reason;
  auto r = service::Rollback(c.ctx, op);
  c.server.statuses().Invalidate(Mig(c));
  Send(c, r);
}

void Report(ApiCall& c) {
  const std::string format = c.Query("format", "json");
  if (format != "json" && format != "html" && format != "text") {
    return c.Fail(Status::InvalidArgument("format: expected json, html or text, got '" + format + "'"));
  }
  auto r = service::BuildReport(c.ctx, Mig(c));
  if (!r.ok()) return c.Fail(r.status());
  if (format == "html") return c.res.set_content(r->ToHtml(), "text/html; charset=utf-8");
  if (format == "text") return c.res.set_content(r->ToText(), "text/plain; charset=utf-8");
  c.Json(service::ReportToJson(*r));
}

void Archive(ApiCall& c) {
  auto run = service::RequireRun(c.ctx, Mig(c));
  if (!run.ok()) return c.Fail(run.status());
  ScratchDir dir("gaggle-archive");
  if (dir.path().empty()) return c.Fail(Status::IOError("cannot make a scratch directory for the archive"));
  const std::string out = dir.path() + "/" + Mig(c) + ".tar.zst";
  auto written = service::WriteArchive(c.ctx, {Mig(c), out, ""});
  if (!written.ok()) return c.Fail(written.status());
  std::ifstream in(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c.res.set_header("Content-Disposition", "attachment; filename=\"" + Mig(c) + ".tar.zst\"");
  c.res.set_content(bytes, "application/zstd");
}

}  // namespace

void AddMigrationRoutes(std::vector<Route>* routes) {
  const std::vector<ParamDoc> reason = {{"reason", "string", "why (audited)"}};
  const std::vector<ParamDoc> datasets_reason = {
      {"datasets", "string[]", "only these datasets (empty: the whole migration)"},
      {"reason", "string", "why (audited)"}};
  routes->push_back({"GET",
                     "/api/v1/migrations",
                     Access::kViewer,
                     "Every migration with its stage bars, done/attention/failed counts, rows/s, ETA and state",
                     {},
                     {},
                     "application/json",
                     ListMigrations});
  routes->push_back(
      {"POST",
       "/api/v1/migrations",
       Access::kAdmin,
       "Create a migration from a spec (YAML text): saves the spec and plan, held until started",
       {},
       {{"spec", "string", "the migration spec's YAML text", true},
        {"start", "boolean", "start it at once"},
        {"idempotency_key", "string",
         "retry-safe create: the same key and spec again return the migration made first (200, existing: true)"}},
       "application/json",
       CreateMigration});
  routes->push_back({"POST",
                     "/api/v1/plans/preview",
                     Access::kOperator,
                     "Plan preview from a spec (YAML text): waves, stages and blast radius; nothing is saved",
                     {},
                     {{"spec", "string", "the migration spec's YAML text", true},
                      {"top", "integer", "how many datasets with the largest blast radius to list"}},
                     "application/json",
                     PreviewPlan});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}",
                     Access::kViewer,
                     "One migration's status: counts by stage and state, needs-attention, running, rows/s, ETA",
                     {},
                     {},
                     "application/json",
                     GetStatus});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/start",
                     Access::kOperator,
                     "Start (or resume driving) the migration on this server, under the run lease",
                     {},
                     {},
                     "application/json",
                     StartMigration});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/pause",
                     Access::kOperator,
                     "Pause the migration, or only some of its waiting datasets",
                     {},
                     datasets_reason,
                     "application/json",
                     Pause});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/resume",
                     Access::kOperator,
                     "Resume: re-queue failed, needs-attention, invalid and paused datasets with a fresh budget",
                     {},
                     datasets_reason,
                     "application/json",
                     Resume});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/cancel",
                     Access::kAdmin,
                     "Cancel the migration",
                     {},
                     reason,
                     "application/json",
                     Cancel});
  routes->push_back({"PUT",
                     "/api/v1/migrations/{migration}/concurrency",
                     Access::kOperator,
                     "Set how many datasets migrate at once (applies live)",
                     {},
                     {{"concurrency", "integer", "at least 1", true}},
                     "application/json",
                     Concurrency});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/approve",
                     Access::kOperator,
                     "Approve the failed gate the migration is paused at (a stage, or the final verification)",
                     {},
                     {{"stage", "integer", "the stage whose gate to approve"},
                      {"final", "boolean", "approve the final verification"},
                      {"reason", "string", "why (audited)", true}},
                     "application/json",
                     ApproveGate});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/rollback",
                     Access::kAdmin,
                     "Roll back all, a stage, a list of datasets, or the datasets matching a filter",
                     {},
                     {{"datasets", "string[]", "these datasets"},
                      {"stage", "integer", "this stage's datasets"},
                      {"filter", "object", "a task filter: state[], stage, wave, owner, tier, q"},
                      {"reason", "string", "why (audited)", true}},
                     "application/json",
                     RollbackMigration});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}/report",
                     Access::kViewer,
                     "The migration report",
                     {{"format", "string", "json (default), html or text"}},
                     {},
                     "application/json",
                     Report});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}/archive",
                     Access::kViewer,
                     "Download the audit archive (tar.zst)",
                     {},
                     {},
                     "application/zstd",
                     Archive});
}

}  // namespace gaggle::server
