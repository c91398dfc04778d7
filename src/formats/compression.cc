#include "formats/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace gaggle {
namespace {

std::string SizeMismatch(const char* codec, size_t got, size_t expected) {
  return std::string(codec) + ": decompressed to " +
         (got > expected ? "more than " + std::to_string(expected) : std::to_string(got)) + " bytes, expected " +
         std::to_string(expected);
}

// zlib's stream state is costly to set up (it allocates its window), so each thread keeps
// one deflate stream per level and one inflate stream, reset between calls.
class ZlibStreams {
 public:
  ~ZlibStreams() {
    if (deflate_ready_) deflateEnd(&deflate_);
    if (inflate_ready_) inflateEnd(&inflate_);
  }
  z_stream* Deflater(int level) {
    if (deflate_ready_ && deflate_level_ == level) {
      deflateReset(&deflate_);
      return &deflate_;
    }
    if (deflate_ready_) deflateEnd(&deflate_);
    deflate_ = z_stream{};
    // windowBits 15 + 16 asks zlib for a gzip (RFC 1952) wrapper, as Parquet's GZIP codec requires.
    deflate_ready_ = deflateInit2(&deflate_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    deflate_level_ = level;
    return deflate_ready_ ? &deflate_ : nullptr;
  }
  z_stream* Inflater() {
    if (inflate_ready_) {
      inflateReset(&inflate_);
      return &inflate_;
    }
    inflate_ = z_stream{};
    // windowBits 15 + 32 detects a gzip or a zlib header automatically.
    inflate_ready_ = inflateInit2(&inflate_, 15 + 32) == Z_OK;
    return inflate_ready_ ? &inflate_ : nullptr;
  }

 private:
  z_stream deflate_{};
  z_stream inflate_{};
  bool deflate_ready_ = false;
  bool inflate_ready_ = false;
  int deflate_level_ = 0;
};

ZlibStreams& ThreadZlib() {
  thread_local ZlibStreams streams;
  return streams;
}

struct ZstdCCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

ZSTD_CCtx* ThreadZstdCompressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadZstdDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

Status GzipCompress(int level, std::string_view in, std::string* out) {
  if (level == 0) level = Z_DEFAULT_COMPRESSION;
  if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
    return Status::InvalidArgument("gzip: compression level " + std::to_string(level) + " is not in 1..9");
  }
  if (in.size() > UINT_MAX)
    return Status::InvalidArgument("gzip: block of " + std::to_string(in.size()) + " bytes is too large");
  z_stream* z = ThreadZlib().Deflater(level);
  if (z == nullptr) return Status::Internal("gzip: deflateInit2 failed");
  out->resize(deflateBound(z, static_cast<uLong>(in.size())));
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  z->next_out = reinterpret_cast<Bytef*>(out->data());
  z->avail_out = static_cast<uInt>(out->size());
  int rc = deflate(z, Z_FINISH);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate failed with code " + std::to_string(rc));
  out->resize(z->total_out);
  return Status::OK();
}

Status GzipDecompress(std::string_view in, size_t expected, std::string* out) {
  if (in.size() > UINT_MAX || expected >= UINT_MAX) {
    return Status::Corruption("gzip: block of " + std::to_string(in.size()) + " bytes (" + std::to_string(expected) +
                              " uncompressed) is too large");
  }
  z_stream* z = ThreadZlib().Inflater();
  if (z == nullptr) return Status::Internal("gzip: inflateInit2 failed");
  // One spare byte: if inflate fills it, the stream holds more than expected and we stop there.
  out->resize(expected + 1);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  z->next_out = reinterpret_cast<Bytef*>(out->data());
  z->avail_out = static_cast<uInt>(out->size());
  int rc = inflate(z, Z_FINISH);
  // Concatenated gzip members (RFC 1952 allows them; some writers emit one per buffer) are
  // decoded one after another into the same output.
  while (rc == Z_STREAM_END && z->avail_in > 0 && z->total_out < expected) {
    uLong produced_so_far = z->total_out;
    Bytef* next_out = z->next_out;
    uInt avail_out = z->avail_out;
    Bytef* next_in = z->next_in;
    uInt avail_in = z->avail_in;
    inflateReset(z);
    z->next_in = next_in;
    z->avail_in = avail_in;
    z->next_out = next_out;
    z->avail_out = avail_out;
    rc = inflate(z, Z_FINISH);
    z->total_out += produced_so_far;
  }
  size_t produced = z->total_out;
  if (rc == Z_STREAM_END) {
    if (produced != expected) return Status::Corruption(SizeMismatch("gzip", produced, expected));
    out->resize(expected);
    return Status::OK();
  }
  if (produced > expected) return Status::Corruption(SizeMismatch("gzip", produced, expected));
  if (rc == Z_BUF_ERROR || rc == Z_OK) return Status::Corruption("gzip: truncated stream");
  std::string why = z->msg != nullptr ? z->msg : "code " + std::to_string(rc);
  return Status::Corruption("gzip: corrupt stream: " + why);
}

Status ZstdCompress(int level, std::string_view in, std::string* out) {
  if (level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())) {
    return Status::InvalidArgument("zstd: compression level " + std::to_string(level) + " is not in " +
                                   std::to_string(ZSTD_minCLevel()) + ".." + std::to_string(ZSTD_maxCLevel()));
  }
  ZSTD_CCtx* ctx = ThreadZstdCompressor();
  if (ctx == nullptr) return Status::Internal("zstd: cannot create a compression context");
  out->resize(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compressCCtx(ctx, out->data(), out->size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::OK();
}

Status ZstdDecompress(std::string_view in, size_t expected, std::string* out) {
  ZSTD_DCtx* ctx = ThreadZstdDecompressor();
  if (ctx == nullptr) return Status::Internal("zstd: cannot create a decompression context");
  out->resize(expected + 1);  // one spare byte to notice output larger than expected
  size_t n = ZSTD_decompressDCtx(ctx, out->data(), out->size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
      return Status::Corruption(SizeMismatch("zstd", expected + 1, expected));
    }
    return Status::Corruption(std::string("zstd: corrupt frame: ") + ZSTD_getErrorName(n));
  }
  if (n != expected) return Status::Corruption(SizeMismatch("zstd", n, expected));
  out->resize(expected);
  return Status::OK();
}

Status SnappyDecompress(std::string_view in, size_t expected, std::string* out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &length)) {
    return Status::Corruption("snappy: corrupt block header");
  }
  if (length != expected) return Status::Corruption(SizeMismatch("snappy", length, expected));
  out->resize(expected);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) return Status::Corruption("snappy: corrupt block");
  return Status::OK();
}

