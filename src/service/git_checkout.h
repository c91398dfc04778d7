// GitCheckout: the few git operations the consumer-repository patcher needs, done by
// running the `git` binary (found on PATH through /usr/bin/env) with a deadline per call.
// Nothing here writes to the checkout's working tree, its index or its current branch:
// reads go through the object database, and a commit is built with a private index file
// (GIT_INDEX_FILE) and plumbing (read-tree, apply --cached, write-tree, commit-tree), so
// the user's checkout is exactly as it was. The environment's GIT_DIR, GIT_WORK_TREE
// and GIT_INDEX_FILE are cleared for every call, and messages are in the C locale.
// Errors name the git command, the repository and git's own message.
// Thread-safety: calls on one GitCheckout may run concurrently (git's own locks apply).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct GitOutput {
  int exit_code = -1;
  std::string out;  // standard output, lines joined with '\n' (no final one)
  std::string err;  // standard error
};

// A file as a commit holds it.
struct GitTreeEntry {
  std::string mode;  // "100644", "100755", "120000" (symlink), "040000" (tree), "160000" (submodule)
  std::string type;  // "blob", "tree", "commit"
  std::string object;
};

class GitCheckout {
 public:
  // The checkout holding `path`: InvalidArgument when `path` is not inside one, or is
  // inside a bare repository.
  static Result<GitCheckout> Open(const std::string& path,
                                  std::chrono::milliseconds per_call_deadline = std::chrono::seconds(60));

  const std::string& root() const { return root_; }

  // `git -C root <args>` with `env` ("K=V") added; an error only when git could not run
  // or overran the deadline.
  Result<GitOutput> Run(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                        const std::string& stdin_data = "") const;
  // Run, then its standard output; a non-zero exit is Internal with git's message.
  Result<std::string> Output(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                             const std::string& stdin_data = "") const;

  // The commit `rev` names (HEAD, a branch...); NotFound when it names none.
  Result<std::string> ResolveCommit(const std::string& rev) const;
  // The branch HEAD is on ("" when detached).
  Result<std::string> CurrentBranch() const;
  // The entry at `path` in `commit`'s tree; NotFound when there is none.
  Result<GitTreeEntry> TreeEntry(const std::string& commit, const std::string& path) const;
  // The exact bytes of a blob (up to max_bytes; larger is InvalidArgument).
  Result<std::string> Blob(const std::string& object, int64_t max_bytes = int64_t{16} << 20) const;
  // Paths among `paths` whose working-tree or index state differs from HEAD, with their
  // `git status --porcelain` code ("M", "D", "??"...): "code path" each.
  Result<std::vector<std::string>> DirtyPaths(const std::vector<std::string>& paths) const;

 private:
  GitCheckout(std::string root, std::chrono::milliseconds deadline) : root_(std::move(root)), deadline_(deadline) {}
  std::string root_;
  std::chrono::milliseconds deadline_;
};

}  // namespace gaggle
