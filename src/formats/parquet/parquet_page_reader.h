// ParquetPageReader: walks the pages of one column chunk, one page at a time, and hands out
// each page's bytes decompressed.
//
// For every page it reads the Thrift page header, checks the header's sizes against the chunk's
// byte range (a page never extends past the chunk, and the chunk never past the file's data),
// against the codec (no codec can inflate a few bytes into gigabytes: the uncompressed size is
// bounded by the codec's best possible ratio and by kMaxPageBytes), and the presence of the
// sub-header the page type needs, and its CRC-32 when the header carries one (a damaged page
// is Corruption naming the file, column and page). Data page v2 keeps its levels uncompressed in front of the
// (optionally compressed) values; they are returned apart. Index pages and page types this code
// does not know are skipped. Every failure is Corruption (or Unsupported) naming the file, the
// column, the row group and the file offset of the page.
//
// Memory: one page, compressed and uncompressed (buffers are reused from page to page).
// The views in a ParquetPage stay valid until the next call to Next or Reset.
// Thread-safety: one instance per thread; the RandomAccessFile must outlive the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"
#include "formats/format.h"
#include "formats/parquet/parquet_metadata.h"

namespace gaggle::parquet {

// Where a chunk sits, for error messages: "Parquet file 'f.parquet', column 'x', row group 2".
struct ParquetChunkContext {
  std::string path;
  std::string column;
  int row_group = 0;

  std::string Where() const;
  // "Parquet file 'f', column 'x', row group 2, byte offset 1234: what" (Corruption).
  Status Corruption(uint64_t offset, const std::string& what) const;
  // Prefixes a decoder's status with Where() and the offset (keeps its code).
  Status Wrap(const Status& status, uint64_t offset) const;
};

// Largest page we accept. Writers keep pages near 1 MiB (DuckDB and Arrow cut data pages at a
// few MiB); dictionaries stay below a few hundred MiB. A larger size means a corrupted header,
// and refusing it keeps one page's memory bounded.
inline constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

// Gaggle's codec for a Parquet codec; LZO and unknown codecs are Unsupported.
Result<Compression> CodecToCompression(CompressionCodec codec);

struct ParquetPage {
  PageType type = PageType::kDataPage;
  uint64_t offset = 0;     // file offset of the page header
  int32_t num_values = 0;  // data pages: values including nulls; dictionary pages: entries
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;  // data page v1
  Encoding repetition_level_encoding = Encoding::kRle;  // data page v1
  bool v2 = false;
  int32_t num_nulls = 0;  // data page v2
  // Data page v2: the definition levels (RLE/bit-packed, no length prefix). Empty otherwise.
  std::string_view levels;
  // Data page v2: the repetition levels (RLE/bit-packed, no length prefix). Empty otherwise.
  std::string_view rep_levels;
  // Dictionary page: the entries. Data page v1: the levels (with their 4-byte length) then the
  // values. Data page v2: the values.
  std::string_view values;
};

class ParquetPageReader {
 public:
  ParquetPageReader() = default;

  // Starts on the chunk [start, start + length) of `file`.
  // REQUIRES: the range lies inside the file (the caller checked it against the footer).
  void Reset(const RandomAccessFile* file, const ParquetChunkContext* context, Compression codec, uint64_t start,
             uint64_t length);

  // Reads the next dictionary or data page into *page. Returns false at the end of the chunk.
  Result<bool> Next(ParquetPage* page);

  // Parquet-cpp before Arrow 3.0 wrote data page v2 with is_compressed = false even when the
  // values were compressed (ARROW-17100): for its files, v2 values are always decompressed.
  void set_v2_always_compressed(bool v) { v2_always_compressed_ = v; }

  // File offset of the next page header.
  uint64_t position() const { return pos_; }

 private:
  Status ReadExact(uint64_t offset, size_t n, std::string* out) const;
  Status ReadHeader(PageHeader* header, size_t* header_bytes);
  Status Inflate(uint64_t page_offset, std::string_view in, int64_t uncompressed, bool compressed,
                 std::string_view* out);

  const RandomAccessFile* file_ = nullptr;
  const ParquetChunkContext* context_ = nullptr;
  Compression codec_ = Compression::kNone;
  uint64_t pos_ = 0;
  uint64_t end_ = 0;
  bool v2_always_compressed_ = false;
  std::string window_;        // header bytes (and often the start of the page body)
  std::string body_;          // the page as stored
  std::string decompressed_;  // the page's (values) bytes decompressed
};

}  // namespace gaggle::parquet
