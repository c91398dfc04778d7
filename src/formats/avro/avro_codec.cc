#include "formats/avro/avro_codec.h"

#include <bzlib.h>
#include <lzma.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

namespace gaggle::avro {
namespace {

Result<std::string_view> InflateRaw(std::string_view in, size_t max_bytes, std::string* out) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -15) != Z_OK) return Status::Internal("cannot initialise zlib inflate");
  // Grow the output as needed, starting from a guess; never past max_bytes.
  size_t cap = std::min<size_t>(max_bytes, std::max<size_t>(64 * 1024, in.size() * 4));
  out->resize(cap);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  size_t produced = 0;
  int ret = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(cap - produced, UINT_MAX));
    size_t before = zs.avail_out;
    ret = inflate(&zs, Z_NO_FLUSH);
    produced += before - zs.avail_out;
    if (ret == Z_STREAM_END) break;
    if (ret != Z_OK && ret != Z_BUF_ERROR) break;
    if (zs.avail_out == 0) {
      if (cap >= max_bytes) {
        inflateEnd(&zs);
        return Status::Corruption("deflate block inflates past the limit of " + std::to_string(max_bytes) + " bytes");
      }
      cap = std::min(max_bytes, cap * 2);
      out->resize(cap);
      continue;
    }
    if (zs.avail_in == 0) {
      ret = Z_BUF_ERROR;  // input exhausted before the end of the stream
      break;
    }
  }
  inflateEnd(&zs);
  if (ret != Z_STREAM_END) {
    return Status::Corruption(std::string("deflate block is malformed or truncated (zlib: ") +
                              (zs.msg != nullptr ? zs.msg : std::to_string(ret).c_str()) + ")");
  }
  out->resize(produced);
  return std::string_view(*out);
}

Result<std::string_view> UnsnappyWithCrc(std::string_view in, size_t max_bytes, std::string* out) {
  if (in.size() < 4) return Status::Corruption("snappy block of " + std::to_string(in.size()) + " bytes has no CRC");
  size_t body = in.size() - 4;
  size_t len = 0;
  if (!snappy::GetUncompressedLength(in.data(), body, &len)) {
    return Status::Corruption("snappy block has a malformed length header");
  }
  if (len > max_bytes) {
    return Status::Corruption("snappy block claims " + std::to_string(len) + " bytes, over the limit of " +
                              std::to_string(max_bytes));
  }
  out->resize(len);
  if (!snappy::RawUncompress(in.data(), body, out->data())) return Status::Corruption("snappy block is malformed");
  uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out->data()), static_cast<uInt>(len)));
  const auto* c = reinterpret_cast<const uint8_t*>(in.data() + body);
  uint32_t stored = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | uint32_t{c[3]};
  if (crc != stored) return Status::Corruption("snappy block fails its CRC-32 check");
  return std::string_view(*out);
}

Result<std::string_view> UnLzma(std::string_view in, size_t max_bytes, std::string* out) {
  lzma_options_lzma opt;
  if (lzma_lzma_preset(&opt, LZMA_PRESET_DEFAULT)) return Status::Internal("lzma preset unavailable");
  lzma_filter filters[2];
  filters[0].id = LZMA_FILTER_LZMA2;
  filters[0].options = &opt;
  filters[1].id = LZMA_VLI_UNKNOWN;
  filters[1].options = nullptr;
  size_t cap = std::min<size_t>(max_bytes, std::max<size_t>(64 * 1024, in.size() * 4));
  while (true) {
    out->resize(cap);
    size_t in_pos = 0;
    size_t out_pos = 0;
    lzma_ret ret = lzma_raw_buffer_decode(filters, nullptr, reinterpret_cast<const uint8_t*>(in.data()), &in_pos,
                                          in.size(), reinterpret_cast<uint8_t*>(out->data()), &out_pos, cap);
    if (ret == LZMA_OK) {
      out->resize(out_pos);
      return std::string_view(*out);
    }
    if (ret == LZMA_BUF_ERROR && cap < max_bytes) {
      cap = std::min(max_bytes, cap * 2);
      continue;
    }
    if (ret == LZMA_BUF_ERROR) {
      return Status::Corruption("lzma block is truncated or inflates past the limit of " + std::to_string(max_bytes) +
                                " bytes");
    }
    return Status::Corruption("lzma block is malformed (liblzma error " + std::to_string(static_cast<int>(ret)) + ")");
  }
}

