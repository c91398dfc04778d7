#include "catalog/backstage_export.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "catalog/annotations.h"
#include "catalog/entity_ref.h"

namespace gaggle {
namespace {

constexpr const char* kApiVersion = "backstage.io/v1alpha1";

std::string Ref(const Entity& e) {
  const char* kind = e.is_dataset() ? "resource" : EntityKindName(e.kind);
  return std::string(kind) + ":" + e.ns + "/" + e.name;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

// Backstage wants annotation and label values to be strings: quote whatever YAML
// would otherwise read as a number, a boolean or null.
bool NeedsQuotes(const std::string& v) {
  if (v.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
  std::string lower;
  for (char c : v) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* w : kWords) {
    if (lower == w) return true;
  }
  return v.find_first_not_of("0123456789.eE+-_xXoO") == std::string::npos;
}

void ScalarValue(YAML::Emitter& out, const std::string& v) {
  if (v.find('\n') != std::string::npos) {
    out << YAML::Literal << v;
  } else if (NeedsQuotes(v)) {
    out << YAML::DoubleQuoted << v;
  } else {
    out << v;
  }
}

// Lines of a context value (annotations.h): one entry per line.
std::vector<std::string> ContextLines(const std::map<std::string, std::string>& context, std::string_view key) {
  std::vector<std::string> out;
  auto it = context.find(std::string(key));
  if (it == context.end()) return out;
  size_t start = 0;
  while (start <= it->second.size()) {
    size_t nl = it->second.find('\n', start);
    std::string line = it->second.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

void StringList(YAML::Emitter& out, const char* key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const std::string& item : items) ScalarValue(out, item);
  out << YAML::EndSeq;
}

// metadata.links from their context lines (one JSON object each); a line that is not one is skipped.
void Links(YAML::Emitter& out, const std::vector<std::string>& lines) {
  std::vector<nlohmann::json> links;
  for (const std::string& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) links.push_back(std::move(j));
  }
  if (links.empty()) return;
  out << YAML::Key << "links" << YAML::Value << YAML::BeginSeq;
  for (const nlohmann::json& link : links) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : link.items()) {
      out << YAML::Key << k << YAML::Value;
      ScalarValue(out, v.is_string() ? v.get<std::string>() : v.dump());
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void Metadata(YAML::Emitter& out, const std::string& name, const std::string& ns, const std::string& title,
              const std::string& description, const std::map<std::string, std::string>& labels,
              const std::map<std::string, std::string>& notes, const std::map<std::string, std::string>& context = {}) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  if (!ns.empty() && ns != "default") out << YAML::Key << "namespace" << YAML::Value << ns;
  if (!title.empty()) out << YAML::Key << "title" << YAML::Value << title;
  if (!description.empty()) out << YAML::Key << "description" << YAML::Value << description;
  if (!labels.empty()) {
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : labels) {
      out << YAML::Key << k << YAML::Value;
      ScalarValue(out, v);
    }
    out << YAML::EndMap;
  }
  if (!notes.empty()) {
    out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : notes) {
      out << YAML::Key << k << YAML::Value;
      ScalarValue(out, v);
    }
    out << YAML::EndMap;
  }
  StringList(out, "tags", ContextLines(context, annotations::kContextTags));
  Links(out, ContextLines(context, annotations::kContextLinks));
  out << YAML::EndMap;
}

void DependsOn(YAML::Emitter& out, const std::vector<std::string>& refs) {
  if (refs.empty()) return;
  out << YAML::Key << "dependsOn" << YAML::Value << YAML::BeginSeq;
  for (const std::string& r : refs) out << r;
  out << YAML::EndSeq;
}

std::string Document(const std::function<void(YAML::Emitter&)>& body) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  body(out);
  out << YAML::EndMap;
  return std::string("---\n") + out.c_str() + "\n";
}

// Kubernetes-style object name, as Backstage checks label values and the name part of
// label and annotation keys: 1-63 of [A-Za-z0-9-_.], starting and ending alphanumeric.
bool IsObjectName(const std::string& s) { return IsValidBackstageName(s); }