Status Lz4RawDecompress(std::string_view in, size_t expected, std::string* out) {
  if (in.size() > INT_MAX || expected >= INT_MAX) {
    return Status::Corruption("lz4: block of " + std::to_string(in.size()) + " bytes is too large");
  }
  out->resize(expected + 1);  // one spare byte to notice output larger than expected
  int n = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()), static_cast<int>(expected + 1));
  if (n < 0) return Status::Corruption("lz4: corrupt block");
  if (static_cast<size_t>(n) != expected)
    return Status::Corruption(SizeMismatch("lz4", static_cast<size_t>(n), expected));
  out->resize(expected);
  return Status::OK();
}

uint32_t BigEndian32(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Hadoop's Lz4Codec: blocks of [decompressed size, compressed size] (big-endian 32-bit) and a
// raw LZ4 block, repeated. False (nothing decided) when the input is not framed that way.
bool Lz4HadoopFramed(std::string_view in, size_t expected, std::string* out) {
  out->resize(expected);
  size_t pos = 0, produced = 0;
  while (pos < in.size()) {
    if (in.size() - pos < 8) return false;
    uint32_t raw = BigEndian32(in.data() + pos);
    uint32_t stored = BigEndian32(in.data() + pos + 4);
    pos += 8;
    if (stored > in.size() - pos || raw > expected - produced || stored > INT_MAX) return false;
    int n =
        LZ4_decompress_safe(in.data() + pos, out->data() + produced, static_cast<int>(stored), static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) return false;
    pos += stored;
    produced += raw;
  }
  return produced == expected;
}

Status Lz4HadoopDecompress(std::string_view in, size_t expected, std::string* out) {
  if (Lz4HadoopFramed(in, expected, out)) return Status::OK();
  Status raw = Lz4RawDecompress(in, expected, out);
  if (raw.ok()) return raw;
  return Status::Corruption("lz4 (Hadoop): neither Hadoop-framed blocks nor one raw block (" + raw.message() + ")");
}

// Brotli has no useful bound on its ratio (a few bytes can repeat a window for megabytes), so the
// output grows with what the stream really produces, never straight to the size a header claims.
Status BrotliDecompress(std::string_view in, size_t expected, std::string* out) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (state == nullptr) return Status::Internal("brotli: cannot create a decoder");
  const size_t limit = expected + 1;  // one spare byte to notice output larger than expected
  out->resize(std::min(limit, std::max<size_t>(64 * 1024, in.size() * 8)));
  size_t avail_in = in.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  size_t produced = 0;
  while (true) {
    size_t avail_out = out->size() - produced;
    auto* next_out = reinterpret_cast<uint8_t*>(out->data()) + produced;
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    produced = out->size() - avail_out;
    if (r == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      if (out->size() >= limit) return Status::Corruption(SizeMismatch("brotli", limit, expected));
      out->resize(std::min(limit, out->size() * 2));
      continue;
    }
    return Status::Corruption("brotli: corrupt or truncated stream");
  }
  if (produced != expected) return Status::Corruption(SizeMismatch("brotli", produced, expected));
  out->resize(expected);
  return Status::OK();
}

