// RowReservoir: chooses a uniform random sample of k row positions from a stream
// of rows of unknown length (reservoir sampling, Vitter/Li "Algorithm L": the
// number of rows skipped between replacements is drawn directly, so the cost is
// O(k log(n/k)) draws, not one per row).
//
// The choice depends only on the seed and the number of rows seen, never on the
// values: two streams with the same rows in the same order are sampled at the
// same positions, so identical datasets give identical samples (a drift statistic
// of exactly zero). Callers keep the sampled values themselves, in `k` slots.
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gaggle {

class RowReservoir {
 public:
  // One sampled row of a batch: copy row `row` of the batch into slot `slot`.
  struct Pick {
    size_t row;
    size_t slot;
  };

  RowReservoir(size_t capacity, uint64_t seed);

  size_t capacity() const { return capacity_; }
  // Slots filled so far: min(rows seen, capacity).
  size_t size() const { return filled_; }
  uint64_t rows_seen() const { return seen_; }

  // Advances over the next `rows` rows of the stream; *picks receives the rows of
  // this stretch that enter the sample, in increasing row order (a later pick may
  // overwrite the slot of an earlier one: apply them in order).
  void Advance(size_t rows, std::vector<Pick>* picks);

 private:
  double NextUniform();  // in (0, 1)
  void ScheduleNext();

  size_t capacity_;
  uint64_t state_;
  uint64_t seen_ = 0;
  size_t filled_ = 0;
  double w_ = 0;
  uint64_t next_ = 0;  // stream index of the next row to take once the reservoir is full
};

}  // namespace gaggle
