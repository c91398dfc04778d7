// Loading a catalog from files: Backstage descriptors (catalog-info.yaml,
// multi-document) and native catalog files (`gaggle_catalog: 1`, YAML or JSON),
// from one file or a directory tree. The formats are in docs/catalog.md.
//
// Backstage Location entities are followed: each spec.target / spec.targets entry that
// names a file (relative ones against the file that declares the Location; `*`, `?`,
// `[...]` globs in any path segment, `**` for any depth) is read too, each file once
// whatever the cycles. Targets must stay inside the imported tree (the directory imported, or the directory of the file
// imported) unless LoadOptions::allow_outside_tree; http(s) targets are not fetched (a note
// says so). The boundary is lexical: a symlink inside the tree is followed where it points.
//
// Paths are made absolute and lexically normal before use, so the same tree imported as
// "dir", "./dir/" or "/abs/dir" gives the same entities (Entity::source included).
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

struct LoadOptions {
  // Follow Location targets outside the imported tree (`gaggle catalog import
  // --allow-outside-tree`). Off by default: a catalog cannot make gaggle read elsewhere.
  bool allow_outside_tree = false;
};

struct LoadedCatalog {
  Catalog catalog;
  std::vector<std::string> files;     // catalog files read: the tree's sorted, then those Locations named
  std::vector<std::string> warnings;  // documents skipped and why
  std::vector<std::string> notes;     // entities kept aside (kinds without lineage, resources that are
                                      // not datasets) and Location targets not followed
};

// `path` is a catalog file or a directory. In a directory every *.yaml, *.yml and
// *.json file below it is read (hidden directories and node_modules are skipped);
// documents that are neither Backstage entities nor native catalogs are skipped with
// a warning there, whereas in a file named explicitly they are problems.
Result<LoadedCatalog> LoadCatalogFromPath(const std::string& path, FileSystem* fs = FileSystem::Default(),
                                          const LoadOptions& options = {});

// The absolute, lexically normal spelling of a path ("./a/../b/" -> "<cwd>/b"), without a
// trailing '/'. Pure text: the file need not exist.
std::string NormalizePath(const std::string& path);

// Parses one catalog file's text into the draft (problems are recorded, not returned).
// `fs` reads .sql files named by gaggle.dev/queries; it may be null.
void ParseCatalogText(const std::string& text, const std::string& path, bool strict, FileSystem* fs,
                      CatalogDraft* draft);

}  // namespace gaggle
