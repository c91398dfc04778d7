// FrequencyCounter: the most frequent values of a column in bounded memory
// (Misra-Gries summary, keyed by a 64-bit hash of the value).
//
// Holds at most `capacity` values. While a column has at most `capacity` distinct
// values every count is exact (exact() stays true). Past that, the summary keeps
// every value whose frequency exceeds n / (capacity + 1) and its counts are low
// by at most that much; exact() turns false. Cost is amortized O(1) per value: a
// value that finds the table full lowers every count by one (and is not stored),
// which happens at most n / (capacity + 1) times.
// The first text seen for a hash is kept for display; two values with the same
// 64-bit hash are counted as one (negligible for reporting).
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
  explicit FrequencyCounter(size_t capacity = 256);

  size_t capacity() const { return capacity_; }
  // True while no count was ever lowered: the counts are the true frequencies.
  bool exact() const { return exact_; }
  // Values added (the stream length n).
  int64_t total() const { return total_; }

  void Add(uint64_t hash, std::string_view value) {
    ++total_;
    size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.count == 0) break;
      if (s.hash == hash) {
        ++s.count;
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
  struct Slot {
    uint64_t hash = 0;
    int64_t count = 0;  // 0 = empty
    std::string value;
  };
  void Insert(uint64_t hash, std::string_view value);
  // Lowers every count by one and rebuilds the table without the zeros.
  void DecrementAll();

  size_t capacity_;
  std::vector<Slot> slots_;  // open addressing, power of two >= 2 * capacity
  std::vector<Slot> spare_;  // the previous table, reused by DecrementAll (no allocation per pass)
  size_t used_ = 0;
  int64_t total_ = 0;
  bool exact_ = true;
};

}  // namespace gaggle