// A DNS subdomain (a key's prefix): dot-separated labels of [a-z0-9-], at most 253 characters.
bool IsDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string part = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 63 || part.front() == '-' || part.back() == '-') return false;
    for (char c : part) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
        return false;
    }
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// Backstage's rule for a label: key "[prefix/]name", value empty or an object name.
bool IsValidLabel(const std::string& key, const std::string& value) {
  size_t slash = key.find('/');
  bool key_ok = slash == std::string::npos
                    ? IsObjectName(key)
                    : IsDnsSubdomain(key.substr(0, slash)) && IsObjectName(key.substr(slash + 1));
  return key_ok && (value.empty() || IsObjectName(value));
}

// True when the last line of `sql` ends inside a "--" comment (outside quotes), so that a
// ';' appended to it would be commented out.
bool EndsInLineComment(const std::string& sql) {
  enum { kCode, kSingle, kDouble, kLine, kBlock } state = kCode;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i], next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (state == kCode) {
      if (c == '\'') state = kSingle;
      if (c == '"') state = kDouble;
      if (c == '-' && next == '-') state = kLine;
      if (c == '/' && next == '*') state = kBlock, ++i;
    } else if (state == kSingle && c == '\'') {
      state = kCode;
    } else if (state == kDouble && c == '"') {
      state = kCode;
    } else if (state == kLine && c == '\n') {
      state = kCode;
    } else if (state == kBlock && c == '*' && next == '/') {
      state = kCode, ++i;
    }
  }
  return state == kLine;
}

// gaggle.dev/queries as statements, each ended by ';' (on its own line after a trailing
// "--" comment): the import splits the value at those, so multi-line SQL comes back whole.
std::string JoinStatements(const std::vector<std::string>& queries) {
  std::string s;
  for (const std::string& q : queries) s += (s.empty() ? "" : "\n") + q + (EndsInLineComment(q) ? "\n;" : ";");
  return s;
}

// The migrations that target the catalog's datasets, indexed for the export.
struct TargetIndex {
  // Per dataset: the newest target (by plan time, then migration name), and every migration.
  std::map<std::string, const MigrationTarget*> newest;
  std::map<std::string, std::set<std::string>> migrations_of;
  std::map<std::string, std::vector<const MigrationTarget*>> by_migration;
};

TargetIndex IndexTargets(const std::vector<MigrationTarget>& targets) {
  TargetIndex index;
  for (const MigrationTarget& t : targets) {
    auto& slot = index.newest[t.dataset_id];
    if (slot == nullptr || std::tie(t.created_at, t.migration) > std::tie(slot->created_at, slot->migration)) slot = &t;
    index.migrations_of[t.dataset_id].insert(t.migration);
    index.by_migration[t.migration].push_back(&t);
  }
  return index;
}

// An entity's annotations as exported: its own, its queries, and for a dataset its
// gaggle.dev/* facts and where its newest migration takes it.
std::map<std::string, std::string> ExportedAnnotations(const Entity& e, const TargetIndex& index) {
  std::map<std::string, std::string> notes;
  for (const auto& [k, v] : e.annotations) {
    if (k.rfind(annotations::kContextPrefix, 0) != 0) notes[k] = v;  // context is written as spec/metadata fields
  }
  nlohmann::json unfit = nlohmann::json::object();
  for (const auto& [k, v] : e.labels) {
    if (!IsValidLabel(k, v)) unfit[k] = v;
  }
  if (!unfit.empty()) notes[std::string(annotations::kLabels)] = unfit.dump();
  if (!e.queries.empty()) notes[std::string(annotations::kQueries)] = JoinStatements(e.queries);
  if (!e.is_dataset()) return notes;
  notes[std::string(annotations::kUri)] = e.uri;
  notes[std::string(annotations::kFormat)] = e.format;
  if (!e.schema.empty()) notes[std::string(annotations::kSchema)] = e.schema;
  notes[std::string(annotations::kSchemaVersion)] = std::to_string(e.schema_version);
  notes[std::string(annotations::kTier)] = TierName(e.tier);
  if (!e.cadence.empty()) notes[std::string(annotations::kCadence)] = e.cadence;
  if (e.size_bytes > 0) notes[std::string(annotations::kSize)] = std::to_string(e.size_bytes);
  auto it = index.newest.find(e.id);
  if (it == index.newest.end()) return notes;
  const MigrationTarget& t = *it->second;
  const std::set<std::string>& migrations = index.migrations_of.at(e.id);
  notes[std::string(annotations::kMigration)] = t.migration;
  notes[std::string(annotations::kMigrations)] =
      Join(std::vector<std::string>(migrations.begin(), migrations.end()), ",");
  notes[std::string(annotations::kAgent)] = t.agent;
  if (!t.agent_version.empty()) notes[std::string(annotations::kAgentVersion)] = t.agent_version;
  notes[std::string(annotations::kTargetUri)] = t.target_uri;
  notes[std::string(annotations::kTargetFormat)] = t.target_format;
  notes[std::string(annotations::kTargetSchemaVersion)] = std::to_string(t.target_schema_version);
  notes[std::string(annotations::kPlanHash)] = t.plan_hash;
  notes[std::string(annotations::kStage)] = std::to_string(t.stage);
  notes[std::string(annotations::kWave)] = std::to_string(t.wave);
  return notes;
}

