// Helpers shared by the audit fuzz targets (fuzz-only). Zstd's frame checksum rejects almost
// every mutated compressed byte, so inputs that are not zstd are taken as a raw tar stream and
// compressed here: then the fuzzer's mutations reach the tar headers, the manifest and the
// event log. Inputs that start with the zstd magic go to the reader as they are.
#pragma once

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "audit/tar_reader.h"

namespace gaggle::audit_fuzz {

inline std::string AsTarZst(const uint8_t* data, size_t size) {
  if (size >= 4 && std::memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0)
    return std::string(reinterpret_cast<const char*>(data), size);
  std::string out(ZSTD_compressBound(size), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data, size, 1);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// Small enough that a zstd bomb in a 64 KiB input cannot exhaust the fuzzer's memory.
inline TarReadLimits FuzzLimits() {
  TarReadLimits limits;
  limits.max_entry_size = 4 << 20;
  limits.max_entries = 10000;
  limits.max_total_bytes = 32 << 20;
  return limits;
}

}  // namespace gaggle::audit_fuzz
