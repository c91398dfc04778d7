#include "formats/avro/avro_codec.h"

#include <dlfcn.h>
#include <lzma.h>
#include <snappy.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

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

// avro-c links liblzma but gaggle's build does not name it, so the two functions we
// need are looked up in the already-loaded library rather than linked.
struct LzmaApi {
  lzma_ret (*raw_buffer_decode)(const lzma_filter*, const lzma_allocator*, const uint8_t*, size_t*, size_t, uint8_t*,
                                size_t*, size_t) = nullptr;
  lzma_bool (*lzma_preset)(lzma_options_lzma*, uint32_t) = nullptr;
};

template <typename Fn>
void LoadSymbol(void* handle, const char* name, Fn* fn) {
  void* sym = dlsym(handle, name);
  static_assert(sizeof(sym) == sizeof(*fn));
  if (sym != nullptr) std::memcpy(fn, &sym, sizeof(sym));
}

const LzmaApi* GetLzma() {
  static const LzmaApi api = [] {
    LzmaApi a;
    void* h = dlopen("liblzma.so.5", RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) h = dlopen("liblzma.so.5", RTLD_NOW);
    if (h != nullptr) {
      LoadSymbol(h, "lzma_raw_buffer_decode", &a.raw_buffer_decode);
      LoadSymbol(h, "lzma_lzma_preset", &a.lzma_preset);
    }
    return a;
  }();
  return (api.raw_buffer_decode != nullptr && api.lzma_preset != nullptr) ? &api : nullptr;
}

Result<std::string_view> UnLzma(std::string_view in, size_t max_bytes, std::string* out) {
  const LzmaApi* lz = GetLzma();
  if (lz == nullptr) return Status::Unsupported("lzma codec: liblzma.so.5 could not be loaded");
  lzma_options_lzma opt;
  if (lz->lzma_preset(&opt, LZMA_PRESET_DEFAULT)) return Status::Internal("lzma preset unavailable");
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
    lzma_ret ret = lz->raw_buffer_decode(filters, nullptr, reinterpret_cast<const uint8_t*>(in.data()), &in_pos,
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

}  // namespace

Result<Codec> ParseCodec(std::string_view name) {
  if (name == "null") return Codec::kNull;
  if (name == "deflate") return Codec::kDeflate;
  if (name == "snappy") return Codec::kSnappy;
  if (name == "lzma") return Codec::kLzma;
  return Status::Unsupported("Avro codec '" + std::string(name) +
                             "' (supported: null, deflate, snappy, lzma — the codecs avro-c 1.11 implements)");
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNull: return "null";
    case Codec::kDeflate: return "deflate";
    case Codec::kSnappy: return "snappy";
    case Codec::kLzma: return "lzma";
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
    case Codec::kLzma: return Status::Unsupported("writing Avro lzma blocks (use deflate or snappy)");
  }
  return Status::Internal("unknown codec");
}

}  // namespace gaggle::avro
