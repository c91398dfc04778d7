// ObjectStoreFileSystem: S3 (and GCS through its S3-compatible XML API) behind gaggle's
// FileSystem seam. Paths are URIs: "s3://bucket/key" (or "gs://..." for a gs instance).
//
// What each call means on an object store, where "directories" are key prefixes:
//   OpenRandomAccess  HEAD, then ranged GETs with read-ahead (S3RandomAccessFile)
//   OpenSequential    HEAD, then one ranged GET per chunk (S3SequentialFile)
//   OpenWritable      a multipart upload committed on Close/Sync, aborted if abandoned
//   Stat              HEAD; else a prefix with objects under it is a directory
//   ListDirectory     ListObjectsV2 with delimiter '/'; a prefix with nothing is empty
//   CreateDirectories nothing to do: prefixes exist when objects do
//   Rename            NOT atomic. Directories: Unsupported (there is no rename of a prefix;
//                     commit by writing a manifest last). A file: server-side copy (in
//                     parts above 5 GiB; conditional on the source's ETag), check of the copy's size,
//                     then delete of the source: a crash between leaves both, never neither.
//   RemoveFile        batch delete of the one key (NotFound when absent)
//   RemoveAll         batch delete of exactly the key and the keys under "key/" (never a
//                     sibling such as "key-old/"); a whole bucket is refused
//   Sync*             nothing to do: an object is durable once its upload completes
// AbortIncompleteUploads cleans the multipart uploads that killed writers leave behind.
// Thread-safety: all methods may be called concurrently (S3Client is thread-safe).
#pragma once

#include <memory>
#include <string>

#include "common/file_system.h"
#include "storage/object_uri.h"
#include "storage/s3_client.h"
#include "storage/s3_object_writer.h"
#include "storage/s3_readable_file.h"

namespace gaggle {

struct ObjectStoreOptions {
  S3ReadOptions read;
  S3WriteOptions write;
};

class ObjectStoreFileSystem final : public FileSystem {
 public:
  // scheme: "s3" or "gs", the URIs this instance accepts.
  ObjectStoreFileSystem(std::shared_ptr<S3Client> client, std::string scheme, ObjectStoreOptions options = {});

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;
  Status CreateDirectories(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status SyncDirectory(const std::string& path) override;
  Status SyncFile(const std::string& path) override;

  // Aborts the incomplete multipart uploads of the object at uri and of those under
  // "uri/", started before initiated_before_unix (0: all of them). Returns how many.
  Result<int> AbortIncompleteUploads(const std::string& uri, int64_t initiated_before_unix);

  S3Client* client() const { return client_.get(); }
  const std::string& scheme() const { return scheme_; }

 private:
  Result<ObjectUri> Parse(const std::string& path) const;
  // True when at least one object's key starts with prefix.
  Result<bool> PrefixHasObjects(const std::string& bucket, const std::string& prefix);

  std::shared_ptr<S3Client> client_;
  std::string scheme_;
  ObjectStoreOptions options_;
};

}  // namespace gaggle
