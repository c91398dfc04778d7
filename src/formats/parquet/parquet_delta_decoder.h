// Decoders for Parquet's delta encodings (Encodings.md), over one data page's value bytes:
//
//   DELTA_BINARY_PACKED      INT32/INT64: header <block size> <miniblocks per block> <total values>
//                            <first value (zigzag)>, then blocks of <min delta (zigzag)> <one bit-width
//                            byte per miniblock> <bit-packed miniblocks>. Arithmetic wraps (two's complement).
//   DELTA_LENGTH_BYTE_ARRAY  lengths as DELTA_BINARY_PACKED, then all the bytes concatenated.
//   DELTA_BYTE_ARRAY         prefix lengths as DELTA_BINARY_PACKED, then the suffixes as
//                            DELTA_LENGTH_BYTE_ARRAY; value i = first prefix[i] bytes of value i-1 + suffix[i].
//
// Decoding is incremental (GetBatch hands out values a batch at a time) and never reads outside
// the bytes given; every header field, bit width, length and count is checked, and malformed
// input is Corruption naming the byte offset within the value bytes. A stream that holds fewer
// values than asked for is Corruption too. Views handed out by the byte-array decoders stay
// valid until the next GetBatch call or until the page's bytes go away.
// Thread-safety: one instance per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle::parquet {

class DeltaBinaryPackedDecoder {
 public:
  // Parses the stream header at data[0..size). The stream may end before `size`.
  Status Init(const uint8_t* data, size_t size);

  uint64_t total_values() const { return total_; }
  uint64_t values_left() const { return total_ - emitted_; }

  // Decodes the next n values (T: int32_t or int64_t, truncating the 64-bit wrapped sums).
  template <typename T>
  Status GetBatch(T* out, size_t n);

  // Byte offset just past the end of the whole stream, found by walking the block headers
  // from the start without decoding values (O(blocks)). Usable right after Init.
  Status FindEnd(size_t* end) const;

 private:
  Status StartMiniblock();
  Status ReadVarint(size_t* pos, uint64_t* v) const;
  uint64_t Unpack(size_t bit, int width) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t header_end_ = 0;
  uint64_t block_size_ = 0;
  uint64_t miniblocks_ = 0;
  uint64_t values_per_miniblock_ = 0;
  uint64_t total_ = 0;
  uint64_t emitted_ = 0;
  uint64_t value_ = 0;
  // Current block and miniblock.
  size_t pos_ = 0;  // next unread byte (block header or miniblock data)
  uint64_t min_delta_ = 0;
  std::vector<uint8_t> widths_;
  uint64_t miniblock_index_ = 0;  // == miniblocks_ when a new block header must be read
  uint64_t miniblock_left_ = 0;
  size_t bit_pos_ = 0;  // absolute bit offset of the next packed delta
  int width_ = 0;
};

class DeltaLengthByteArrayDecoder {
 public:
  Status Init(const uint8_t* data, size_t size);
  uint64_t values_left() const { return lengths_.values_left(); }
  Status GetBatch(std::string_view* out, size_t n);

 private:
  DeltaBinaryPackedDecoder lengths_;
  const uint8_t* bytes_ = nullptr;
  size_t bytes_size_ = 0;
  size_t bytes_pos_ = 0;
  size_t bytes_start_ = 0;  // offset of the bytes section in the value bytes (for messages)
  std::vector<int32_t> length_buf_;
};

class DeltaByteArrayDecoder {
 public:
  Status Init(const uint8_t* data, size_t size);
  uint64_t values_left() const { return prefixes_.values_left(); }
  Status GetBatch(std::string_view* out, size_t n);

 private:
  DeltaBinaryPackedDecoder prefixes_;
  DeltaLengthByteArrayDecoder suffixes_;
  std::vector<int32_t> prefix_buf_;
  std::vector<std::string_view> suffix_buf_;
  std::vector<size_t> ends_;
  std::string arena_;     // this batch's values
  std::string previous_;  // the last value handed out
};

}  // namespace gaggle::parquet
