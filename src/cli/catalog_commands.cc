#include "cli/catalog_commands.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "service/catalog_operations.h"

namespace gaggle::cli {
namespace {

constexpr const char* kStateHelp =
    "State: a SQLite file or a PostgreSQL URL (postgres://user@host/db) holding the catalog, plans and event log";

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
  bool allow_outside_tree = false;
};

std::string Brief(const Entity& e) {
  if (e.is_dataset()) return e.id + "  [dataset " + TierName(e.tier) + ", " + e.format + "]";
  return e.id + "  [" + EntityKindName(e.kind) + (e.type.empty() ? "" : " " + e.type) + "]";
}

// --- import

int RunImport(const CatalogArgs& a) {
  auto c = OpenCliContext(a.state);
  if (!c.ok()) return ReportError(c.status());
  service::CatalogImportRequest request{a.path};
  request.allow_outside_tree = a.allow_outside_tree;
  auto r = service::ImportCatalog(c->ctx, request);
  if (!r.ok()) return ReportError(r.status());
  if (a.json) {
    std::cout << JsonText(r->ToJson()) << std::endl;
    return kExitOk;
  }
  const CatalogChangeSet& ch = r->changes;
  for (const std::string& w : r->warnings) std::cerr << "gaggle: warning: " << w << "\n";
  for (const std::string& n : r->notes) std::cerr << "gaggle: note: " << n << "\n";
  std::cout << "imported " << a.path << " (" << r->files.size() << " file" << (r->files.size() == 1 ? "" : "s")
            << ") into " << r->state << " as import #" << ch.import_id << "\n";
  std::cout << "catalog: " << r->datasets << " datasets, " << ch.entities - r->datasets << " consumers, " << ch.edges
            << " lineage edges\n";
  if (!ch.changed()) {
    std::cout << "no changes since the last import\n";
    return kExitOk;
  }
  std::cout << "changes: " << ch.num_added << " added, " << ch.num_updated << " updated, " << ch.num_removed
            << " removed; edges +" << ch.edges_added << " -" << ch.edges_removed << "\n";
  for (const auto& [label, ids] : {std::pair<const char*, const std::vector<std::string>*>{"added", &ch.added},
                                   {"updated", &ch.updated},
                                   {"removed", &ch.removed}}) {
    for (size_t i = 0; i < ids->size() && i < a.limit; ++i) std::cout << "  " << label << " " << (*ids)[i] << "\n";
    if (ids->size() > a.limit) std::cout << "  ... and " << ids->size() - a.limit << " more " << label << "\n";
  }
  return kExitOk;
}

// --- list

void PrintEntityLine(const Entity& e) {
  if (e.is_dataset()) {
    std::cout << e.id << "\tdataset\t" << TierName(e.tier) << "\t" << e.format << "\tv" << e.schema_version << "\t"
              << (e.owner.empty() ? "-" : e.owner) << "\t" << e.uri << "\n";
  } else {
    std::cout << e.id << "\t" << EntityKindName(e.kind) << "\t" << (e.type.empty() ? "-" : e.type) << "\t"
              << (e.owner.empty() ? "-" : e.owner) << "\n";
  }
}

int RunList(const CatalogArgs& a) {
  service::EntityFilter filter;
  filter.match = a.match;
  if (a.kind != "all") {
    auto k = ParseEntityKind(a.kind);
    if (!k.ok()) return ReportError(k.status());
    filter.kind = *k;
  }
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  // Streamed, one entity at a time: a catalog can hold millions.
  size_t count = 0;
  if (a.json) std::cout << "[";
  Status st = service::ForEachEntity(c->ctx, filter, [&](const Entity& e) {
    ++count;
    if (a.json) {
      std::cout << (count == 1 ? "\n  " : ",\n  ") << service::EntityToJson(e, false).dump();
    } else {
      PrintEntityLine(e);
    }
    return true;
  });
  if (a.json) std::cout << (count == 0 ? "]" : "\n]") << std::endl;
  if (!st.ok()) return ReportError(st);
  if (!a.json) std::cerr << "gaggle: " << count << " entit" << (count == 1 ? "y" : "ies") << "\n";
  return kExitOk;
}

// --- show

void PrintCutover(const CutoverRecord& c) {
  std::cout << "  previous (" << c.migration << ", " << CutoverStateName(c.state) << "): " << c.previous.uri << " ("
            << c.previous.format << ", schema version " << c.previous.schema_version << "), cut over " << c.cut_at
            << (c.state == CutoverState::kCurrent      ? ", kept until " + c.retain_until
                : c.state == CutoverState::kCollected  ? ", deleted by gc " + c.changed_at
                : c.state == CutoverState::kCollecting ? ", being deleted by gc since " + c.changed_at
                                                       : ", restored " + c.changed_at)
            << "\n";
}

void PrintEntity(const service::EntityDetail& d) {
  const Entity& e = d.entity;
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
    for (const CutoverRecord& c : d.cutovers) PrintCutover(c);
  }
  for (const auto& [k, v] : e.labels) std::cout << "  label " << k << ": " << v << "\n";
  for (const auto& [k, v] : e.annotations) std::cout << "  annotation " << k << ": " << v << "\n";
  field("declared in", e.source);
  for (const std::string& q : e.queries) std::cout << "  query: " << q << "\n";
}

