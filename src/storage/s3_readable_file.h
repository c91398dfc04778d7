// Reading S3 objects through the FileSystem seam without downloading them.
//
// S3RandomAccessFile serves ReadAt with ranged GETs. Reads smaller than the read-ahead
// window fetch the whole window (a read near the end fetches the object's tail), so a
// Parquet reader's footer-length read, footer read and page-header reads cost one request
// each region instead of one per call; large reads (column chunks) go straight to the
// caller's buffer. Every GET carries If-Match with the ETag seen at open: an object
// replaced while it is read is a Conflict error, never a mix of two versions.
// S3SequentialFile reads forward in chunks of `chunk_size` bytes, each one ranged GET
// (a stalled or reset transfer is retried for that chunk alone), with the same If-Match
// protection. The next `prefetch_chunks` chunks are fetched in the background while the
// caller consumes the current one, so memory stays at (prefetch_chunks + 1) chunks.
// Thread-safety: one thread at a time per file object (the FileSystem contract);
// S3RandomAccessFile's cache is nonetheless guarded so concurrent ReadAt calls are safe.
#pragma once

#include <deque>
#include <future>
#include <mutex>
#include <string>

#include "common/file_system.h"
#include "storage/s3_client.h"

namespace gaggle {

struct S3ReadOptions {
  size_t read_ahead = 256 << 10;  // random access: small reads fetch this much
  size_t chunk_size = 8 << 20;    // sequential reads: one GET per chunk
  int prefetch_chunks = 3;        // sequential reads: chunks fetched ahead, concurrently
};

class S3RandomAccessFile final : public RandomAccessFile {
 public:
  S3RandomAccessFile(S3Client* client, std::string bucket, S3ObjectInfo info, std::string path, S3ReadOptions options);
  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override;
  uint64_t size() const override { return info_.size; }
  const std::string& path() const override { return path_; }
  // GET requests made and bytes asked for so far (tests and benchmarks check the
  // read-ahead with them).
  uint64_t requests() const;
  uint64_t bytes_fetched() const;

 private:
  S3Client* client_;
  std::string bucket_;
  S3ObjectInfo info_;
  std::string path_;
  S3ReadOptions options_;
  mutable std::mutex mu_;
  mutable std::string cache_;  // bytes [cache_offset_, cache_offset_ + cache_.size())
  mutable uint64_t cache_offset_ = 0;
  mutable uint64_t requests_ = 0;
  mutable uint64_t bytes_fetched_ = 0;
};

class S3SequentialFile final : public SequentialFile {
 public:
  S3SequentialFile(S3Client* client, std::string bucket, S3ObjectInfo info, std::string path, S3ReadOptions options);
  ~S3SequentialFile() override;
  Result<size_t> Read(size_t n, uint8_t* out) override;
  const std::string& path() const override { return path_; }

 private:
  S3Client* client_;
  std::string bucket_;
  S3ObjectInfo info_;
  std::string path_;
  S3ReadOptions options_;
  // Starts fetching chunks until prefetch_chunks + 1 are in flight or the object ends.
  void FillPipeline();

  std::string chunk_;
  size_t chunk_pos_ = 0;
  uint64_t next_offset_ = 0;                              // object offset of the next chunk to request
  std::deque<std::future<Result<std::string>>> pending_;  // oldest first
  Status error_;  // sticky: after a failed chunk, reading on would skip its bytes
};

}  // namespace gaggle
