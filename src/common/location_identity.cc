#include "common/location_identity.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <string_view>
#include <vector>

namespace gaggle {
namespace {

// Folds ".", "..", repeated and trailing slashes of an absolute path.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

// realpath of the longest existing prefix, with the rest appended.
std::string ResolveExistingPrefix(const std::string& path) {
  std::string prefix = path;
  std::string rest;
  while (true) {
    char buf[PATH_MAX];
    if (::realpath(prefix.c_str(), buf) != nullptr) return NormalizePath(std::string(buf) + rest);
    if (prefix == "/" || prefix.empty()) return path;
    const size_t slash = prefix.rfind('/');
    rest = prefix.substr(slash) + rest;
    prefix = slash == 0 ? "/" : prefix.substr(0, slash);
  }
}

Status Bad(const std::string& location, const std::string& why) {
  return Status::InvalidArgument("location '" + location + "': " + why);
}

Result<CanonicalLocation> ObjectStoreLocation(const std::string& location, const std::string& scheme,
                                              std::string_view rest) {
  const size_t slash = rest.find('/');
  CanonicalLocation c;
  c.scheme = scheme;
  c.bucket = std::string(rest.substr(0, slash));
  if (c.bucket.empty()) return Bad(location, "names no bucket");
  c.path = NormalizePath(slash == std::string_view::npos ? std::string_view() : rest.substr(slash));
  return c;
}

bool IsPrefixDir(const std::string& outer, const std::string& inner) {
  if (outer == "/") return inner != "/";
  return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '/';
}

}  // namespace

std::string CanonicalLocation::ToUri() const {
  if (is_local()) return "file://" + path;
  return scheme + "://" + bucket + (path == "/" ? "" : path);
}

Result<CanonicalLocation> Canonicalize(const std::string& location, const CanonicalizeOptions& options) {
  if (location.empty()) return Status::InvalidArgument("empty location");
  std::string_view s = location;
  if (s.rfind("s3://", 0) == 0) return ObjectStoreLocation(location, "s3", s.substr(5));
  if (s.rfind("gs://", 0) == 0) return ObjectStoreLocation(location, "gs", s.substr(5));
  std::string path;
  if (s.rfind("file://", 0) == 0) {
    path = std::string(s.substr(7));
    if (path.empty() || path[0] != '/') return Bad(location, "a file URI needs an absolute path (file:///data/x)");
  } else if (s.find("://") != std::string_view::npos) {
    return Bad(location, "unknown scheme (use file://, s3://, gs:// or a local path)");
  } else {
    path = location;
  }
  if (path[0] != '/') {
    if (options.cwd.empty()) return Bad(location, "a relative path is not allowed here (give an absolute path)");
    path = options.cwd + "/" + path;
  }
  CanonicalLocation c;
  c.scheme = "file";
  c.path = NormalizePath(path);
  if (options.symlinks == SymlinkPolicy::kResolveSymlinks) c.path = ResolveExistingPrefix(c.path);
  return c;
}

bool SameLocation(const CanonicalLocation& a, const CanonicalLocation& b) { return a == b; }

bool IsInside(const CanonicalLocation& inner, const CanonicalLocation& outer) {
  return inner.scheme == outer.scheme && inner.bucket == outer.bucket && IsPrefixDir(outer.path, inner.path);
}

bool Overlaps(const CanonicalLocation& a, const CanonicalLocation& b) {
  return SameLocation(a, b) || IsInside(a, b) || IsInside(b, a);
}

Status CheckNotSystemLocation(const CanonicalLocation& location) {
  const std::string where = "location '" + location.ToUri() + "'";
  if (location.path == "/") {
    return Status::InvalidArgument(where + " is the root of " +
                                   (location.is_local() ? "the file system" : "bucket " + location.bucket));
  }
  if (!location.is_local()) return Status::OK();
  static constexpr std::array<std::string_view, 23> kSystem = {
      "/bin",  "/boot", "/dev",  "/etc", "/home", "/lib", "/lib32", "/lib64",     "/media",   "/mnt", "/opt",  "/proc",
      "/root", "/run",  "/sbin", "/srv", "/sys",  "/tmp", "/usr",   "/usr/local", "/var/tmp", "/var", "/Users"};
  const std::string& p = location.path;
  for (std::string_view sys : kSystem) {
    if (p == sys) return Status::InvalidArgument(where + " is a system directory");
  }
  for (std::string_view homes : {std::string_view("/home"), std::string_view("/Users")}) {
    const std::string h(homes);
    if (IsPrefixDir(h, p) && p.find('/', h.size() + 1) == std::string::npos) {
      return Status::InvalidArgument(where + " is a home directory");
    }
  }
  struct stat self, parent;
  const std::string up = p.substr(0, p.rfind('/')).empty() ? "/" : p.substr(0, p.rfind('/'));
  if (::lstat(p.c_str(), &self) == 0 && S_ISDIR(self.st_mode) && ::stat(up.c_str(), &parent) == 0 &&
      self.st_dev != parent.st_dev) {
    return Status::InvalidArgument(where + " is a mount point");
  }
  return Status::OK();
}

}  // namespace gaggle
