// ConsumerBranch: the change a migration asks of consumers' SQL, as a branch of the
// repository that holds their files — one commit per consumer, each rewriting the
// consumer's own files in place (verify/sql_file.h: comments, layout and Jinja kept),
// built on `base` without touching the checkout (service/git_checkout.h): the working
// tree, the index and the current branch stay exactly as they were.
//
// Refusals, before anything is written (each names what and where):
//   InvalidArgument     a bad branch name; a path that is absolute, climbs out with '..'
//                       or holds characters a patch cannot carry (CheckRepoRelativePath);
//                       a path through a symlink or submodule, or not a regular file, in
//                       `base`
//   Conflict            the branch is checked out here or in another worktree (gaggle
//                       never moves a branch someone is on); a file to change has
//                       uncommitted changes (the branch would not carry them)
//   AlreadyExists       the branch exists and replace_branch is false
//   NotFound            `base` or a file is missing
// Every patch is checked with `git apply --cached --check` before it is applied. The
// branch is set with a compare-and-set (`git update-ref NEW OLD`), so a branch made
// meanwhile by someone else is not overwritten. No branch is made when no file changes.
// Thread-safety: one call per repository at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "service/git_checkout.h"
#include "verify/rewrite_rules.h"
#include "verify/sql_file.h"

namespace gaggle {

struct ConsumerFiles {
  std::string consumer;            // entity id ("component:billing")
  std::vector<std::string> paths;  // its SQL files, relative to the repository's root
  RewriteRules rules;
  // When set, rewrites a file (its path and text at the base) instead of RewriteSqlFile
  // with `rules` (dbt models: verify/dbt_model.h).
  std::function<Result<SqlFileRewrite>(const std::string& path, const std::string& text)> rewrite;
};

struct ConsumerBranchOptions {
  std::string branch;  // refs/heads/<branch>
  std::string base = "HEAD";
  bool replace_branch = false;
  std::string migration;  // for commit messages
};

struct ConsumerFileChange {
  std::string path;
  std::string patch;  // RenderFilePatch: "" when the file needs no change
  SqlFileRewrite rewrite;
};

struct ConsumerCommit {
  std::string consumer;
  std::string commit;  // "" when none of its files changes
  std::vector<ConsumerFileChange> files;
};

struct ConsumerBranchResult {
  std::string repo;  // the checkout's root
  std::string branch;
  std::string base;                       // commit
  std::string head;                       // the branch's commit ("" when nothing changed: no branch made)
  std::string replaced;                   // the branch's commit before, when replaced
  std::vector<ConsumerCommit> consumers;  // in the order given
  int Commits() const;
};

Result<ConsumerBranchResult> WriteConsumerBranch(const GitCheckout& repo, const std::vector<ConsumerFiles>& consumers,
                                                 const ConsumerBranchOptions& options);

}  // namespace gaggle
