#include "cli/catalog_commands.h"

#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog/backstage_export.h"
#include "catalog/catalog_loader.h"
#include "cli/cli_support.h"
#include "plan/selection.h"
#include "store/state_store.h"

namespace gaggle::cli {
namespace {

constexpr const char* kStateHelp = "State file (SQLite) holding the catalog, plans and event log";

struct CatalogArgs {
  std::string state = kDefaultStatePath;
  std::string path;
  std::string id;
  std::string match;
  std::string kind = "all";
  std::string direction = "both";
  std::string dir;
  int depth = 2;
  size_t max_nodes = 500;
  size_t limit = 20;
  bool json = false;
  bool dot = false;
};

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

std::string Brief(const Entity& e) {
  if (e.is_dataset()) return e.id + "  [dataset " + TierName(e.tier) + ", " + e.format + "]";
  return e.id + "  [" + EntityKindName(e.kind) + (e.type.empty() ? "" : " " + e.type) + "]";
}

Result<std::unique_ptr<StateStore>> OpenStore(const std::string& state) {
  return OpenStateStore(state.empty() ? std::string(kDefaultStatePath) : state);
}

// --- import

int RunImport(const CatalogArgs& a) {
  auto loaded = LoadCatalogFromPath(a.path);
  if (!loaded.ok()) return ReportError(loaded.status());
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  auto changes = (*store)->ReplaceCatalog(loaded->catalog, ImportOptions{a.path, "gaggle"});
  if (!changes.ok()) return ReportError(changes.status());
  const CatalogChangeSet& c = *changes;
  if (a.json) {
    nlohmann::json j = {{"import_id", c.import_id},
                        {"source", c.source},
                        {"files", loaded->files},
                        {"entities", c.entities},
                        {"edges", c.edges},
                        {"datasets", loaded->catalog.num_datasets()},
                        {"added", c.added},
                        {"updated", c.updated},
                        {"removed", c.removed},
                        {"edges_added", c.edges_added},
                        {"edges_removed", c.edges_removed},
                        {"warnings", loaded->warnings},
                        {"state", (*store)->location()}};
    std::cout << j.dump(2) << std::endl;
    return kExitOk;
  }
  for (const std::string& w : loaded->warnings) std::cerr << "gaggle: warning: " << w << "\n";
  std::cout << "imported " << a.path << " (" << loaded->files.size() << " file"
            << (loaded->files.size() == 1 ? "" : "s") << ") into " << (*store)->location() << " as import #"
            << c.import_id << "\n";
  std::cout << "catalog: " << loaded->catalog.num_datasets() << " datasets, "
            << c.entities - static_cast<int64_t>(loaded->catalog.num_datasets()) << " consumers, " << c.edges
            << " lineage edges\n";
  if (!c.changed()) {
    std::cout << "no changes since the last import\n";
    return kExitOk;
  }
  std::cout << "changes: " << c.num_added << " added, " << c.num_updated << " updated, " << c.num_removed
            << " removed; edges +" << c.edges_added << " -" << c.edges_removed << "\n";
  for (const auto& [label, ids] : {std::pair<const char*, const std::vector<std::string>*>{"added", &c.added},
                                   {"updated", &c.updated},
                                   {"removed", &c.removed}}) {
    for (size_t i = 0; i < ids->size() && i < a.limit; ++i) std::cout << "  " << label << " " << (*ids)[i] << "\n";
    if (ids->size() > a.limit) std::cout << "  ... and " << ids->size() - a.limit << " more " << label << "\n";
  }
  return kExitOk;
}

// --- list

int RunList(const CatalogArgs& a) {
  std::optional<EntityKind> kind;
  if (a.kind != "all") {
    auto k = ParseEntityKind(a.kind);
    if (!k.ok()) return ReportError(k.status());
    kind = *k;
  }
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  // Streamed, one entity at a time: a catalog can hold millions.
  size_t count = 0;
  if (a.json) std::cout << "[";
  Status st = (*store)->ForEachEntity([&](const Entity& e) {
    if (kind && e.kind != *kind) return true;
    if (!a.match.empty() && !GlobMatch(a.match, e.id)) return true;
    ++count;
    if (a.json) {
      std::cout << (count == 1 ? "\n  " : ",\n  ") << EntityToJson(e, false).dump();
    } else if (e.is_dataset()) {
      std::cout << e.id << "\tdataset\t" << TierName(e.tier) << "\t" << e.format << "\tv" << e.schema_version << "\t"
                << (e.owner.empty() ? "-" : e.owner) << "\t" << e.uri << "\n";
    } else {
      std::cout << e.id << "\t" << EntityKindName(e.kind) << "\t" << (e.type.empty() ? "-" : e.type) << "\t"
                << (e.owner.empty() ? "-" : e.owner) << "\n";
    }
    return true;
  });
  if (a.json) std::cout << (count == 0 ? "]" : "\n]") << std::endl;
  if (!st.ok()) return ReportError(st);
  if (!a.json) {
    std::cerr << "gaggle: " << count << " entit" << (count == 1 ? "y" : "ies") << "\n";
  }
  return kExitOk;
}

// --- show

int RunShow(const CatalogArgs& a) {
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  auto found = (*store)->FindEntity(a.id);
  if (!found.ok()) return ReportError(found.status());
  if (!found->has_value()) {
    return ReportError(Status::NotFound("no entity '" + a.id + "' in the catalog of " + (*store)->location() +
                                        " (see `gaggle catalog list --match '" + a.id + "*'`)"));
  }
  const Entity& e = **found;
  auto up = (*store)->Neighbors(a.id, Direction::kUpstream);
  if (!up.ok()) return ReportError(up.status());
  auto down = (*store)->Neighbors(a.id, Direction::kDownstream);
  if (!down.ok()) return ReportError(down.status());
  // Where a migration's cut-over moved it from, and until when the old data is kept.
  auto cutovers = (*store)->ListCutovers("", e.id);
  if (!cutovers.ok()) return ReportError(cutovers.status());
  if (a.json) {
    nlohmann::json j = EntityToJson(e, true);
    j["cutovers"] = nlohmann::json::array();
    for (const CutoverRecord& c : *cutovers) {
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
    for (const Entity& u : *up) j["upstream"].push_back(EntityToJson(u, false));
    j["downstream"] = nlohmann::json::array();
    j["consumers"] = nlohmann::json::array();
    for (const Entity& d : *down) {
      j["downstream"].push_back(EntityToJson(d, false));
      if (!d.is_dataset() || !d.queries.empty()) {
        j["consumers"].push_back({{"id", d.id}, {"kind", EntityKindName(d.kind)}, {"queries", d.queries}});
      }
    }
    std::cout << j.dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << EntityKindName(e.kind) << " " << e.id << "\n";
  auto field = [](const char* name, const std::string& v) {
    if (!v.empty()) std::cout << "  " << name << ": " << v << "\n";
  };
  field("title", e.title);
  field("description", e.description);
  field("type", e.type);
  field("owner", e.owner);
  field("lifecycle", e.lifecycle);
  if (e.is_dataset()) {
    field("uri", e.uri);
    field("format", e.format);
    field("schema version", std::to_string(e.schema_version));
    field("schema", e.schema);
    field("tier", TierName(e.tier));
    field("cadence", e.cadence);
    field("size", HumanBytes(static_cast<double>(e.size_bytes)));
    for (const CutoverRecord& c : *cutovers) {
      std::cout << "  previous (" << c.migration << ", " << CutoverStateName(c.state) << "): " << c.previous.uri << " ("
                << c.previous.format << ", schema version " << c.previous.schema_version << "), cut over " << c.cut_at
                << (c.state == CutoverState::kCurrent     ? ", kept until " + c.retain_until
                    : c.state == CutoverState::kCollected ? ", deleted by gc " + c.changed_at
                                                          : ", restored " + c.changed_at)
                << "\n";
    }
  }
  for (const auto& [k, v] : e.labels) std::cout << "  label " << k << ": " << v << "\n";
  for (const auto& [k, v] : e.annotations) std::cout << "  annotation " << k << ": " << v << "\n";
  field("declared in", e.source);
  for (const std::string& q : e.queries) std::cout << "  query: " << q << "\n";
  std::cout << "upstream (" << up->size() << "):\n";
  for (const Entity& u : *up) std::cout << "  " << Brief(u) << "\n";
  std::cout << "downstream (" << down->size() << "):\n";
  for (const Entity& d : *down) std::cout << "  " << Brief(d) << "\n";
  size_t consumers = 0;
  for (const Entity& d : *down) consumers += (!d.is_dataset() || !d.queries.empty()) ? 1 : 0;
  std::cout << "consumers and their queries (" << consumers << "):\n";
  for (const Entity& d : *down) {
    if (d.is_dataset() && d.queries.empty()) continue;
    std::cout << "  " << d.id << (d.queries.empty() ? "  (no queries declared)" : "") << "\n";
    for (const std::string& q : d.queries) std::cout << "    " << q << "\n";
  }
  return kExitOk;
}

// --- graph

struct GraphEdge {
  std::string from, to;
  bool operator<(const GraphEdge& o) const { return std::tie(from, to) < std::tie(o.from, o.to); }
};

int RunGraph(const CatalogArgs& a) {
  if (a.depth < 0) return ReportError(Status::InvalidArgument("--depth must be >= 0"));
  if (a.direction != "up" && a.direction != "down" && a.direction != "both") {
    return ReportError(Status::InvalidArgument("--direction must be up, down or both"));
  }
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  auto root = (*store)->FindEntity(a.id);
  if (!root.ok()) return ReportError(root.status());
  if (!root->has_value()) return ReportError(Status::NotFound("no entity '" + a.id + "' in the catalog"));
  std::map<std::string, Entity> nodes{{a.id, **root}};
  std::set<GraphEdge> edges;
  bool truncated = false;
  for (Direction dir : {Direction::kUpstream, Direction::kDownstream}) {
    if ((dir == Direction::kUpstream && a.direction == "down") ||
        (dir == Direction::kDownstream && a.direction == "up")) {
      continue;
    }
    std::deque<std::pair<std::string, int>> queue{{a.id, 0}};
    std::set<std::string> seen{a.id};
    while (!queue.empty()) {
      auto [id, depth] = queue.front();
      queue.pop_front();
      if (depth >= a.depth) continue;
      auto next = (*store)->Neighbors(id, dir);
      if (!next.ok()) return ReportError(next.status());
      for (Entity& n : *next) {
        edges.insert(dir == Direction::kDownstream ? GraphEdge{id, n.id} : GraphEdge{n.id, id});
        if (!seen.insert(n.id).second) continue;
        if (nodes.size() >= a.max_nodes) {
          truncated = true;
          continue;
        }
        queue.emplace_back(n.id, depth + 1);
        nodes.emplace(n.id, std::move(n));
      }
    }
  }
  // Keep only edges between shown nodes.
  std::vector<GraphEdge> shown;
  for (const GraphEdge& e : edges) {
    if (nodes.count(e.from) && nodes.count(e.to)) shown.push_back(e);
  }
  if (a.dot) {
    auto q = [](const std::string& s) { return nlohmann::json(s).dump(); };  // JSON quoting is valid DOT quoting
    std::cout << "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    for (const auto& [id, e] : nodes) {
      std::string shape = e.is_dataset() ? "cylinder" : e.kind == EntityKind::kComponent ? "box" : "ellipse";
      std::string style = id == a.id ? ", style=filled, fillcolor=\"#ffe08a\"" : "";
      std::string label = e.is_dataset() ? id + "\\n" + TierName(e.tier) + " " + e.format : id;
      std::cout << "  " << q(id) << " [shape=" << shape << ", label=\"" << label << "\"" << style << "];\n";
    }
    for (const GraphEdge& e : shown) std::cout << "  " << q(e.from) << " -> " << q(e.to) << ";\n";
    std::cout << "}\n";
  } else if (a.json) {
    nlohmann::json j = {{"root", a.id}, {"depth", a.depth}, {"truncated", truncated}};
    j["nodes"] = nlohmann::json::array();
    for (const auto& [id, e] : nodes) j["nodes"].push_back(EntityToJson(e, false));
    j["edges"] = nlohmann::json::array();
    for (const GraphEdge& e : shown) j["edges"].push_back({{"upstream", e.from}, {"downstream", e.to}});
    std::cout << j.dump(2) << std::endl;
  } else {
    std::cout << Brief(**root) << "\n";
    for (const GraphEdge& e : shown) std::cout << "  " << e.from << " -> " << e.to << "\n";
  }
  if (truncated) {
    std::cerr << "gaggle: graph truncated at " << a.max_nodes << " entities (raise --max-nodes or lower --depth)\n";
  }
  return kExitOk;
}

// --- export

int RunExport(const CatalogArgs& a) {
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  auto catalog = (*store)->LoadCatalog();
  if (!catalog.ok()) return ReportError(catalog.status());
  if (catalog->size() == 0) {
    return ReportError(Status::NotFound("the catalog in " + (*store)->location() +
                                        " is empty: import one with `gaggle catalog import PATH`"));
  }
  auto targets = (*store)->ListMigrationTargets();
  if (!targets.ok()) return ReportError(targets.status());
  auto summary = ExportBackstage(*catalog, *targets, a.dir);
  if (!summary.ok()) return ReportError(summary.status());
  if (a.json) {
    std::cout << nlohmann::json{{"dir", a.dir},
                                {"datasets", summary->datasets},
                                {"consumers", summary->consumers},
                                {"migrations", summary->migrations},
                                {"agents", summary->agents},
                                {"files", summary->files}}
                     .dump(2)
              << std::endl;
  } else {
    std::cout << "exported " << summary->datasets << " datasets, " << summary->consumers << " consumers, "
              << summary->migrations << " migrations and " << summary->agents << " agents to " << a.dir << "\n";
    for (const std::string& f : summary->files) std::cout << "  " << f << "\n";
  }
  return kExitOk;
}

// --- history

int RunHistory(const CatalogArgs& a) {
  auto store = OpenStore(a.state);
  if (!store.ok()) return ReportError(store.status());
  auto imports = (*store)->ListImports(a.limit, a.json);
  if (!imports.ok()) return ReportError(imports.status());
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const CatalogChangeSet& c : *imports) {
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
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const CatalogChangeSet& c : *imports) {
    std::cout << "#" << c.import_id << "  " << c.time << "  " << c.actor << "  " << c.source << "  +" << c.num_added
              << " ~" << c.num_updated << " -" << c.num_removed << " entities, +" << c.edges_added << " -"
              << c.edges_removed << " edges (now " << c.entities << " entities, " << c.edges << " edges)\n";
  }
  return kExitOk;
}

}  // namespace

void AddCatalogCommands(CLI::App* app, int* exit_code) {
  CLI::App* cat =
      app->add_subcommand("catalog", "The estate: datasets, their consumers and lineage, kept in the state store");
  cat->require_subcommand(1);
  auto add = [&](const char* name, const char* help, int (*run)(const CatalogArgs&)) {
    auto args = std::make_shared<CatalogArgs>();
    CLI::App* cmd = cat->add_subcommand(name, help);
    cmd->add_option("--state", args->state, kStateHelp)->capture_default_str();
    cmd->callback([args, run, exit_code] { *exit_code = run(*args); });
    return std::make_pair(cmd, args);
  };
  {
    auto [cmd, args] =
        add("import",
            "Import Backstage catalog-info.yaml files or a native catalog (a file or a directory tree).\n"
            "Everything is checked first; any problem is reported with its file and line and nothing is\n"
            "imported. Re-importing updates the stored catalog and records what changed.",
            RunImport);
    cmd->add_option("path", args->path, "Catalog file or directory")->required();
    cmd->add_flag("--json", args->json, "Print what changed as JSON");
    cmd->add_option("--show", args->limit, "Ids to list per kind of change")->capture_default_str();
  }
  {
    auto [cmd, args] = add("list", "List catalog entities (one per line, tab-separated)", RunList);
    cmd->add_option("--match", args->match, "Only ids matching this glob (\"events.*\")");
    cmd->add_option("--kind", args->kind, "dataset, component, system, resource or all")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print JSON");
  }
  {
    auto [cmd, args] =
        add("show", "Show one entity: its facts, upstream, downstream, consumers and their queries", RunShow);
    cmd->add_option("id", args->id, "Entity id (\"events.raw\", \"component:checkout\")")->required();
    cmd->add_flag("--json", args->json, "Print JSON");
  }
  {
    auto [cmd, args] = add("graph", "Print the lineage around one entity, as edges, JSON or Graphviz DOT", RunGraph);
    cmd->add_option("id", args->id, "Entity id")->required();
    cmd->add_option("--depth", args->depth, "How many hops to follow")->capture_default_str();
    cmd->add_option("--direction", args->direction, "up, down or both")->capture_default_str();
    cmd->add_option("--max-nodes", args->max_nodes, "Stop after this many entities")->capture_default_str();
    cmd->add_flag("--dot", args->dot, "Print Graphviz DOT (render with `dot -Tsvg`)");
    cmd->add_flag("--json", args->json, "Print JSON");
  }
  {
    auto [cmd, args] = add("export",
                           "Write the catalog, migrations and agents as Backstage descriptor files: datasets with\n"
                           "their current and target locations and schema versions, linked by annotations",
                           RunExport);
    cmd->add_option("--backstage", args->dir, "Directory to write catalog-info.yaml and its targets into")->required();
    cmd->add_flag("--json", args->json, "Print the summary as JSON");
  }
  {
    auto [cmd, args] = add("history", "List past catalog imports and what each changed", RunHistory);
    cmd->add_option("--limit", args->limit, "How many imports, newest first")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print JSON (with the changed ids)");
  }
}

}  // namespace gaggle::cli
