// Block compression for file formats: one whole buffer in, one whole buffer out.
//
// Codecs: none, snappy (raw snappy blocks, no framing), gzip (an RFC 1952 gzip
// stream, as Parquet's GZIP codec requires; decoding also accepts a zlib-wrapped
// stream) and zstd (one or more frames). `level` 0 means the codec's default;
// snappy has no levels.
//
// Decompress is told the exact uncompressed size (Parquet page headers carry it):
// it never produces more than that many bytes, so a crafted input cannot inflate
// into a "decompression bomb"; any other size, or malformed input, is Corruption.
// Both functions replace the contents of *out (its capacity is reused).
// Thread-safety: safe to call concurrently (codec contexts are per thread).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/format.h"

namespace gaggle {

Status Compress(Compression codec, int level, std::string_view in, std::string* out);

Status Decompress(Compression codec, std::string_view in, size_t expected_uncompressed_size, std::string* out);

}  // namespace gaggle
