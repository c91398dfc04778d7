// DatasetProfile: everything the validator learns about one side of a comparison
// (old data mapped through the transformation, or new data read back), in one
// streaming pass over its batches: rows, the order-independent ContentChecksum,
// and one ColumnProfile per field. One RowReservoir chooses the sampled rows for
// every column, so the sample is a sample of rows, and two sides holding the same
// rows in the same order are sampled at the same rows.
//
// Batches whose schema differs from the profile's (a partition of the new dataset
// with other columns) are counted and hashed but left out of the column statistics;
// mismatched_batches() tells how many.
// Memory: the sketches (about sample_rows * 9 bytes + 16 KiB per column), never the data.
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "columnar/record_batch.h"
#include "dataset/content_checksum.h"
#include "validate/column_profile.h"
#include "validate/leaf_profiles.h"
#include "validate/row_reservoir.h"

namespace gaggle {

class DatasetProfile {
 public:
  DatasetProfile(std::shared_ptr<const Schema> schema, const ProfileOptions& options);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  // Adds every row of the batch (checksum, counts, statistics, sample).
  void Update(const RecordBatch& batch);

  int64_t rows() const { return rows_; }
  const ContentChecksum& checksum() const { return checksum_; }
  int64_t mismatched_batches() const { return mismatched_batches_; }
  // Per field of schema(), in order, then per leaf of the nested fields (leaf_profiles.h:
  // "items.element.price").
  std::vector<ColumnSummary> Summarize() const;

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<ColumnProfile> columns_;
  LeafProfiles leaves_;
  RowReservoir reservoir_;
  ContentChecksum checksum_;
  std::vector<RowReservoir::Pick> picks_;
  int64_t rows_ = 0;
  int64_t mismatched_batches_ = 0;
};

}  // namespace gaggle
