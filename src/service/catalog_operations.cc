#include "service/catalog_operations.h"

#include <cctype>
#include <deque>
#include <set>

#include "catalog/backstage_export.h"
#include "catalog/catalog_loader.h"
#include "plan/selection.h"

namespace gaggle::service {

nlohmann::json EntityToJson(const Entity& e, bool with_queries) {
  nlohmann::json j = {{"id", e.id}, {"kind", EntityKindName(e.kind)}, {"name", e.name}, {"namespace", e.ns}};
  if (!e.type.empty()) j["type"] = e.type;
  if (!e.title.empty()) j["title"] = e.title;
  if (!e.description.empty()) j["description"] = e.description;
  if (!e.owner.empty()) j["owner"] = e.owner;
  if (!e.lifecycle.empty()) j["lifecycle"] = e.lifecycle;
  if (e.is_dataset()) {
    j["uri"] = e.uri;
    j["format"] = e.format;
    j["schema_version"] = e.schema_version;
    if (!e.schema.empty()) j["schema"] = e.schema;
    j["tier"] = TierName(e.tier);
    if (!e.cadence.empty()) j["cadence"] = e.cadence;
    j["size_bytes"] = e.size_bytes;
  }
  if (!e.labels.empty()) j["labels"] = e.labels;
  if (!e.annotations.empty()) j["annotations"] = e.annotations;
  if (with_queries && !e.queries.empty()) j["queries"] = e.queries;
  if (!e.source.empty()) j["source"] = e.source;
  return j;
}

// ---------------------------------------------------------------- import

nlohmann::json CatalogImportResult::ToJson() const {
  const CatalogChangeSet& c = changes;
  return {{"import_id", c.import_id},
          {"source", c.source},
          {"files", files},
          {"entities", c.entities},
          {"edges", c.edges},
          {"datasets", datasets},
          {"added", c.added},
          {"updated", c.updated},
          {"removed", c.removed},
          {"edges_added", c.edges_added},
          {"edges_removed", c.edges_removed},
          {"warnings", warnings},
          {"notes", notes},
          {"state", state}};
}

namespace {

// The catalog in `documents`, all-or-nothing like a load from files.
Result<LoadedCatalog> LoadCatalogFromDocuments(const std::vector<CatalogDocument>& documents) {
  CatalogDraft draft;
  std::vector<std::string> names;
  for (const CatalogDocument& d : documents) {
    ParseCatalogText(d.text, d.name, /*strict=*/true, /*fs=*/nullptr, &draft);
    names.push_back(d.name);
  }
  for (const LocationTarget& t : draft.TakeLocationTargets()) {
    draft.AddNote(t.file + ":" + std::to_string(t.line) + ": " + t.location + ": target '" + t.target +
                  "' not followed (a catalog sent as text names no files)");
  }
  if (draft.num_entities() == 0 && draft.problems().empty()) {
    return Status::InvalidArgument("no catalog entities found in the " + std::to_string(documents.size()) +
                                   " document(s) given");
  }
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, draft.Finish());
  return LoadedCatalog{std::move(catalog), std::move(names), draft.warnings(), draft.Notes()};
}

}  // namespace

Result<CatalogImportResult> ImportCatalog(const ServiceContext& ctx, const CatalogImportRequest& request) {
  const bool from_text = !request.documents.empty();
  GAGGLE_ASSIGN_OR_RETURN(LoadedCatalog loaded,
                          from_text
                              ? LoadCatalogFromDocuments(request.documents)
                              : LoadCatalogFromPath(request.path, ctx.fs, LoadOptions{request.allow_outside_tree}));
  std::string source = request.path;
  if (from_text) {
    source.clear();
    for (const std::string& f : loaded.files) source += (source.empty() ? "" : ", ") + f;
  }
  CatalogImportResult out;
  GAGGLE_ASSIGN_OR_RETURN(out.changes, ctx.store->ReplaceCatalog(loaded.catalog, ImportOptions{source, ctx.actor}));
  out.files = std::move(loaded.files);
  out.warnings = std::move(loaded.warnings);
  out.notes = std::move(loaded.notes);
  out.datasets = static_cast<int64_t>(loaded.catalog.num_datasets());
  out.state = ctx.store->location();
  return out;
}

