#include "agent/output_committer.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

namespace gaggle {
namespace {

constexpr const char* kStagingPrefix = "staging-";
constexpr const char* kAsidePrefix = "aside-";

std::string TrimSlash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string ParentOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool ProcessAlive(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(::getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// "<prefix><pid>-<nonce>" -> pid, or -1.
long PidFromLeftover(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  std::string rest = name.substr(prefix.size());
  size_t dash = rest.find('-');
  try {
    return std::stol(rest.substr(0, dash));
  } catch (...) {
    return -1;
  }
}

std::string UniqueName(const char* prefix) {
  auto nonce = std::chrono::steady_clock::now().time_since_epoch().count();
  return prefix + std::to_string(::getpid()) + "-" + std::to_string(nonce);
}

// Removes the work directory once nothing is left in it, so the parent gains no entry per
// output; a leftover of a live process keeps it.
Status RemoveWorkDirIfEmpty(FileSystem* fs, const std::string& work) { return fs->RemoveEmptyDirectory(work); }

Status SyncTree(FileSystem* fs, const std::string& dir) {
  GAGGLE_ASSIGN_OR_RETURN(auto names, fs->ListDirectory(dir));
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
    if (info.is_directory) {
      GAGGLE_RETURN_IF_ERROR(SyncTree(fs, path));
    } else {
      GAGGLE_RETURN_IF_ERROR(fs->SyncFile(path));
    }
  }
  return fs->SyncDirectory(dir);
}

}  // namespace

std::string OutputWorkDir(const std::string& output_dir) { return TrimSlash(output_dir) + kOutputWorkSuffix; }

Status RecoverOutputLeftovers(FileSystem* fs, const std::string& output_dir) {
  const std::string output = TrimSlash(output_dir);
  const std::string work = OutputWorkDir(output);
  if (!fs->Exists(work)) return Status::OK();
  GAGGLE_ASSIGN_OR_RETURN(auto names, fs->ListDirectory(work));
  for (const std::string& name : names) {
    long staging_pid = PidFromLeftover(name, kStagingPrefix);
    if (staging_pid >= 0 && !ProcessAlive(staging_pid)) {
      GAGGLE_RETURN_IF_ERROR(fs->RemoveAll(work + "/" + name));
      continue;
    }
    long aside_pid = PidFromLeftover(name, kAsidePrefix);
    if (aside_pid >= 0 && !ProcessAlive(aside_pid)) {
      std::string aside = work + "/" + name;
      if (!fs->Exists(output)) {
        // Crashed between moving the old output aside and renaming the new one in.
        GAGGLE_RETURN_IF_ERROR(fs->Rename(aside, output));
      } else {
        GAGGLE_RETURN_IF_ERROR(fs->RemoveAll(aside));
      }
    }
  }
  GAGGLE_RETURN_IF_ERROR(fs->SyncDirectory(ParentOf(output)));
  return RemoveWorkDirIfEmpty(fs, work);
}

Result<OutputCommitter> OutputCommitter::Begin(FileSystem* fs, const std::string& output_dir) {
  std::string output = TrimSlash(output_dir);
  if (output.empty()) return Status::InvalidArgument("empty output path");
  GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(ParentOf(output)));
  GAGGLE_RETURN_IF_ERROR(RecoverOutputLeftovers(fs, output));
  if (fs->Exists(output)) {
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(output));
    if (!info.is_directory) {
      return Status::InvalidArgument("output '" + output +
                                     "' exists and is not a directory (a dataset output is a directory)");
    }
  }
  std::string staging = OutputWorkDir(output) + "/" + UniqueName(kStagingPrefix);
  GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(staging));
  return OutputCommitter(fs, output, staging);
}

OutputCommitter::OutputCommitter(OutputCommitter&& other) noexcept
    : fs_(other.fs_), output_(std::move(other.output_)), staging_(std::move(other.staging_)), done_(other.done_) {
  other.done_ = true;
}

OutputCommitter::~OutputCommitter() { Abort(); }

void OutputCommitter::Abort() {
  if (done_) return;
  done_ = true;
  (void)fs_->RemoveAll(staging_);
  (void)RemoveWorkDirIfEmpty(fs_, OutputWorkDir(output_));
}

Status OutputCommitter::Commit() {
  if (done_) return Status::Internal("output for '" + output_ + "' already committed or aborted");
  GAGGLE_RETURN_IF_ERROR(SyncTree(fs_, staging_));
  std::string parent = ParentOf(output_);
  std::string aside;
  if (fs_->Exists(output_)) {
    aside = OutputWorkDir(output_) + "/" + UniqueName(kAsidePrefix);
    GAGGLE_RETURN_IF_ERROR(fs_->Rename(output_, aside));
  }
  Status st = fs_->Rename(staging_, output_);
  if (!st.ok()) {
    if (!aside.empty()) (void)fs_->Rename(aside, output_);
    return st;
  }
  done_ = true;
  GAGGLE_RETURN_IF_ERROR(fs_->SyncDirectory(parent));
  if (!aside.empty()) GAGGLE_RETURN_IF_ERROR(fs_->RemoveAll(aside));
  return RemoveWorkDirIfEmpty(fs_, OutputWorkDir(output_));
}

}  // namespace gaggle
