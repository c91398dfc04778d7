// Block compression for file formats: one whole buffer in, one whole buffer out.
//
// Codecs: none, snappy (raw snappy blocks, no framing), gzip (an RFC 1952 gzip
// stream, as Parquet's GZIP codec requires; decoding also accepts a zlib-wrapped
// stream and concatenated gzip members), zstd (one or more frames), lz4_raw (one raw
// LZ4 block), brotli, and, for decoding only, lz4_hadoop (Parquet's deprecated LZ4:
// Hadoop's framing of big-endian decompressed and compressed sizes before each raw
// block; a stream that is not so framed is decoded as one raw block, as Arrow does).
// `level` 0 means the codec's default; snappy and lz4_raw have no levels; brotli's
// default quality is 8 (Arrow's), not the library's slow 11.
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
