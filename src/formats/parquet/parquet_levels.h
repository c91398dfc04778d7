// Repetition and definition levels: how Parquet's shredded leaves map onto gaggle's nested
// columns (Dremel's record shredding, as in the Parquet format's LogicalTypes.md and Arrow).
//
// Every top-level field with a nested type (or a repeated primitive) has a level tree: one
// LevelNode per column of the nested gaggle value (the field itself, struct fields, list
// elements, map entries and their keys and values), whose leaves are Parquet's primitive
// columns. Each node says, for one level entry (rep, def) of any leaf below it:
//   - the entry starts a new row ("slot") of this node's column when rep <= node.rep and
//     def >= node.slot_def (a slot exists: its parent is present, or its list is non-empty);
//   - that slot is non-null when def >= node.valid_def (valid_def = slot_def, or one more when
//     the node is optional in Parquet).
// A list's elements have rep = list.rep + 1 and slot_def = list.valid_def + 1 (the repeated
// group's level); a struct's fields share the struct's slots. A leaf holds a value exactly when
// def == its valid_def, the leaf's maximum definition level. Any one leaf's levels therefore
// describe every ancestor; the reader builds each inner node from its first leaf's levels, and
// every other leaf must agree (a file where they disagree is corrupt).
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "columnar/schema.h"

namespace gaggle::parquet {

struct LevelNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList };  // a map is a kList of its entries struct
  Kind kind = Kind::kLeaf;
  DataType type;                    // the gaggle type of this node's column
  int16_t slot_def = 0;             // def >= slot_def: the entry has a slot in this node's column
  int16_t valid_def = 0;            // def >= valid_def: that slot is non-null
  int16_t rep = 0;                  // rep <= rep: the entry starts a new slot
  size_t leaf = 0;                  // the index (within the field) of this node's first leaf; a leaf's own index
  std::vector<LevelNode> children;  // struct: its fields; list: the element (map: the entries struct)
};

// The level entries of one leaf for a batch of rows (the reader's record assembly input).
struct LevelBatch {
  std::vector<int16_t> def;
  std::vector<int16_t> rep;
  void Clear() {
    def.clear();
    rep.clear();
  }
};

// The levels at which a child's parent is present: the context a child field is placed in.
struct LevelContext {
  int16_t slot_def = 0;
  int16_t valid_def = 0;
  int16_t rep = 0;
};

// The level tree of `field` as gaggle writes it: nullable -> optional (one definition level),
// list -> the three-level LIST layout, map -> the three-level MAP layout (key required).
// Leaves are numbered from 0 in depth-first order.
LevelNode WriteLevelTree(const Field& field);

// Leaves below (and including) `node`, in depth-first order.
size_t CountLeaves(const LevelNode& node);
void CollectLeaves(const LevelNode& node, std::vector<const LevelNode*>* leaves);

// True when the field is stored as one primitive leaf with at most one definition level and no
// repetition: the flat fast path reads and writes it.
inline bool IsFlatField(const LevelNode& node) {
  return node.kind == LevelNode::Kind::kLeaf && node.rep == 0 && node.slot_def == 0 && node.valid_def <= 1;
}

}  // namespace gaggle::parquet
