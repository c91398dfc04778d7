// Routes: health, readiness, Prometheus metrics, the OpenAPI document and who the caller is.
#include <sstream>

#include "server/api_handlers.h"

namespace gaggle::server {
namespace {

void Healthz(ApiCall& c) { c.Json({{"status", "ok"}}); }

void Readyz(ApiCall& c) {
  auto seq = c.server.control()->LastEventSeq();
  if (!seq.ok()) {
    c.Json({{"ready", false}, {"problem", seq.status().ToString()}}, 503);
    return;
  }
  c.Json({{"ready", true}, {"last_event_seq", *seq}, {"hub_seq", c.server.hub().LastSeq()}});
}

void Metrics(ApiCall& c) {
  std::ostringstream o;
  o << c.server.metrics().Render();
  auto all = c.server.statuses().All();
  if (!all.ok()) return c.Fail(all.status());
  o << "# HELP gaggle_tasks Tasks by migration, stage and state.\n# TYPE gaggle_tasks gauge\n";
  for (const auto& s : *all) {
    for (const StageCounts& sc : s->status.stages) {
      for (int k = 0; k < kNumTaskStates; ++k) {
        if (sc.by_state[k] == 0) continue;
        o << "gaggle_tasks{migration=\"" << LabelValue(s->status.run.migration) << "\",stage=\"" << sc.stage
          << "\",state=\"" << TaskStateName(static_cast<TaskState>(k)) << "\"} " << sc.by_state[k] << "\n";
      }
    }
  }
  o << "# HELP gaggle_rows_per_second Rows written per second over the last minute.\n"
       "# TYPE gaggle_rows_per_second gauge\n";
  for (const auto& s : *all) {
    o << "gaggle_rows_per_second{migration=\"" << LabelValue(s->status.run.migration) << "\"} " << s->rows_per_second
      << "\n";
  }
  o << "# HELP gaggle_queue_depth Tasks waiting to run (pending or retrying).\n# TYPE gaggle_queue_depth gauge\n";
  for (const auto& s : *all) {
    int64_t depth = 0;
    for (const StageCounts& sc : s->status.stages)
      depth += sc.count(TaskState::kPending) + sc.count(TaskState::kRetrying);
    o << "gaggle_queue_depth{migration=\"" << LabelValue(s->status.run.migration) << "\"} " << depth << "\n";
  }
  o << "# HELP gaggle_run_lease_holder 1 for the live holder of a migration's run lease.\n"
       "# TYPE gaggle_run_lease_holder gauge\n";
  for (const auto& s : *all) {
    if (!s->status.runner_alive) continue;
    o << "gaggle_run_lease_holder{migration=\"" << LabelValue(s->status.run.migration) << "\",runner=\""
      << LabelValue(s->status.run.runner) << "\"} 1\n";
  }
  o << "# HELP gaggle_migration_state 1 for a migration's current state.\n# TYPE gaggle_migration_state gauge\n";
  for (const auto& s : *all) {
    o << "gaggle_migration_state{migration=\"" << LabelValue(s->status.run.migration) << "\",state=\""
      << RunStateName(s->status.run.state) << "\"} 1\n";
  }
  o << "# HELP gaggle_last_event_age_seconds Seconds since the newest event.\n"
       "# TYPE gaggle_last_event_age_seconds gauge\ngaggle_last_event_age_seconds "
    << c.server.hub().LastEventAgeSeconds() << "\n";
  c.res.set_content(o.str(), "text/plain; version=0.0.4; charset=utf-8");
}

void OpenApi(ApiCall& c) { c.Json(OpenApiDocument(c.server.routes(), GAGGLE_VERSION)); }

void WhoAmI(ApiCall& c) {
  c.Json({{"name", c.who->name}, {"role", RoleName(c.who->role)}, {"token", c.who->token_id}});
}

}  // namespace

void AddSystemRoutes(std::vector<Route>* routes) {
  routes->push_back(
      {"GET", "/healthz", Access::kPublic, "Liveness: the process serves", {}, {}, "application/json", Healthz});
  routes->push_back(
      // Public like /healthz: Kubernetes' probes and load balancers carry no token, and it
      // tells only whether the store answers and the last event number.
      {"GET", "/readyz", Access::kPublic, "Readiness: the state store answers", {}, {}, "application/json", Readyz});
  routes->push_back({"GET", "/metrics", Access::kViewer, "Prometheus metrics", {}, {}, "text/plain", Metrics});
  routes->push_back(
      {"GET", "/api/v1/openapi.json", Access::kViewer, "This document", {}, {}, "application/json", OpenApi});
  routes->push_back({"GET",
                     "/api/v1/whoami",
                     Access::kViewer,
                     "The caller's token name and role",
                     {},
                     {},
                     "application/json",
                     WhoAmI});
}

}  // namespace gaggle::server