// ---------------------------------------------------------------- list and show

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The entity with this id, compared case-insensitively when no id matches exactly (one scan).
Result<std::optional<Entity>> FindEntityAnyCase(const ServiceContext& ctx, const std::string& id) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Entity> found, ctx.store->FindEntity(id));
  if (found) return found;
  const std::string want = Lower(id);
  GAGGLE_RETURN_IF_ERROR(ctx.store->ForEachEntity([&](const Entity& e) {
    if (Lower(e.id) != want) return true;
    found = e;
    return false;
  }));
  return found;
}

}  // namespace

Status ForEachEntity(const ServiceContext& ctx, const EntityFilter& filter,
                     const std::function<bool(const Entity&)>& fn) {
  const std::string match = Lower(filter.match);
  return ctx.store->ForEachEntity([&](const Entity& e) {
    if (filter.kind && e.kind != *filter.kind) return true;
    if (!match.empty() && !GlobMatch(match, Lower(e.id))) return true;
    return fn(e);
  });
}

nlohmann::json EntityDetail::ToJson() const {
  nlohmann::json j = EntityToJson(entity, true);
  j["cutovers"] = nlohmann::json::array();
  for (const CutoverRecord& c : cutovers) {
    j["cutovers"].push_back(
        {{"migration", c.migration},
         {"state", CutoverStateName(c.state)},
         {"previous",
          {{"uri", c.previous.uri}, {"format", c.previous.format}, {"schema_version", c.previous.schema_version}}},
         {"cut_at", c.cut_at},
         {"retain_until", c.retain_until},
         {"changed_at", c.changed_at}});
  }
  j["upstream"] = nlohmann::json::array();
  for (const Entity& u : upstream) j["upstream"].push_back(EntityToJson(u, false));
  j["downstream"] = nlohmann::json::array();
  j["consumers"] = nlohmann::json::array();
  for (const Entity& d : downstream) {
    j["downstream"].push_back(EntityToJson(d, false));
    if (!d.is_dataset() || !d.queries.empty()) {
      j["consumers"].push_back({{"id", d.id}, {"kind", EntityKindName(d.kind)}, {"queries", d.queries}});
    }
  }
  return j;
}

Result<EntityDetail> ShowEntity(const ServiceContext& ctx, const std::string& given) {
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Entity> found, FindEntityAnyCase(ctx, given));
  const std::string id = found ? found->id : given;
  if (!found) {
    return Status::NotFound("no entity '" + id + "' in the catalog of " + ctx.store->location() +
                            " (see `gaggle catalog list --match '" + id + "*'`)");
  }
  EntityDetail d;
  d.entity = std::move(*found);
  GAGGLE_ASSIGN_OR_RETURN(d.upstream, ctx.store->Neighbors(id, Direction::kUpstream));
  GAGGLE_ASSIGN_OR_RETURN(d.downstream, ctx.store->Neighbors(id, Direction::kDownstream));
  GAGGLE_ASSIGN_OR_RETURN(d.cutovers, ctx.store->ListCutovers("", id));
  return d;
}

// ---------------------------------------------------------------- lineage

namespace {

// Breadth-first from the root in one direction, up to the depth and node budget.
Status Walk(const ServiceContext& ctx, const LineageRequest& r, Direction dir, LineageGraph* g,
            std::set<std::pair<std::string, std::string>>* edges) {
  std::deque<std::pair<std::string, int>> queue{{r.id, 0}};
  std::set<std::string> seen{r.id};
  while (!queue.empty()) {
    auto [id, depth] = queue.front();
    queue.pop_front();
    if (depth >= r.depth) continue;
    GAGGLE_ASSIGN_OR_RETURN(std::vector<Entity> next, ctx.store->Neighbors(id, dir));
    for (Entity& n : next) {
      edges->insert(dir == Direction::kDownstream ? std::make_pair(id, n.id) : std::make_pair(n.id, id));
      if (!seen.insert(n.id).second) continue;
      if (g->nodes.size() >= r.max_nodes) {
        g->truncated = true;
        continue;
      }
      queue.emplace_back(n.id, depth + 1);
      g->nodes.emplace(n.id, std::move(n));
    }
  }
  return Status::OK();
}

}  // namespace

