// PostgresRecords: the catalog — entities (keyed by their identity pk), their queries,
// lineage edges, import history.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/postgres_records.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::Text;

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

// Reads the kEntityColumns of `r` (starting at column 0).
Result<Entity> ReadEntity(const pqxx::row& r, bool with_labels, bool with_annotations, const std::string& state) {
  Entity e;
  e.id = Text(r[1]);
  const std::string where = state + ": entity '" + e.id + "'";
  auto kind = ParseEntityKind(Text(r[2]));
  if (!kind.ok()) return Status::Corruption(where + ": " + kind.status().message());
  e.kind = *kind;
  e.name = Text(r[3]);
  e.ns = Text(r[4]);
  e.type = Text(r[5]);
  e.title = Text(r[6]);
  e.description = Text(r[7]);
  e.owner = Text(r[8]);
  e.lifecycle = Text(r[9]);
  if (with_labels) GAGGLE_RETURN_IF_ERROR(JsonToMap(Text(r[10]), &e.labels, where));
  if (with_annotations) GAGGLE_RETURN_IF_ERROR(JsonToMap(Text(r[11]), &e.annotations, where));
  e.source = Text(r[12]);
  e.uri = Text(r[13]);
  e.format = Text(r[14]);
  e.schema = Text(r[15]);
  e.schema_version = static_cast<int>(Int(r[16]));
  auto tier = ParseTier(Text(r[17]));
  if (!tier.ok()) return Status::Corruption(where + ": " + tier.status().message());
  e.tier = *tier;
  e.cadence = Text(r[18]);
  e.size_bytes = Int(r[19]);
  return e;
}

// An entity's columns for INSERT ($1..$21) or UPDATE (same positions).
PostgresRecords::Params EntityParams(const Entity& e, int64_t import_id, uint64_t content_hash) {
  using P = PostgresRecords;
  return {e.id,
          EntityKindName(e.kind),
          e.name,
          e.ns,
          e.type,
          e.title,
          e.description,
          e.owner,
          e.lifecycle,
          MapToJson(e.labels),
          MapToJson(e.annotations),
          e.source,
          e.uri,
          e.format,
          e.schema,
          P::Param(e.schema_version),
          TierName(e.tier),
          e.cadence,
          P::Param(e.size_bytes),
          P::Param(static_cast<int64_t>(content_hash)),
          P::Param(import_id)};
}

}  // namespace

// ---------------------------------------------------------------- reading

Result<std::optional<Entity>> PostgresRecords::FindEntity(const std::string& id) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Q(std::string("SELECT ") + kEntityColumns + " FROM entities e WHERE e.id = $1", id));
  if (rows.empty()) return std::optional<Entity>();
  GAGGLE_ASSIGN_OR_RETURN(Entity e, ReadEntity(rows[0], true, true, StateName()));
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result queries,
                          Q("SELECT sql FROM entity_queries WHERE entity_pk = $1 ORDER BY ordinal", Int(rows[0][0])));
  for (const pqxx::row& q : queries) e.queries.push_back(Text(q[0]));
  return std::optional<Entity>(std::move(e));
}

Status PostgresRecords::ScanEntities(const EntityScanOptions& options,
                                     const std::function<bool(int64_t key, Entity&& entity)>& fn) {
  Status bad;
  GAGGLE_RETURN_IF_ERROR(
      Scan(std::string("SELECT ") + kEntityColumns + " FROM entities e ORDER BY e.id", [&](const pqxx::row& r) {
        auto e = ReadEntity(r, options.with_labels, options.with_annotations, StateName());
        if (!e.ok()) {
          bad = e.status();
          return false;
        }
        return fn(Int(r[0]), std::move(e).value());
      }));
  return bad;
}

Status PostgresRecords::ScanEntityDigests(const std::function<void(EntityDigest&& digest)>& fn) {
  // id is COLLATE "C": ORDER BY id is memcmp order, as is std::string's.
  return Scan("SELECT pk, id, content_hash FROM entities ORDER BY id", [&](const pqxx::row& r) {
    fn(EntityDigest{Int(r[0]), Text(r[1]), static_cast<uint64_t>(Int(r[2]))});
    return true;
  });
}

Status PostgresRecords::ScanEntityQueries(const std::function<void(int64_t key, std::string&& sql)>& fn) {
  return Scan("SELECT entity_pk, sql FROM entity_queries ORDER BY entity_pk, ordinal", [&](const pqxx::row& r) {
    fn(Int(r[0]), Text(r[1]));
    return true;
  });
}

