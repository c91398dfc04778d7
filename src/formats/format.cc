#include "formats/format.h"

#include <algorithm>

#include "common/ascii.h"

namespace gaggle {

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kLz4Raw: return "lz4_raw";
    case Compression::kBrotli: return "brotli";
    case Compression::kLz4Hadoop: return "lz4_hadoop";
  }
  return "unknown";
}

Result<Compression> ParseCompression(const std::string& name) {
  std::string n = AsciiLower(name);
  if (n == "none" || n == "uncompressed") return Compression::kNone;
  if (n == "snappy") return Compression::kSnappy;
  if (n == "gzip") return Compression::kGzip;
  if (n == "zstd") return Compression::kZstd;
  if (n == "lz4_raw") return Compression::kLz4Raw;
  if (n == "brotli") return Compression::kBrotli;
  return Status::InvalidArgument("unknown compression '" + name +
                                 "' (expected zstd, snappy, gzip, lz4_raw, brotli or none)");
}

}  // namespace gaggle
