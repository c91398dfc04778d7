// LeafProfiles: the statistics of every leaf of a schema's nested columns, so that a change
// inside a struct, a list or a map is measured where it happened.
//
// A leaf is a flat value reached by a path: a struct field by its name, a list's elements as
// `element`, a map's keys and values as `key` and `value` (Parquet's names):
// `device.os`, `items.element.price`, `attrs.key`, `attrs.value`. Each leaf gets a
// ColumnProfile (the same statistics as a flat column: nulls, distinct estimate, min/max,
// fingerprint, sample or top values) over the values present: one per element of a list, per
// entry of a map; a value under a null struct, list or map is absent (not counted), a null
// leaf value under valid parents counts as a null. Each leaf samples with its own RowReservoir
// (same seed on both sides), so the same values in the same order are sampled alike.
// Memory: one ColumnProfile and one sample per leaf; per batch, the leaf values of one leaf at
// a time.
// Thread-safety: a value; one writer at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/record_batch.h"
#include "validate/column_profile.h"
#include "validate/row_reservoir.h"

namespace gaggle {

class LeafProfiles {
 public:
  LeafProfiles(const Schema& schema, const ProfileOptions& options);

  // The leaf paths, in schema order (depth first).
  std::vector<std::string> Names() const;
  // Adds the leaf values of every row. REQUIRES: the batch has the schema's column types.
  void Update(const RecordBatch& batch);
  // One summary per leaf, named by its path.
  std::vector<ColumnSummary> Summarize() const;

 private:
  struct Leaf {
    size_t column;
    std::vector<int> path;  // per level: a struct field index, or -1 for a list's or map's entries
    ColumnProfile profile;
    RowReservoir reservoir;
  };
  void AddLeaves(size_t column, const std::string& name, const DataType& type, std::vector<int>* path,
                 const ProfileOptions& options);

  std::vector<Leaf> leaves_;
  std::vector<RowReservoir::Pick> picks_;
};

// The present values of one leaf under the rows of `column` (exposed for tests).
// REQUIRES: `path` leads from column's type to a flat type.
Column CollectLeafValues(const Column& column, const std::vector<int>& path);

}  // namespace gaggle
