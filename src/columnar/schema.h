// Schema: the ordered, named, typed fields of a dataset or batch (Field is in data_type.h:
// nested types hold fields too). Field names are unique within a schema (readers reject
// duplicates). Thread-safety: a value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "columnar/data_type.h"
#include "common/status.h"

namespace gaggle {

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  size_t num_fields() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  void AddField(Field f) { fields_.push_back(std::move(f)); }
  // Index of the field with this name, or -1.
  int FindField(const std::string& name) const;

  bool operator==(const Schema& o) const { return fields_ == o.fields_; }
  bool operator!=(const Schema& o) const { return !(*this == o); }

  // "id: int64 not null, name: string, ..." (one line).
  std::string ToString() const;

 private:
  std::vector<Field> fields_;
};

// Parses "name:type, name:type not null, ..." (the CLI's --schema flag). Types may be nested
// ("tags: list<string>, addr: struct<city:string,zip:int32>"); commas inside (), <> and
// double-quoted names do not separate fields.
Result<Schema> ParseSchemaText(const std::string& text);

}  // namespace gaggle
