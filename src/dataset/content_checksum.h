// ContentChecksum: an order-independent 64-bit fingerprint of a dataset's rows.
//
// Each row is hashed from its values in schema order (type-aware, nulls distinct
// from every value, all NaNs equal); row hashes are combined by addition modulo
// 2^64, so the result does not depend on row order, batch boundaries, file
// partitioning or row-group layout — only on the multiset of rows. The agent
// computes it while writing; the validation gates recompute it from the old data
// mapped through the transformation and from the new data read back from disk.
// Thread-safety: one instance per thread; Merge() combines partial checksums.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "columnar/record_batch.h"

namespace gaggle {

class ContentChecksum {
 public:
  // Adds every row of the batch.
  void Update(const RecordBatch& batch);
  // Adds the rows of the batch whose `keep[i]` is non-zero (keep.size() == num_rows).
  void UpdateSelected(const RecordBatch& batch, const std::vector<uint8_t>& keep);
  // Combines a checksum computed over other rows (e.g. another partition).
  void Merge(const ContentChecksum& other);

  uint64_t value() const { return sum_; }
  uint64_t rows() const { return rows_; }
  // 16 lowercase hex digits of value().
  std::string ToHex() const;

 private:
  // Row hashes for a whole batch, one pass per column (no per-value dispatch).
  void HashRows(const RecordBatch& batch, std::vector<uint64_t>* row_hashes) const;

  uint64_t sum_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace gaggle
