#include "columnar/record_batch.h"

namespace gaggle {

RecordBatch RecordBatch::Empty(std::shared_ptr<const Schema> schema) {
  RecordBatch b;
  b.columns.reserve(schema->num_fields());
  for (const Field& f : schema->fields()) b.columns.emplace_back(f.type);
  b.schema = std::move(schema);
  return b;
}

void RecordBatch::Clear() {
  for (Column& c : columns) c.Clear();
}

Status RecordBatch::Validate() const {
  if (!schema) return Status::Internal("batch without schema");
  if (columns.size() != schema->num_fields()) {
    return Status::Internal("batch has " + std::to_string(columns.size()) + " columns, schema has " +
                            std::to_string(schema->num_fields()));
  }
  size_t rows = num_rows();
  for (size_t i = 0; i < columns.size(); ++i) {
    const Field& f = schema->field(i);
    if (columns[i].type() != f.type) {
      return Status::Internal("column '" + f.name + "' holds " + columns[i].type().ToString() + ", schema says " +
                              f.type.ToString());
    }
    if (columns[i].size() != rows) {
      return Status::Internal("column '" + f.name + "' has " + std::to_string(columns[i].size()) + " rows, expected " +
                              std::to_string(rows));
    }
    if (!f.nullable && columns[i].null_count() > 0) {
      return Status::Internal("column '" + f.name + "' is not nullable but holds nulls");
    }
    if (f.type.is_nested()) GAGGLE_RETURN_IF_ERROR(columns[i].ValidateStructure(f.name));
  }
  return Status::OK();
}

size_t RecordBatch::memory_bytes() const {
  size_t n = 0;
  for (const Column& c : columns) n += c.memory_bytes();
  return n;
}

}  // namespace gaggle
