// Backstage descriptor documents -> draft entities (see docs/catalog.md).
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "catalog/annotations.h"
#include "catalog/catalog_yaml_internal.h"
#include "catalog/entity_ref.h"
#include "common/ascii.h"

namespace gaggle::catalog_yaml {
namespace {

bool IsDatasetType(const std::string& type) {
  std::string t = AsciiLower(type);
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

// Lineage runs between datasets, Components, Systems and other Resources; a reference to
// any other kind (API, Group, User, Template...) is context, kept as written.
bool IsLineageKind(const std::string& kind) { return kind == "resource" || kind == "component" || kind == "system"; }

void CollectRefs(const YAML::Node& spec, const char* key, std::string_view context_key, const std::string& ns,
                 const DocContext& ctx, std::vector<DraftRef>* out, Entity* e) {
  std::vector<std::pair<std::string, YAML::Node>> refs;
  GetStringList(spec, key, ctx, &refs);
  std::string context;
  for (const auto& [text, node] : refs) {
    auto parsed = ParseEntityRef(text, EntityRefDefaults{"", ns});
    if (parsed.ok() && !IsLineageKind(parsed->kind)) {
      context += (context.empty() ? "" : "\n") + text;
      continue;
    }
    out->push_back(DraftRef{text, false, ns, Line(node), Column(node)});  // malformed: reported by Finish
  }
  if (!context.empty()) e->annotations[std::string(context_key)] = context;
}

// A list of scalars kept as context, one per line.
void ListContext(const YAML::Node& map, const char* key, std::string_view context_key, const DocContext& ctx,
                 Entity* e) {
  std::vector<std::pair<std::string, YAML::Node>> items;
  GetStringList(map, key, ctx, &items);
  std::string joined;
  for (const auto& [text, node] : items) joined += (joined.empty() ? "" : "\n") + text;
  if (!joined.empty()) e->annotations[std::string(context_key)] = joined;
}

// metadata.links: a list of mappings of text ({url, title, icon, type}), one JSON object per line.
void LinksContext(const YAML::Node& metadata, const DocContext& ctx, Entity* e) {
  YAML::Node links = metadata["links"];
  if (!links.IsDefined() || links.IsNull()) return;
  if (!links.IsSequence()) {
    ctx.Problem(links, e->id + ": 'metadata.links' must be a list");
    return;
  }
  std::string joined;
  for (const auto& link : links) {
    if (!link.IsMap()) {
      ctx.Problem(link, e->id + ": each of 'metadata.links' must be a mapping (url, title, icon, type)");
      continue;
    }
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : link) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        ctx.Problem(kv.first, e->id + ": 'metadata.links' entries must map text to text");
        continue;
      }
      j[kv.first.Scalar()] = kv.second.Scalar();
    }
    joined += (joined.empty() ? "" : "\n") + j.dump();
  }
  if (!joined.empty()) e->annotations[std::string(annotations::kContextLinks)] = joined;
}

// The relations that are not lineage: tags, links, system, domain, subcomponentOf, APIs.
void ReadContext(const YAML::Node& metadata, const YAML::Node& spec, const DocContext& ctx, Entity* e) {
  using namespace annotations;
  ListContext(metadata, "tags", kContextTags, ctx, e);
  LinksContext(metadata, ctx, e);
  if (!spec.IsDefined() || !spec.IsMap()) return;
  for (const auto& [field, key] : {std::pair<const char*, std::string_view>{"system", kContextSystem},
                                   {"domain", kContextDomain},
                                   {"subcomponentOf", kContextSubcomponentOf}}) {
    std::string value;
    if (GetScalar(spec, field, ctx, &value) && !value.empty()) e->annotations[std::string(key)] = value;
  }
  ListContext(spec, "providesApis", kContextProvidesApis, ctx, e);
  ListContext(spec, "consumesApis", kContextConsumesApis, ctx, e);
}

// gaggle.dev/labels (written by the export for labels Backstage cannot hold): back into the labels.
void RestoreLabels(const std::string& value, const YAML::Node& at, const DocContext& ctx, Entity* e) {
  nlohmann::json j = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    ctx.Problem(at, e->id + ": " + std::string(annotations::kLabels) + " must be a JSON object of text values");
    return;
  }
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) {
      ctx.Problem(at, e->id + ": " + std::string(annotations::kLabels) + " value of '" + k + "' is not text");
      continue;
    }
    e->labels[k] = v.get<std::string>();
  }
}

