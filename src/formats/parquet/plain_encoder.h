// PLAIN encoding of Parquet values (Encodings.md), appended to a std::string:
//   INT32/INT64/FLOAT/DOUBLE  little-endian, 4 or 8 bytes each
//   BYTE_ARRAY                4-byte little-endian length, then the bytes
//   BOOLEAN                   one bit per value, LSB first (BitPacker)
// Also the statistics form of a value (PLAIN without the BYTE_ARRAY length prefix).
// Header-only: these run once per value in the writer's inner loops.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "columnar/data_type.h"

namespace gaggle::parquet {

// Appends n fixed-width values (host is little-endian, checked in parquet_metadata.cc).
template <typename T>
inline void AppendPlain(const T* values, size_t n, std::string* out) {
  out->append(reinterpret_cast<const char*>(values), n * sizeof(T));
}

inline void AppendPlainByteArray(std::string_view v, std::string* out) {
  uint32_t len = static_cast<uint32_t>(v.size());
  char prefix[4];
  std::memcpy(prefix, &len, 4);
  out->append(prefix, 4);
  out->append(v.data(), v.size());
}

// A decimal over 18 digits as Parquet stores it: FIXED_LEN_BYTE_ARRAY(16), big-endian two's
// complement. Ordered like the number (MinMax and statistics rely on it); its PLAIN bytes and
// statistics bytes are the 16 bytes themselves.
struct BigEndianDecimal128 {
  uint8_t bytes[16];

  BigEndianDecimal128() : bytes{} {}
  explicit BigEndianDecimal128(Int128 v) {
    const auto u = static_cast<UInt128>(v);
    for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(u >> (120 - 8 * i));
  }
  Int128 value() const {
    UInt128 u = 0;
    for (uint8_t b : bytes) u = (u << 8) | b;
    return static_cast<Int128>(u);
  }
  explicit operator Int128() const { return value(); }
  bool operator<(const BigEndianDecimal128& o) const { return value() < o.value(); }
};
static_assert(sizeof(BigEndianDecimal128) == 16);

// The bytes of one value as Statistics min/max carry it.
template <typename T>
inline std::string StatisticsBytes(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}
inline std::string StatisticsBytes(std::string_view v) { return std::string(v); }

// Packs booleans one bit each, LSB first, into whole bytes.
class BitPacker {
 public:
  void Put(bool v) {
    if (v) current_ |= static_cast<uint8_t>(1u << bits_);
    if (++bits_ == 8) {
      out_.push_back(static_cast<char>(current_));
      current_ = 0;
      bits_ = 0;
    }
  }
  // Bytes so far including a partial last byte.
  size_t size() const { return out_.size() + (bits_ > 0 ? 1 : 0); }
  // Appends the packed bytes (last byte zero-padded) to *out and clears.
  void FinishTo(std::string* out) {
    out->append(out_);
    if (bits_ > 0) out->push_back(static_cast<char>(current_));
    Clear();
  }
  void Clear() {
    out_.clear();
    current_ = 0;
    bits_ = 0;
  }

 private:
  std::string out_;
  uint8_t current_ = 0;
  int bits_ = 0;
};

}  // namespace gaggle::parquet