Status PostgresRecords::ScanEdges(const std::function<void(int64_t upstream, int64_t downstream)>& fn) {
  return Scan("SELECT upstream_pk, downstream_pk FROM lineage_edges ORDER BY upstream_pk, downstream_pk",
              [&](const pqxx::row& r) {
                fn(Int(r[0]), Int(r[1]));
                return true;
              });
}

Result<std::vector<Entity>> PostgresRecords::Neighbors(const std::string& id, Direction direction) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result found, Q("SELECT pk FROM entities WHERE id = $1", id));
  if (found.empty()) return Status::NotFound("no entity '" + id + "' in the catalog (" + StateName() + ")");
  const int64_t pk = Int(found[0][0]);
  const bool down = direction == Direction::kDownstream;
  const std::string from = down ? "upstream_pk" : "downstream_pk";
  const std::string to = down ? "downstream_pk" : "upstream_pk";
  // The neighbours' summary columns and, through the LEFT JOIN, their queries in order
  // (rows of one neighbour are adjacent); sorted by id here.
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT e.pk, e.id, e.kind, e.name, e.namespace, e.type, e.owner, e.uri, e.format, e.schema_version, "
        "e.tier, e.size_bytes, q.sql FROM lineage_edges le JOIN entities e ON e.pk = le." +
            to + " LEFT JOIN entity_queries q ON q.entity_pk = e.pk WHERE le." + from + " = $1 ORDER BY le." + to +
            ", q.ordinal",
        pk));
  std::vector<Entity> out;
  int64_t last_pk = -1;
  for (const pqxx::row& r : rows) {
    if (Int(r[0]) != last_pk) {
      last_pk = Int(r[0]);
      Entity e;
      e.id = Text(r[1]);
      auto kind = ParseEntityKind(Text(r[2]));
      auto tier = ParseTier(Text(r[10]));
      if (!kind.ok() || !tier.ok()) {
        return Status::Corruption(StateName() + ": entity '" + e.id + "' has a bad kind or tier");
      }
      e.kind = *kind;
      e.name = Text(r[3]);
      e.ns = Text(r[4]);
      e.type = Text(r[5]);
      e.owner = Text(r[6]);
      e.uri = Text(r[7]);
      e.format = Text(r[8]);
      e.schema_version = static_cast<int>(Int(r[9]));
      e.tier = *tier;
      e.size_bytes = Int(r[11]);
      out.push_back(std::move(e));
    }
    if (!r[12].is_null()) out.back().queries.push_back(Text(r[12]));
  }
  std::sort(out.begin(), out.end(), [](const Entity& a, const Entity& b) { return a.id < b.id; });
  return out;
}

Result<CatalogStats> PostgresRecords::GetCatalogStats() {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT (SELECT COUNT(*) FROM entities WHERE kind = 'dataset'), (SELECT COUNT(*) FROM entities WHERE "
        "kind <> 'dataset'), (SELECT COUNT(*) FROM lineage_edges), (SELECT COUNT(*) FROM catalog_imports), "
        "(SELECT COALESCE(MAX(time), '') FROM catalog_imports)"));
  const pqxx::row& r = rows[0];
  return CatalogStats{Int(r[0]), Int(r[1]), Int(r[2]), Int(r[3]), Text(r[4])};
}

Result<int64_t> PostgresRecords::CountEntities() {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q("SELECT COUNT(*) FROM entities"));
  return Int(rows[0][0]);
}

Status PostgresRecords::LoadImportIds(CatalogChangeSet* set) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT change, entity_id FROM catalog_import_changes WHERE import_id = $1 ORDER BY entity_id",
        set->import_id));
  for (const pqxx::row& r : rows) {
    const std::string change = Text(r[0]);
    std::vector<std::string>* list = change == "added"     ? &set->added
                                     : change == "updated" ? &set->updated
                                                           : &set->removed;
    list->push_back(Text(r[1]));
  }
  return Status::OK();
}

Result<std::vector<CatalogChangeSet>> PostgresRecords::ListImports(size_t limit, bool with_ids) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("SELECT import_id, time, actor, source, added, updated, removed, edges_added, edges_removed, entities, edges "
        "FROM catalog_imports ORDER BY import_id DESC LIMIT $1",
        static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))));
  std::vector<CatalogChangeSet> out;
  for (const pqxx::row& r : rows) {
    CatalogChangeSet c;
    c.import_id = Int(r[0]);
    c.time = Text(r[1]);
    c.actor = Text(r[2]);
    c.source = Text(r[3]);
    c.num_added = Int(r[4]);
    c.num_updated = Int(r[5]);
    c.num_removed = Int(r[6]);
    c.edges_added = Int(r[7]);
    c.edges_removed = Int(r[8]);
    c.entities = Int(r[9]);
    c.edges = Int(r[10]);
    out.push_back(std::move(c));
  }
  if (with_ids) {
    for (CatalogChangeSet& c : out) GAGGLE_RETURN_IF_ERROR(LoadImportIds(&c));
  }
  return out;
}

