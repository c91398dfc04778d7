// SqliteStateStore: the catalog — diffing re-imports, loading, neighbourhoods.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/sqlite_state_store.h"

namespace gaggle {
namespace {

constexpr const char* kEntityColumns =
    "e.pk, e.id, e.kind, e.name, e.namespace, e.type, e.title, e.description, e.owner, e.lifecycle, e.labels, "
    "e.annotations, e.source, e.uri, e.format, e.schema, e.schema_version, e.tier, e.cadence, e.size_bytes";

std::string MapToJson(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

Status JsonToMap(const std::string& text, std::map<std::string, std::string>* out, const std::string& where) {
  if (text == "{}" || text.empty()) return Status::OK();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(where + ": malformed JSON map");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) return Status::Corruption(where + ": malformed JSON map");
    (*out)[it.key()] = it.value().get<std::string>();
  }
  return Status::OK();
}

// Reads the kEntityColumns of the current row (starting at column 0).
Result<Entity> ReadEntity(const SqliteStatement& q, bool with_labels, bool with_annotations, const std::string& path) {
  Entity e;
  e.id = q.Text(1);
  const std::string where = "state file '" + path + "': entity '" + e.id + "'";
  auto kind = ParseEntityKind(q.Text(2));
  if (!kind.ok()) return Status::Corruption(where + ": " + kind.status().message());
  e.kind = *kind;
  e.name = q.Text(3);
  e.ns = q.Text(4);
  e.type = q.Text(5);
  e.title = q.Text(6);
  e.description = q.Text(7);
  e.owner = q.Text(8);
  e.lifecycle = q.Text(9);
  if (with_labels) GAGGLE_RETURN_IF_ERROR(JsonToMap(q.Text(10), &e.labels, where));
  if (with_annotations) GAGGLE_RETURN_IF_ERROR(JsonToMap(q.Text(11), &e.annotations, where));
  e.source = q.Text(12);
  e.uri = q.Text(13);
  e.format = q.Text(14);
  e.schema = q.Text(15);
  e.schema_version = static_cast<int>(q.Int(16));
  auto tier = ParseTier(q.Text(17));
  if (!tier.ok()) return Status::Corruption(where + ": " + tier.status().message());
  e.tier = *tier;
  e.cadence = q.Text(18);
  e.size_bytes = q.Int(19);
  return e;
}

// Binds an entity's columns for INSERT (?1..?19) or UPDATE (same positions).
void BindEntity(SqliteStatement& s, const Entity& e, int64_t import_id, uint64_t content_hash) {
  s.Bind(1, e.id)
      .Bind(2, EntityKindName(e.kind))
      .Bind(3, e.name)
      .Bind(4, e.ns)
      .Bind(5, e.type)
      .Bind(6, e.title)
      .Bind(7, e.description)
      .Bind(8, e.owner)
      .Bind(9, e.lifecycle)
      .Bind(10, MapToJson(e.labels))
      .Bind(11, MapToJson(e.annotations))
      .Bind(12, e.source)
      .Bind(13, e.uri)
      .Bind(14, e.format)
      .Bind(15, e.schema)
      .Bind(16, static_cast<int64_t>(e.schema_version))
      .Bind(17, TierName(e.tier))
      .Bind(18, e.cadence)
      .Bind(19, e.size_bytes)
      .Bind(20, static_cast<int64_t>(content_hash))
      .Bind(21, import_id);
}

// pk -> catalog index, dense when pks are.
class PkIndex {
 public:
  void Reserve(int64_t max_pk, size_t n) {
    dense_ = max_pk >= 0 && static_cast<uint64_t>(max_pk) < 8 * static_cast<uint64_t>(n) + 1024;
    if (dense_) table_.assign(static_cast<size_t>(max_pk) + 1, UINT32_MAX);
  }
  void Set(int64_t pk, uint32_t index) {
    if (dense_ && pk >= 0 && static_cast<size_t>(pk) < table_.size()) {
      table_[static_cast<size_t>(pk)] = index;
    } else {
      map_[pk] = index;
    }
  }
  uint32_t Get(int64_t pk) const {
    if (dense_ && pk >= 0 && static_cast<size_t>(pk) < table_.size()) return table_[static_cast<size_t>(pk)];
    auto it = map_.find(pk);
    return it == map_.end() ? UINT32_MAX : it->second;
  }

