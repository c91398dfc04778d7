// StateStore: the catalog — re-imports through the catalog diff and the cut-over lag
// rule, loading, neighbourhoods, import history.
#include <algorithm>
#include <unordered_map>

#include "store/catalog_diff.h"
#include "store/cutover_rules.h"
#include "store/event_vocabulary.h"
#include "store/state_store.h"
#include "store/state_store_internal.h"

namespace gaggle {

using store_internal::Append;

namespace {

// A large import gets a bigger page cache while it runs (SQLite: 256 MB at most).
constexpr int64_t kImportWorkingSet = int64_t{256} << 20;

// Entity key -> catalog index, dense when keys are.
class KeyIndex {
 public:
  void Build(const std::vector<int64_t>& keys) {
    int64_t max_key = 0;
    for (int64_t k : keys) max_key = std::max(max_key, k);
    dense_ = static_cast<uint64_t>(max_key) < 8 * static_cast<uint64_t>(keys.size()) + 1024;
    if (dense_) table_.assign(static_cast<size_t>(max_key) + 1, UINT32_MAX);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (dense_ && keys[i] >= 0) {
        table_[static_cast<size_t>(keys[i])] = static_cast<uint32_t>(i);
      } else {
        map_[keys[i]] = static_cast<uint32_t>(i);
      }
    }
  }
  uint32_t Get(int64_t key) const {
    if (dense_ && key >= 0 && static_cast<size_t>(key) < table_.size()) return table_[static_cast<size_t>(key)];
    auto it = map_.find(key);
    return it == map_.end() ? UINT32_MAX : it->second;
  }

 private:
  bool dense_ = false;
  std::vector<uint32_t> table_;
  std::unordered_map<int64_t, uint32_t> map_;
};

void FillChanges(const Catalog& catalog, const CatalogDiff& diff, const EdgeDiff& edges, CatalogChangeSet* out) {
  for (NodeId i : diff.added) out->added.push_back(catalog.entity(i).id);
  for (NodeId i : diff.updated) out->updated.push_back(catalog.entity(i).id);
  for (const auto& [key, id] : diff.removed) out->removed.push_back(id);
  out->num_added = static_cast<int64_t>(out->added.size());
  out->num_updated = static_cast<int64_t>(out->updated.size());
  out->num_removed = static_cast<int64_t>(out->removed.size());
  out->edges_added = static_cast<int64_t>(edges.added.size());
  out->edges_removed = static_cast<int64_t>(edges.removed.size());
  out->entities = static_cast<int64_t>(catalog.size());
  out->edges = static_cast<int64_t>(catalog.num_edges());
}

}  // namespace

Result<CatalogChangeSet> StateStore::ReplaceCatalog(const Catalog& catalog, const ImportOptions& options) {
  if (!catalog.finalized()) return Status::InvalidArgument("catalog is not finalized");
  CatalogChangeSet out;
  StoreWriteOptions w;
  w.working_set_bytes = kImportWorkingSet;
  GAGGLE_RETURN_IF_ERROR(backend_->Write(
      [&](StoreTransaction& tx) {
        out = CatalogChangeSet{};
        return ReplaceCatalogIn(tx, catalog, options, &out);
      },
      w));
  return out;
}

