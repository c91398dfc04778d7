// SqliteRecords: the catalog — entities (keyed by their integer pk), their queries,
// lineage edges, import history (schema migration 1).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite_records.h"

namespace gaggle {

using sqlite_records::ResetOnExit;
using sqlite_records::StepAll;

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

// Binds an entity's columns for INSERT (?1..?21) or UPDATE (same positions).
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

}  // namespace

// ---------------------------------------------------------------- reading

Result<std::optional<Entity>> SqliteRecords::FindEntity(const std::string& id) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kEntityColumns + " FROM entities e WHERE e.id = ?"));
  ResetOnExit reset(q);
  q->Bind(1, id);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<Entity>();
  GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(*q, true, true, path_));
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * qq,
                          Cached("SELECT sql FROM entity_queries WHERE entity_pk = ? ORDER BY ordinal"));
  ResetOnExit reset_queries(qq);
  qq->Bind(1, q->Int(0));
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, qq->Step());
    if (!more) break;
    e.queries.push_back(qq->Text(0));
  }
  return std::optional<Entity>(std::move(e));
}

Status SqliteRecords::ScanEntities(const EntityScanOptions& options,
                                   const std::function<bool(int64_t key, Entity&& entity)>& fn) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kEntityColumns + " FROM entities e ORDER BY e.id"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(*q, options.with_labels, options.with_annotations, path_));
    if (!fn(q->Int(0), std::move(e))) break;
  }
  return Status::OK();
}

Status SqliteRecords::ScanEntityDigests(const std::function<void(EntityDigest&& digest)>& fn) {
  // ORDER BY id is memcmp order (the column's BINARY collation), as is std::string's.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT pk, id, content_hash FROM entities ORDER BY id"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    fn(EntityDigest{q->Int(0), q->Text(1), static_cast<uint64_t>(q->Int(2))});
  }
  return Status::OK();
}

Status SqliteRecords::ScanEntityQueries(const std::function<void(int64_t key, std::string&& sql)>& fn) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT entity_pk, sql FROM entity_queries ORDER BY entity_pk, ordinal"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    fn(q->Int(0), q->Text(1));
  }
  return Status::OK();
}

Status SqliteRecords::ScanEdges(const std::function<void(int64_t upstream, int64_t downstream)>& fn) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached("SELECT upstream_pk, downstream_pk FROM lineage_edges ORDER BY upstream_pk, downstream_pk"));
  ResetOnExit reset(q);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    fn(q->Int(0), q->Int(1));
  }
  return Status::OK();
}

Result<std::vector<Entity>> SqliteRecords::Neighbors(const std::string& id, Direction direction) {
  int64_t pk = 0;
  {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * pkq, Cached("SELECT pk FROM entities WHERE id = ?"));
    ResetOnExit reset(pkq);
    pkq->Bind(1, id);
    GAGGLE_ASSIGN_OR_RETURN(bool found, pkq->Step());
    if (!found) return Status::NotFound("no entity '" + id + "' in the catalog (" + StateFile() + ")");
    pk = pkq->Int(0);
  }
  const bool down = direction == Direction::kDownstream;
  const std::string from = down ? "upstream_pk" : "downstream_pk";
  const std::string to = down ? "downstream_pk" : "upstream_pk";
  // One pass over the edge index: the neighbour's summary columns and, through the
  // LEFT JOIN, its queries in order (rows of one neighbour are adjacent). Sorting by id
  // happens here rather than in SQL; a hub has thousands of neighbours.
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached("SELECT e.pk, e.id, e.kind, e.name, e.namespace, e.type, e.owner, e.uri, e.format, e.schema_version, "
             "e.tier, e.size_bytes, q.sql FROM lineage_edges le JOIN entities e ON e.pk = le." +
             to + " LEFT JOIN entity_queries q ON q.entity_pk = e.pk WHERE le." + from + " = ? ORDER BY le." + to +
             ", q.ordinal"));
  ResetOnExit reset(q);
  q->Bind(1, pk);
  std::vector<Entity> out;
  int64_t last_pk = -1;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    if (q->Int(0) != last_pk) {
      last_pk = q->Int(0);
      Entity e;
      e.id = q->Text(1);
      auto kind = ParseEntityKind(q->Text(2));
      auto tier = ParseTier(q->Text(10));
      if (!kind.ok() || !tier.ok()) {
        return Status::Corruption(StateFile() + ": entity '" + e.id + "' has a bad kind or tier");
      }
      e.kind = *kind;
      e.name = q->Text(3);
      e.ns = q->Text(4);
      e.type = q->Text(5);
      e.owner = q->Text(6);
      e.uri = q->Text(7);
      e.format = q->Text(8);
      e.schema_version = static_cast<int>(q->Int(9));
      e.tier = *tier;
      e.size_bytes = q->Int(11);
      out.push_back(std::move(e));
    }
    if (!q->IsNull(12)) out.back().queries.push_back(q->Text(12));
  }
  std::sort(out.begin(), out.end(), [](const Entity& a, const Entity& b) { return a.id < b.id; });
  return out;
}

