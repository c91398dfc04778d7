// Routes: the catalog — entities (paged), one entity, the lineage neighbourhood
// (coloured by a migration's task states when asked) and the blast radius.
#include "server/api_handlers.h"
#include "service/catalog_operations.h"

namespace gaggle::server {
namespace {

void ListEntities(ApiCall& c) {
  service::EntityFilter f;
  const std::string kind = c.Query("kind");
  if (!kind.empty()) {
    auto k = ParseEntityKind(kind);
    if (!k.ok()) return c.Fail(Status::InvalidArgument("kind: " + k.status().message()));
    f.kind = *k;
  }
  f.match = c.Query("match");
  auto limit = c.QueryInt("limit", 100, 1, 1000);
  if (!limit.ok()) return c.Fail(limit.status());
  const std::string after = c.Query("after");
  nlohmann::json items = nlohmann::json::array();
  std::string last;
  bool more = false;
  Status s = service::ForEachEntity(c.ctx, f, [&](const Entity& e) {
    if (!after.empty() && e.id <= after) return true;
    if (static_cast<int64_t>(items.size()) >= *limit) {
      more = true;
      return false;
    }
    items.push_back(service::EntityToJson(e, false));
    last = e.id;
    return true;
  });
  if (!s.ok()) return c.Fail(s);
  c.Json({{"items", items}, {"more", more}, {"next", more ? nlohmann::json(last) : nlohmann::json(nullptr)}});
}

void GetEntity(ApiCall& c) { Send(c, service::ShowEntity(c.ctx, c.path["id"])); }

void Lineage(ApiCall& c) {
  service::LineageRequest r;
  r.id = c.path["id"];
  auto depth = c.QueryInt("depth", 2, 0, 20);
  if (!depth.ok()) return c.Fail(depth.status());
  auto max_nodes = c.QueryInt("max_nodes", 500, 1, 5000);
  if (!max_nodes.ok()) return c.Fail(max_nodes.status());
  r.depth = static_cast<int>(*depth);
  r.max_nodes = static_cast<size_t>(*max_nodes);
  r.direction = c.Query("direction", "both");
  if (r.direction != "up" && r.direction != "down" && r.direction != "both") {
    return c.Fail(Status::InvalidArgument("direction: expected up, down or both, got '" + r.direction + "'"));
  }
  auto g = service::GetLineage(c.ctx, r);
  if (!g.ok()) return c.Fail(g.status());
  nlohmann::json j = g->ToJson();
  // Colour by a migration's task states when asked.
  const std::string migration = c.Query("migration");
  if (!migration.empty()) {
    nlohmann::json states = nlohmann::json::object();
    for (const auto& [id, e] : g->nodes) {
      auto t = c.ctx.store->FindTask(migration, id);
      if (!t.ok()) return c.Fail(t.status());
      if (t->has_value()) states[id] = TaskStateName((*t)->state);
    }
    j["task_states"] = states;
  }
  c.Json(j);
}

void BlastRadius(ApiCall& c) {
  service::LineageRequest r;
  r.id = c.path["id"];
  r.depth = 1000;
  r.direction = "down";
  auto max_nodes = c.QueryInt("max_nodes", 10000, 1, 100000);
  if (!max_nodes.ok()) return c.Fail(max_nodes.status());
  r.max_nodes = static_cast<size_t>(*max_nodes);
  auto g = service::GetLineage(c.ctx, r);
  if (!g.ok()) return c.Fail(g.status());
  int64_t datasets = 0, consumers = 0;
  for (const auto& [id, e] : g->nodes) {
    if (id == g->root) continue;
    (e.is_dataset() ? datasets : consumers) += 1;
  }
  c.Json({{"id", r.id}, {"datasets", datasets}, {"consumers", consumers}, {"truncated", g->truncated}});
}

}  // namespace

void AddCatalogRoutes(std::vector<Route>* routes) {
  routes->push_back({"GET",
                     "/api/v1/catalog/entities",
                     Access::kViewer,
                     "Catalog entities in id order, paged",
                     {{"kind", "string", "dataset, component, system or resource"},
                      {"match", "string", "a glob on the id (events.*)"},
                      {"limit", "integer", "page size, 1 to 1000 (default 100)"},
                      {"after", "string", "the previous page's 'next' (an id)"}},
                     {},
                     "application/json",
                     ListEntities});
  routes->push_back({"GET",
                     "/api/v1/catalog/entities/{id+}",
                     Access::kViewer,
                     "One entity with its direct upstream and downstream, cut-overs and retention",
                     {},
                     {},
                     "application/json",
                     GetEntity});
  routes->push_back({"GET",
                     "/api/v1/catalog/lineage/{id+}",
                     Access::kViewer,
                     "The lineage neighbourhood of an entity to depth N, coloured by a migration's task states",
                     {{"depth", "integer", "0 to 20 (default 2)"},
                      {"direction", "string", "up, down or both (default)"},
                      {"max_nodes", "integer", "1 to 5000 (default 500)"},
                      {"migration", "string", "colour nodes by this migration's task states"}},
                     {},
                     "application/json",
                     Lineage});
  routes->push_back({"GET",
                     "/api/v1/catalog/blast-radius/{id+}",
                     Access::kViewer,
                     "How many datasets and consumers are downstream of an entity",
                     {{"max_nodes", "integer", "stop counting past this many (default 10000)"}},
                     {},
                     "application/json",
                     BlastRadius});
}

}  // namespace gaggle::server
