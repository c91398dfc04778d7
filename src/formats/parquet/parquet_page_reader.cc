#include "formats/parquet/parquet_page_reader.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "formats/compression.h"

namespace gaggle::parquet {
namespace {

// First guess at a page header's size: headers are tens of bytes, or a few hundred with
// statistics; the window grows (up to kMaxHeaderBytes) when the header does not fit.
constexpr size_t kHeaderWindow = 4096;
// Statistics with huge min/max values are the only reason for a large header.
constexpr size_t kMaxHeaderBytes = size_t{16} << 20;

// The most one stored byte can expand to, so that a header cannot make us allocate gigabytes for
// a few stored bytes. deflate's limit is about 1032:1; a zstd RLE block turns 4 bytes into
// 128 KiB (32768:1); snappy's longest copy writes 64 bytes for a 3-byte tag (about 21:1); an LZ4
// match writes at most 255 bytes per length byte; brotli has no useful bound (a few bytes can
// repeat a 16 MiB window), so only kMaxPageBytes limits it.
int64_t MaxExpansion(Compression codec) {
  switch (codec) {
    case Compression::kNone: return 1;
    case Compression::kGzip: return 1040;
    case Compression::kZstd: return 32800;
    case Compression::kSnappy: return 32;
    case Compression::kLz4Raw:
    case Compression::kLz4Hadoop: return 260;
    case Compression::kBrotli: return kMaxPageBytes;
  }
  return 1;
}

}  // namespace

std::string ParquetChunkContext::Where() const {
  return "Parquet file '" + path + "', column '" + column + "', row group " + std::to_string(row_group);
}

Status ParquetChunkContext::Corruption(uint64_t offset, const std::string& what) const {
  return Status::Corruption(Where() + ", byte offset " + std::to_string(offset) + ": " + what);
}

Status ParquetChunkContext::Wrap(const Status& status, uint64_t offset) const {
  if (status.ok()) return status;
  const std::string& msg = status.message();
  return Status(status.code(), Where() + ", page at byte offset " + std::to_string(offset) + ": " + msg,
                status.retryable());
}

Result<Compression> CodecToCompression(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return Compression::kNone;
    case CompressionCodec::kSnappy: return Compression::kSnappy;
    case CompressionCodec::kGzip: return Compression::kGzip;
    case CompressionCodec::kZstd: return Compression::kZstd;
    case CompressionCodec::kLz4Raw: return Compression::kLz4Raw;
    case CompressionCodec::kLz4: return Compression::kLz4Hadoop;
    case CompressionCodec::kBrotli: return Compression::kBrotli;
    default: return Status::Unsupported("codec " + CodecName(codec));
  }
}

void ParquetPageReader::Reset(const RandomAccessFile* file, const ParquetChunkContext* context, Compression codec,
                              uint64_t start, uint64_t length) {
  file_ = file;
  context_ = context;
  codec_ = codec;
  pos_ = start;
  end_ = start + length;
}

Status ParquetPageReader::ReadExact(uint64_t offset, size_t n, std::string* out) const {
  out->resize(n);
  if (n == 0) return Status::OK();
  GAGGLE_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset, n, reinterpret_cast<uint8_t*>(out->data())));
  if (got != n) {
    return context_->Corruption(offset,
                                "file ends after " + std::to_string(got) + " of " + std::to_string(n) + " bytes");
  }
  return Status::OK();
}

Status ParquetPageReader::ReadHeader(PageHeader* header, size_t* header_bytes) {
  uint64_t remaining = end_ - pos_;
  size_t window = static_cast<size_t>(std::min<uint64_t>(remaining, kHeaderWindow));
  while (true) {
    GAGGLE_RETURN_IF_ERROR(ReadExact(pos_, window, &window_));
    Status st = Parse(window_, header, header_bytes);
    if (st.ok()) return st;
    // The parser cannot tell a cut-off header from a malformed one: retry with more bytes
    // while the chunk has them.
    if (window >= remaining || window >= kMaxHeaderBytes) {
      return context_->Corruption(pos_, "bad page header: " + st.message());
    }
    window = static_cast<size_t>(std::min<uint64_t>({remaining, kMaxHeaderBytes, uint64_t{window} * 8}));
  }
}

Status ParquetPageReader::Inflate(uint64_t page_offset, std::string_view in, int64_t uncompressed, bool compressed,
                                  std::string_view* out) {
  if (in.empty() && uncompressed == 0) {  // an empty page (v2 values of a page of nulls): nothing to decode
    *out = std::string_view();
    return Status::OK();
  }
  if (!compressed || codec_ == Compression::kNone) {
    if (static_cast<int64_t>(in.size()) != uncompressed) {
      return context_->Corruption(page_offset, "uncompressed page stores " + std::to_string(in.size()) +
                                                   " bytes but its header says " + std::to_string(uncompressed));
    }
    *out = in;
    return Status::OK();
  }
  int64_t bound = MaxExpansion(codec_);
  if (uncompressed > std::min<int64_t>(static_cast<int64_t>(in.size()) * bound + 1024, kMaxPageBytes)) {
    return context_->Corruption(page_offset, std::string(CompressionName(codec_)) + " page of " +
                                                 std::to_string(in.size()) + " bytes cannot hold the " +
                                                 std::to_string(uncompressed) + " bytes its header claims");
  }
  if (codec_ == Compression::kZstd) {
    // A zstd frame usually states its size: refuse a mismatch before allocating for it.
    unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR) return context_->Corruption(page_offset, "zstd: not a zstd frame");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > static_cast<unsigned long long>(uncompressed)) {
      return context_->Corruption(page_offset, "zstd frame holds " + std::to_string(declared) +
                                                   " bytes but the page header says " + std::to_string(uncompressed));
    }
  }
  Status st = Decompress(codec_, in, static_cast<size_t>(uncompressed), &decompressed_);
  if (!st.ok()) return context_->Corruption(page_offset, "cannot decompress page: " + st.message());
  *out = decompressed_;
  return Status::OK();
}