 private:
  bool dense_ = false;
  std::vector<uint32_t> table_;
  std::unordered_map<int64_t, uint32_t> map_;
};

}  // namespace

Status SqliteStateStore::ReplaceCatalogLocked(const Catalog& catalog, const ImportOptions& options,
                                              CatalogChangeSet* out) {
  const std::string now = Now();
  GAGGLE_ASSIGN_OR_RETURN(
      auto imp,
      db_->Prepare(
          "INSERT INTO catalog_imports (time, actor, source, added, updated, removed, edges_added, edges_removed, "
          "entities, edges) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0)"));
  imp.Bind(1, now).Bind(2, options.actor).Bind(3, options.source);
  GAGGLE_RETURN_IF_ERROR(imp.Run());
  const int64_t import_id = db_->LastInsertRowId();

  // Merge-join the sorted catalog with the stored entities (ORDER BY id is memcmp
  // order, as is std::string's).
  const size_t n = catalog.size();
  std::vector<int64_t> pk_of(n, 0);
  std::vector<size_t> to_add, to_update;
  std::vector<std::pair<int64_t, std::string>> to_remove;
  {
    GAGGLE_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT pk, id, content_hash FROM entities ORDER BY id"));
    size_t i = 0;
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      std::string id = q.Text(1);
      while (i < n && catalog.entity(static_cast<NodeId>(i)).id < id) to_add.push_back(i++);
      if (i < n && catalog.entity(static_cast<NodeId>(i)).id == id) {
        pk_of[i] = q.Int(0);
        if (static_cast<uint64_t>(q.Int(2)) != EntityContentHash(catalog.entity(static_cast<NodeId>(i)))) {
          to_update.push_back(i);
        }
        ++i;
      } else {
        to_remove.emplace_back(q.Int(0), std::move(id));
      }
    }
    while (i < n) to_add.push_back(i++);
  }

  // Edges as pk pairs, diffed against the stored ones (removed entities' edges included:
  // they are deleted explicitly before the entities).
  GAGGLE_ASSIGN_OR_RETURN(
      auto ins_entity,
      db_->Prepare(
          "INSERT INTO entities (id, kind, name, namespace, type, title, description, owner, lifecycle, labels, "
          "annotations, source, uri, format, schema, schema_version, tier, cadence, size_bytes, content_hash, "
          "import_id) "
          "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)"));
  GAGGLE_ASSIGN_OR_RETURN(
      auto upd_entity,
      db_->Prepare(
          "UPDATE entities SET id=?1, kind=?2, name=?3, namespace=?4, type=?5, title=?6, description=?7, owner=?8, "
          "lifecycle=?9, labels=?10, annotations=?11, source=?12, uri=?13, format=?14, schema=?15, schema_version=?16, "
          "tier=?17, cadence=?18, size_bytes=?19, content_hash=?20, import_id=?21 WHERE pk=?22"));
  GAGGLE_ASSIGN_OR_RETURN(auto del_queries, db_->Prepare("DELETE FROM entity_queries WHERE entity_pk = ?"));
  GAGGLE_ASSIGN_OR_RETURN(auto ins_query,
                          db_->Prepare("INSERT INTO entity_queries (entity_pk, ordinal, sql) VALUES (?, ?, ?)"));
  auto write_queries = [&](int64_t pk, const Entity& e) -> Status {
    for (size_t k = 0; k < e.queries.size(); ++k) {
      ins_query.Bind(1, pk).Bind(2, static_cast<int64_t>(k)).Bind(3, e.queries[k]);
      GAGGLE_RETURN_IF_ERROR(ins_query.Run());
    }
    return Status::OK();
  };
  // A dataset cut over by a migration keeps pointing at its new location when the imported
  // descriptor still names the location it was moved from (descriptors lag behind the
  // cut-over); a descriptor naming any other location wins. The stored content hash stays
  // the descriptor's, so re-importing it unchanged changes nothing.
  std::unordered_map<std::string, std::vector<std::pair<std::string, DatasetLocation>>> moved;
  if (!to_add.empty() || !to_update.empty()) {
    GAGGLE_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT dataset_id, previous_uri, next_uri, next_format, next_schema, "
                                                 "next_schema_version FROM cutovers WHERE state = 'current' "
                                                 "ORDER BY cut_at"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      moved[q.Text(0)].emplace_back(q.Text(1),
                                    DatasetLocation{q.Text(2), q.Text(3), q.Text(4), static_cast<int>(q.Int(5))});
    }
  }
  auto as_stored = [&moved](const Entity& imported) {
    Entity e = imported;
    auto it = moved.find(e.id);
    if (it == moved.end() || !e.is_dataset()) return e;
    for (const auto& [previous_uri, next] : it->second) {  // oldest cut-over first: follows a chain
      if (e.uri != previous_uri) continue;
      e.uri = next.uri;
      e.format = next.format;
      e.schema = next.schema;
      e.schema_version = next.schema_version;
    }
    return e;
  };
  for (size_t i : to_add) {
    const Entity& imported = catalog.entity(static_cast<NodeId>(i));
    const Entity e = as_stored(imported);
    BindEntity(ins_entity, e, import_id, EntityContentHash(imported));
    GAGGLE_RETURN_IF_ERROR(ins_entity.Run());
    pk_of[i] = db_->LastInsertRowId();
    GAGGLE_RETURN_IF_ERROR(write_queries(pk_of[i], e));
  }
  for (size_t i : to_update) {
    const Entity& imported = catalog.entity(static_cast<NodeId>(i));
    const Entity e = as_stored(imported);
    BindEntity(upd_entity, e, import_id, EntityContentHash(imported));
    upd_entity.Bind(22, pk_of[i]);
    GAGGLE_RETURN_IF_ERROR(upd_entity.Run());
    del_queries.Bind(1, pk_of[i]);
    GAGGLE_RETURN_IF_ERROR(del_queries.Run());
    GAGGLE_RETURN_IF_ERROR(write_queries(pk_of[i], e));
  }

  std::vector<std::pair<int64_t, int64_t>> want;
  want.reserve(catalog.num_edges());
  for (const auto& [u, d] : catalog.edges()) want.emplace_back(pk_of[u], pk_of[d]);
  std::sort(want.begin(), want.end());
  std::vector<std::pair<int64_t, int64_t>> have;
  {
    GAGGLE_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT upstream_pk, downstream_pk FROM lineage_edges ORDER BY upstream_pk, downstream_pk"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      have.emplace_back(q.Int(0), q.Int(1));
    }
  }
  std::vector<std::pair<int64_t, int64_t>> edges_to_add, edges_to_remove;
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(edges_to_add));
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(edges_to_remove));
  have.clear();
  have.shrink_to_fit();
  {
    GAGGLE_ASSIGN_OR_RETURN(auto del,
                            db_->Prepare("DELETE FROM lineage_edges WHERE upstream_pk = ? AND downstream_pk = ?"));
    for (const auto& [u, d] : edges_to_remove) {
      del.Bind(1, u).Bind(2, d);
      GAGGLE_RETURN_IF_ERROR(del.Run());
    }
    GAGGLE_ASSIGN_OR_RETURN(auto ins,
                            db_->Prepare("INSERT INTO lineage_edges (upstream_pk, downstream_pk) VALUES (?, ?)"));
    for (const auto& [u, d] : edges_to_add) {
      ins.Bind(1, u).Bind(2, d);
      GAGGLE_RETURN_IF_ERROR(ins.Run());
    }
  }
  {
    GAGGLE_ASSIGN_OR_RETURN(auto del, db_->Prepare("DELETE FROM entities WHERE pk = ?"));
    for (const auto& [pk, id] : to_remove) {
      del.Bind(1, pk);
      GAGGLE_RETURN_IF_ERROR(del.Run());
    }
  }

  out->import_id = import_id;
  out->time = now;
  out->actor = options.actor;
  out->source = options.source;
  for (size_t i : to_add) out->added.push_back(catalog.entity(static_cast<NodeId>(i)).id);
  for (size_t i : to_update) out->updated.push_back(catalog.entity(static_cast<NodeId>(i)).id);
  for (auto& [pk, id] : to_remove) out->removed.push_back(std::move(id));
  out->num_added = static_cast<int64_t>(out->added.size());
  out->num_updated = static_cast<int64_t>(out->updated.size());
  out->num_removed = static_cast<int64_t>(out->removed.size());
  out->edges_added = static_cast<int64_t>(edges_to_add.size());
  out->edges_removed = static_cast<int64_t>(edges_to_remove.size());
  out->entities = static_cast<int64_t>(n);
  out->edges = static_cast<int64_t>(catalog.num_edges());

  {
    GAGGLE_ASSIGN_OR_RETURN(
        auto chg, db_->Prepare("INSERT INTO catalog_import_changes (import_id, change, entity_id) VALUES (?, ?, ?)"));
    for (const auto& [name, list] : {std::pair<const char*, const std::vector<std::string>*>{"added", &out->added},
                                     {"updated", &out->updated},
                                     {"removed", &out->removed}}) {
      for (const std::string& id : *list) {
        chg.Bind(1, import_id).Bind(2, name).Bind(3, id);
        GAGGLE_RETURN_IF_ERROR(chg.Run());
      }
    }
    GAGGLE_ASSIGN_OR_RETURN(
        auto upd,
        db_->Prepare(
            "UPDATE catalog_imports SET added=?, updated=?, removed=?, edges_added=?, edges_removed=?, entities=?, "
            "edges=? WHERE import_id=?"));
    upd.Bind(1, out->num_added)
        .Bind(2, out->num_updated)
        .Bind(3, out->num_removed)
        .Bind(4, out->edges_added)
        .Bind(5, out->edges_removed)
        .Bind(6, out->entities)
        .Bind(7, out->edges)
        .Bind(8, import_id);
    GAGGLE_RETURN_IF_ERROR(upd.Run());
  }
  Event ev;
  ev.time = now;
  ev.actor = options.actor;
  ev.to_state = "catalog-imported";
  ev.detail = nlohmann::json{{"import_id", import_id},
                             {"source", options.source},
                             {"added", out->num_added},
                             {"updated", out->num_updated},
                             {"removed", out->num_removed},
                             {"edges_added", out->edges_added},
                             {"edges_removed", out->edges_removed}}
                  .dump();
  return InsertEvent(ev).status();
}

