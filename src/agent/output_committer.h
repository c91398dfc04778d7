// OutputCommitter: makes an agent's output visible all at once, or not at all.
//
// The agent writes every file of a dataset (data, dead letters, manifest) into a
// staging directory inside the output's own work directory OUT.gaggle-work/ (beside OUT,
// so on the same file system). Commit() fsyncs them, then swaps the staging directory in
// by rename; a previous output is moved aside into the work directory first and removed
// after the swap, and the emptied work directory goes too. A process killed at any moment
// therefore leaves either the previous output or the new one visible, never a mixture;
// Begin() of the next run clears the leftovers of dead runs and restores a previous output
// that was moved aside but not replaced. Recovery looks only inside OUT.gaggle-work/, so
// its cost does not grow with the number of datasets sharing OUT's parent.
// Thread-safety: one committer per output directory at a time (the fleet's task
// lease guarantees it); leftovers of live processes are never touched.
#pragma once

#include <string>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

class OutputCommitter {
 public:
  // Recovers leftovers of dead runs for `output_dir`, then creates a fresh staging directory.
  static Result<OutputCommitter> Begin(FileSystem* fs, const std::string& output_dir);

  OutputCommitter(OutputCommitter&& other) noexcept;
  OutputCommitter& operator=(OutputCommitter&&) = delete;
  // Aborts (removes the staging directory) unless committed.
  ~OutputCommitter();

  const std::string& staging_dir() const { return staging_; }
  const std::string& output_dir() const { return output_; }
  // fsyncs the staged files and atomically replaces output_dir with them.
  Status Commit();
  // Removes the staging directory; the previous output (if any) stays as it was.
  void Abort();

 private:
  OutputCommitter(FileSystem* fs, std::string output, std::string staging)
      : fs_(fs), output_(std::move(output)), staging_(std::move(staging)) {}
  FileSystem* fs_;
  std::string output_;
  std::string staging_;
  bool done_ = false;
};

// The suffix of an output's work directory, and that directory for `output_dir`.
inline constexpr const char* kOutputWorkSuffix = ".gaggle-work";
std::string OutputWorkDir(const std::string& output_dir);

// Removes the staging/aside leftovers of dead processes beside output_dir and puts
// back a previous output that a crash left aside. Safe to call at any time.
Status RecoverOutputLeftovers(FileSystem* fs, const std::string& output_dir);

}  // namespace gaggle
