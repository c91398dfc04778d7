#include "service/git_checkout.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "agent/cancellation.h"
#include "agent/process_runner.h"

namespace gaggle {
namespace {

std::string Joined(const std::vector<std::string>& args) {
  std::string out = "git";
  for (const std::string& a : args) out += " " + a;
  return out;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Runs git in `dir` (-C) with the deadline; standard error through a private file.
Result<GitOutput> RunGit(const std::string& dir, const std::vector<std::string>& args,
                         const std::vector<std::string>& env, const std::string& stdin_data,
                         std::chrono::milliseconds deadline) {
  char err_path[] = "/tmp/gaggle-git-err-XXXXXX";
  const int fd = ::mkstemp(err_path);
  if (fd < 0) return Status::IOError("cannot create a temporary file for git's messages");
  ::close(fd);
  ProcessOptions o;
  o.argv = {"/usr/bin/env",
            "-u",
            "GIT_DIR",
            "-u",
            "GIT_WORK_TREE",
            "-u",
            "GIT_INDEX_FILE",
            "LC_ALL=C",
            "GIT_TERMINAL_PROMPT=0",
            "GIT_OPTIONAL_LOCKS=0"};
  o.argv.insert(o.argv.end(), env.begin(), env.end());
  o.argv.insert(o.argv.end(), {"git", "-C", dir});
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdin_data = stdin_data;
  o.stderr_path = err_path;
  o.kill_grace = std::chrono::milliseconds(500);
  CancellationToken token(CancellationToken::Clock::now() + deadline);
  std::vector<std::string> lines;
  auto outcome = RunProcess(o, token, [&lines](const std::string& line) { lines.push_back(line); });
  std::ifstream in(err_path, std::ios::binary);
  std::stringstream err;
  err << in.rdbuf();
  ::unlink(err_path);
  if (!outcome.ok()) return outcome.status().WithContext(Joined(args));
  if (outcome->timed_out) {
    return Status::Timeout(Joined(args) + " in " + dir + " did not finish within " + std::to_string(deadline.count()) +
                           " ms");
  }
  GitOutput out;
  out.exit_code = outcome->signaled ? 128 + outcome->signal : outcome->exit_code;
  for (size_t i = 0; i < lines.size(); ++i) out.out += (i ? "\n" : "") + lines[i];
  out.err = Trimmed(err.str());
  if (out.exit_code == 127 && out.err.find("git") != std::string::npos &&
      out.err.find("No such file") != std::string::npos) {
    return Status::NotFound("the git program is not installed (or not on PATH): " + out.err);
  }
  return out;
}

}  // namespace

Result<GitCheckout> GitCheckout::Open(const std::string& path, std::chrono::milliseconds per_call_deadline) {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput top, RunGit(path, {"rev-parse", "--show-toplevel"}, {}, "", per_call_deadline));
  if (top.exit_code != 0 || top.out.empty()) {
    return Status::InvalidArgument(path + " is not a git checkout with a working tree" +
                                   (top.err.empty() ? "" : ": " + top.err));
  }
  return GitCheckout(top.out, per_call_deadline);
}

Result<GitOutput> GitCheckout::Run(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                   const std::string& stdin_data) const {
  return RunGit(root_, args, env, stdin_data, deadline_);
}

Result<std::string> GitCheckout::Output(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                        const std::string& stdin_data) const {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput out, Run(args, env, stdin_data));
  if (out.exit_code != 0) {
    return Status::Internal(Joined(args) + " failed in " + root_ + " (exit " + std::to_string(out.exit_code) +
                            "): " + out.err);
  }
  return out.out;
}

Result<std::string> GitCheckout::ResolveCommit(const std::string& rev) const {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput out,
                          Run({"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"}));
  if (out.exit_code != 0 || out.out.empty()) return Status::NotFound("no commit '" + rev + "' in " + root_);
  return out.out;
}

Result<std::string> GitCheckout::CurrentBranch() const {
  GAGGLE_ASSIGN_OR_RETURN(GitOutput out, Run({"symbolic-ref", "--quiet", "--short", "HEAD"}));
  return out.exit_code == 0 ? out.out : std::string();
}

Result<GitTreeEntry> GitCheckout::TreeEntry(const std::string& commit, const std::string& path) const {
  GAGGLE_ASSIGN_OR_RETURN(std::string line, Output({"ls-tree", "--full-tree", commit, "--", path}));
  // "<mode> SP <type> SP <object> TAB <path>"
  const size_t tab = line.find('\t');
  if (line.empty() || tab == std::string::npos || line.substr(tab + 1) != path) {
    return Status::NotFound("no file '" + path + "' in commit " + commit.substr(0, 12) + " of " + root_);
  }
  std::istringstream fields(line.substr(0, tab));
  GitTreeEntry e;
  fields >> e.mode >> e.type >> e.object;
  return e;
}

Result<std::string> GitCheckout::Blob(const std::string& object, int64_t max_bytes) const {
  GAGGLE_ASSIGN_OR_RETURN(std::string size_text, Output({"cat-file", "-s", object}));
  const int64_t size = std::strtoll(size_text.c_str(), nullptr, 10);
  if (size > max_bytes) {
    return Status::InvalidArgument("object " + object + " in " + root_ + " is " + size_text + " bytes, over the " +
                                   std::to_string(max_bytes) + " gaggle reads");
  }
  GAGGLE_ASSIGN_OR_RETURN(std::string text, Output({"cat-file", "blob", object}));
  // Output() joins lines with '\n' and cannot tell whether the last one had it: the size can.
  if (static_cast<int64_t>(text.size()) + 1 == size) text += '\n';
  if (static_cast<int64_t>(text.size()) != size) {
    return Status::Internal("object " + object + " in " + root_ + " read as " + std::to_string(text.size()) +
                            " bytes, not " + size_text);
  }
  return text;
}

Result<std::vector<std::string>> GitCheckout::DirtyPaths(const std::vector<std::string>& paths) const {
  std::vector<std::string> args = {"status", "--porcelain", "-z", "--untracked-files=all", "--"};
  args.insert(args.end(), paths.begin(), paths.end());
  GAGGLE_ASSIGN_OR_RETURN(std::string out, Output(args));
  std::vector<std::string> dirty;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\0', start);
    if (end == std::string::npos) end = out.size();
    const std::string entry = out.substr(start, end - start);
    start = end + 1;
    if (entry.size() < 4) continue;
    std::string code = entry.substr(0, 2);
    while (!code.empty() && code.front() == ' ') code.erase(0, 1);
    while (!code.empty() && code.back() == ' ') code.pop_back();
    dirty.push_back(code + " " + entry.substr(3));
    if (entry[0] == 'R' || entry[0] == 'C')
      start =
          out.find('\0', start) == std::string::npos ? out.size() : out.find('\0', start) + 1;  // the rename's source
  }
  return dirty;
}

}  // namespace gaggle
