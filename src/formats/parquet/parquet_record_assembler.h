// ParquetRecordAssembler: reads one nested top-level field of a Parquet file (a struct, list,
// map, or repeated field) into a nested gaggle Column, a batch of rows at a time.
//
// Each of the field's leaves is decoded by its own ParquetColumnDecoder (ReadNested: whole
// rows of level entries plus the leaf's values, nulls in place). The inner columns (struct
// validity, list and map offsets and validity) are then built from the levels of each inner
// node's first leaf, by the rules of parquet_levels.h. Leaves must agree with each other: a
// child column whose length differs from what its parent's levels say, or a null map key, is
// Corruption naming the file, the column and the row group.
// Memory: per leaf, one page and the levels and values of the batch's rows.
// Thread-safety: one instance per thread; the RandomAccessFile must outlive it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"
#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_levels.h"
#include "formats/parquet/parquet_schema.h"

namespace gaggle::parquet {

class ParquetRecordAssembler {
 public:
  // `field` indexes schema.fields; its tree must be set (a nested field).
  ParquetRecordAssembler(const RandomAccessFile* file, const std::string& path, const ParquetSchema& schema,
                         size_t field);

  // Starts on row group `row_group` (see ParquetColumnDecoder::StartChunk).
  Status StartChunk(const RowGroup& group, int row_group, int64_t first_row, uint64_t data_end);

  // Appends the next `rows` rows of the current row group to *out (of the field's type).
  Status Read(size_t rows, Column* out);

  // See ParquetColumnDecoder::set_v2_always_compressed; applies to every leaf.
  void set_v2_always_compressed(bool v) {
    for (auto& d : decoders_) d->set_v2_always_compressed(v);
  }

 private:
  Status ReadLeaves(const LevelNode& node, size_t rows, Column* out);
  Status Build(const LevelNode& node, Column* out, const std::string& name);
  Status BuildStruct(const LevelNode& node, Column* out, const std::string& name);
  Status BuildList(const LevelNode& node, Column* out, const std::string& name);
  Status Mismatch(const std::string& name, size_t got, size_t expected) const;

  ParquetChunkContext context_;
  std::shared_ptr<const LevelNode> tree_;
  size_t first_leaf_ = 0;
  std::vector<std::unique_ptr<ParquetColumnDecoder>> decoders_;
  std::vector<LevelBatch> levels_;
};

}  // namespace gaggle::parquet
