#include "formats/parquet/parquet_levels.h"

namespace gaggle::parquet {
namespace {

LevelNode Build(const DataType& type, bool nullable, LevelContext ctx, size_t* next_leaf) {
  LevelNode n;
  n.type = type;
  n.slot_def = ctx.slot_def;
  n.valid_def = static_cast<int16_t>(ctx.valid_def + (nullable ? 1 : 0));
  n.rep = ctx.rep;
  n.leaf = *next_leaf;
  switch (type.id) {
    case TypeId::kStruct: {
      n.kind = LevelNode::Kind::kStruct;
      const LevelContext inner{n.slot_def, n.valid_def, n.rep};
      for (size_t i = 0; i < type.num_children(); ++i) {
        n.children.push_back(Build(type.child(i).type, type.child(i).nullable, inner, next_leaf));
      }
      return n;
    }
    case TypeId::kList:
    case TypeId::kMap: {
      n.kind = LevelNode::Kind::kList;
      const int16_t repeated = static_cast<int16_t>(n.valid_def + 1);
      const LevelContext inner{repeated, repeated, static_cast<int16_t>(n.rep + 1)};
      const Field& element = type.child(0);  // list element, or map entries (not null)
      n.children.push_back(Build(element.type, element.nullable, inner, next_leaf));
      return n;
    }
    default:
      n.kind = LevelNode::Kind::kLeaf;
      ++*next_leaf;
      return n;
  }
}

}  // namespace

LevelNode WriteLevelTree(const Field& field) {
  size_t next_leaf = 0;
  return Build(field.type, field.nullable, LevelContext{}, &next_leaf);
}

size_t CountLeaves(const LevelNode& node) {
  if (node.kind == LevelNode::Kind::kLeaf) return 1;
  size_t n = 0;
  for (const LevelNode& c : node.children) n += CountLeaves(c);
  return n;
}

void CollectLeaves(const LevelNode& node, std::vector<const LevelNode*>* leaves) {
  if (node.kind == LevelNode::Kind::kLeaf) {
    leaves->push_back(&node);
    return;
  }
  for (const LevelNode& c : node.children) CollectLeaves(c, leaves);
}

}  // namespace gaggle::parquet
