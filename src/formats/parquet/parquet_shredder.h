// ParquetShredder: turns rows of a nested column into what its Parquet leaves store: per leaf,
// one level entry (repetition, definition) per value or per missing value, and the values
// themselves (record shredding, by the levels of parquet_levels.h's WriteLevelTree).
//
// For each leaf, the rows are walked down the path from the field to the leaf: a null node ends
// the walk with definition level valid_def - 1, an empty list with the list's valid_def, a list's
// first element keeps the repetition level it came with and the others get the list's element
// level; a value that reaches the leaf has the leaf's maximum definition level. Runs of
// consecutive leaf values are copied in bulk.
// Memory: the entries of the rows shredded last (they are replaced by the next Shred).
// Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "formats/parquet/parquet_levels.h"

namespace gaggle::parquet {

struct ShreddedLeaf {
  std::vector<int16_t> def;
  std::vector<int16_t> rep;
  Column values;  // one row per entry: the value where def is the leaf's maximum, else null
};

class ParquetShredder {
 public:
  explicit ParquetShredder(const Field& field);

  const LevelNode& tree() const { return tree_; }
  size_t num_leaves() const { return leaves_.size(); }
  // The leaf's maximum definition and repetition levels.
  int16_t max_definition_level(size_t leaf) const { return paths_[leaf].back().first->valid_def; }
  int16_t max_repetition_level(size_t leaf) const { return paths_[leaf].back().first->rep; }

  // Replaces every leaf's entries with those of rows [offset, offset + count) of `column`.
  // REQUIRES: column has the field's type and a valid structure (Column::ValidateStructure).
  void Shred(const Column& column, size_t offset, size_t count);
  const ShreddedLeaf& leaf(size_t i) const { return leaves_[i]; }

 private:
  // An entry on its way down: a slot of the current node's column, or (slot < 0) an entry that
  // already ended above with definition level `def`.
  struct Item {
    int64_t slot;
    int16_t rep;
    int16_t def;
  };

  void ShredLeaf(size_t leaf, const Column& column, size_t offset, size_t count);
  void Step(const LevelNode& node, const Column& col);

  LevelNode tree_;
  // Per leaf: the nodes from the field down to the leaf, each with the index of the child
  // the path goes on to (unused for the leaf itself).
  std::vector<std::vector<std::pair<const LevelNode*, size_t>>> paths_;
  std::vector<ShreddedLeaf> leaves_;
  std::vector<Item> items_;
  std::vector<Item> next_;
};

}  // namespace gaggle::parquet
