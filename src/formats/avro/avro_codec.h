// Avro block codecs, applied to one container block at a time: the codecs of the Avro
// specification and of avro-c 1.11 (gaggle frames blocks itself, so avro-c never sees them).
//
//   deflate    raw RFC 1951 stream (no zlib or gzip wrapper)
//   snappy     raw snappy block followed by the big-endian CRC-32 of the uncompressed bytes
//   zstandard  one or more zstd frames
//   bzip2      a bzip2 stream (concatenated streams are decoded one after another)
//   xz         an .xz container (Avro Java's XZCodec), concatenated streams allowed
//   lzma       avro-c's raw LZMA2 stream (preset 6 filter chain, no .xz container)
//
// Decoding never produces more than `max_bytes`, so a crafted block cannot inflate
// into a decompression bomb; malformed input is Status::Corruption (the caller adds
// file and block context); an unknown codec name is Status::Unsupported. Encoding
// covers null, deflate, snappy and zstandard.
// Thread-safety: the functions are safe to call concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle::avro {

enum class Codec { kNull, kDeflate, kSnappy, kLzma, kZstandard, kBzip2, kXz };

// From the avro.codec metadata value ("null", "deflate", "snappy", "zstandard", "bzip2", "xz", "lzma").
Result<Codec> ParseCodec(std::string_view name);
const char* CodecName(Codec codec);

// Decodes one block. For kNull returns `in` itself; otherwise the result points into *scratch.
Result<std::string_view> DecodeBlock(Codec codec, std::string_view in, size_t max_bytes, std::string* scratch);

// Encodes one block into *out (replacing its contents). `level` 0 means the codec's
// default; lzma, bzip2 and xz are read-only here (Status::Unsupported).
Status EncodeBlock(Codec codec, std::string_view in, int level, std::string* out);

}  // namespace gaggle::avro
