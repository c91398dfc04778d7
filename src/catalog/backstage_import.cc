// Backstage descriptor documents -> draft entities (see docs/catalog.md).
#include <cctype>
#include <optional>

#include "catalog/annotations.h"
#include "catalog/catalog_yaml_internal.h"
#include "catalog/entity_ref.h"

namespace gaggle::catalog_yaml {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsDatasetType(const std::string& type) {
  std::string t = Lower(type);
  return t == "dataset" || t == "table" || t == "database";
}

bool IsExportOnlyAnnotation(std::string_view key) {
  using namespace annotations;
  for (std::string_view k : {kGeneratedBy, kMigrations, kMigration, kAgent, kAgentVersion, kTargetUri, kTargetFormat,
                             kTargetSchemaVersion, kPlanHash, kStage, kWave, kDatasetCount}) {
    if (key == k) return true;
  }
  return false;
}

void CollectRefs(const YAML::Node& spec, const char* key, const std::string& ns, const DocContext& ctx,
                 std::vector<DraftRef>* out) {
  std::vector<std::pair<std::string, YAML::Node>> refs;
  GetStringList(spec, key, ctx, &refs);
  for (const auto& [text, node] : refs) {
    out->push_back(DraftRef{text, false, ns, Line(node), Column(node)});
  }
}

// The entity kind a descriptor's kind and spec.type make, or nullopt for the kinds gaggle
// keeps only as reference targets: Group, User, API, Domain, Location, Template, and
// gaggle's own exported agents and migrations (valid targets without lineage of their own).
std::optional<EntityKind> KindOf(const std::string& kind, const std::string& type) {
  if (kind == "resource" && IsDatasetType(type)) return EntityKind::kDataset;
  if (kind == "component" && type != annotations::kAgentType) return EntityKind::kComponent;
  if (kind == "system") return EntityKind::kSystem;
  if (kind == "resource" && type != annotations::kMigrationType) return EntityKind::kResource;
  return std::nullopt;
}

// metadata.annotations: gaggle.dev/* facts (a dataset's uri and format are required),
// queries, and everything else kept as is. Migration state written by the export is skipped.
void ApplyAnnotations(const std::vector<std::pair<std::string, YAML::Node>>& notes, const YAML::Node& doc,
                      const DocContext& ctx, Entity* e) {
  bool has_uri = false, has_format = false;
  for (const auto& [k, v] : notes) {
    std::string value = v.IsNull() ? "" : v.Scalar();
    if (k.rfind(annotations::kPrefix, 0) != 0) {
      e->annotations[k] = value;
      continue;
    }
    std::string fact = k.substr(annotations::kPrefix.size());
    if (fact == "queries") {
      e->queries = ParseQueries(value, v, ctx);
    } else if (IsExportOnlyAnnotation(k)) {
      continue;  // migration state: lives in the state store, not in the catalog
    } else if (e->is_dataset()) {
      if (!ApplyDatasetFact(fact, value, v, ctx, e)) {
        ctx.Problem(v, e->id + ": unknown annotation '" + k +
                           "' (known: gaggle.dev/uri, format, schema, schema-version, tier, cadence, size, queries)");
      }
      has_uri |= fact == "uri";
      has_format |= fact == "format";
    } else {
      e->annotations[k] = value;  // dataset facts on a non-dataset mean nothing to gaggle; keep them
    }
  }
  if (e->is_dataset()) {
    if (!has_uri) ctx.Problem(doc, e->id + ": dataset has no 'gaggle.dev/uri' annotation (required)");
    if (!has_format) ctx.Problem(doc, e->id + ": dataset has no 'gaggle.dev/format' annotation (required)");
  }
}

}  // namespace

void ImportBackstageDocument(const YAML::Node& doc, const DocContext& ctx) {
  std::string api_version, kind_text;
  GetScalar(doc, "apiVersion", ctx, &api_version);
  GetScalar(doc, "kind", ctx, &kind_text, /*required=*/true, "Backstage entity");
  YAML::Node metadata = doc["metadata"];
  if (!metadata.IsDefined() || !metadata.IsMap()) {
    ctx.Problem(doc, "Backstage entity has no 'metadata' mapping");
    return;
  }
  std::string name, ns = "default";
  if (!GetScalar(metadata, "name", ctx, &name, /*required=*/true, "metadata")) return;
  GetScalar(metadata, "namespace", ctx, &ns);
  ns = Lower(ns);
  if (!IsValidBackstageName(name)) {
    ctx.Problem(metadata["name"], "metadata.name '" + name +
                                      "' is not a valid Backstage name (1-63 of [A-Za-z0-9-_.], starting and ending "
                                      "with a letter or digit)");
    return;
  }
  if (!IsValidBackstageName(ns)) {
    ctx.Problem(metadata["namespace"], "metadata.namespace '" + ns + "' is not a valid Backstage namespace");
    return;
  }
  std::string kind = Lower(kind_text);
  if (kind.empty()) return;
  YAML::Node spec = doc["spec"];
  if (spec.IsDefined() && !spec.IsNull() && !spec.IsMap()) {
    ctx.Problem(spec, "'spec' must be a mapping");
    return;
  }
  std::string type;
  const bool has_spec = spec.IsDefined() && spec.IsMap();
  if (has_spec) GetScalar(spec, "type", ctx, &type);
  const std::string key = kind + ":" + ns + "/" + Lower(name);

  const std::optional<EntityKind> entity_kind = KindOf(kind, type);
  if (!entity_kind) {
    ctx.draft->AddIgnored(key);
    return;
  }

  DraftEntity d;
  d.key = key;
  d.line = Line(doc);
  d.column = Column(doc);
  Entity& e = d.entity;
  e.kind = *entity_kind;
  e.name = name;
  e.ns = ns;
  e.id = MakeEntityId(*entity_kind, ns, name);
  e.type = type;
  e.source = ctx.file;
  GetScalar(metadata, "title", ctx, &e.title);
  GetScalar(metadata, "description", ctx, &e.description);

  std::vector<std::pair<std::string, YAML::Node>> labels, notes;
  GetStringMap(metadata, "labels", ctx, &labels);
  for (const auto& [k, v] : labels) e.labels[k] = v.IsNull() ? "" : v.Scalar();
  GetStringMap(metadata, "annotations", ctx, &notes);
  ApplyAnnotations(notes, doc, ctx, &e);
  if (has_spec) {
    GetScalar(spec, "owner", ctx, &e.owner);
    GetScalar(spec, "lifecycle", ctx, &e.lifecycle);
    CollectRefs(spec, "dependsOn", ns, ctx, &d.upstream);
    CollectRefs(spec, "dependencyOf", ns, ctx, &d.downstream);
  }
  ctx.draft->AddEntity(std::move(d));
}

}  // namespace gaggle::catalog_yaml
