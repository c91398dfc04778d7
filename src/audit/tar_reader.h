// Reading a .tar.zst archive entry by entry, safely, whoever wrote it.
//
// ForEachEntry streams the archive once, calling `fn` with each regular file's path and bytes
// (and each directory, with no bytes); memory is bounded by the largest entry. It reads what
// TarZstWriter, POSIX pax/ustar writers and GNU tar (default format, including its long-name
// entries) produce. Every header is checked (checksum, magic, numbers, pax records) and every
// path must be safe to extract (relative, no ".." component, no NUL).
//
// Errors, each naming the archive and the tar byte offset (and the entry, once known):
//   Corruption   bad zstd bytes (or checksum), a bad header, a truncated entry, a stream that
//                ends before the two zero blocks that close a tar archive, non-zero bytes
//                after them, an unsafe path;
//   Unsupported  links, devices, FIFOs, sparse or other special entries; an entry, an entry
//                count or a total size beyond `limits` (so a hostile archive cannot exhaust
//                memory or time);
//   anything `fn` returns, unchanged (reading stops there).
// zstd checks its frame checksum when the frame ends, so damage that still decodes is only
// reported then: entries passed to `fn` before an error may hold damaged bytes. Trust what
// was read only once ForEachEntry returns OK.
// Thread-safety: pure functions; `fn` is called on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

enum class TarEntryType { kRegular, kDirectory };

struct TarEntry {
  std::string path;   // as stored (pax "path", GNU long name, or ustar prefix/name); directories lose a trailing '/'
  int64_t size = 0;   // bytes of data (the size of the string_view passed with it)
  int64_t mtime = 0;  // seconds since the epoch
  TarEntryType type = TarEntryType::kRegular;
  uint64_t offset = 0;  // tar byte offset of the entry's first header (pax or ustar)
};

struct TarReadLimits {
  int64_t max_entry_size = int64_t{2} << 30;    // 2 GiB: the largest single entry held in memory
  int64_t max_entries = 1'000'000;              // files and directories
  int64_t max_total_bytes = int64_t{64} << 30;  // 64 GiB of uncompressed tar stream
};

using TarEntryFn = std::function<Status(const TarEntry& entry, std::string_view data)>;

// Reads the .tar.zst at `path`. `fs` null means FileSystem::Default().
Status ForEachEntry(const std::string& path, const TarEntryFn& fn, const TarReadLimits& limits = {},
                    FileSystem* fs = nullptr);

// The same for an archive's bytes in memory (fuzzing, tests); `name` is used in messages.
Status ForEachEntryInMemory(std::string_view tar_zst, const TarEntryFn& fn, const TarReadLimits& limits = {},
                            const std::string& name = "<memory>");

}  // namespace gaggle