// ---------------------------------------------------------------- writing

Status PostgresRecords::WriteQueries(int64_t key, const Entity& e) {
  for (size_t k = 0; k < e.queries.size(); ++k) {
    GAGGLE_RETURN_IF_ERROR(
        Q("INSERT INTO entity_queries (entity_pk, ordinal, sql) VALUES ($1, $2, $3)", key, k, e.queries[k]).status());
  }
  return Status::OK();
}

Result<int64_t> PostgresRecords::InsertEntity(const Entity& e, uint64_t content_hash, int64_t import_id) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Exec("INSERT INTO entities (id, kind, name, namespace, type, title, description, owner, lifecycle, labels, "
           "annotations, source, uri, format, schema, schema_version, tier, cadence, size_bytes, content_hash, "
           "import_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21) "
           "RETURNING pk",
           EntityParams(e, import_id, content_hash)));
  const int64_t key = Int(rows[0][0]);
  GAGGLE_RETURN_IF_ERROR(WriteQueries(key, e));
  return key;
}

Status PostgresRecords::UpdateEntity(int64_t key, const Entity& e, uint64_t content_hash, int64_t import_id) {
  Params params = EntityParams(e, import_id, content_hash);
  params.push_back(Param(key));
  GAGGLE_RETURN_IF_ERROR(
      Exec("UPDATE entities SET id=$1, kind=$2, name=$3, namespace=$4, type=$5, title=$6, description=$7, "
           "owner=$8, lifecycle=$9, labels=$10, annotations=$11, source=$12, uri=$13, format=$14, schema=$15, "
           "schema_version=$16, tier=$17, cadence=$18, size_bytes=$19, content_hash=$20, import_id=$21 "
           "WHERE pk=$22",
           params)
          .status());
  GAGGLE_RETURN_IF_ERROR(Q("DELETE FROM entity_queries WHERE entity_pk = $1", key).status());
  return WriteQueries(key, e);
}

Status PostgresRecords::DeleteEntity(int64_t key) {
  // Its queries and edges go by ON DELETE CASCADE.
  return Q("DELETE FROM entities WHERE pk = $1", key).status();
}

Status PostgresRecords::InsertEdge(int64_t upstream, int64_t downstream) {
  return Q("INSERT INTO lineage_edges (upstream_pk, downstream_pk) VALUES ($1, $2)", upstream, downstream).status();
}

Status PostgresRecords::DeleteEdge(int64_t upstream, int64_t downstream) {
  return Q("DELETE FROM lineage_edges WHERE upstream_pk = $1 AND downstream_pk = $2", upstream, downstream).status();
}

Result<int64_t> PostgresRecords::BeginImport(const CatalogChangeSet& import) {
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Q("INSERT INTO catalog_imports (time, actor, source, added, updated, removed, edges_added, edges_removed, "
        "entities, edges) VALUES ($1, $2, $3, 0, 0, 0, 0, 0, 0, 0) RETURNING import_id",
        import.time, import.actor, import.source));
  return Int(rows[0][0]);
}

Status PostgresRecords::FinishImport(const CatalogChangeSet& c) {
  for (const auto& [name, list] : {std::pair<const char*, const std::vector<std::string>*>{"added", &c.added},
                                   {"updated", &c.updated},
                                   {"removed", &c.removed}}) {
    for (const std::string& id : *list) {
      GAGGLE_RETURN_IF_ERROR(Q("INSERT INTO catalog_import_changes (import_id, change, entity_id) VALUES ($1, $2, $3)",
                               c.import_id, name, id)
                                 .status());
    }
  }
  return Q("UPDATE catalog_imports SET added=$1, updated=$2, removed=$3, edges_added=$4, edges_removed=$5, "
           "entities=$6, edges=$7 WHERE import_id=$8",
           c.num_added, c.num_updated, c.num_removed, c.edges_added, c.edges_removed, c.entities, c.edges, c.import_id)
      .status();
}

Result<bool> PostgresRecords::PointDataset(const std::string& id, const DatasetLocation& l) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q("UPDATE entities SET uri = $1, format = $2, schema = $3, "
                                               "schema_version = $4 WHERE id = $5 AND kind = 'dataset' RETURNING pk",
                                               l.uri, l.format, l.schema, l.schema_version, id));
  return !rows.empty();
}

}  // namespace gaggle
