// Routes: tokens (admin), garbage collection (admin), approvals as links, and the runs
// this server drives.
#include "server/api_handlers.h"
#include "service/after_operations.h"
#include "service/approval_operations.h"
#include "service/token_operations.h"

namespace gaggle::server {
namespace {

void ListTokens(ApiCall& c) {
  auto tokens = service::ListApiTokens(c.ctx);
  if (!tokens.ok()) return c.Fail(tokens.status());
  nlohmann::json items = nlohmann::json::array();
  for (const ApiToken& t : *tokens) items.push_back(service::TokenJson(t));
  c.Json({{"items", items}});
}

void CreateToken(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto name = body->String("name", 64);
  if (!name.ok()) return c.Fail(name.status());
  auto role_name = body->String("role", 16);
  if (!role_name.ok()) return c.Fail(role_name.status());
  if (!FinishBody(c, *body)) return;
  auto role = ParseRole(*role_name);
  if (!role.ok()) return c.Fail(Status::InvalidArgument("role: " + role.status().message()));
  Send(c, service::CreateApiToken(c.ctx, {*name, *role, false}), 201);
}

void RevokeToken(ApiCall& c) {
  auto t = service::RevokeApiToken(c.ctx, c.path["token"]);
  if (!t.ok()) return c.Fail(t.status());
  c.server.tokens().Clear();  // revoked now, not when the cached entry expires
  c.Json(service::TokenJson(*t));
}

void Gc(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto dry = body->OptBool("dry_run");
  if (!dry.ok()) return c.Fail(dry.status());
  auto migration = body->OptString("migration", 256);
  if (!migration.ok()) return c.Fail(migration.status());
  if (!FinishBody(c, *body)) return;
  GcOptions o;
  o.dry_run = dry->value_or(true);
  o.migration = migration->value_or("");
  o.actor = c.ctx.actor;
  Send(c, service::CollectOldData(c.ctx, o));
}

void ListApprovals(ApiCall& c) {
  auto limit = c.QueryInt("limit", 100, 1, 1000);
  if (!limit.ok()) return c.Fail(limit.status());
  auto views = service::ListApprovals(c.ctx, c.server.approvals(), c.Query("migration"), static_cast<size_t>(*limit));
  if (!views.ok()) return c.Fail(views.status());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& v : *views) items.push_back(v.ToJson());
  c.Json({{"items", items}});
}

void GetApproval(ApiCall& c) { Send(c, service::GetApproval(c.ctx, c.server.approvals(), c.path["id"])); }

void UseApproval(ApiCall& c) {
  auto body = ReadBody(c);
  if (!body) return;
  auto reason = body->String("reason", 4096);
  if (!reason.ok()) return c.Fail(reason.status());
  if (!FinishBody(c, *body)) return;
  auto view = service::GetApproval(c.ctx, c.server.approvals(), c.path["id"]);
  if (!view.ok()) return c.Fail(view.status());
  if (!service::RoleAllows(c.who->role, view->link.role)) {
    return c.Forbid("approval '" + view->link.id + "' needs the " + RoleName(view->link.role) + " role; token '" +
                    c.who->name + "' is " + RoleName(c.who->role));
  }
  auto r = service::ApproveByLink(c.ctx, c.server.approvals(), {c.path["id"], *reason, c.who->role});
  if (r.ok()) c.server.statuses().Invalidate(r->approved.migration);
  Send(c, r);
}

void ServedRuns(ApiCall& c) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : c.server.runs().List()) items.push_back(r.ToJson());
  c.Json({{"items", items}});
}

}  // namespace

void AddAdminRoutes(std::vector<Route>* routes) {
  routes->push_back({"GET",
                     "/api/v1/tokens",
                     Access::kAdmin,
                     "Every token (never a secret)",
                     {},
                     {},
                     "application/json",
                     ListTokens});
  routes->push_back({"POST",
                     "/api/v1/tokens",
                     Access::kAdmin,
                     "Create a token; its secret is returned once",
                     {},
                     {{"name", "string", "1-64 letters, digits, '.', '_', '-', '@'", true},
                      {"role", "string", "viewer, operator or admin", true}},
                     "application/json",
                     CreateToken});
  routes->push_back({"DELETE",
                     "/api/v1/tokens/{token}",
                     Access::kAdmin,
                     "Revoke a token (by id or name)",
                     {},
                     {},
                     "application/json",
                     RevokeToken});
  routes->push_back({"POST",
                     "/api/v1/gc",
                     Access::kAdmin,
                     "Delete old data past its retention (dry run unless dry_run is false)",
                     {},
                     {{"dry_run", "boolean", "only say what would be deleted (default true)"},
                      {"migration", "string", "only this migration's datasets"}},
                     "application/json",
                     Gc});
  routes->push_back({"GET",
                     "/api/v1/approvals",
                     Access::kViewer,
                     "Approvals asked for by gate pauses: open, used, expired or closed",
                     {{"migration", "string", "only this migration's"}, {"limit", "integer", "1 to 1000"}},
                     {},
                     "application/json",
                     ListApprovals});
  routes->push_back(
      {"GET", "/api/v1/approvals/{id}", Access::kViewer, "One approval", {}, {}, "application/json", GetApproval});
  routes->push_back({"POST",
                     "/api/v1/approvals/{id}/approve",
                     Access::kOperator,
                     "Use an approval link: approves its gate (the link's role, unexpired, once)",
                     {},
                     {{"reason", "string", "why (audited)", true}},
                     "application/json",
                     UseApproval});
  routes->push_back({"GET",
                     "/api/v1/runs",
                     Access::kViewer,
                     "The migrations this server drives or drove",
                     {},
                     {},
                     "application/json",
                     ServedRuns});
}

}  // namespace gaggle::server
