// The patch of a consumer's own SQL files, for the patches `gaggle after` and `gaggle run`
// save: when the consumer names its files (gaggle.dev/queries-path, catalog/annotations.h)
// and they can be read, the patch of those real files, made as `gaggle consumers patch`
// makes it (RewriteSqlFile with the verifier's rules, then RenderFilePatch), so
// `git apply` at the repository's root takes it. Otherwise the caller keeps the patch of
// the synthetic queries file (verify/query_patch.h).
//
// The repository's root is the git work tree holding the file the consumer was declared in
// (Entity::source, the catalog-info.yaml or catalog file; the nearest parent directory with
// a `.git` entry), else that file's directory. Files are read from the work tree as they
// are now (`consumers patch` reads the base commit instead). Only read, never written.
// Thread-safety: pure function (reads files).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/entity.h"
#include "verify/rewrite_rules.h"

namespace gaggle {

struct ConsumerFilePatch {
  std::string root;   // the repository's root the patch applies at
  std::string patch;  // concatenated RenderFilePatch of each changed file; "" when none changes
  int statements = 0, rewritten = 0, refused = 0;
};

// nullopt when the consumer names no file (or is a dbt project), its declaration file is
// unknown, or a named file is refused or unreadable: *why (optional) says which.
std::optional<ConsumerFilePatch> MakeConsumerFilePatch(const Entity& consumer, const RewriteRules& rules,
                                                       std::string* why = nullptr);

// gaggle.dev/queries-path's paths: split on commas and newlines, trimmed, empty ones dropped.
std::vector<std::string> SplitQueriesPaths(const std::string& annotation);

}  // namespace gaggle
