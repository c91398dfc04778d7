// Streaming zstd (libzstd's ZSTD_compressStream2 / ZSTD_decompressStream) on top of the
// FileSystem seam, for archives too large to hold compressed in memory.
//
// ZstdWriteStream compresses everything written into one frame with a content checksum (so a
// flipped compressed byte is caught by zstd itself) and appends the compressed bytes to a
// WritableFile it does not own. Same input and level give the same bytes (single-threaded).
//
// ZstdReadStream decompresses a file or an in-memory buffer of one or more frames. Malformed
// bytes, a checksum mismatch or a stream that ends inside a frame are Corruption naming the
// source and the compressed byte offset. Decompression memory is bounded: frames whose window
// exceeds 128 MiB are refused.
// Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

class ZstdWriteStream {
 public:
  // `out` must outlive the stream. `level` 0 means zstd's default (3).
  static Result<std::unique_ptr<ZstdWriteStream>> Open(WritableFile* out, int level);
  ~ZstdWriteStream();
  ZstdWriteStream(const ZstdWriteStream&) = delete;
  ZstdWriteStream& operator=(const ZstdWriteStream&) = delete;

  Status Write(std::string_view data);
  // Ends the frame and appends the rest of the compressed bytes to `out` (no sync, no close).
  // Nothing may be written afterwards.
  Status Finish();
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  struct Impl;
  explicit ZstdWriteStream(std::unique_ptr<Impl> impl);
  Status Drive(std::string_view data, bool end);
  std::unique_ptr<Impl> impl_;
  uint64_t bytes_in_ = 0;
};

class ZstdReadStream {
 public:
  // Streams the file's compressed bytes in 128 KiB reads; `name` is used in messages.
  static Result<std::unique_ptr<ZstdReadStream>> OpenFile(FileSystem* fs, const std::string& path);
  // `compressed` is not copied and must outlive the stream.
  static std::unique_ptr<ZstdReadStream> FromMemory(std::string_view compressed, std::string name);
  ~ZstdReadStream();
  ZstdReadStream(const ZstdReadStream&) = delete;
  ZstdReadStream& operator=(const ZstdReadStream&) = delete;

  // Reads up to n decompressed bytes into out; fewer only at the clean end of the stream
  // (0 then means the end). Corruption for malformed or truncated compressed bytes.
  Result<size_t> Read(char* out, size_t n);
  // Decompressed bytes returned so far.
  uint64_t position() const { return position_; }
  // Compressed bytes consumed so far (zstd consumes input in chunks: an error is near it).
  uint64_t compressed_position() const { return compressed_position_; }
  const std::string& name() const { return name_; }

 private:
  struct Impl;
  ZstdReadStream(std::unique_ptr<Impl> impl, std::string name);
  Status Refill();
  std::unique_ptr<Impl> impl_;
  std::string name_;
  uint64_t position_ = 0;
  uint64_t compressed_position_ = 0;
};

}  // namespace gaggle
