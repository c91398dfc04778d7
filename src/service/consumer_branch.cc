#include "service/consumer_branch.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "verify/query_patch.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNoCommit = "0000000000000000000000000000000000000000";

// A private directory for the index and patch files, removed with its contents.
class ScratchDir {
 public:
  static Result<ScratchDir> Make() {
    std::string tmpl = (fs::temp_directory_path() / "gaggle-branch-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return Status::IOError("cannot create a scratch directory: " + tmpl);
    return ScratchDir(tmpl);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit ScratchDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

// The branch's current commit ("" when it does not exist), after the refusals that
// protect whoever is on it.
Result<std::string> CheckBranch(const GitCheckout& repo, const ConsumerBranchOptions& o) {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput valid, repo.Run({"check-ref-format", "--branch", o.branch}));
  if (o.branch.empty() || valid.exit_code != 0 || o.branch.front() == '-') {
    return Status::InvalidArgument("'" + o.branch + "' is not a valid branch name");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::string current, repo.CurrentBranch());
  if (current == o.branch) {
    return Status::Conflict("branch '" + o.branch + "' is checked out in " + repo.root() +
                            ": gaggle never moves the branch you are on (name another with --branch)");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::string worktrees, repo.Output({"worktree", "list", "--porcelain"}));
  if (("\n" + worktrees + "\n").find("\nbranch refs/heads/" + o.branch + "\n") != std::string::npos) {
    return Status::Conflict("branch '" + o.branch + "' is checked out in another worktree of " + repo.root() +
                            ": gaggle never moves a branch someone is on");
  }
  auto existing = repo.ResolveCommit("refs/heads/" + o.branch);
  if (!existing.ok()) return std::string();
  if (!o.replace_branch) {
    return Status::AlreadyExists("branch '" + o.branch + "' already exists in " + repo.root() + " (at " +
                                 existing->substr(0, 12) + "); pass --replace-branch to replace it");
  }
  return *existing;
}

// The blob at `path` in `base`, after checking that no component is a symlink or a
// submodule: the path must stay inside the repository.
Result<std::string> CheckedBlob(const GitCheckout& repo, const std::string& base, const std::string& path) {
  GAGGLE_RETURN_IF_ERROR(CheckRepoRelativePath(path));
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    GAGGLE_ASSIGN_OR_RETURN(GitTreeEntry e, repo.TreeEntry(base, dir));
    if (e.mode == "120000") {
      return Status::InvalidArgument("path '" + path + "' goes through the symlink '" + dir + "' in " + repo.root() +
                                     ": it could leave the repository, so gaggle does not follow it");
    }
    if (e.type != "tree") {
      return Status::InvalidArgument("path '" + path + "': '" + dir + "' is not a directory in " + repo.root());
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(GitTreeEntry e, repo.TreeEntry(base, path));
  if (e.mode == "120000") {
    return Status::InvalidArgument("path '" + path + "' is a symlink in " + repo.root() +
                                   ": it could leave the repository, so gaggle does not follow it");
  }
  if (e.type != "blob" || (e.mode != "100644" && e.mode != "100755")) {
    return Status::InvalidArgument("path '" + path + "' is not a regular file in " + repo.root() + " (mode " + e.mode +
                                   ")");
  }
  return repo.Blob(e.object);
}

// Author and committer for the commits: the repository's configured identity, else gaggle's.
Result<std::vector<std::string>> IdentityEnv(const GitCheckout& repo) {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput ident, repo.Run({"var", "GIT_COMMITTER_IDENT"}));
  if (ident.exit_code == 0) return std::vector<std::string>{};
  return std::vector<std::string>{"GIT_AUTHOR_NAME=gaggle", "GIT_AUTHOR_EMAIL=gaggle@localhost",
                                  "GIT_COMMITTER_NAME=gaggle", "GIT_COMMITTER_EMAIL=gaggle@localhost"};
}

std::string CommitMessage(const ConsumerBranchOptions& o, const ConsumerCommit& c) {
  int changed = 0, refused = 0, statements = 0;
  std::string files;
  for (const ConsumerFileChange& f : c.files) {
    changed += f.rewrite.Changed();
    refused += f.rewrite.Refused();
    statements += static_cast<int>(f.rewrite.statements.size());
    if (!f.patch.empty()) files += "\n- " + f.path;
  }
  std::string msg = "gaggle: " + c.consumer + ": queries for the new schema of " +
                    (o.migration.empty() ? std::string("the migration") : "migration " + o.migration) + "\n\n" +
                    std::to_string(changed) + " of " + std::to_string(statements) + " statements rewritten" +
                    (refused ? ", " + std::to_string(refused) + " refused (marked with a gaggle comment)" : "") +
                    ", in:" + files + "\n";
  for (const ConsumerFileChange& f : c.files) {
    for (const SqlFileStatement& s : f.rewrite.statements) {
      for (const std::string& e : s.edits) msg += "\n" + f.path + ":" + std::to_string(s.span.line) + ": " + e;
      if (!s.refused.empty()) msg += "\n" + f.path + ":" + std::to_string(s.span.line) + ": refused: " + s.refused;
    }
  }
  return msg + "\n";
}

}  // namespace

int ConsumerBranchResult::Commits() const {
  int n = 0;
  for (const ConsumerCommit& c : consumers) n += !c.commit.empty();
  return n;
}

Result<ConsumerBranchResult> WriteConsumerBranch(const GitCheckout& repo, const std::vector<ConsumerFiles>& consumers,
                                                 const ConsumerBranchOptions& options) {
  ConsumerBranchResult out;
  out.repo = repo.root();
  out.branch = options.branch;
  GAGGLE_ASSIGN_OR_RETURN(out.replaced, CheckBranch(repo, options));
  GAGGLE_ASSIGN_OR_RETURN(out.base, repo.ResolveCommit(options.base));
  // Every file's text at the base, each checked once; the rewrite of consumer k starts
  // from what the commits before it left.
  std::map<std::string, std::string> text;
  std::vector<std::string> all_paths;
  for (const ConsumerFiles& c : consumers) {
    for (const std::string& p : c.paths) {
      if (text.count(p)) continue;
      auto blob = CheckedBlob(repo, out.base, p);
      if (!blob.ok()) return blob.status().WithContext(c.consumer);
      text[p] = std::move(*blob);
      all_paths.push_back(p);
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> dirty, repo.DirtyPaths(all_paths));
  if (!dirty.empty()) {
    std::string list;
    for (const std::string& d : dirty) list += (list.empty() ? "" : ", ") + d;
    return Status::Conflict("uncommitted changes to the files gaggle would change in " + repo.root() + ": " + list +
                            " (commit or stash them first: the branch is built from " + options.base +
                            " and would not carry them)");
  }
  for (const ConsumerFiles& c : consumers) {
    ConsumerCommit commit;
    commit.consumer = c.consumer;
    for (const std::string& p : c.paths) {
      ConsumerFileChange f;
      f.path = p;
      auto rewrite = c.rewrite ? c.rewrite(p, text[p]) : RewriteSqlFile(text[p], c.rules);
      if (!rewrite.ok()) return rewrite.status().WithContext(c.consumer + ": " + p);
      f.rewrite = std::move(*rewrite);
      f.patch = RenderFilePatch(p, text[p], f.rewrite.text);
      commit.files.push_back(std::move(f));
    }
    out.consumers.push_back(std::move(commit));
  }
  // The commits, through a private index: the checkout's own index is never read or written.
  GAGGLE_ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Make());
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> env, IdentityEnv(repo));
  env.push_back("GIT_INDEX_FILE=" + scratch.File("index"));
  GAGGLE_RETURN_IF_ERROR(repo.Output({"read-tree", out.base}, env).status());
  std::string parent = out.base;
  for (ConsumerCommit& c : out.consumers) {
    std::string patch;
    for (const ConsumerFileChange& f : c.files) patch += f.patch;
    if (patch.empty()) continue;
    const std::string patch_file = scratch.File("consumer.patch");
    GAGGLE_RETURN_IF_ERROR(WriteText(patch_file, patch));
    auto check = repo.Output({"apply", "--cached", "--check", patch_file}, env);
    if (!check.ok()) return check.status().WithContext("the patch of " + c.consumer + " does not apply");
    GAGGLE_RETURN_IF_ERROR(repo.Output({"apply", "--cached", patch_file}, env).status());
    GAGGLE_ASSIGN_OR_RETURN(std::string tree, repo.Output({"write-tree"}, env));
    GAGGLE_ASSIGN_OR_RETURN(
        c.commit, repo.Output({"commit-tree", tree, "-p", parent, "-F", "-"}, env, CommitMessage(options, c)));
    parent = c.commit;
    for (const ConsumerFileChange& f : c.files) text[f.path] = f.rewrite.text;
  }
  if (parent == out.base) return out;  // nothing to change: no branch
  GAGGLE_RETURN_IF_ERROR(repo.Output({"update-ref", "-m", "gaggle consumers patch", "refs/heads/" + options.branch,
                                      parent, out.replaced.empty() ? kNoCommit : out.replaced})
                             .status());
  out.head = parent;
  return out;
}

}  // namespace gaggle