void PrintNeighbours(const service::EntityDetail& d) {
  std::cout << "upstream (" << d.upstream.size() << "):\n";
  for (const Entity& u : d.upstream) std::cout << "  " << Brief(u) << "\n";
  std::cout << "downstream (" << d.downstream.size() << "):\n";
  for (const Entity& x : d.downstream) std::cout << "  " << Brief(x) << "\n";
  size_t consumers = 0;
  for (const Entity& x : d.downstream) consumers += (!x.is_dataset() || !x.queries.empty()) ? 1 : 0;
  std::cout << "consumers and their queries (" << consumers << "):\n";
  for (const Entity& x : d.downstream) {
    if (x.is_dataset() && x.queries.empty()) continue;
    std::cout << "  " << x.id << (x.queries.empty() ? "  (no queries declared)" : "") << "\n";
    for (const std::string& q : x.queries) std::cout << "    " << q << "\n";
  }
}

int RunShow(const CatalogArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto d = service::ShowEntity(c->ctx, a.id);
  if (!d.ok()) return ReportError(d.status());
  if (a.json) {
    std::cout << JsonText(d->ToJson()) << std::endl;
    return kExitOk;
  }
  PrintEntity(*d);
  PrintNeighbours(*d);
  return kExitOk;
}

// --- graph

int RunGraph(const CatalogArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto g = service::GetLineage(c->ctx, {a.id, a.depth, a.direction, a.max_nodes});
  if (!g.ok()) return ReportError(g.status());
  if (a.dot) {
    std::cout << g->ToDot();
  } else if (a.json) {
    std::cout << JsonText(g->ToJson()) << std::endl;
  } else {
    std::cout << Brief(g->nodes.at(a.id)) << "\n";
    for (const auto& [u, d] : g->edges) std::cout << "  " << u << " -> " << d << "\n";
  }
  if (g->truncated) {
    std::cerr << "gaggle: graph truncated at " << a.max_nodes << " entities (raise --max-nodes or lower --depth)\n";
  }
  return kExitOk;
}

// --- export

int RunExport(const CatalogArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto r = service::ExportCatalog(c->ctx, a.dir);
  if (!r.ok()) return ReportError(r.status());
  if (a.json) {
    std::cout << JsonText(r->ToJson()) << std::endl;
    return kExitOk;
  }
  std::cout << "exported " << r->datasets << " datasets, " << r->consumers << " consumers, " << r->migrations
            << " migrations and " << r->agents << " agents to " << a.dir << "\n";
  for (const std::string& f : r->files) std::cout << "  " << f << "\n";
  return kExitOk;
}

// --- history

int RunHistory(const CatalogArgs& a) {
  auto c = OpenCliContext(a.state, "", true);
  if (!c.ok()) return ReportError(c.status());
  auto h = service::GetCatalogHistory(c->ctx, a.limit, a.json);
  if (!h.ok()) return ReportError(h.status());
  if (a.json) {
    std::cout << JsonText(h->ToJson()) << std::endl;
    return kExitOk;
  }
  for (const CatalogChangeSet& ch : h->imports) {
    std::cout << "#" << ch.import_id << "  " << ch.time << "  " << ch.actor << "  " << ch.source << "  +"
              << ch.num_added << " ~" << ch.num_updated << " -" << ch.num_removed << " entities, +" << ch.edges_added
              << " -" << ch.edges_removed << " edges (now " << ch.entities << " entities, " << ch.edges << " edges)\n";
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
    cmd->add_flag("--allow-outside-tree", args->allow_outside_tree,
                  "Follow Location targets outside the imported directory (or the imported file's directory)");
    cmd->add_option("--show", args->limit, "Ids to list per kind of change")->capture_default_str();
  }
  {
    auto [cmd, args] = add("list", "List catalog entities (one per line, tab-separated)", RunList);
    cmd->add_option("--match", args->match, "Only ids matching this glob (\"events.*\"), case-insensitive");
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
