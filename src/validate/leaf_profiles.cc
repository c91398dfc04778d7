#include "validate/leaf_profiles.h"

namespace gaggle {
namespace {

// Appends to *out the leaf values under `rows` of `col`, following path[depth...].
void Collect(const Column& col, const std::vector<uint64_t>& rows, const std::vector<int>& path, size_t depth,
             Column* out) {
  if (depth == path.size()) {
    for (uint64_t r : rows) out->AppendRange(col, r, 1);
    return;
  }
  std::vector<uint64_t> next;
  next.reserve(rows.size());
  const int step = path[depth];
  if (step >= 0) {  // a struct field, under the valid structs
    for (uint64_t r : rows) {
      if (col.IsValid(r)) next.push_back(r);
    }
    Collect(col.child(static_cast<size_t>(step)), next, path, depth + 1, out);
    return;
  }
  for (uint64_t r : rows) {  // the elements or entries of the valid lists and maps
    if (col.IsNull(r)) continue;
    for (uint64_t e = col.ListBegin(r); e < col.ListEnd(r); ++e) next.push_back(e);
  }
  Collect(col.child(0), next, path, depth + 1, out);
}

const DataType& LeafType(const DataType& type, const std::vector<int>& path) {
  const DataType* t = &type;
  for (int step : path) t = step >= 0 ? &t->child(static_cast<size_t>(step)).type : &t->child(0).type;
  return *t;
}

}  // namespace

Column CollectLeafValues(const Column& column, const std::vector<int>& path) {
  Column out(LeafType(column.type(), path));
  std::vector<uint64_t> rows(column.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  Collect(column, rows, path, 0, &out);
  return out;
}

LeafProfiles::LeafProfiles(const Schema& schema, const ProfileOptions& options) {
  for (size_t c = 0; c < schema.num_fields(); ++c) {
    const Field& f = schema.field(c);
    if (!f.type.is_nested()) continue;
    std::vector<int> path;
    AddLeaves(c, f.name, f.type, &path, options);
  }
}

void LeafProfiles::AddLeaves(size_t column, const std::string& name, const DataType& type, std::vector<int>* path,
                             const ProfileOptions& options) {
  switch (type.id) {
    case TypeId::kStruct:
      for (size_t i = 0; i < type.num_children(); ++i) {
        path->push_back(static_cast<int>(i));
        AddLeaves(column, name + "." + type.child(i).name, type.child(i).type, path, options);
        path->pop_back();
      }
      return;
    case TypeId::kList:
      path->push_back(-1);
      AddLeaves(column, name + ".element", type.list_element().type, path, options);
      path->pop_back();
      return;
    case TypeId::kMap:
      path->push_back(-1);
      for (int kv = 0; kv < 2; ++kv) {
        path->push_back(kv);
        const Field& f = kv == 0 ? type.map_key() : type.map_value();
        AddLeaves(column, name + (kv == 0 ? ".key" : ".value"), f.type, path, options);
        path->pop_back();
      }
      path->pop_back();
      return;
    default:
      leaves_.push_back(
          Leaf{column, *path, ColumnProfile(name, type, options), RowReservoir(options.sample_rows, options.seed)});
      return;
  }
}

std::vector<std::string> LeafProfiles::Names() const {
  std::vector<std::string> out;
  for (const Leaf& l : leaves_) out.push_back(l.profile.name());
  return out;
}

void LeafProfiles::Update(const RecordBatch& batch) {
  for (Leaf& l : leaves_) {
    Column values = CollectLeafValues(batch.columns[l.column], l.path);
    l.profile.Update(values);
    l.reservoir.Advance(values.size(), &picks_);
    if (!picks_.empty()) l.profile.Sample(values, picks_);
  }
}

std::vector<ColumnSummary> LeafProfiles::Summarize() const {
  std::vector<ColumnSummary> out;
  out.reserve(leaves_.size());
  for (const Leaf& l : leaves_) out.push_back(l.profile.Summarize());
  return out;
}

}  // namespace gaggle
