// Private to src/catalog: shared pieces of the YAML-based catalog parsers
// (Backstage descriptors and the native catalog file). Every function records
// problems in the draft instead of failing, so that one pass finds them all.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "catalog/catalog_draft.h"
#include "catalog/entity.h"
#include "common/file_system.h"

namespace gaggle::catalog_yaml {

struct DocContext {
  std::string file;          // path of the YAML file, as given
  std::string dir;           // its directory, for relative .sql paths ("" = current)
  FileSystem* fs = nullptr;  // may be null (fuzzing): .sql files then cannot be read
  CatalogDraft* draft = nullptr;
  bool strict = true;  // a document that is not a catalog entity is a problem (else a warning)

  void Problem(const YAML::Node& at, std::string message) const;
  void Problem(int line, int column, std::string message) const;
};

int Line(const YAML::Node& node);    // 1-based, 0 when unknown
int Column(const YAML::Node& node);  // 1-based, 0 when unknown

// A scalar child as text. Returns false (and records a problem when present but not a
// scalar, or when required and missing).
bool GetScalar(const YAML::Node& map, const char* key, const DocContext& ctx, std::string* out, bool required = false,
               const std::string& what = "");
// A mapping of scalars (labels, annotations). Missing is fine.
bool GetStringMap(const YAML::Node& map, const char* key, const DocContext& ctx,
                  std::vector<std::pair<std::string, YAML::Node>>* out);
// A sequence of scalars (dependsOn...). Missing is fine.
bool GetStringList(const YAML::Node& map, const char* key, const DocContext& ctx,
                   std::vector<std::pair<std::string, YAML::Node>>* out);

// Applies one dataset fact ("uri", "format", "schema", "schema-version", "tier",
// "cadence", "size") to the entity, validating its value. Returns false for an unknown fact.
bool ApplyDatasetFact(const std::string& fact, const std::string& value, const YAML::Node& at, const DocContext& ctx,
                      Entity* entity);

// "queries" value: SQL statements ended by ';' (split as a .sql file is), else one per
// line; or a single path ending in .sql (read relative to the YAML file, split into statements).
std::vector<std::string> ParseQueries(const std::string& value, const YAML::Node& at, const DocContext& ctx);

// Splits SQL text into statements at ';' outside quotes and comments; trims; keeps the
// comments inside a statement and drops pieces that hold only comments.
std::vector<std::string> SplitSqlStatements(const std::string& sql);

void ImportBackstageDocument(const YAML::Node& doc, const DocContext& ctx);
void ImportNativeDocument(const YAML::Node& doc, const DocContext& ctx);

}  // namespace gaggle::catalog_yaml
