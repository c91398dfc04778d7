#include "formats/parquet/dictionary_encoder.h"

#include <xxhash.h>

#include "formats/parquet/plain_encoder.h"

namespace gaggle::parquet {

void ByteArrayDictionary::Clear() {
  slots_.assign(1024, Slot{0, 0});
  mask_ = slots_.size() - 1;
  offsets_.clear();
  hashes_.clear();
  arena_.clear();
}

std::string_view ByteArrayDictionary::value(uint32_t index) const {
  size_t off = offsets_[index];
  uint32_t len;
  std::memcpy(&len, arena_.data() + off, 4);
  return std::string_view(arena_.data() + off + 4, len);
}

uint32_t ByteArrayDictionary::GetOrInsert(std::string_view v, bool* inserted) {
  uint64_t h = XXH3_64bits(v.data(), v.size());
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  size_t slot = static_cast<size_t>(h) & mask_;
  while (true) {
    const Slot& s = slots_[slot];
    if (s.entry == 0) break;
    if (s.tag == tag && value(s.entry - 1) == v) {
      *inserted = false;
      return s.entry - 1;
    }
    slot = (slot + 1) & mask_;
  }
  uint32_t index = static_cast<uint32_t>(offsets_.size());
  offsets_.push_back(arena_.size());
  hashes_.push_back(h);
  AppendPlainByteArray(v, &arena_);
  slots_[slot] = Slot{index + 1, tag};
  *inserted = true;
  if (offsets_.size() * 2 > slots_.size()) Grow();
  return index;
}

void ByteArrayDictionary::Grow() {
  slots_.assign(slots_.size() * 2, Slot{0, 0});
  mask_ = slots_.size() - 1;
  for (size_t i = 0; i < offsets_.size(); ++i) {
    size_t slot = static_cast<size_t>(hashes_[i]) & mask_;
    while (slots_[slot].entry != 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{static_cast<uint32_t>(i + 1), static_cast<uint32_t>(hashes_[i] >> 32)};
  }
}

}  // namespace gaggle::parquet