// The spec fields kept as context (annotations.h), in a fixed order.
void ContextSpec(YAML::Emitter& out, const Entity& e) {
  using namespace annotations;
  for (const auto& [field, key] : {std::pair<const char*, std::string_view>{"system", kContextSystem},
                                   {"domain", kContextDomain},
                                   {"subcomponentOf", kContextSubcomponentOf}}) {
    auto it = e.annotations.find(std::string(key));
    if (it != e.annotations.end() && !it->second.empty()) out << YAML::Key << field << YAML::Value << it->second;
  }
  StringList(out, "providesApis", ContextLines(e.annotations, kContextProvidesApis));
  StringList(out, "consumesApis", ContextLines(e.annotations, kContextConsumesApis));
}

// The descriptor of catalog entity n: Component, System or Resource, depending on its upstreams.
std::string EntityDocument(const Catalog& catalog, NodeId n, const TargetIndex& index) {
  const Entity& e = catalog.entity(n);
  const std::map<std::string, std::string> notes = ExportedAnnotations(e, index);
  std::map<std::string, std::string> labels;  // the others travel in gaggle.dev/labels
  for (const auto& [k, v] : e.labels) {
    if (IsValidLabel(k, v)) labels[k] = v;
  }
  std::vector<std::string> upstream;
  for (NodeId u : catalog.Upstream(n)) upstream.push_back(Ref(catalog.entity(u)));
  for (std::string& r : ContextLines(e.annotations, annotations::kContextDependsOn)) upstream.push_back(std::move(r));
  return Document([&](YAML::Emitter& out) {
    const char* kind = e.kind == EntityKind::kComponent ? "Component"
                       : e.kind == EntityKind::kSystem  ? "System"
                                                        : "Resource";
    out << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
    out << YAML::Key << "kind" << YAML::Value << kind;
    Metadata(out, e.name, e.ns, e.title, e.description, labels, notes, e.annotations);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    if (e.kind != EntityKind::kSystem || !e.type.empty()) {
      std::string type = e.type.empty() ? (e.is_dataset()                     ? "dataset"
                                           : e.kind == EntityKind::kComponent ? "service"
                                                                              : "resource")
                                        : e.type;
      out << YAML::Key << "type" << YAML::Value << type;
    }
    out << YAML::Key << "owner" << YAML::Value << (e.owner.empty() ? std::string("unknown") : e.owner);
    if (e.kind == EntityKind::kComponent || !e.lifecycle.empty()) {  // required on Components only
      out << YAML::Key << "lifecycle" << YAML::Value << (e.lifecycle.empty() ? std::string("production") : e.lifecycle);
    }
    ContextSpec(out, e);
    DependsOn(out, upstream);
    StringList(out, "dependencyOf", ContextLines(e.annotations, annotations::kContextDependencyOf));
    out << YAML::EndMap;
  });
}

std::string AgentEntityName(const MigrationTarget& first) {
  return BackstageSafeName(
      "agent-" + BackstageSafeName(first.agent + (first.agent_version.empty() ? "" : "-" + first.agent_version)));
}

// One Component (type gaggle-agent) per agent.
std::string AgentDocument(const std::string& agent_name, const MigrationTarget& first) {
  return Document([&](YAML::Emitter& out) {
    out << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
    out << YAML::Key << "kind" << YAML::Value << "Component";
    std::map<std::string, std::string> notes = {{std::string(annotations::kGeneratedBy), "gaggle"},
                                                {std::string(annotations::kAgent), first.agent}};
    if (!first.agent_version.empty()) notes[std::string(annotations::kAgentVersion)] = first.agent_version;
    Metadata(out, agent_name, "default", "gaggle agent " + first.agent, "", {}, notes);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << std::string(annotations::kAgentType);
    out << YAML::Key << "owner" << YAML::Value << "gaggle";
    out << YAML::Key << "lifecycle" << YAML::Value << "production";
    out << YAML::EndMap;
  });
}