Status StateStore::ReplaceCatalogIn(StoreTransaction& tx, const Catalog& catalog, const ImportOptions& options,
                                    CatalogChangeSet* out) {
  out->time = Now();
  out->actor = options.actor;
  out->source = options.source;
  GAGGLE_ASSIGN_OR_RETURN(out->import_id, tx.BeginImport(*out));

  CatalogDiffer differ(catalog);
  GAGGLE_RETURN_IF_ERROR(tx.ScanEntityDigests([&differ](EntityDigest&& d) { differ.Add(std::move(d)); }));
  GAGGLE_ASSIGN_OR_RETURN(CatalogDiff diff, std::move(differ).Finish());

  // The cut-over lag rule needs the cut-overs only when entities are written.
  std::vector<CutoverRecord> current;
  if (!diff.added.empty() || !diff.updated.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(current, tx.ListCutovers(CutoverQuery{}));
  }
  const CutoverLag lag(current);
  for (NodeId i : diff.added) {
    const Entity& imported = catalog.entity(i);
    GAGGLE_ASSIGN_OR_RETURN(diff.key_of[i],
                            tx.InsertEntity(lag.AsStored(imported), EntityContentHash(imported), out->import_id));
  }
  for (NodeId i : diff.updated) {
    const Entity& imported = catalog.entity(i);
    GAGGLE_RETURN_IF_ERROR(
        tx.UpdateEntity(diff.key_of[i], lag.AsStored(imported), EntityContentHash(imported), out->import_id));
  }

  // Edges as key pairs; removed entities' edges go before the entities.
  std::vector<std::pair<int64_t, int64_t>> stored;
  GAGGLE_RETURN_IF_ERROR(tx.ScanEdges([&stored](int64_t u, int64_t d) { stored.emplace_back(u, d); }));
  const EdgeDiff edges = DiffEdges(catalog, diff.key_of, std::move(stored));
  for (const auto& [u, d] : edges.removed) GAGGLE_RETURN_IF_ERROR(tx.DeleteEdge(u, d));
  for (const auto& [u, d] : edges.added) GAGGLE_RETURN_IF_ERROR(tx.InsertEdge(u, d));
  for (const auto& [key, id] : diff.removed) GAGGLE_RETURN_IF_ERROR(tx.DeleteEntity(key));

  FillChanges(catalog, diff, edges, out);
  GAGGLE_RETURN_IF_ERROR(tx.FinishImport(*out));
  return Append(tx, events::CatalogImported(*out), out->time, options.actor);
}

Result<Catalog> StateStore::LoadCatalog(const LoadCatalogOptions& options) {
  std::optional<Catalog> out;
  GAGGLE_RETURN_IF_ERROR(backend_->Read([&](StoreReader& r) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(int64_t count, r.CountEntities());
    std::vector<Entity> entities;
    std::vector<int64_t> keys;
    entities.reserve(static_cast<size_t>(count));
    keys.reserve(entities.capacity());
    EntityScanOptions scan;
    scan.with_annotations = options.with_annotations;
    GAGGLE_RETURN_IF_ERROR(r.ScanEntities(scan, [&](int64_t key, Entity&& e) {
      keys.push_back(key);
      entities.push_back(std::move(e));
      return true;
    }));
    KeyIndex index;
    index.Build(keys);
    keys = {};
    if (options.with_queries) {
      GAGGLE_RETURN_IF_ERROR(r.ScanEntityQueries([&](int64_t key, std::string&& sql) {
        uint32_t i = index.Get(key);
        if (i != UINT32_MAX) entities[i].queries.push_back(std::move(sql));
      }));
    }
    std::vector<std::pair<NodeId, NodeId>> edges;
    bool dangling = false;
    GAGGLE_RETURN_IF_ERROR(r.ScanEdges([&](int64_t u_key, int64_t d_key) {
      uint32_t u = index.Get(u_key), d = index.Get(d_key);
      if (u == UINT32_MAX || d == UINT32_MAX) {
        dangling = true;
      } else {
        edges.emplace_back(u, d);
      }
    }));
    if (dangling) return Status::Corruption(StateFile() + ": a lineage edge names a missing entity");
    auto catalog = Catalog::FromSorted(std::move(entities), std::move(edges));
    if (!catalog.ok()) return catalog.status().WithContext(StateFile());
    out = std::move(catalog).value();
    return Status::OK();
  }));
  return std::move(*out);
}

Result<std::optional<Entity>> StateStore::FindEntity(const std::string& id) {
  return ReadValue<std::optional<Entity>>([&](StoreReader& r) { return r.FindEntity(id); });
}

Result<std::vector<Entity>> StateStore::Neighbors(const std::string& id, Direction direction) {
  return ReadValue<std::vector<Entity>>([&](StoreReader& r) { return r.Neighbors(id, direction); });
}

Status StateStore::ForEachEntity(const std::function<bool(const Entity&)>& fn) {
  return backend_->Read([&](StoreReader& r) {
    return r.ScanEntities(EntityScanOptions{}, [&fn](int64_t, Entity&& e) { return fn(e); });
  });
}

Result<CatalogStats> StateStore::GetCatalogStats() {
  return ReadValue<CatalogStats>([](StoreReader& r) { return r.GetCatalogStats(); });
}

Result<std::vector<CatalogChangeSet>> StateStore::ListImports(size_t limit, bool with_ids) {
  return ReadValue<std::vector<CatalogChangeSet>>([&](StoreReader& r) { return r.ListImports(limit, with_ids); });
}

}  // namespace gaggle