Result<CatalogChangeSet> SqliteStateStore::ReplaceCatalog(const Catalog& catalog, const ImportOptions& options) {
  if (!catalog.finalized()) return Status::InvalidArgument("catalog is not finalized");
  MutexLock lock(&mu_);
  // A bigger page cache for the duration of a large import (256 MB at most).
  GAGGLE_RETURN_IF_ERROR(db_->Exec("PRAGMA cache_size = -262144"));
  CatalogChangeSet out;
  Status st;
  {
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    st = ReplaceCatalogLocked(catalog, options, &out);
    if (st.ok()) st = tx->Commit();
  }
  (void)db_->Exec("PRAGMA cache_size = -2000");
  if (!st.ok()) return st;
  return out;
}

Result<Catalog> SqliteStateStore::LoadCatalog(const LoadCatalogOptions& options) {
  MutexLock lock(&mu_);
  // One read transaction: entities, queries and edges from the same snapshot.
  GAGGLE_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  struct EndRead {
    SqliteDb* db;
    ~EndRead() { (void)db->Exec("COMMIT"); }
  } end_read{db_.get()};

  int64_t count = 0, max_pk = 0;
  {
    GAGGLE_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT COUNT(*), COALESCE(MAX(pk), 0) FROM entities"));
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) {
      count = q.Int(0);
      max_pk = q.Int(1);
    }
  }
  std::vector<Entity> entities;
  entities.reserve(static_cast<size_t>(count));
  PkIndex index;
  index.Reserve(max_pk, static_cast<size_t>(count));
  {
    GAGGLE_ASSIGN_OR_RETURN(auto q,
                            db_->Prepare(std::string("SELECT ") + kEntityColumns + " FROM entities e ORDER BY e.id"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(q, true, options.with_annotations, path_));
      index.Set(q.Int(0), static_cast<uint32_t>(entities.size()));
      entities.push_back(std::move(e));
    }
  }
  if (options.with_queries) {
    GAGGLE_ASSIGN_OR_RETURN(auto q,
                            db_->Prepare("SELECT entity_pk, sql FROM entity_queries ORDER BY entity_pk, ordinal"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      uint32_t i = index.Get(q.Int(0));
      if (i != UINT32_MAX) entities[i].queries.push_back(q.Text(1));
    }
  }
  std::vector<std::pair<NodeId, NodeId>> edges;
  {
    GAGGLE_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT upstream_pk, downstream_pk FROM lineage_edges"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      uint32_t u = index.Get(q.Int(0)), d = index.Get(q.Int(1));
      if (u == UINT32_MAX || d == UINT32_MAX) {
        return Status::Corruption("state file '" + path_ + "': a lineage edge names a missing entity");
      }
      edges.emplace_back(u, d);
    }
  }
  auto catalog = Catalog::FromSorted(std::move(entities), std::move(edges));
  if (!catalog.ok()) return catalog.status().WithContext("state file '" + path_ + "'");
  return std::move(catalog).value();
}

