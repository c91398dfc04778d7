// Routes: a migration's tasks (filtered, paged), one dataset's detail, bulk actions by
// filter, and the needs-attention queue across migrations.
#include "server/api_handlers.h"
#include "service/task_operations.h"
#include "service/task_page_json.h"

namespace gaggle::server {
namespace {

void ListTasks(ApiCall& c) {
  auto q = TaskQueryFromParams(c, c.path["migration"]);
  if (!q.ok()) return c.Fail(q.status());
  auto limit = c.QueryInt("limit", 100, 1, static_cast<int64_t>(service::kMaxTaskPageLimit));
  if (!limit.ok()) return c.Fail(limit.status());
  q->limit = static_cast<size_t>(*limit);
  const std::string after = c.Query("after");
  if (!after.empty()) {
    Status s = ParseCursor(after, &q->after_stage, &q->after_ordinal);
    if (!s.ok()) return c.Fail(s);
  }
  auto page = service::QueryTaskPage(c.ctx, *q);
  if (!page.ok()) return c.Fail(page.status());
  // Written as text: the JSON tree of a page was most of a page request's CPU.
  c.res.status = 200;
  c.res.set_content(service::TaskQueryPageText(*page), "application/json");
}

void GetDataset(ApiCall& c) {
  auto tail = c.QueryInt("log_tail", 100, 0, 10000);
  if (!tail.ok()) return c.Fail(tail.status());
  Send(c, service::GetDatasetDetail(c.ctx, {c.path["migration"], c.path["dataset"], static_cast<size_t>(*tail)}));
}

void Bulk(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto action_name = body->String("action", 32);
  if (!action_name.ok()) return c.Fail(action_name.status());
  auto reason = body->String("reason", 4096);
  if (!reason.ok()) return c.Fail(reason.status());
  auto filter = body->OptObject("filter");
  if (!filter.ok()) return c.Fail(filter.status());
  if (!FinishBody(c, *body)) return;
  auto action = service::ParseBulkAction(*action_name);
  if (!action.ok()) return c.Fail(action.status());
  // Rolling back is an admin's; pausing and retrying an operator's (the route's role).
  if (*action == service::BulkAction::kRollback && !service::RoleAllows(c.who->role, Role::kAdmin)) {
    return c.Forbid("a bulk rollback needs the admin role; token '" + c.who->name + "' is " + RoleName(c.who->role));
  }
  if (!*filter) return c.Fail(Status::InvalidArgument("filter: required (an empty object matches every dataset)"));
  auto q = TaskQueryFromJson(&**filter, c.path["migration"]);
  if (!q.ok()) return c.Fail(q.status());
  service::BulkRequest b;
  b.action = *action;
  b.filter = *q;
  b.reason = *reason;
  auto r = service::RunBulkAction(c.ctx, b);
  c.server.statuses().Invalidate(c.path["migration"]);
  Send(c, r);
}

void Attention(ApiCall& c) {
  service::AttentionRequest r;
  auto limit = c.QueryInt("limit", 100, 1, static_cast<int64_t>(service::kMaxTaskPageLimit));
  if (!limit.ok()) return c.Fail(limit.status());
  r.limit = static_cast<size_t>(*limit);
  const std::string after = c.Query("after");
  if (!after.empty()) {
    const size_t colon = after.find(':');
    if (colon == std::string::npos) {
      return c.Fail(Status::InvalidArgument("after: expected MIGRATION:STAGE:ORDINAL from a previous page's 'next'"));
    }
    r.after_migration = after.substr(0, colon);
    Status s = ParseCursor(after.substr(colon + 1), &r.after_stage, &r.after_ordinal);
    if (!s.ok()) return c.Fail(s);
  }
  Send(c, service::ListAttention(c.ctx, r));
}

}  // namespace

void AddDatasetRoutes(std::vector<Route>* routes) {
  std::vector<ParamDoc> page = TaskFilterParams();
  page.push_back({"limit", "integer", "page size, 1 to 1000 (default 100)"});
  page.push_back({"after", "string", "the cursor from the previous page's 'next'"});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}/tasks",
                     Access::kViewer,
                     "A page of the migration's datasets, filtered, in plan order (keyset-paged)",
                     page,
                     {},
                     "application/json",
                     ListTasks});
  routes->push_back({"GET",
                     "/api/v1/migrations/{migration}/datasets/{dataset}",
                     Access::kViewer,
                     "One dataset: attempts, logs, validation figures, verification, cut-over and retention",
                     {{"log_tail", "integer", "last lines of each log (default 100)"}},
                     {},
                     "application/json",
                     GetDataset});
  routes->push_back({"POST",
                     "/api/v1/migrations/{migration}/bulk",
                     Access::kOperator,
                     "Pause, retry or roll back (admin) every dataset matching a filter, in one audited call",
                     {},
                     {{"action", "string", "pause, retry or rollback", true},
                      {"filter", "object", "state[], stage, wave, owner, tier, q", true},
                      {"reason", "string", "why (audited)", true}},
                     "application/json",
                     Bulk});
  routes->push_back({"GET",
                     "/api/v1/attention",
                     Access::kViewer,
                     "The needs-attention queue across all migrations, with the last error and what to do",
                     {{"limit", "integer", "page size, 1 to 1000 (default 100)"},
                      {"after", "string", "the cursor from the previous page's 'next'"}},
                     {},
                     "application/json",
                     Attention});
}

}  // namespace gaggle::server
