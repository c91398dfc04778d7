// ObjectOutputCommitter: the commit of an agent's output on an object store (s3://, gs://),
// which has no rename. The role of OutputCommitter (output_committer.h) for local outputs.
//
// Layout of a dataset's output location T (e.g. s3://lake/orders):
//   T/_gaggle_attempts/ID/...                  every object of one attempt: data files, dead
//                                              letters, and the attempt's manifest, written last
//   T/_gaggle_attempts/ID/_gaggle_manifest.json
//   T/_gaggle_manifest.json                    THE COMMIT POINT: the attempt's manifest plus
//                                              "attempt": ID and "objects": every object of
//                                              the attempt with its size and ETag. One PUT,
//                                              which S3 makes visible all at once.
// The dataset's current output is the attempt that T's manifest names; nothing else under
// T is ever read as the dataset. A consumer (and gaggle's validation) finds it through
// LoadCommittedObjectOutput, which trusts an attempt only when its listing holds exactly the
// objects T's manifest lists, with the same sizes and ETags (the store's MD5-based checksum,
// which the client checked on upload), and optionally the same sha256s read back. A process
// killed at any moment therefore leaves either the previous commit or the new one current,
// never a mixture: until T's manifest is replaced, the new attempt is not the dataset.
//
// ID = <UTC yyyymmddThhmmssZ>-<host>-<pid>-<nonce>. Begin() of the next run cleans up (on the
// same rules as RecoverObjectOutputLeftovers): it aborts the incomplete multipart uploads
// under T/_gaggle_attempts/ and deletes the attempts that are not current and whose writer is
// gone (a dead pid on this host; on another host, an attempt older than
// `other_host_grace`). It deletes only objects that its own listing of
// T/_gaggle_attempts/ID/ returned, for names that parse as attempt IDs: an object anywhere
// else (beside T, directly in T, in T/_gaggle_attempts/ under another name) is never touched.
// After a commit, the attempt it superseded is deleted the same way.
//
// Ownership: T must be a key prefix (not a bucket, not an object) that either holds a gaggle
// manifest or has no object outside T/_gaggle_attempts/; anything else is refused
// (InvalidArgument naming an object found there), so gaggle never takes over foreign data.
// Thread-safety: one committer per output location at a time (the fleet's task lease
// guarantees it); attempts of live processes are never touched.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "dataset/manifest.h"
#include "storage/object_store_file_system.h"

namespace gaggle {

inline constexpr const char* kAttemptsDirName = "_gaggle_attempts";

struct ObjectCommitOptions {
  // An attempt written from another host is abandoned once it is older than this.
  std::chrono::seconds other_host_grace{3600};
};

// What an attempt holds, as T's manifest lists it.
struct CommittedObject {
  std::string path;  // relative to the attempt prefix
  uint64_t bytes = 0;
  std::string etag;
};

struct CommittedObjectOutput {
  std::string attempt;  // ID
  std::string root;     // T/_gaggle_attempts/ID: the dataset's files are under it
  Manifest manifest;    // paths relative to root
  std::vector<CommittedObject> objects;
};

// T's manifest as text, parsed the way LoadCommittedObjectOutput reads it: the manifest, the
// attempt it names (an ID as the committer makes them) and its objects (relative paths
// without empty, "." or ".." segments). Corruption naming `where` for anything else; `root`
// is left empty. Pure; the fuzz target object_commit_record_fuzz.cc drives it.
Result<CommittedObjectOutput> ParseCommitRecord(std::string_view text, const std::string& where);

// The committed output of T, checked: NotFound when T has no manifest; Corruption (naming
// the object) when the attempt's listing differs from the manifest in any object, size or
// ETag, or (verify_sha256) a data object's sha256 differs.
Result<CommittedObjectOutput> LoadCommittedObjectOutput(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                                        bool verify_sha256 = false);

struct ObjectCleanupReport {
  int aborted_uploads = 0;
  int removed_attempts = 0;
  int64_t removed_objects = 0;
};

// Aborts abandoned multipart uploads and deletes abandoned attempts of T (see above).
Result<ObjectCleanupReport> RecoverObjectOutputLeftovers(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                                         const ObjectCommitOptions& options = {});

// Refuses a location gaggle may not write a dataset to (see Ownership above), or one that
// equals, contains or lies inside `input_uri` (compared as keys).
Status CheckObjectOutputOwnership(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                  const std::string& input_uri);

// Rollback's quarantine of an object-store output: moves gaggle's objects of `output_uri`
// (its manifest and every attempt, as listed) to `dest_uri` by server-side copy, each
// conditional on the source's ETag and checked by size, then deletes the sources — the
// manifest first, so the output stops being current before any attempt object goes. A crash
// leaves both copies, never neither; running it again finishes the move. Objects that are
// not gaggle's (anything outside T/_gaggle_attempts/ID/ and T's manifest) are left where they
// are. Returns how many objects moved (0: nothing to move). Objects above the client's
// multipart_copy_threshold (5 GiB, S3's single-copy limit) are copied in parts.
Result<int64_t> QuarantineObjectOutput(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                       const std::string& dest_uri);

class ObjectOutputCommitter {
 public:
  // Checks ownership of `output_uri`, recovers leftovers, then reserves a new attempt ID.
  static Result<ObjectOutputCommitter> Begin(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                             const ObjectCommitOptions& options = {});

  ObjectOutputCommitter(ObjectOutputCommitter&& other) noexcept;
  ObjectOutputCommitter& operator=(ObjectOutputCommitter&&) = delete;
  // Aborts unless committed.
  ~ObjectOutputCommitter();

  const std::string& output_uri() const { return output_; }
  const std::string& attempt() const { return attempt_; }
  // T/_gaggle_attempts/ID
  std::string attempt_prefix() const;

  // Uploads every file under local_dir (data files, dead letters; the local manifest file,
  // if any, is ignored) to the attempt prefix, checks their sizes, writes the attempt's
  // manifest and then T's manifest (the commit point), and deletes the superseded attempt.
  // `manifest` must list the data files of local_dir (paths relative to it).
  Status Commit(FileSystem* local, const std::string& local_dir, const Manifest& manifest);
  // Deletes what this attempt uploaded and aborts its incomplete uploads.
  void Abort();

 private:
  ObjectOutputCommitter(ObjectStoreFileSystem* fs, std::string output, std::string attempt)
      : fs_(fs), output_(std::move(output)), attempt_(std::move(attempt)) {}
  ObjectStoreFileSystem* fs_;
  std::string output_;
  std::string attempt_;
  bool done_ = false;
};

}  // namespace gaggle
