// S3ObjectWriter: a WritableFile that becomes one S3 object, all at once, or not at all.
//
// Appends fill a part buffer; each full part is uploaded (UploadPart with Content-MD5) while
// the next fills, with at most max_parts_in_flight parts travelling at once, so memory stays
// under (max_parts_in_flight + 1) * part_size whatever the object's size. The object becomes
// visible only when Close() or Sync() completes the upload (an object smaller than one part
// is sent as one PutObject). Until then nothing is visible: an error aborts the multipart
// upload and is sticky, and a writer destroyed without Close() aborts it too. A process
// killed mid-way leaves an incomplete upload that no reader sees and that
// ObjectStoreFileSystem::AbortIncompleteUploads removes.
// Objects are immutable once committed: Append after Close()/Sync() is an error, and
// Sync() is the commit (there is no durable half-written object to flush).
// Thread-safety: one thread at a time, like every WritableFile.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "storage/s3_client.h"

namespace gaggle {

struct S3WriteOptions {
  // S3 requires parts of at least 5 MiB (but the last) and allows at most 10,000 parts:
  // 8 MiB parts cover objects up to 78 GiB; raise it for larger ones.
  size_t part_size = 8 << 20;
  int max_parts_in_flight = 4;
};

class S3ObjectWriter final : public WritableFile {
 public:
  S3ObjectWriter(S3Client* client, std::string bucket, std::string key, std::string path, S3WriteOptions options);
  ~S3ObjectWriter() override;

  Status Append(std::string_view data) override;
  Status Flush() override { return error_; }
  Status Sync() override { return Commit(); }
  Status Close() override { return Commit(); }
  uint64_t bytes_written() const override { return bytes_written_; }
  const std::string& path() const override { return path_; }

  // Gives up: aborts the multipart upload (best effort); nothing becomes visible.
  void Abandon();
  // The committed object's ETag ("" before a successful Close).
  const std::string& etag() const { return etag_; }
  // The multipart upload id ("" while the object still fits in one part).
  const std::string& upload_id() const { return upload_id_; }

 private:
  enum class State { kOpen, kCommitted, kFailed };
  Status Commit();
  Status StartPart();
  Status WaitOldest();
  Status Fail(Status st);

  S3Client* client_;
  std::string bucket_;
  std::string key_;
  std::string path_;
  S3WriteOptions options_;
  State state_ = State::kOpen;
  Status error_;
  std::string buffer_;
  uint64_t bytes_written_ = 0;
  std::string upload_id_;
  std::string etag_;
  struct InFlight {
    int part_number;
    std::future<Result<std::string>> etag;
  };
  std::vector<InFlight> in_flight_;  // oldest first
  std::vector<S3CompletedPart> done_;
};

}  // namespace gaggle
