#include "formats/parquet/parquet_record_assembler.h"

namespace gaggle::parquet {

ParquetRecordAssembler::ParquetRecordAssembler(const RandomAccessFile* file, const std::string& path,
                                               const ParquetSchema& schema, size_t field)
    : tree_(schema.fields[field].tree), first_leaf_(schema.fields[field].first_leaf) {
  context_.path = path;
  context_.column = schema.schema.field(field).name;
  const size_t n = schema.fields[field].num_leaves;
  decoders_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    decoders_.push_back(std::make_unique<ParquetColumnDecoder>(file, path, schema.leaves[first_leaf_ + i]));
  }
  levels_.resize(n);
}

Status ParquetRecordAssembler::StartChunk(const RowGroup& group, int row_group, int64_t first_row, uint64_t data_end) {
  context_.row_group = row_group;
  for (size_t i = 0; i < decoders_.size(); ++i) {
    GAGGLE_RETURN_IF_ERROR(
        decoders_[i]->StartChunk(group.columns[first_leaf_ + i], row_group, first_row, group.num_rows, data_end));
  }
  return Status::OK();
}

Status ParquetRecordAssembler::Read(size_t rows, Column* out) {
  for (LevelBatch& l : levels_) l.Clear();
  GAGGLE_RETURN_IF_ERROR(ReadLeaves(*tree_, rows, out));
  return Build(*tree_, out, context_.column);
}

Status ParquetRecordAssembler::ReadLeaves(const LevelNode& node, size_t rows, Column* out) {
  if (node.kind == LevelNode::Kind::kLeaf) return decoders_[node.leaf]->ReadNested(rows, &levels_[node.leaf], out);
  for (size_t c = 0; c < node.children.size(); ++c) {
    GAGGLE_RETURN_IF_ERROR(ReadLeaves(node.children[c], rows, &out->child(c)));
  }
  return Status::OK();
}

Status ParquetRecordAssembler::Mismatch(const std::string& name, size_t got, size_t expected) const {
  return Status::Corruption(context_.Where() + ": the levels of '" + name + "' give " + std::to_string(got) +
                            " values where its parent's levels give " + std::to_string(expected) +
                            " (the leaves of the column disagree)");
}

Status ParquetRecordAssembler::Build(const LevelNode& node, Column* out, const std::string& name) {
  switch (node.kind) {
    case LevelNode::Kind::kLeaf: return Status::OK();
    case LevelNode::Kind::kStruct: return BuildStruct(node, out, name);
    case LevelNode::Kind::kList: return BuildList(node, out, name);
  }
  return Status::Internal("unknown level node");
}

Status ParquetRecordAssembler::BuildStruct(const LevelNode& node, Column* out, const std::string& name) {
  const LevelBatch& lv = levels_[node.leaf];
  const size_t n = lv.def.size();
  const int16_t* def = lv.def.data();
  const int16_t* rep = lv.rep.data();
  for (size_t e = 0; e < n; ++e) {
    if (rep[e] > node.rep || def[e] < node.slot_def) continue;
    out->CommitStruct();
    if (def[e] < node.valid_def) out->SetNull(out->size() - 1);
  }
  for (size_t c = 0; c < node.children.size(); ++c) {
    const std::string child_name = name + "." + node.type.child(c).name;
    GAGGLE_RETURN_IF_ERROR(Build(node.children[c], &out->child(c), child_name));
    if (out->child(c).size() != out->size()) return Mismatch(child_name, out->child(c).size(), out->size());
  }
  return Status::OK();
}

Status ParquetRecordAssembler::BuildList(const LevelNode& node, Column* out, const std::string& name) {
  const LevelNode& element = node.children[0];
  const LevelBatch& lv = levels_[node.leaf];
  const size_t n = lv.def.size();
  const int16_t* def = lv.def.data();
  const int16_t* rep = lv.rep.data();
  bool open = false, valid = false;
  uint64_t length = 0;
  auto close = [&] {
    if (!open) return;
    if (valid) {
      out->AppendListSpan(length);
    } else {
      out->AppendNull();
    }
  };
  for (size_t e = 0; e < n; ++e) {
    if (rep[e] <= node.rep && def[e] >= node.slot_def) {
      close();
      open = true;
      valid = def[e] >= node.valid_def;
      length = 0;
    }
    if (rep[e] <= element.rep && def[e] >= element.slot_def) ++length;
  }
  close();
  const std::string child_name = name + "." + node.type.child(0).name;
  Column& child = out->child(0);
  GAGGLE_RETURN_IF_ERROR(Build(element, &child, child_name));
  if (child.size() != out->offsets().back()) return Mismatch(child_name, child.size(), out->offsets().back());
  if (node.type.id == TypeId::kMap && child.child(0).null_count() > 0) {
    return Status::Corruption(context_.Where() + ": map '" + name + "' holds a null key");
  }
  return Status::OK();
}

}  // namespace gaggle::parquet