Result<LineageGraph> GetLineage(const ServiceContext& ctx, const LineageRequest& request) {
  if (request.depth < 0) return Status::InvalidArgument("--depth must be >= 0");
  if (request.direction != "up" && request.direction != "down" && request.direction != "both") {
    return Status::InvalidArgument("--direction must be up, down or both");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Entity> root, FindEntityAnyCase(ctx, request.id));
  if (!root) return Status::NotFound("no entity '" + request.id + "' in the catalog");
  LineageRequest r = request;
  r.id = root->id;  // as stored, whatever the case it was asked with
  LineageGraph g;
  g.root = r.id;
  g.depth = r.depth;
  g.nodes.emplace(r.id, std::move(*root));
  std::set<std::pair<std::string, std::string>> edges;
  if (r.direction != "down") GAGGLE_RETURN_IF_ERROR(Walk(ctx, r, Direction::kUpstream, &g, &edges));
  if (r.direction != "up") GAGGLE_RETURN_IF_ERROR(Walk(ctx, r, Direction::kDownstream, &g, &edges));
  for (const auto& e : edges) {  // only edges between shown nodes
    if (g.nodes.count(e.first) && g.nodes.count(e.second)) g.edges.push_back(e);
  }
  return g;
}

nlohmann::json LineageGraph::ToJson() const {
  nlohmann::json j = {{"root", root}, {"depth", depth}, {"truncated", truncated}};
  j["nodes"] = nlohmann::json::array();
  for (const auto& [id, e] : nodes) j["nodes"].push_back(EntityToJson(e, false));
  j["edges"] = nlohmann::json::array();
  for (const auto& [u, d] : edges) j["edges"].push_back({{"upstream", u}, {"downstream", d}});
  return j;
}

std::string LineageGraph::ToDot() const {
  auto q = [](const std::string& s) { return nlohmann::json(s).dump(); };  // JSON quoting is valid DOT quoting
  std::string out = "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (const auto& [id, e] : nodes) {
    std::string shape = e.is_dataset() ? "cylinder" : e.kind == EntityKind::kComponent ? "box" : "ellipse";
    std::string style = id == root ? ", style=filled, fillcolor=\"#ffe08a\"" : "";
    std::string label = e.is_dataset() ? id + "\\n" + TierName(e.tier) + " " + e.format : id;
    out += "  " + q(id) + " [shape=" + shape + ", label=\"" + label + "\"" + style + "];\n";
  }
  for (const auto& [u, d] : edges) out += "  " + q(u) + " -> " + q(d) + ";\n";
  return out + "}\n";
}

// ---------------------------------------------------------------- export and history

nlohmann::json CatalogExportResult::ToJson() const {
  return {{"dir", dir},       {"datasets", datasets}, {"consumers", consumers}, {"migrations", migrations},
          {"agents", agents}, {"files", files}};
}

Result<CatalogExportResult> ExportCatalog(const ServiceContext& ctx, const std::string& dir) {
  GAGGLE_ASSIGN_OR_RETURN(Catalog catalog, ctx.store->LoadCatalog());
  if (catalog.size() == 0) {
    return Status::NotFound("the catalog in " + ctx.store->location() +
                            " is empty: import one with `gaggle catalog import PATH`");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<MigrationTarget> targets, ctx.store->ListMigrationTargets());
  GAGGLE_ASSIGN_OR_RETURN(ExportSummary s, ExportBackstage(catalog, targets, dir, ctx.fs));
  return CatalogExportResult{dir,
                             static_cast<int64_t>(s.datasets),
                             static_cast<int64_t>(s.consumers),
                             static_cast<int64_t>(s.migrations),
                             static_cast<int64_t>(s.agents),
                             s.files};
}

nlohmann::json CatalogHistory::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const CatalogChangeSet& c : imports) {
    out.push_back({{"import_id", c.import_id},
                   {"time", c.time},
                   {"actor", c.actor},
                   {"source", c.source},
                   {"added", c.added},
                   {"updated", c.updated},
                   {"removed", c.removed},
                   {"edges_added", c.edges_added},
                   {"edges_removed", c.edges_removed},
                   {"entities", c.entities},
                   {"edges", c.edges}});
  }
  return out;
}

Result<CatalogHistory> GetCatalogHistory(const ServiceContext& ctx, size_t limit, bool with_ids) {
  CatalogHistory h;
  GAGGLE_ASSIGN_OR_RETURN(h.imports, ctx.store->ListImports(limit, with_ids));
  return h;
}

}  // namespace gaggle::service
