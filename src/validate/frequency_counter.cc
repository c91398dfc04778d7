#include "validate/frequency_counter.h"

#include <algorithm>

namespace gaggle {

FrequencyCounter::FrequencyCounter(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {
  size_t slots = 4;
  while (slots < 2 * capacity_) slots <<= 1;
  slots_.resize(slots);
}

void FrequencyCounter::Insert(uint64_t hash, std::string_view value) {
  if (used_ == capacity_) {
    DecrementAll();  // the new value's one occurrence cancels against one of every held value
    return;
  }
  size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (slots_[i].count != 0) i = (i + 1) & mask;
  slots_[i].hash = hash;
  slots_[i].count = 1;
  slots_[i].value.assign(value.data(), value.size());
  ++used_;
}

void FrequencyCounter::DecrementAll() {
  exact_ = false;
  spare_.swap(slots_);  // spare_ holds the current entries
  if (slots_.size() != spare_.size()) {
    slots_.assign(spare_.size(), Slot{});
  } else {
    for (Slot& s : slots_) s.count = 0;
  }
  used_ = 0;
  const size_t mask = slots_.size() - 1;
  for (Slot& s : spare_) {
    if (s.count <= 1) continue;
    size_t i = static_cast<size_t>(s.hash) & mask;
    while (slots_[i].count != 0) i = (i + 1) & mask;
    slots_[i].hash = s.hash;
    slots_[i].count = s.count - 1;
    slots_[i].value.swap(s.value);  // strings trade buffers: no allocation
    ++used_;
  }
}

std::vector<ValueCount> FrequencyCounter::Values() const {
  std::vector<ValueCount> out;
  out.reserve(used_);
  for (const Slot& s : slots_) {
    if (s.count > 0) out.push_back({s.value, s.count});
  }
  std::sort(out.begin(), out.end(), [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return out;
}

std::vector<std::pair<uint64_t, int64_t>> FrequencyCounter::HashCounts() const {
  std::vector<std::pair<uint64_t, int64_t>> out;
  out.reserve(used_);
  for (const Slot& s : slots_) {
    if (s.count > 0) out.emplace_back(s.hash, s.count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gaggle
