// Deleting exactly the files a listing knew, beneath one root, without ever following
// a symlink. gc uses it to remove a dataset's old data: only the data files that the
// migration read (the input listing in the new output's manifest) are removed, and only
// while they still have the size and modification time they were listed with. Anything
// else under the root (a nested dataset, hidden files, a file written since) is left
// where it is and reported. Directories are removed only when they end up empty.
//
// Every step is relative to a directory descriptor opened component by component with
// O_NOFOLLOW from "/", so a parent swapped for a symlink after the caller's checks makes
// the deletion fail rather than reach a different tree. A root that is itself a symlink
// is refused. Interrupting it at any point leaves a subset of the listed files deleted;
// running it again with the same listing finishes the job (missing files count as gone).
// Thread-safety: stateless; concurrent calls on one tree race only as unlink(2) does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct ListedFile {
  std::string relative_path;  // "" when the root itself is the (single) file
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // 0: not compared
};

struct ListedDeleteReport {
  int64_t files = 0;          // deleted now
  int64_t bytes = 0;          // deleted now
  int64_t already_gone = 0;   // listed but no longer there
  bool root_removed = false;  // the root (file or emptied directory) is gone
  // What was left, one line each: "path: why" (changed since listed, not listed, error).
  std::vector<std::string> left;
  // Listed files that could not be deleted (a retry may succeed): "path: error".
  std::vector<std::string> errors;
};

// Called before each unlink with the path about to go (tests inject faults and races
// here); returning a non-OK status stops the deletion with that status.
using BeforeUnlinkHook = std::function<Status(const std::string& path)>;

// Deletes the listed files under `root` (an absolute, normalised local path). Fails
// (nothing deleted) when `root` or one of its parents is a symlink or not a directory,
// or when a listed path escapes the root. A missing root is "already gone".
Result<ListedDeleteReport> DeleteListedFiles(const std::string& root, const std::vector<ListedFile>& files,
                                             BeforeUnlinkHook hook = nullptr);

// True when no component of the absolute path `path` that exists is a symlink.
// `symlink` receives the first one found.
bool HasNoSymlinkComponent(const std::string& path, std::string* symlink = nullptr);

}  // namespace gaggle
