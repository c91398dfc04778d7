// The patch gaggle proposes to a consumer after a migration: a unified diff of
// the consumer's queries file (all its catalog queries) from the queries as
// written to the queries rewritten for the new schema.
//
// The queries file holds each query followed by ";" (on a line of its own when
// the query ends in a line comment) and a newline, with a blank line between
// queries; a query's trailing whitespace and one trailing ';' are dropped, its
// own newlines kept. A refused query stays as written in the b/ side and gets a
// line "-- gaggle: cannot rewrite: <reason>" above it (newlines in the reason
// become spaces). The diff names a/<path> and b/<path>, <path> being
// QueryPatchPath(consumer_id), so `patch -p1` or `git apply` in a directory
// holding the a/ file turns it into the b/ file. Three lines of context.
//
// A consumer that names its SQL files in its own repository (gaggle.dev/queries-path)
// gets patches of those files instead (RenderFilePatch, verify/sql_file.h): a/ and b/
// are the real repository-relative path, which CheckRepoRelativePath vets first.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct QueryPatchEntry {
  std::string original;
  std::string rewritten;  // the query for the new schema; empty: unchanged
  std::string refused;    // non-empty: why it could not be rewritten
};

// "<consumer id>/queries.sql", with characters other than [A-Za-z0-9._:/-] in the
// id, and path components "", "." and "..", replaced by '_'.
std::string QueryPatchPath(const std::string& consumer_id);

// The queries file holding `queries` in order.
std::string RenderQueriesFile(const std::vector<std::string>& queries);

// The b/ side's queries: rewritten, or original with the refusal comment.
std::vector<std::string> PatchedQueries(const std::vector<QueryPatchEntry>& queries);

// The unified diff; "" when no query changes.
std::string RenderQueryPatch(const std::string& consumer_id, const std::vector<QueryPatchEntry>& queries);

// A path a patch may name inside a repository: relative, '/'-separated, no empty, "."
// or ".." component, no whitespace, control character, quote or backslash (which `git
// apply` would read differently). InvalidArgument naming the path and the reason.
Status CheckRepoRelativePath(const std::string& path);

// "diff --git a/P b/P\n--- a/P\n+++ b/P\n@@ ..." turning `before` into `after`, for
// `git apply` (or `patch -p1`) at the repository's root; "" when they are equal.
// REQUIRES: CheckRepoRelativePath(path).ok().
std::string RenderFilePatch(const std::string& path, std::string_view before, std::string_view after);

}  // namespace gaggle