Status Lz4RawCompress(std::string_view in, std::string* out) {
  if (in.size() > LZ4_MAX_INPUT_SIZE) {
    return Status::InvalidArgument("lz4: block of " + std::to_string(in.size()) + " bytes is too large");
  }
  out->resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
  int n = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()), static_cast<int>(out->size()));
  if (n <= 0) return Status::Internal("lz4: compression failed");
  out->resize(static_cast<size_t>(n));
  return Status::OK();
}

Status BrotliCompress(int level, std::string_view in, std::string* out) {
  if (level == 0) level = 8;
  if (level < BROTLI_MIN_QUALITY || level > BROTLI_MAX_QUALITY) {
    return Status::InvalidArgument("brotli: compression level " + std::to_string(level) + " is not in 0.." +
                                   std::to_string(BROTLI_MAX_QUALITY));
  }
  size_t n = BrotliEncoderMaxCompressedSize(in.size());
  if (n == 0) return Status::InvalidArgument("brotli: block of " + std::to_string(in.size()) + " bytes is too large");
  out->resize(n);
  if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(),
                             reinterpret_cast<const uint8_t*>(in.data()), &n,
                             reinterpret_cast<uint8_t*>(out->data()))) {
    return Status::Internal("brotli: compression failed");
  }
  out->resize(n);
  return Status::OK();
}

}  // namespace

Status Compress(Compression codec, int level, std::string_view in, std::string* out) {
  switch (codec) {
    case Compression::kNone: out->assign(in.data(), in.size()); return Status::OK();
    case Compression::kSnappy: {
      out->resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data(), &n);
      out->resize(n);
      return Status::OK();
    }
    case Compression::kGzip: return GzipCompress(level, in, out);
    case Compression::kZstd: return ZstdCompress(level, in, out);
    case Compression::kLz4Raw: return Lz4RawCompress(in, out);
    case Compression::kBrotli: return BrotliCompress(level, in, out);
    case Compression::kLz4Hadoop: break;
  }
  return Status::InvalidArgument(std::string("compressing with ") + CompressionName(codec) + " is not supported");
}

Status Decompress(Compression codec, std::string_view in, size_t expected_uncompressed_size, std::string* out) {
  switch (codec) {
    case Compression::kNone:
      if (in.size() != expected_uncompressed_size) {
        return Status::Corruption(SizeMismatch("uncompressed", in.size(), expected_uncompressed_size));
      }
      out->assign(in.data(), in.size());
      return Status::OK();
    case Compression::kSnappy: return SnappyDecompress(in, expected_uncompressed_size, out);
    case Compression::kGzip: return GzipDecompress(in, expected_uncompressed_size, out);
    case Compression::kZstd: return ZstdDecompress(in, expected_uncompressed_size, out);
    case Compression::kLz4Raw: return Lz4RawDecompress(in, expected_uncompressed_size, out);
    case Compression::kLz4Hadoop: return Lz4HadoopDecompress(in, expected_uncompressed_size, out);
    case Compression::kBrotli: return BrotliDecompress(in, expected_uncompressed_size, out);
  }
  return Status::InvalidArgument("unknown compression codec");
}

}  // namespace gaggle
