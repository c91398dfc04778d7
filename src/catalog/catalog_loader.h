// Loading a catalog from files: Backstage descriptors (catalog-info.yaml,
// multi-document) and native catalog files (`gaggle_catalog: 1`, YAML or JSON),
// from one file or a directory tree. The formats are in docs/catalog.md.
//
// All-or-nothing: every file is parsed and every reference resolved before the
// result is returned; any problem (malformed YAML with file and line, dangling or
// malformed references, duplicates, missing or invalid gaggle.dev/* annotations)
// makes the whole load fail with one InvalidArgument status listing them all.
// Thread-safety: functions are reentrant.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_draft.h"
#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

struct LoadedCatalog {
  Catalog catalog;
  std::vector<std::string> files;     // catalog files read, sorted
  std::vector<std::string> warnings;  // documents skipped and why
};

// `path` is a catalog file or a directory. In a directory every *.yaml, *.yml and
// *.json file below it is read (hidden directories and node_modules are skipped);
// documents that are neither Backstage entities nor native catalogs are skipped with
// a warning there, whereas in a file named explicitly they are problems.
Result<LoadedCatalog> LoadCatalogFromPath(const std::string& path, FileSystem* fs = FileSystem::Default());

// Parses one catalog file's text into the draft (problems are recorded, not returned).
// `fs` reads .sql files named by gaggle.dev/queries; it may be null.
void ParseCatalogText(const std::string& text, const std::string& path, bool strict, FileSystem* fs,
                      CatalogDraft* draft);

}  // namespace gaggle
