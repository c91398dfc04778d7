// Location identity: deciding whether two dataset locations are the same place, or one
// lies inside the other, by what they denote rather than how they are spelled. Every
// comparison that guards a destructive step (gc, a commit into a target, rollback)
// goes through here, never through string equality of URIs.
//
// A location is canonicalised to (scheme, bucket, path):
//   file:///x/lake/a/, /x/lake/a, /x/lake/./b/../a  ->  file, "", /x/lake/a
//   s3://bucket/lake/a/                              ->  s3, bucket, /lake/a
// Paths are made absolute against `cwd` only when the caller allows relative ones, "."
// and ".." are folded, repeated and trailing slashes dropped. With kResolveSymlinks the
// longest existing prefix of a local path is resolved through the file system
// (realpath), so a symlinked spelling and its target compare equal; object-store
// locations have no symlinks. Comparison is by path components: /lake/a does not
// contain /lake/ab.
// Thread-safety: pure functions (kResolveSymlinks reads the file system).
#pragma once

#include <string>

#include "common/status.h"

namespace gaggle {

struct CanonicalLocation {
  std::string scheme;  // "file", "s3" or "gs"
  std::string bucket;  // object stores only
  std::string path;    // absolute, normalised, no trailing '/' (the root is "/")

  bool is_local() const { return scheme == "file"; }
  // "file:///x/y", "s3://bucket/x/y".
  std::string ToUri() const;
  bool operator==(const CanonicalLocation& o) const = default;
};

enum class SymlinkPolicy { kLexical, kResolveSymlinks };

struct CanonicalizeOptions {
  SymlinkPolicy symlinks = SymlinkPolicy::kLexical;
  // Resolve a relative local path against this directory; when empty, a relative path
  // is refused (a location must not depend on where a command happens to run).
  std::string cwd;
};

// InvalidArgument for an empty location, a relative path without `cwd`, a relative
// file:// URI, or an unknown scheme; the message names the location.
Result<CanonicalLocation> Canonicalize(const std::string& location, const CanonicalizeOptions& options = {});

// The same place.
bool SameLocation(const CanonicalLocation& a, const CanonicalLocation& b);
// `inner` lies strictly inside `outer` (a descendant, never equal).
bool IsInside(const CanonicalLocation& inner, const CanonicalLocation& outer);
// Equal, or one inside the other: deleting or replacing one touches the other.
bool Overlaps(const CanonicalLocation& a, const CanonicalLocation& b);

// Refuses a location no dataset may be (a target, a gc victim): the root, a bucket's
// root, well-known system and home directories (/tmp, /home, /usr, /etc, /var, ...,
// and their first-level children like /home/alice), and a local mount point. OK otherwise.
Status CheckNotSystemLocation(const CanonicalLocation& location);

}  // namespace gaggle