Result<std::optional<Entity>> SqliteStateStore::FindEntity(const std::string& id) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto q,
                          db_->Prepare(std::string("SELECT ") + kEntityColumns + " FROM entities e WHERE e.id = ?"));
  q.Bind(1, id);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<Entity>();
  GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(q, true, true, path_));
  GAGGLE_ASSIGN_OR_RETURN(auto qq, db_->Prepare("SELECT sql FROM entity_queries WHERE entity_pk = ? ORDER BY ordinal"));
  qq.Bind(1, q.Int(0));
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, qq.Step());
    if (!more) break;
    e.queries.push_back(qq.Text(0));
  }
  return std::optional<Entity>(std::move(e));
}

Result<std::vector<Entity>> SqliteStateStore::Neighbors(const std::string& id, Direction direction) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto pkq, db_->Prepare("SELECT pk FROM entities WHERE id = ?"));
  pkq.Bind(1, id);
  GAGGLE_ASSIGN_OR_RETURN(bool found, pkq.Step());
  if (!found) return Status::NotFound("no entity '" + id + "' in the catalog (state file '" + path_ + "')");
  const int64_t pk = pkq.Int(0);
  const bool down = direction == Direction::kDownstream;
  const std::string from = down ? "upstream_pk" : "downstream_pk";
  const std::string to = down ? "downstream_pk" : "upstream_pk";
  // One pass over the edge index: the neighbour's summary columns and, through the
  // LEFT JOIN, its queries in order (rows of one neighbour are adjacent). Sorting by id
  // happens here rather than in SQL; a hub has thousands of neighbours.
  GAGGLE_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare(
          "SELECT e.pk, e.id, e.kind, e.name, e.namespace, e.type, e.owner, e.uri, e.format, e.schema_version, e.tier, "
          "e.size_bytes, q.sql FROM lineage_edges le JOIN entities e ON e.pk = le." +
          to + " LEFT JOIN entity_queries q ON q.entity_pk = e.pk WHERE le." + from + " = ? ORDER BY le." + to +
          ", q.ordinal"));
  q.Bind(1, pk);
  std::vector<Entity> out;
  int64_t last_pk = -1;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (q.Int(0) != last_pk) {
      last_pk = q.Int(0);
      Entity e;
      e.id = q.Text(1);
      auto kind = ParseEntityKind(q.Text(2));
      auto tier = ParseTier(q.Text(10));
      if (!kind.ok() || !tier.ok()) {
        return Status::Corruption("state file '" + path_ + "': entity '" + e.id + "' has a bad kind or tier");
      }
      e.kind = *kind;
      e.name = q.Text(3);
      e.ns = q.Text(4);
      e.type = q.Text(5);
      e.owner = q.Text(6);
      e.uri = q.Text(7);
      e.format = q.Text(8);
      e.schema_version = static_cast<int>(q.Int(9));
      e.tier = *tier;
      e.size_bytes = q.Int(11);
      out.push_back(std::move(e));
    }
    if (!q.IsNull(12)) out.back().queries.push_back(q.Text(12));
  }
  std::sort(out.begin(), out.end(), [](const Entity& a, const Entity& b) { return a.id < b.id; });
  return out;
}

Status SqliteStateStore::ForEachEntity(const std::function<bool(const Entity&)>& fn) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto q,
                          db_->Prepare(std::string("SELECT ") + kEntityColumns + " FROM entities e ORDER BY e.id"));
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(q, true, true, path_));
    if (!fn(e)) break;
  }
  return Status::OK();
}

}  // namespace gaggle