Result<CatalogStats> SqliteRecords::GetCatalogStats() {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached("SELECT (SELECT COUNT(*) FROM entities WHERE kind = 'dataset'), (SELECT COUNT(*) FROM entities WHERE "
             "kind <> 'dataset'), (SELECT COUNT(*) FROM lineage_edges), (SELECT COUNT(*) FROM catalog_imports), "
             "(SELECT COALESCE(MAX(time), '') FROM catalog_imports)"));
  ResetOnExit reset(q);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  CatalogStats s;
  if (row) s = CatalogStats{q->Int(0), q->Int(1), q->Int(2), q->Int(3), q->Text(4)};
  return s;
}

Result<int64_t> SqliteRecords::CountEntities() {
  // Counted on the id index, the smallest b-tree holding every entity.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached("SELECT COUNT(*) FROM entities"));
  ResetOnExit reset(q);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : int64_t{0};
}

Status SqliteRecords::LoadImportIds(CatalogChangeSet* set) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * q,
      Cached("SELECT change, entity_id FROM catalog_import_changes WHERE import_id = ? ORDER BY entity_id"));
  ResetOnExit reset(q);
  q->Bind(1, set->import_id);
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    const std::string change = q->Text(0);
    std::vector<std::string>* list = change == "added"     ? &set->added
                                     : change == "updated" ? &set->updated
                                                           : &set->removed;
    list->push_back(q->Text(1));
  }
  return Status::OK();
}

Result<std::vector<CatalogChangeSet>> SqliteRecords::ListImports(size_t limit, bool with_ids) {
  std::vector<CatalogChangeSet> out;
  {
    GAGGLE_ASSIGN_OR_RETURN(
        SqliteStatement * q,
        Cached("SELECT import_id, time, actor, source, added, updated, removed, edges_added, edges_removed, "
               "entities, edges FROM catalog_imports ORDER BY import_id DESC LIMIT ?"));
    ResetOnExit reset(q);
    q->Bind(1, static_cast<int64_t>(limit));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      CatalogChangeSet c;
      c.import_id = q->Int(0);
      c.time = q->Text(1);
      c.actor = q->Text(2);
      c.source = q->Text(3);
      c.num_added = q->Int(4);
      c.num_updated = q->Int(5);
      c.num_removed = q->Int(6);
      c.edges_added = q->Int(7);
      c.edges_removed = q->Int(8);
      c.entities = q->Int(9);
      c.edges = q->Int(10);
      out.push_back(std::move(c));
    }
  }
  if (with_ids) {
    for (CatalogChangeSet& c : out) GAGGLE_RETURN_IF_ERROR(LoadImportIds(&c));
  }
  return out;
}

// ---------------------------------------------------------------- writing

Status SqliteRecords::WriteQueries(int64_t key, const Entity& e) {
  if (e.queries.empty()) return Status::OK();
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO entity_queries (entity_pk, ordinal, sql) VALUES (?, ?, ?)"));
  ResetOnExit reset(ins);
  for (size_t k = 0; k < e.queries.size(); ++k) {
    ins->Bind(1, key).Bind(2, static_cast<int64_t>(k)).Bind(3, e.queries[k]);
    GAGGLE_RETURN_IF_ERROR(ins->Run());
  }
  return Status::OK();
}

Result<int64_t> SqliteRecords::InsertEntity(const Entity& e, uint64_t content_hash, int64_t import_id) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO entities (id, kind, name, namespace, type, title, description, owner, lifecycle, labels, "
             "annotations, source, uri, format, schema, schema_version, tier, cadence, size_bytes, content_hash, "
             "import_id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)"));
  {
    ResetOnExit reset(ins);
    BindEntity(*ins, e, import_id, content_hash);
    GAGGLE_RETURN_IF_ERROR(ins->Run());
  }
  const int64_t key = db_->LastInsertRowId();
  GAGGLE_RETURN_IF_ERROR(WriteQueries(key, e));
  return key;
}