// True when the annotations carry a gaggle dataset fact: the Resource is then a gaggle dataset.
bool HasDatasetFacts(const std::vector<std::pair<std::string, YAML::Node>>& notes) {
  using namespace annotations;
  for (const auto& [k, v] : notes) {
    for (std::string_view fact : {kUri, kFormat, kSchema, kSchemaVersion, kTier, kCadence, kSize}) {
      if (k == fact) return true;
    }
  }
  return false;
}

// The entity kind a descriptor's kind and spec.type make, or nullopt for the kinds gaggle
// keeps only as reference targets: Group, User, API, Domain, Location, Template, and
// gaggle's own exported agents and migrations (valid targets without lineage of their own).
// A Resource of type dataset|table|database is a gaggle dataset only when it carries a
// gaggle.dev/* dataset fact; without one it is a plain resource (a lineage node).
std::optional<EntityKind> KindOf(const std::string& kind, const std::string& type, bool has_dataset_facts) {
  if (kind == "resource" && IsDatasetType(type) && has_dataset_facts) return EntityKind::kDataset;
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
    if (k == annotations::kLabels) {
      RestoreLabels(value, v, ctx, e);
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

// A Location's spec.target / spec.targets, for the loader to follow (catalog_loader.h).
void ReadLocation(const YAML::Node& spec, const std::string& key, const DocContext& ctx) {
  if (!spec.IsDefined() || !spec.IsMap()) {
    ctx.Problem(spec, key + ": a Location needs spec.target or spec.targets");
    return;
  }
  std::string type;
  GetScalar(spec, "type", ctx, &type);
  std::vector<std::pair<std::string, YAML::Node>> targets;
  std::string one;
  if (GetScalar(spec, "target", ctx, &one)) targets.emplace_back(one, spec["target"]);
  GetStringList(spec, "targets", ctx, &targets);
  if (targets.empty()) ctx.Problem(spec, key + ": a Location needs spec.target or spec.targets");
  for (const auto& [text, node] : targets) {
    ctx.draft->AddLocationTarget(LocationTarget{key, ctx.file, Line(node), Column(node), type, text});
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
  ns = AsciiLower(ns);
  if (!ctx.strict && name.find("${{") != std::string::npos) {
    // A scaffolder Template's skeleton (its fetch:template content) lives next to catalogs.
    ctx.draft->AddWarning(ctx.file + ": skipped a scaffolder template skeleton (metadata.name '" + name +
                          "' is a template expression)");
    return;
  }
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
  std::string kind = AsciiLower(kind_text);
  if (kind.empty()) return;
  YAML::Node spec = doc["spec"];
  if (spec.IsDefined() && !spec.IsNull() && !spec.IsMap()) {
    ctx.Problem(spec, "'spec' must be a mapping");
    return;
  }
  std::string type;
  const bool has_spec = spec.IsDefined() && spec.IsMap();
  if (has_spec) GetScalar(spec, "type", ctx, &type);
  const std::string key = kind + ":" + ns + "/" + AsciiLower(name);

  std::vector<std::pair<std::string, YAML::Node>> labels, notes;
  GetStringMap(metadata, "labels", ctx, &labels);
  GetStringMap(metadata, "annotations", ctx, &notes);
  if (kind == "location") ReadLocation(spec, key, ctx);
  const std::optional<EntityKind> entity_kind = KindOf(kind, type, HasDatasetFacts(notes));
  if (!entity_kind) {
    ctx.draft->AddIgnored(key);
    // gaggle's own agents and migrations are named by their type ("gaggle-agent Component").
    const bool own = type == annotations::kAgentType || type == annotations::kMigrationType;
    if (kind != "location") ctx.draft->AddSkipped(own ? type + " " + kind_text : kind_text, key);
    return;
  }
  if (*entity_kind == EntityKind::kResource && IsDatasetType(type)) {
    ctx.draft->AddPlainResource(key);
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
  for (const auto& [k, v] : labels) e.labels[k] = v.IsNull() ? "" : v.Scalar();
  ApplyAnnotations(notes, doc, ctx, &e);
  ReadContext(metadata, spec, ctx, &e);
  if (has_spec) {
    GetScalar(spec, "owner", ctx, &e.owner);
    GetScalar(spec, "lifecycle", ctx, &e.lifecycle);
    CollectRefs(spec, "dependsOn", annotations::kContextDependsOn, ns, ctx, &d.upstream, &e);
    CollectRefs(spec, "dependencyOf", annotations::kContextDependencyOf, ns, ctx, &d.downstream, &e);
  }
  ctx.draft->AddEntity(std::move(d));
}

}  // namespace gaggle::catalog_yaml
