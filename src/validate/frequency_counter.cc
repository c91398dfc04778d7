#include "validate/frequency_counter.h"

#include <algorithm>

namespace gaggle {

FrequencyCounter::FrequencyCounter(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {
  size_t slots = 4;
  while (slots < 2 * capacity_) slots <<= 1;
  entries_.resize(slots);
  values_.resize(slots);
  has_value_.resize(slots, 0);
}

void FrequencyCounter::Insert(uint64_t hash, std::string_view value) {
  if (used_ == capacity_) {
    DecrementAll();  // the new value's one occurrence cancels against one of every held value
    return;
  }
  const size_t mask = entries_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (entries_[i].count != 0) i = (i + 1) & mask;
  entries_[i] = {hash, stride_};
  // Once approximate, most inserted values churn out again unseen: copy a value's text
  // only when it shows up a second time (Add does).
  has_value_[i] = exact_ ? 1 : 0;
  if (exact_) values_[i].assign(value.data(), value.size());
  ++used_;
}

void FrequencyCounter::DecrementAll() {
  exact_ = false;
  const int64_t step = stride_;
  if (++passes_ == kPassesBeforeSampling) stride_ = kSampledStride;
  entries_.swap(spare_entries_);
  values_.swap(spare_values_);
  has_value_.swap(spare_has_value_);
  const size_t slots = spare_entries_.size();
  entries_.assign(slots, Entry{});
  has_value_.assign(slots, 0);
  values_.resize(slots);
  used_ = 0;
  const size_t mask = slots - 1;
  for (size_t j = 0; j < slots; ++j) {
    const Entry& e = spare_entries_[j];
    if (e.count <= step) continue;
    size_t i = static_cast<size_t>(e.hash) & mask;
    while (entries_[i].count != 0) i = (i + 1) & mask;
    entries_[i] = {e.hash, e.count - step};
    has_value_[i] = spare_has_value_[j];
    values_[i].swap(spare_values_[j]);  // strings trade buffers: no allocation
    ++used_;
  }
}

std::vector<ValueCount> FrequencyCounter::Values() const {
  std::vector<ValueCount> out;
  out.reserve(used_);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].count > 0 && has_value_[i]) out.push_back({values_[i], entries_[i].count});
  }
  std::sort(out.begin(), out.end(), [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return out;
}

std::vector<std::pair<uint64_t, int64_t>> FrequencyCounter::HashCounts() const {
  std::vector<std::pair<uint64_t, int64_t>> out;
  out.reserve(used_);
  for (const Entry& e : entries_) {
    if (e.count > 0) out.emplace_back(e.hash, e.count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gaggle
