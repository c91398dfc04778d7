// The native catalog file (`gaggle_catalog: 1`) -> draft entities. Format: docs/catalog.md.
#include <cctype>
#include <set>

#include "catalog/catalog_yaml_internal.h"
#include "catalog/entity_ref.h"
#include "common/ascii.h"

namespace gaggle::catalog_yaml {
namespace {

const std::set<std::string>& DatasetKeys() {
  static const std::set<std::string> k = {
      "id",    "uri",         "format", "schema",      "schema_version", "tier",     "cadence",    "size", "owner",
      "title", "description", "labels", "annotations", "queries",        "upstream", "downstream", "type"};
  return k;
}

const std::set<std::string>& ConsumerKeys() {
  static const std::set<std::string> k = {"id",          "kind",   "type",        "owner",   "lifecycle", "title",
                                          "description", "labels", "annotations", "queries", "upstream",  "downstream"};
  return k;
}

void CheckKeys(const YAML::Node& item, const std::set<std::string>& known, const std::string& what,
               const DocContext& ctx) {
  for (const auto& kv : item) {
    if (!kv.first.IsScalar()) continue;
    if (!known.count(kv.first.Scalar())) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      ctx.Problem(kv.first, what + ": unknown key '" + kv.first.Scalar() + "' (known: " + list + ")");
    }
  }
}

void CollectNativeRefs(const YAML::Node& item, const char* key, const DocContext& ctx, std::vector<DraftRef>* out) {
  std::vector<std::pair<std::string, YAML::Node>> refs;
  GetStringList(item, key, ctx, &refs);
  for (const auto& [text, node] : refs) out->push_back(DraftRef{text, true, "default", Line(node), Column(node)});
}

// Fills the fields both kinds share; returns false when the entry is unusable.
bool ReadCommon(const YAML::Node& item, EntityKind kind, const DocContext& ctx, DraftEntity* d) {
  Entity& e = d->entity;
  std::string id;
  if (!GetScalar(item, "id", ctx, &id, /*required=*/true, kind == EntityKind::kDataset ? "dataset" : "consumer")) {
    return false;
  }
  // "ns/name" ids put the entity in a Backstage namespace.
  std::string ns = "default", name = id;
  size_t slash = id.find('/');
  if (slash != std::string::npos) {
    ns = AsciiLower(id.substr(0, slash));
    name = id.substr(slash + 1);
  }
  if (!IsValidBackstageName(name) || !IsValidBackstageName(ns)) {
    ctx.Problem(item["id"], "id '" + id +
                                "' is not valid (\"name\" or \"namespace/name\", each 1-63 of "
                                "[A-Za-z0-9-_.], starting and ending with a letter or digit)");
    return false;
  }
  e.kind = kind;
  e.name = name;
  e.ns = ns;
  e.id = MakeEntityId(kind, ns, name);
  e.source = ctx.file;
  d->key =
      std::string(kind == EntityKind::kDataset ? "resource" : EntityKindName(kind)) + ":" + ns + "/" + AsciiLower(name);
  d->line = Line(item);
  d->column = Column(item);
  GetScalar(item, "type", ctx, &e.type);
  GetScalar(item, "owner", ctx, &e.owner);
  GetScalar(item, "title", ctx, &e.title);
  GetScalar(item, "description", ctx, &e.description);
  std::vector<std::pair<std::string, YAML::Node>> kvs;
  GetStringMap(item, "labels", ctx, &kvs);
  for (const auto& [k, v] : kvs) e.labels[k] = v.IsNull() ? "" : v.Scalar();
  kvs.clear();
  GetStringMap(item, "annotations", ctx, &kvs);
  for (const auto& [k, v] : kvs) e.annotations[k] = v.IsNull() ? "" : v.Scalar();
  YAML::Node queries = item["queries"];
  if (queries.IsDefined() && !queries.IsNull()) {
    if (queries.IsScalar()) {
      e.queries = ParseQueries(queries.Scalar(), queries, ctx);
    } else {
      std::vector<std::pair<std::string, YAML::Node>> list;
      GetStringList(item, "queries", ctx, &list);
      for (const auto& [q, node] : list) {
        if (!q.empty()) e.queries.push_back(q);
      }
    }
  }
  CollectNativeRefs(item, "upstream", ctx, &d->upstream);
  CollectNativeRefs(item, "downstream", ctx, &d->downstream);
  return true;
}

void ReadDataset(const YAML::Node& item, const DocContext& ctx) {
  if (!item.IsMap()) {
    ctx.Problem(item, "each entry of 'datasets' must be a mapping");
    return;
  }
  CheckKeys(item, DatasetKeys(), "dataset", ctx);
  DraftEntity d;
  if (!ReadCommon(item, EntityKind::kDataset, ctx, &d)) return;
  if (d.entity.type.empty()) d.entity.type = "dataset";
  for (const char* fact : {"uri", "format"}) {
    if (!item[fact].IsDefined()) ctx.Problem(item, d.entity.id + ": dataset has no '" + fact + "' (required)");
  }
  static const std::pair<const char*, const char*> kFacts[] = {
      {"uri", "uri"},   {"format", "format"},   {"schema", "schema"}, {"schema_version", "schema-version"},
      {"tier", "tier"}, {"cadence", "cadence"}, {"size", "size"}};
  for (const auto& [key, fact] : kFacts) {
    std::string value;
    if (GetScalar(item, key, ctx, &value)) ApplyDatasetFact(fact, value, item[key], ctx, &d.entity);
  }
  ctx.draft->AddEntity(std::move(d));
}

void ReadConsumer(const YAML::Node& item, const DocContext& ctx) {
  if (!item.IsMap()) {
    ctx.Problem(item, "each entry of 'consumers' must be a mapping");
    return;
  }
  CheckKeys(item, ConsumerKeys(), "consumer", ctx);
  std::string kind_text = "component";
  GetScalar(item, "kind", ctx, &kind_text);
  auto kind = ParseEntityKind(kind_text);
  if (!kind.ok() || *kind == EntityKind::kDataset) {
    ctx.Problem(item["kind"], "consumer kind '" + kind_text + "' must be component, system or resource");
    return;
  }
  DraftEntity d;
  if (!ReadCommon(item, *kind, ctx, &d)) return;
  GetScalar(item, "lifecycle", ctx, &d.entity.lifecycle);
  ctx.draft->AddEntity(std::move(d));
}

}  // namespace

void ImportNativeDocument(const YAML::Node& doc, const DocContext& ctx) {
  std::string version;
  GetScalar(doc, "gaggle_catalog", ctx, &version);
  if (version != "1") {
    ctx.Problem(doc["gaggle_catalog"], "unsupported native catalog version '" + version + "' (this gaggle reads 1)");
    return;
  }
  for (const auto& kv : doc) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (k != "gaggle_catalog" && k != "datasets" && k != "consumers") {
      ctx.Problem(kv.first, "unknown top-level key '" + k + "' (known: gaggle_catalog, datasets, consumers)");
    }
  }
  for (const char* section : {"datasets", "consumers"}) {
    YAML::Node list = doc[section];
    if (!list.IsDefined() || list.IsNull()) continue;
    if (!list.IsSequence()) {
      ctx.Problem(list, std::string("'") + section + "' must be a list");
      continue;
    }
    for (const auto& item : list) {
      if (section[0] == 'd') {
        ReadDataset(item, ctx);
      } else {
        ReadConsumer(item, ctx);
      }
    }
  }
}

}  // namespace gaggle::catalog_yaml