Status SqliteRecords::UpdateEntity(int64_t key, const Entity& e, uint64_t content_hash, int64_t import_id) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * upd,
      Cached("UPDATE entities SET id=?1, kind=?2, name=?3, namespace=?4, type=?5, title=?6, description=?7, "
             "owner=?8, lifecycle=?9, labels=?10, annotations=?11, source=?12, uri=?13, format=?14, schema=?15, "
             "schema_version=?16, tier=?17, cadence=?18, size_bytes=?19, content_hash=?20, import_id=?21 "
             "WHERE pk=?22"));
  {
    ResetOnExit reset(upd);
    BindEntity(*upd, e, import_id, content_hash);
    upd->Bind(22, key);
    GAGGLE_RETURN_IF_ERROR(upd->Run());
  }
  {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * del, Cached("DELETE FROM entity_queries WHERE entity_pk = ?"));
    ResetOnExit reset(del);
    del->Bind(1, key);
    GAGGLE_RETURN_IF_ERROR(del->Run());
  }
  return WriteQueries(key, e);
}

Status SqliteRecords::DeleteEntity(int64_t key) {
  // Its queries and edges go by ON DELETE CASCADE.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * del, Cached("DELETE FROM entities WHERE pk = ?"));
  ResetOnExit reset(del);
  del->Bind(1, key);
  return del->Run();
}

Status SqliteRecords::InsertEdge(int64_t upstream, int64_t downstream) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * ins,
                          Cached("INSERT INTO lineage_edges (upstream_pk, downstream_pk) VALUES (?, ?)"));
  ResetOnExit reset(ins);
  ins->Bind(1, upstream).Bind(2, downstream);
  return ins->Run();
}

Status SqliteRecords::DeleteEdge(int64_t upstream, int64_t downstream) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * del,
                          Cached("DELETE FROM lineage_edges WHERE upstream_pk = ? AND downstream_pk = ?"));
  ResetOnExit reset(del);
  del->Bind(1, upstream).Bind(2, downstream);
  return del->Run();
}

Result<int64_t> SqliteRecords::BeginImport(const CatalogChangeSet& import) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached("INSERT INTO catalog_imports (time, actor, source, added, updated, removed, edges_added, edges_removed, "
             "entities, edges) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0)"));
  ResetOnExit reset(ins);
  ins->Bind(1, import.time).Bind(2, import.actor).Bind(3, import.source);
  GAGGLE_RETURN_IF_ERROR(ins->Run());
  return db_->LastInsertRowId();
}

Status SqliteRecords::FinishImport(const CatalogChangeSet& c) {
  {
    GAGGLE_ASSIGN_OR_RETURN(
        SqliteStatement * chg,
        Cached("INSERT INTO catalog_import_changes (import_id, change, entity_id) VALUES (?, ?, ?)"));
    ResetOnExit reset(chg);
    for (const auto& [name, list] : {std::pair<const char*, const std::vector<std::string>*>{"added", &c.added},
                                     {"updated", &c.updated},
                                     {"removed", &c.removed}}) {
      for (const std::string& id : *list) {
        chg->Bind(1, c.import_id).Bind(2, name).Bind(3, id);
        GAGGLE_RETURN_IF_ERROR(chg->Run());
      }
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * upd,
      Cached("UPDATE catalog_imports SET added=?, updated=?, removed=?, edges_added=?, edges_removed=?, "
             "entities=?, edges=? WHERE import_id=?"));
  ResetOnExit reset(upd);
  upd->Bind(1, c.num_added)
      .Bind(2, c.num_updated)
      .Bind(3, c.num_removed)
      .Bind(4, c.edges_added)
      .Bind(5, c.edges_removed)
      .Bind(6, c.entities)
      .Bind(7, c.edges)
      .Bind(8, c.import_id);
  return upd->Run();
}

Result<bool> SqliteRecords::PointDataset(const std::string& id, const DatasetLocation& l) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * point,
                          Cached("UPDATE entities SET uri = ?, format = ?, schema = ?, schema_version = ? "
                                 "WHERE id = ? AND kind = 'dataset' RETURNING pk"));
  ResetOnExit reset(point);
  point->Bind(1, l.uri).Bind(2, l.format).Bind(3, l.schema).Bind(4, static_cast<int64_t>(l.schema_version)).Bind(5, id);
  return StepAll(point);
}

}  // namespace gaggle