Result<bool> ParquetPageReader::Next(ParquetPage* page) {
  while (pos_ < end_) {
    const uint64_t offset = pos_;
    PageHeader h;
    size_t header_bytes = 0;
    GAGGLE_RETURN_IF_ERROR(ReadHeader(&h, &header_bytes));
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0) {
      return context_->Corruption(offset, "negative page size in page header");
    }
    if (h.uncompressed_page_size > kMaxPageBytes || h.compressed_page_size > kMaxPageBytes) {
      return context_->Corruption(offset, "page of " + std::to_string(h.uncompressed_page_size) +
                                              " bytes is larger than the " + std::to_string(kMaxPageBytes) +
                                              " bytes we accept");
    }
    const uint64_t body_size = static_cast<uint64_t>(h.compressed_page_size);
    if (header_bytes > end_ - offset || body_size > end_ - offset - header_bytes) {
      return context_->Corruption(offset, "page of " + std::to_string(header_bytes) + " + " +
                                              std::to_string(body_size) +
                                              " bytes runs past the end of the column "
                                              "chunk at byte " +
                                              std::to_string(end_));
    }
    pos_ = offset + header_bytes + body_size;

    bool wanted =
        h.type == PageType::kDictionaryPage || h.type == PageType::kDataPage || h.type == PageType::kDataPageV2;
    if (!wanted) continue;  // index pages and page types from the future carry nothing we need

    // The page body: take what the header window already holds, read the rest.
    std::string_view body;
    if (header_bytes + body_size <= window_.size()) {
      body = std::string_view(window_).substr(header_bytes, body_size);
    } else {
      // body_ only grows: resizing it per page would zero-fill every page before reading it.
      size_t have = window_.size() - header_bytes;
      if (body_.size() < body_size) body_.resize(body_size);
      std::memcpy(body_.data(), window_.data() + header_bytes, have);
      size_t rest = body_size - have;
      if (rest > 0) {
        GAGGLE_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset + header_bytes + have, rest,
                                                          reinterpret_cast<uint8_t*>(body_.data()) + have));
        if (got != rest) return context_->Corruption(offset, "file ends inside the page");
      }
      body = std::string_view(body_.data(), body_size);
    }
    if (h.crc) {
      // The CRC-32 covers the page as stored after its header (levels and compressed values).
      uint32_t crc =
          static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
      if (crc != static_cast<uint32_t>(*h.crc)) {
        return context_->Corruption(offset, PageTypeName(h.type) + " fails its CRC-32 check (stored " +
                                                std::to_string(static_cast<uint32_t>(*h.crc)) + ", computed " +
                                                std::to_string(crc) + "): the page is damaged");
      }
    }

    *page = ParquetPage{};
    page->type = h.type;
    page->offset = offset;
    if (h.type == PageType::kDictionaryPage) {
      if (!h.dictionary_page_header) return context_->Corruption(offset, "dictionary page without its header");
      page->num_values = h.dictionary_page_header->num_values;
      page->encoding = h.dictionary_page_header->encoding;
      GAGGLE_RETURN_IF_ERROR(Inflate(offset, body, h.uncompressed_page_size, true, &page->values));
    } else if (h.type == PageType::kDataPage) {
      if (!h.data_page_header) return context_->Corruption(offset, "data page without its header");
      page->num_values = h.data_page_header->num_values;
      page->encoding = h.data_page_header->encoding;
      page->definition_level_encoding = h.data_page_header->definition_level_encoding;
      page->repetition_level_encoding = h.data_page_header->repetition_level_encoding;
      GAGGLE_RETURN_IF_ERROR(Inflate(offset, body, h.uncompressed_page_size, true, &page->values));
    } else {
      if (!h.data_page_header_v2) return context_->Corruption(offset, "data page v2 without its header");
      const DataPageHeaderV2& v2 = *h.data_page_header_v2;
      page->v2 = true;
      page->num_values = v2.num_values;
      page->num_nulls = v2.num_nulls;
      page->encoding = v2.encoding;
      int64_t rep = v2.repetition_levels_byte_length;
      int64_t def = v2.definition_levels_byte_length;
      if (rep < 0 || def < 0 || rep + def > h.compressed_page_size || rep + def > h.uncompressed_page_size) {
        return context_->Corruption(offset, "data page v2 level lengths (" + std::to_string(rep) + " + " +
                                                std::to_string(def) + " bytes) do not fit the page");
      }
      // Flat columns have no repetition levels and ignore any a writer put there.
      page->rep_levels = body.substr(0, static_cast<size_t>(rep));
      page->levels = body.substr(static_cast<size_t>(rep), static_cast<size_t>(def));
      GAGGLE_RETURN_IF_ERROR(Inflate(offset, body.substr(static_cast<size_t>(rep + def)),
                                     h.uncompressed_page_size - rep - def, v2.is_compressed || v2_always_compressed_,
                                     &page->values));
    }
    if (page->num_values < 0) {
      return context_->Corruption(offset, "negative value count " + std::to_string(page->num_values));
    }
    return true;
  }
  return false;
}

}  // namespace gaggle::parquet
