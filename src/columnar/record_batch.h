// RecordBatch: a schema plus one Column per field, all of the same length.
// The data plane's common currency: readers produce batches, transforms map
// batches to batches, writers and validators consume them. Batches are bounded
// (ReadOptions::batch_rows, 64 Ki rows by default) so memory stays bounded.
#pragma once

#include <memory>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/status.h"

namespace gaggle {

struct RecordBatch {
  std::shared_ptr<const Schema> schema;
  std::vector<Column> columns;

  // An empty batch with one empty column per field of `schema`.
  static RecordBatch Empty(std::shared_ptr<const Schema> schema);

  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
  size_t num_columns() const { return columns.size(); }
  // Clears every column, keeping schema and capacity (for reuse between Next() calls).
  void Clear();
  // Checks the invariants: one column per field, matching types, equal lengths,
  // no nulls in non-nullable fields, nested columns well formed (Column::ValidateStructure).
  // Internal error naming the column otherwise.
  Status Validate() const;
  size_t memory_bytes() const;
};

}  // namespace gaggle