// One Resource (type gaggle-migration) per migration; it dependsOn its agent and the
// datasets it migrates.
std::string MigrationDocument(const Catalog& catalog, const std::string& migration,
                              const std::vector<const MigrationTarget*>& rows, const std::string& agent_name) {
  const MigrationTarget& first = *rows.front();
  return Document([&](YAML::Emitter& out) {
    out << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
    out << YAML::Key << "kind" << YAML::Value << "Resource";
    std::map<std::string, std::string> notes = {
        {std::string(annotations::kGeneratedBy), "gaggle"},
        {std::string(annotations::kMigration), migration},
        {std::string(annotations::kAgent), first.agent},
        {std::string(annotations::kPlanHash), first.plan_hash},
        {std::string(annotations::kTargetFormat), first.target_format},
        {std::string(annotations::kTargetSchemaVersion), std::to_string(first.target_schema_version)},
        {std::string(annotations::kDatasetCount), std::to_string(rows.size())}};
    Metadata(out, BackstageSafeName("migration-" + migration), "default", "gaggle migration " + migration, "", {},
             notes);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << std::string(annotations::kMigrationType);
    out << YAML::Key << "owner" << YAML::Value << "gaggle";
    std::vector<std::string> refs{"component:default/" + agent_name};
    for (const MigrationTarget* t : rows) {
      auto node = catalog.Find(t->dataset_id);
      if (node) refs.push_back(Ref(catalog.entity(*node)));
    }
    DependsOn(out, refs);
    out << YAML::EndMap;
  });
}

// The Location that lists the files written.
std::string LocationDocument(const std::vector<std::string>& written) {
  return Document([&](YAML::Emitter& out) {
    out << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
    out << YAML::Key << "kind" << YAML::Value << "Location";
    Metadata(out, "gaggle-export", "default", "", "Datasets, consumers, migrations and agents exported by gaggle", {},
             {{std::string(annotations::kGeneratedBy), "gaggle"}});
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq;
    for (const std::string& f : written) out << "./" + f;
    out << YAML::EndSeq << YAML::EndMap;
  });
}

}  // namespace

std::string BackstageSafeName(const std::string& text) {
  std::string s;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    s.push_back(std::isalnum(c) || c == '-' || c == '_' || c == '.' ? ch : '-');
  }
  while (!s.empty() && !std::isalnum(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  if (s.size() > 63) s.resize(63);
  while (!s.empty() && !std::isalnum(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s.empty() ? "unnamed" : s;
}

Result<ExportSummary> ExportBackstage(const Catalog& catalog, const std::vector<MigrationTarget>& targets,
                                      const std::string& dir, FileSystem* fs) {
  if (!catalog.finalized()) return Status::InvalidArgument("catalog is not finalized");
  GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(dir));
  const TargetIndex index = IndexTargets(targets);

  ExportSummary summary;
  std::string datasets, consumers, control;
  for (NodeId n = 0; n < catalog.size(); ++n) {
    std::string doc = EntityDocument(catalog, n, index);
    if (catalog.entity(n).is_dataset()) {
      datasets += doc;
      ++summary.datasets;
    } else {
      consumers += doc;
      ++summary.consumers;
    }
  }
  std::set<std::string> agents;
  for (const auto& [migration, rows] : index.by_migration) {
    const std::string agent_name = AgentEntityName(*rows.front());
    if (agents.insert(agent_name).second) {
      control += AgentDocument(agent_name, *rows.front());
      ++summary.agents;
    }
    control += MigrationDocument(catalog, migration, rows, agent_name);
    ++summary.migrations;
  }

  std::vector<std::string> written;
  for (const auto& [name, text] : {std::pair<const char*, const std::string&>{"datasets.yaml", datasets},
                                   {"consumers.yaml", consumers},
                                   {"migrations.yaml", control}}) {
    if (text.empty()) continue;
    GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(fs, dir + "/" + name, text));
    written.push_back(name);
  }
  GAGGLE_RETURN_IF_ERROR(WriteFileAtomically(fs, dir + "/catalog-info.yaml", LocationDocument(written)));
  for (const std::string& f : written) summary.files.push_back(dir + "/" + f);
  summary.files.push_back(dir + "/catalog-info.yaml");
  return summary;
}

}  // namespace gaggle
