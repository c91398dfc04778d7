// FrequencyCounter: the most frequent values of a column in bounded memory
// (Misra-Gries summary, keyed by a 64-bit hash of the value).
//
// Holds at most `capacity` values. While a column has at most `capacity` distinct
// values every count is exact (exact() stays true). Past that, the summary keeps
// every value whose frequency exceeds n / (capacity + 1) and its counts are low
// by at most that much; exact() turns false. Cost is amortized O(1) per value: a
// value that finds the table full lowers every count by one (and is not stored),
// which happens at most n / (capacity + 1) times. After kPassesBeforeSampling such
// passes (a column of mostly distinct values, where the table only churns) the counter
// samples: every kSampledStride-th value is counted with weight kSampledStride, which
// keeps frequent values frequent and costs an eighth.
// The text of a value is kept for display (while exact, from its first occurrence;
// once approximate, from its second: values that churn through the table once are
// never copied). Two values with the same 64-bit hash are counted as one
// (negligible for reporting).
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gaggle {

struct ValueCount {
  std::string value;
  int64_t count = 0;
  bool operator==(const ValueCount& o) const { return value == o.value && count == o.count; }
};

class FrequencyCounter {
 public:
  static constexpr int64_t kPassesBeforeSampling = 64;
  static constexpr int64_t kSampledStride = 8;

  explicit FrequencyCounter(size_t capacity = 256);

  size_t capacity() const { return capacity_; }
  // True while no count was ever lowered: the counts are the true frequencies.
  bool exact() const { return exact_; }
  // Values added (the stream length n).
  int64_t total() const { return total_; }

  void Add(uint64_t hash, std::string_view value) {
    ++total_;
    if (stride_ > 1) {
      if (++phase_ < stride_) return;
      phase_ = 0;
    }
    const size_t mask = entries_.size() - 1;
    for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
      Entry& e = entries_[i];
      if (e.count == 0) break;
      if (e.hash == hash) {
        e.count += stride_;
        if (!has_value_[i]) {
          values_[i].assign(value.data(), value.size());
          has_value_[i] = 1;
        }
        return;
      }
    }
    Insert(hash, value);
  }

  // Held values with their counts, most frequent first (ties by value).
  std::vector<ValueCount> Values() const;
  // Same, with the hash each was counted under.
  std::vector<std::pair<uint64_t, int64_t>> HashCounts() const;

 private:
  // Probing touches only the 16-byte entries; the texts live apart.
  struct Entry {
    uint64_t hash = 0;
    int64_t count = 0;  // 0 = empty
  };
  void Insert(uint64_t hash, std::string_view value);
  // Lowers every count by one and rebuilds the table without the zeros.
  void DecrementAll();

  size_t capacity_;
  // Open addressing over a power of two >= 2 * capacity slots: entries_[i], values_[i],
  // has_value_[i] describe slot i.
  std::vector<Entry> entries_;
  std::vector<std::string> values_;
  std::vector<uint8_t> has_value_;
  // The previous table, reused by DecrementAll (no allocation per pass).
  std::vector<Entry> spare_entries_;
  std::vector<std::string> spare_values_;
  std::vector<uint8_t> spare_has_value_;
  size_t used_ = 0;
  int64_t total_ = 0;
  int64_t passes_ = 0;  // DecrementAll calls
  // 1 at first; kSampledStride once the stream proved to hold many more distinct values
  // than counters: then only every stride-th value is counted, with that weight.
  int64_t stride_ = 1;
  int64_t phase_ = 0;
  bool exact_ = true;
};

}  // namespace gaggle
