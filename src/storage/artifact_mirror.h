// ArtifactMirror: an artefact location in object storage (s3://bucket/prefix, gs://...;
// IsObjectStoreUri tells them from a directory)
// seen through a local spool directory that this process owns.
//
// Writers write into the spool as they would into a shared directory (appends, renames,
// O_EXCL all work locally) and publish a file with Upload once it is complete: a closed
// task-log segment and its index, a run log at run end, a patch once written. An upload
// is one whole-object PUT (a multipart upload committed on Close), so a reader sees the
// old object or the new one, never half. UploadChanged publishes every spool file that
// changed since this process last uploaded or fetched it (the end of a command).
// Readers Fetch a prefix (a migration's logs) into the spool and read it as local files,
// or List it and ReadRange the parts of objects they need (one dataset's task lines).
// Each file keeps its path relative to the spool as its key relative to the remote root,
// so two processes must never write the same relative path: shared logs carry a writer id
// in their names (RunLog's writer, NewWriterId).
// Nothing remote is deleted; a spool is removed by its owner (RemoveSpool) only after
// everything in it was uploaded.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

// One object under a listed prefix.
struct ArtifactObject {
  std::string path;  // relative to the prefix listed
  uint64_t size = 0;
  std::string etag;  // "" when the remote is a directory
};

class ArtifactMirror {
 public:
  // remote: the root URI ("s3://bucket/prefix", no trailing '/'), served by remote_fs;
  // spool: an existing local directory this process owns, served by local.
  ArtifactMirror(std::string remote, FileSystem* remote_fs, std::string spool,
                 FileSystem* local = FileSystem::Default());

  // Creates a fresh spool under $TMPDIR (or /tmp) named gaggle-spool-XXXXXX.
  static Result<std::string> MakeSpoolDirectory();
  // "<UTC yyyymmddThhmmss>-<host>-<pid>": unique per process, sorting by start time.
  static std::string NewWriterId();

  const std::string& remote() const { return remote_; }
  const std::string& spool() const { return spool_; }
  // The remote URI of a path inside the spool; InvalidArgument for a path outside it.
  Result<std::string> RemoteFor(const std::string& local_path) const;

  // Publishes the spool file at local_path (absolute or spool-relative path as
  // RemoteFor accepts) as one object.
  Status Upload(const std::string& local_path);
  // Publishes every file under spool/relative_dir ("" = all) whose size or mtime changed
  // since this process last uploaded or fetched it. Returns how many were uploaded.
  Result<int> UploadChanged(const std::string& relative_dir = "");
  // Copies every object under remote/relative_dir into spool/relative_dir (overwriting
  // the spool's copies). A prefix with no objects is not an error. Returns how many.
  Result<int> Fetch(const std::string& relative_dir);
  // Copies the one object remote/relative_path into the spool; false when it is absent.
  Result<bool> FetchFile(const std::string& relative_path);
  // The objects under remote/relative_dir (one recursive listing on an object store).
  Result<std::vector<ArtifactObject>> List(const std::string& relative_dir);
  // `length` bytes at `offset` of the object remote/relative_path, without copying it
  // into the spool (fewer at its end). A non-empty `etag` must still match (a ranged GET
  // with If-Match): a replaced object is a Conflict error, never a mix of two versions.
  Result<std::string> ReadRange(const std::string& relative_path, const std::string& etag, uint64_t offset,
                                uint64_t length);
  // Bytes read from the remote so far (Fetch, FetchFile, ReadRange): what readers cost.
  uint64_t bytes_fetched() const { return bytes_fetched_.load(); }
  // Removes the spool directory (call after a successful UploadChanged).
  Status RemoveSpool();

 private:
  Status CopyFile(FileSystem* from_fs, const std::string& from, FileSystem* to_fs, const std::string& to);
  void Remember(const std::string& local_path);
  bool Changed(const std::string& local_path);
  // The files under remote_dir, their paths relative to it.
  Result<std::vector<ArtifactObject>> ListTree(const std::string& remote_dir, int depth);
  Status CheckRelative(const std::string& relative_path, const char* what) const;

  const std::string remote_;
  FileSystem* const remote_fs_;
  const std::string spool_;
  FileSystem* const local_;
  std::mutex mu_;
  // Size and mtime of each spool file when it was last uploaded or fetched.
  std::map<std::string, std::pair<uint64_t, int64_t>> seen_;
  std::atomic<uint64_t> bytes_fetched_{0};
};

}  // namespace gaggle