// Grows *out from a guess up to max_bytes while `step` reports that it needs more room.
// `step(out, cap, &produced)` decodes into the first `cap` bytes of *out and returns
// 1 when done, 0 when the output is full, or -1 on malformed input.
template <typename Step>
Result<std::string_view> DecodeGrowing(const char* codec, std::string_view in, size_t max_bytes, std::string* out,
                                       Step step) {
  size_t cap = std::min<size_t>(max_bytes, std::max<size_t>(64 * 1024, in.size() * 4));
  while (true) {
    out->resize(cap);
    size_t produced = 0;
    int rc = step(out, cap, &produced);
    if (rc > 0) {
      out->resize(produced);
      return std::string_view(*out);
    }
    if (rc < 0) return Status::Corruption(std::string(codec) + " block is malformed or truncated");
    if (cap >= max_bytes) {
      return Status::Corruption(std::string(codec) + " block inflates past the limit of " + std::to_string(max_bytes) +
                                " bytes");
    }
    cap = std::min(max_bytes, cap * 2);
  }
}

// zstandard: one or more zstd frames (Avro Java writes one per block).
Result<std::string_view> UnZstd(std::string_view in, size_t max_bytes, std::string* out) {
  return DecodeGrowing("zstandard", in, max_bytes, out, [&](std::string* o, size_t cap, size_t* produced) {
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only);
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    ZSTD_outBuffer dst{o->data(), cap, 0};
    while (true) {
      size_t rc = ZSTD_decompressStream(ctx.get(), &dst, &src);
      if (ZSTD_isError(rc)) return -1;
      if (rc == 0 && src.pos == src.size) {
        *produced = dst.pos;
        return 1;  // every frame ended with the input
      }
      if (dst.pos == dst.size) return 0;
      if (src.pos == src.size) return -1;  // input ended inside a frame
    }
  });
}

Result<std::string_view> UnBzip2(std::string_view in, size_t max_bytes, std::string* out) {
  if (in.size() > UINT_MAX) return Status::Corruption("bzip2 block of " + std::to_string(in.size()) + " bytes");
  return DecodeGrowing("bzip2", in, max_bytes, out, [&](std::string* o, size_t cap, size_t* produced) {
    bz_stream bz;
    std::memset(&bz, 0, sizeof(bz));
    if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) return -1;
    bz.next_in = const_cast<char*>(in.data());
    bz.avail_in = static_cast<unsigned>(in.size());
    bz.next_out = o->data();
    bz.avail_out = static_cast<unsigned>(std::min<size_t>(cap, UINT_MAX));
    int rc = BZ_OK;
    // Concatenated bzip2 streams decode one after another.
    while ((rc = BZ2_bzDecompress(&bz)) == BZ_STREAM_END && bz.avail_in > 0) {
      unsigned long long done = (static_cast<unsigned long long>(bz.total_out_hi32) << 32) | bz.total_out_lo32;
      char* next_out = bz.next_out;
      unsigned avail_out = bz.avail_out;
      char* next_in = bz.next_in;
      unsigned avail_in = bz.avail_in;
      BZ2_bzDecompressEnd(&bz);
      std::memset(&bz, 0, sizeof(bz));
      if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) return -1;
      bz.next_in = next_in;
      bz.avail_in = avail_in;
      bz.next_out = next_out;
      bz.avail_out = avail_out;
      bz.total_out_lo32 = static_cast<unsigned>(done);
      bz.total_out_hi32 = static_cast<unsigned>(done >> 32);
    }
    *produced = static_cast<size_t>(bz.next_out - o->data());
    const bool out_full = bz.avail_out == 0;
    BZ2_bzDecompressEnd(&bz);
    if (rc == BZ_STREAM_END) return 1;
    if (rc == BZ_OK && out_full) return 0;
    return -1;
  });
}

// xz: an .xz container (Avro Java's XZCodec), possibly several concatenated streams.
Result<std::string_view> UnXz(std::string_view in, size_t max_bytes, std::string* out) {
  lzma_stream xz = LZMA_STREAM_INIT;
  // The memory limit keeps a crafted header from making liblzma allocate more than this.
  if (lzma_stream_decoder(&xz, uint64_t{256} << 20, LZMA_CONCATENATED) != LZMA_OK) {
    return Status::Internal("cannot initialise the xz decoder");
  }
  size_t cap = std::min<size_t>(max_bytes, std::max<size_t>(64 * 1024, in.size() * 4));
  out->resize(cap);
  xz.next_in = reinterpret_cast<const uint8_t*>(in.data());
  xz.avail_in = in.size();
  xz.next_out = reinterpret_cast<uint8_t*>(out->data());
  xz.avail_out = cap;
  lzma_ret ret = LZMA_OK;
  while (true) {
    ret = lzma_code(&xz, LZMA_FINISH);
    if (ret != LZMA_OK || xz.avail_out > 0) break;
    if (cap >= max_bytes) {
      lzma_end(&xz);
      return Status::Corruption("xz block inflates past the limit of " + std::to_string(max_bytes) + " bytes");
    }
    size_t produced = cap;
    cap = std::min(max_bytes, cap * 2);
    out->resize(cap);
    xz.next_out = reinterpret_cast<uint8_t*>(out->data()) + produced;
    xz.avail_out = cap - produced;
  }
  size_t produced = cap - xz.avail_out;
  lzma_end(&xz);
  if (ret != LZMA_STREAM_END) {
    return Status::Corruption("xz block is malformed or truncated (liblzma error " +
                              std::to_string(static_cast<int>(ret)) + ")");
  }
  out->resize(produced);
  return std::string_view(*out);
}

