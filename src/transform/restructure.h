// Restructure: the last step of a transform, on the columns the other steps output.
//
//   1. field drops inside structs (`drop: [device.os]`): applied here, after derive, so that
//      expressions still see the dropped field (as they see dropped columns) and
//      `derive: {os: "device.os"}` plus `drop: [device.os]` moves a field out of its struct;
//   2. flatten (`flatten: [device]`): a struct column is replaced, where it stood, by one column
//      per field named COLUMN_FIELD (device_os, device_model); one level: a struct field stays
//      a struct column (flatten it in a later migration). A null struct gives nulls in every
//      one of its columns;
//   3. nest (`nest: {device.os_version: os_version}`): the column leaves the top level and
//      becomes the field of a struct: appended to an existing struct column (a value where that
//      struct is null cannot be kept: the row is rejected naming the entry), or of a new struct
//      column placed where its first member stood (never null itself). In file order.
// Names are the output names of the earlier steps. Make refuses, naming the entry: an unknown
// column, flattening a non-struct, a name a flattened column would take twice or that
// another output column has, nesting a column twice or into a non-struct, nesting a column
// that receives fields itself, a field name the struct already has, a path deeper than
// STRUCT.FIELD.
// Thread-safety: immutable after Make; Apply is const.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "transform/nested_edit.h"
#include "transform/row_error.h"

namespace gaggle {

class Restructure {
 public:
  // `in`: the columns before restructuring. `drops`: per column of `in`, the struct edit that
  // leaves out dropped fields (null when none); see PlanFieldDrops.
  // Problems are appended as (code, "where: what") lines; the result is null when there are any.
  static std::shared_ptr<const Restructure> Make(const TransformSpec& spec, const Schema& in,
                                                 std::vector<std::shared_ptr<const StructEdit>> drops,
                                                 std::vector<std::pair<StatusCode, std::string>>* problems);

  const std::shared_ptr<const Schema>& output_schema() const { return output_schema_; }

  // Replaces *columns (of the `in` schema) with the output columns. Rows whose value cannot be
  // kept (nest into a null struct) are listed in *rejected by their row in *columns; they are
  // still in the output (the caller takes them out).
  Status Apply(std::vector<Column>* columns, std::vector<RowError>* rejected) const;

 private:
  struct Source {
    enum class Kind { kColumn, kFlatField, kNewStruct } kind;
    int column;                                    // column of `in`
    int field = -1;                                // kFlatField: the struct field
    std::vector<std::pair<int, std::string>> add;  // columns of `in` appended as fields (name)
  };
  std::vector<std::shared_ptr<const StructEdit>> drops_;
  std::vector<Source> outputs_;
  std::shared_ptr<const Schema> output_schema_;
};

// The struct edits leaving out the fields of nested `drop` entries (paths in source names, as
// nested_edit.h plans them), for the struct types `edited` has after the nested renames and
// casts (field positions are the source's). One per column of `edited`; null when none.
// REQUIRES: the paths were checked by PlanNestedEdits.
std::vector<std::shared_ptr<const StructEdit>> PlanFieldDrops(const std::vector<std::string>& paths,
                                                              const Schema& source, const Schema& edited);

}  // namespace gaggle
