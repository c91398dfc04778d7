// TarZstWriter: writes a POSIX ustar archive of regular files, compressed as one zstd frame
// (a .tar.zst that `tar --zstd -xf` and `tar -I zstd -xf` open).
//
// Every entry is a regular file, mode 0644, owner/group 0/0 "gaggle". A path that does not fit
// the ustar name (100 bytes) or prefix/name split (155 + 100) gets a pax extended header with a
// "path" record, and so does a size or mtime beyond 11 octal digits. Nothing about the writing
// machine or time goes in: the same entries in the same order give byte-identical archives.
//
// Lifecycle (sticky error): Create, Add..., then Finish. Bytes go to `path + ".tmp"`; Finish
// writes the end-of-archive blocks, ends the zstd frame, fsyncs and renames onto `path`, so
// readers see the old file or the whole new one, never half. A writer destroyed (or Abandon()ed)
// before Finish removes its temporary file and leaves `path` untouched.
// Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

inline constexpr int kTarZstDefaultLevel = 3;

class TarZstWriter {
 public:
  // Opens `path + ".tmp"` for writing. `fs` null means FileSystem::Default().
  static Result<TarZstWriter> Create(const std::string& path, int level = kTarZstDefaultLevel,
                                     FileSystem* fs = nullptr);
  TarZstWriter(TarZstWriter&&) noexcept;
  TarZstWriter& operator=(TarZstWriter&&) noexcept;
  ~TarZstWriter();

  // Appends one regular file. `archive_path` is relative and '/'-separated, with no empty,
  // "." or ".." component and no NUL (InvalidArgument otherwise). `mtime_unix` must be >= 0;
  // 0 (the epoch) is the fixed time of reproducible archives. Duplicate paths are not checked.
  Status Add(const std::string& archive_path, std::string_view data, int64_t mtime_unix = 0);
  // Adds the file `source` (on `fs`) as `archive_path`, streamed in 1 MiB reads: its size
  // when opened goes in the header, and exactly that many bytes are copied (a file that
  // shrinks meanwhile is an IOError). `on_bytes` sees every byte copied (for a digest).
  Status AddFile(const std::string& archive_path, const std::string& source,
                 const std::function<void(std::string_view)>& on_bytes, int64_t mtime_unix = 0);
  // Completes the archive and moves it into place; the writer is done afterwards.
  Status Finish();
  // Stops without publishing anything; removes the temporary file. Safe to call any time.
  void Abandon();

  // Uncompressed tar bytes written so far.
  uint64_t tar_bytes() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit TarZstWriter(std::unique_ptr<Impl> impl);
  Status Write(std::string_view bytes);
  // The pax and ustar headers of an entry of `size` bytes.
  Status WriteHeader(const std::string& archive_path, uint64_t size, int64_t mtime_unix);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gaggle
