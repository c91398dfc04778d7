// ParquetValueDecoder: turns the value bytes of one page (data page or dictionary page) into
// physical values, for every encoding that is not dictionary indices:
//
//   PLAIN                    all physical types (BOOLEAN bit-packed LSB first; BYTE_ARRAY with
//                            a 4-byte little-endian length per value; INT96 as 12-byte values)
//   RLE                      BOOLEAN (4-byte length, then the RLE/bit-packed hybrid at width 1)
//   BYTE_STREAM_SPLIT        FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY
//   DELTA_BINARY_PACKED      INT32, INT64
//   DELTA_LENGTH_BYTE_ARRAY  BYTE_ARRAY
//   DELTA_BYTE_ARRAY         BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY
//
// Decoding is incremental: each Get* call hands out the next n values. Every length and count is
// checked against the bytes given, so running out of bytes (or a length that points outside) is
// Corruption naming the value byte offset; an encoding that does not apply to the physical type
// is Corruption, an encoding number we do not know is Unsupported. The caller owns the bytes and
// must keep them alive while decoding; string views handed out stay valid until the next Get*
// call (DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT build values in a scratch buffer) or Reset.
// Thread-safety: one instance per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/parquet/parquet_delta_decoder.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/rle_bit_packed.h"

namespace gaggle::parquet {

class ParquetValueDecoder {
 public:
  // `type_length` is the FIXED_LEN_BYTE_ARRAY width (ignored for other types).
  Status Reset(Encoding encoding, PhysicalType type, int32_t type_length, const uint8_t* data, size_t size);

  // REQUIRES: T matches the physical type: uint8_t (BOOLEAN, 0 or 1), int32_t, int64_t, float, double.
  template <typename T>
  Status GetFixed(T* out, size_t n);

  // REQUIRES: BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY or INT96 (12 bytes each).
  Status GetBinary(std::string_view* out, size_t n);

 private:
  Status OutOfBytes(const std::string& what, size_t n) const;
  template <typename T>
  Status GetByteStreamSplit(T* out, size_t n);

  Encoding encoding_ = Encoding::kPlain;
  PhysicalType type_ = PhysicalType::kInt32;
  size_t type_length_ = 0;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;            // PLAIN: next byte; BYTE_STREAM_SPLIT: next value index
  size_t bit_pos_ = 0;        // PLAIN BOOLEAN: next bit
  size_t stream_values_ = 0;  // BYTE_STREAM_SPLIT: values in the page
  RleBitPackedDecoder rle_;
  DeltaBinaryPackedDecoder delta_;
  DeltaLengthByteArrayDecoder delta_length_;
  DeltaByteArrayDecoder delta_bytes_;
  std::string scratch_;
};

}  // namespace gaggle::parquet
