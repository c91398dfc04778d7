// Dictionaries for Parquet's dictionary encoding: map each distinct value of a column
// chunk to a dense index (0, 1, 2, ... in first-seen order, so output is deterministic)
// and keep the distinct values in PLAIN form, ready to become the dictionary page.
//
// Flat open-addressing hash tables (load <= 1/2, linear probing), no per-value allocation:
// fixed-width values are compared by their bits (so -0.0 and 0.0, or two NaN payloads,
// are distinct entries, which round-trips exactly); byte arrays live in one arena that is
// itself the PLAIN encoding (4-byte length + bytes per entry).
// Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"

namespace gaggle::parquet {

template <typename T>
class FixedDictionary {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8 || sizeof(T) == 16,
                "INT32/INT64/FLOAT/DOUBLE, or FIXED_LEN_BYTE_ARRAY(16) decimals");
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, std::conditional_t<sizeof(T) == 8, uint64_t, UInt128>>;

 public:
  FixedDictionary() { Clear(); }

  // Index of v; inserts it (and sets *inserted) when new.
  uint32_t GetOrInsert(T v, bool* inserted) {
    Bits bits;
    std::memcpy(&bits, &v, sizeof(T));
    size_t slot = Hash(bits);
    while (true) {
      uint32_t entry = slots_[slot];
      if (entry == 0) break;
      if (bit_values_[entry - 1] == bits) {
        *inserted = false;
        return entry - 1;
      }
      slot = (slot + 1) & mask_;
    }
    uint32_t index = static_cast<uint32_t>(bit_values_.size());
    bit_values_.push_back(bits);
    slots_[slot] = index + 1;
    *inserted = true;
    if (bit_values_.size() * 2 > slots_.size()) Grow();
    return index;
  }

  size_t size() const { return bit_values_.size(); }
  size_t plain_bytes() const { return bit_values_.size() * sizeof(T); }
  // The entries in index order, PLAIN-encoded.
  std::string_view plain_data() const {
    return std::string_view(reinterpret_cast<const char*>(bit_values_.data()), plain_bytes());
  }
  T value(uint32_t index) const {
    T v;
    std::memcpy(&v, &bit_values_[index], sizeof(T));
    return v;
  }
  void Clear() {
    bit_values_.clear();
    slots_.assign(1024, 0);
    mask_ = slots_.size() - 1;
    shift_ = 64 - 10;
  }

 private:
  size_t Hash(Bits bits) const {
    uint64_t folded;
    if constexpr (sizeof(Bits) == 16) {
      folded = static_cast<uint64_t>(bits) ^ (static_cast<uint64_t>(bits >> 64) * 0xC2B2AE3D27D4EB4Full);
    } else {
      folded = bits;
    }
    return static_cast<size_t>((folded * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    --shift_;
    for (size_t i = 0; i < bit_values_.size(); ++i) {
      size_t slot = Hash(bit_values_[i]);
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<uint32_t>(i + 1);
    }
  }

  std::vector<Bits> bit_values_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  size_t mask_ = 0;
  int shift_ = 0;
};

class ByteArrayDictionary {
 public:
  ByteArrayDictionary() { Clear(); }

  uint32_t GetOrInsert(std::string_view v, bool* inserted);
  size_t size() const { return offsets_.size(); }
  size_t plain_bytes() const { return arena_.size(); }
  std::string_view plain_data() const { return arena_; }
  std::string_view value(uint32_t index) const;
  void Clear();

 private:
  struct Slot {
    uint32_t entry;  // index + 1; 0 = empty
    uint32_t tag;    // high hash bits, to skip most string compares
  };
  void Grow();

  std::vector<Slot> slots_;
  std::vector<size_t> offsets_;   // arena offset of each entry's length prefix
  std::vector<uint64_t> hashes_;  // full hash per entry, so growing never rehashes bytes
  std::string arena_;
  size_t mask_ = 0;
};

}  // namespace gaggle::parquet