Status ZstdEncode(std::string_view in, int level, std::string* out) {
  out->resize(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), level == 0 ? 3 : level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::OK();
}

}  // namespace

Result<Codec> ParseCodec(std::string_view name) {
  if (name == "null") return Codec::kNull;
  if (name == "deflate") return Codec::kDeflate;
  if (name == "snappy") return Codec::kSnappy;
  if (name == "lzma") return Codec::kLzma;
  if (name == "zstandard") return Codec::kZstandard;
  if (name == "bzip2") return Codec::kBzip2;
  if (name == "xz") return Codec::kXz;
  return Status::Unsupported("Avro codec '" + std::string(name) +
                             "' (supported: null, deflate, snappy, zstandard, bzip2, xz, lzma)");
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNull: return "null";
    case Codec::kDeflate: return "deflate";
    case Codec::kSnappy: return "snappy";
    case Codec::kLzma: return "lzma";
    case Codec::kZstandard: return "zstandard";
    case Codec::kBzip2: return "bzip2";
    case Codec::kXz: return "xz";
  }
  return "unknown";
}

Result<std::string_view> DecodeBlock(Codec codec, std::string_view in, size_t max_bytes, std::string* scratch) {
  switch (codec) {
    case Codec::kNull:
      if (in.size() > max_bytes) return Status::Corruption("block exceeds the limit of " + std::to_string(max_bytes));
      return in;
    case Codec::kDeflate: return InflateRaw(in, max_bytes, scratch);
    case Codec::kSnappy: return UnsnappyWithCrc(in, max_bytes, scratch);
    case Codec::kLzma: return UnLzma(in, max_bytes, scratch);
    case Codec::kZstandard: return UnZstd(in, max_bytes, scratch);
    case Codec::kBzip2: return UnBzip2(in, max_bytes, scratch);
    case Codec::kXz: return UnXz(in, max_bytes, scratch);
  }
  return Status::Internal("unknown codec");
}

Status EncodeBlock(Codec codec, std::string_view in, int level, std::string* out) {
  switch (codec) {
    case Codec::kNull: out->assign(in.data(), in.size()); return Status::OK();
    case Codec::kDeflate: {
      z_stream zs;
      std::memset(&zs, 0, sizeof(zs));
      int lvl = level == 0 ? Z_DEFAULT_COMPRESSION : std::clamp(level, 1, 9);
      if (deflateInit2(&zs, lvl, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("cannot initialise zlib deflate");
      }
      out->resize(deflateBound(&zs, static_cast<uLong>(in.size())));
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(out->size());
      int ret = deflate(&zs, Z_FINISH);
      size_t produced = out->size() - zs.avail_out;
      deflateEnd(&zs);
      if (ret != Z_STREAM_END) return Status::Internal("zlib deflate failed (" + std::to_string(ret) + ")");
      out->resize(produced);
      return Status::OK();
    }
    case Codec::kSnappy: {
      out->resize(snappy::MaxCompressedLength(in.size()) + 4);
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data(), &n);
      uint32_t crc =
          static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size())));
      (*out)[n] = static_cast<char>(crc >> 24);
      (*out)[n + 1] = static_cast<char>(crc >> 16);
      (*out)[n + 2] = static_cast<char>(crc >> 8);
      (*out)[n + 3] = static_cast<char>(crc);
      out->resize(n + 4);
      return Status::OK();
    }
    case Codec::kZstandard: return ZstdEncode(in, level, out);
    case Codec::kLzma:
    case Codec::kBzip2:
    case Codec::kXz:
      return Status::Unsupported(std::string("writing Avro ") + CodecName(codec) +
                                 " blocks (use zstandard, deflate or snappy)");
  }
  return Status::Internal("unknown codec");
}

}  // namespace gaggle::avro
