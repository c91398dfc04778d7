// The estate in the state store: importing a catalog (Backstage descriptors or a native
// file), listing and showing entities, the lineage around one entity, the history of
// imports, and exporting everything as Backstage descriptors.
// An import is all-or-nothing (catalog/catalog_loader.h) and one store transaction
// (StateStore::ReplaceCatalog); re-importing the same files changes nothing.
// Thread-safety: see service_context.h.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalog/entity.h"
#include "service/service_context.h"

namespace gaggle::service {

nlohmann::json EntityToJson(const Entity& e, bool with_queries);

struct CatalogDocument {
  std::string name;  // where the text came from, quoted in problems ("api:teams.yaml")
  std::string text;  // a Backstage descriptor stream or a native catalog
};

struct CatalogImportRequest {
  std::string path;  // a catalog file or a directory tree
  // Instead of `path` (over HTTP): the catalog's texts, each parsed strictly. Query
  // files named by gaggle.dev/queries are not read from them (no file system access).
  std::vector<CatalogDocument> documents = {};
  // Follow Location targets outside the imported tree (catalog/catalog_loader.h).
  bool allow_outside_tree = false;
};

struct CatalogImportResult {
  CatalogChangeSet changes;
  std::vector<std::string> files;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;  // entities kept aside, Location targets not followed
  int64_t datasets = 0;
  std::string state;  // the store's location
  nlohmann::json ToJson() const;
};

Result<CatalogImportResult> ImportCatalog(const ServiceContext& ctx, const CatalogImportRequest& request);

struct EntityFilter {
  std::optional<EntityKind> kind;  // any when unset
  std::string match;               // a glob on the id ("events.*"), case-insensitive; any when empty
};

// Calls `fn` for every matching entity in id order (streamed: a catalog can hold
// millions) until it returns false.
Status ForEachEntity(const ServiceContext& ctx, const EntityFilter& filter,
                     const std::function<bool(const Entity&)>& fn);

struct EntityDetail {
  Entity entity;
  std::vector<Entity> upstream, downstream;
  std::vector<CutoverRecord> cutovers;  // where migrations moved it from, with retention
  nlohmann::json ToJson() const;
};

// `id` compares case-insensitively, as Backstage names do ("Events.Raw" finds "events.raw").
Result<EntityDetail> ShowEntity(const ServiceContext& ctx, const std::string& id);

struct LineageRequest {
  std::string id;
  int depth = 2;
  std::string direction = "both";  // up, down or both
  size_t max_nodes = 500;
};

struct LineageGraph {
  std::string root;
  int depth = 0;
  bool truncated = false;  // max_nodes reached
  std::map<std::string, Entity> nodes;
  std::vector<std::pair<std::string, std::string>> edges;  // (upstream, downstream), sorted
  nlohmann::json ToJson() const;
  std::string ToDot() const;  // Graphviz
};

// request.id compares case-insensitively, as in ShowEntity.
Result<LineageGraph> GetLineage(const ServiceContext& ctx, const LineageRequest& request);

struct CatalogExportResult {
  std::string dir;
  int64_t datasets = 0, consumers = 0, migrations = 0, agents = 0;
  std::vector<std::string> files;
  nlohmann::json ToJson() const;
};

Result<CatalogExportResult> ExportCatalog(const ServiceContext& ctx, const std::string& dir);

struct CatalogHistory {
  std::vector<CatalogChangeSet> imports;  // newest first
  nlohmann::json ToJson() const;
};

Result<CatalogHistory> GetCatalogHistory(const ServiceContext& ctx, size_t limit, bool with_ids);

}  // namespace gaggle::service
