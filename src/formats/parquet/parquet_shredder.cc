#include "formats/parquet/parquet_shredder.h"

namespace gaggle::parquet {
namespace {

void CollectPaths(const LevelNode& node, std::vector<std::pair<const LevelNode*, size_t>>* path,
                  std::vector<std::vector<std::pair<const LevelNode*, size_t>>>* out) {
  if (node.kind == LevelNode::Kind::kLeaf) {
    path->emplace_back(&node, 0);
    out->push_back(*path);
    path->pop_back();
    return;
  }
  for (size_t c = 0; c < node.children.size(); ++c) {
    path->emplace_back(&node, c);
    CollectPaths(node.children[c], path, out);
    path->pop_back();
  }
}

}  // namespace

ParquetShredder::ParquetShredder(const Field& field) : tree_(WriteLevelTree(field)) {
  std::vector<std::pair<const LevelNode*, size_t>> path;
  CollectPaths(tree_, &path, &paths_);
  leaves_.reserve(paths_.size());
  for (const auto& p : paths_) {
    ShreddedLeaf leaf;
    leaf.values = Column(p.back().first->type);
    leaves_.push_back(std::move(leaf));
  }
}

void ParquetShredder::Shred(const Column& column, size_t offset, size_t count) {
  for (size_t i = 0; i < leaves_.size(); ++i) ShredLeaf(i, column, offset, count);
}

// Moves items_ one node down (into next_, then swapped back).
void ParquetShredder::Step(const LevelNode& node, const Column& col) {
  next_.clear();
  const int16_t element_rep = node.kind == LevelNode::Kind::kList ? node.children[0].rep : 0;
  for (const Item& item : items_) {
    if (item.slot < 0) {
      next_.push_back(item);
      continue;
    }
    const size_t slot = static_cast<size_t>(item.slot);
    if (col.IsNull(slot)) {
      next_.push_back(Item{-1, item.rep, static_cast<int16_t>(node.valid_def - 1)});
      continue;
    }
    switch (node.kind) {
      case LevelNode::Kind::kLeaf: next_.push_back(Item{item.slot, item.rep, node.valid_def}); break;
      case LevelNode::Kind::kStruct: next_.push_back(item); break;
      case LevelNode::Kind::kList: {
        const uint64_t b = col.ListBegin(slot), e = col.ListEnd(slot);
        if (b == e) {
          next_.push_back(Item{-1, item.rep, node.valid_def});
          break;
        }
        next_.push_back(Item{static_cast<int64_t>(b), item.rep, 0});
        for (uint64_t k = b + 1; k < e; ++k) next_.push_back(Item{static_cast<int64_t>(k), element_rep, 0});
        break;
      }
    }
  }
  items_.swap(next_);
}

void ParquetShredder::ShredLeaf(size_t leaf, const Column& column, size_t offset, size_t count) {
  const auto& path = paths_[leaf];
  items_.clear();
  for (size_t r = offset; r < offset + count; ++r) items_.push_back(Item{static_cast<int64_t>(r), 0, 0});
  const Column* col = &column;
  for (const auto& [node, child] : path) {
    Step(*node, *col);
    if (node->kind != LevelNode::Kind::kLeaf) col = &col->child(child);
  }
  // col is now the leaf's column; items_ are its entries.
  ShreddedLeaf& out = leaves_[leaf];
  out.def.resize(items_.size());
  out.rep.resize(items_.size());
  out.values.Clear();
  size_t run_start = 0, run_length = 0;
  auto flush = [&] {
    if (run_length > 0) out.values.AppendRange(*col, run_start, run_length);
    run_length = 0;
  };
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& item = items_[i];
    out.def[i] = item.def;
    out.rep[i] = item.rep;
    if (item.slot < 0) {
      flush();
      out.values.AppendNull();
      continue;
    }
    const size_t slot = static_cast<size_t>(item.slot);
    if (run_length > 0 && slot == run_start + run_length) {
      ++run_length;
    } else {
      flush();
      run_start = slot;
      run_length = 1;
    }
  }
  flush();
}

}  // namespace gaggle::parquet
