// Nested edits: a migration spec's rename, cast and drop entries that address a field inside
// a struct column by a dotted path ("device.os": field `os` of the struct column `device`).
//
// PlanNestedEdits takes such entries out of a spec (a name that is a top-level column, such as
// Avro's flattened "addr.city", always means that column) and turns them into one edit per
// struct column: the edited type and, per output field, its source field and an optional cast.
// Paths name the column by its source name and the fields inside by their source names; a
// renamed field keeps its position. Every path must go through struct fields only: a path
// into a list or a map, an unknown field, a field renamed to a name its struct already has,
// or a struct left without fields is a problem naming the spec entry (SchemaMismatch for an
// unknown field, InvalidArgument otherwise).
//
// ApplyNestedEdit builds the edited column: fields copied, renamed (type relabelled), cast
// (CastColumn rules; a value that does not cast is a RowError for its row) or left out, the
// struct's nulls kept.
// Thread-safety: plans are immutable; ApplyNestedEdit is a pure function.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "transform/row_error.h"

namespace gaggle {

struct StructEdit {
  struct Child {
    int source = -1;                    // field index in the source struct
    bool cast = false;                  // cast the field to the edited type's field type
    std::shared_ptr<StructEdit> inner;  // edits inside this (struct) field
    std::string where;                  // spec entry of the cast, for row errors
  };
  DataType type;  // the edited struct type
  std::vector<Child> children;
};

struct NestedEditPlan {
  TransformSpec spec;  // the spec without its nested entries
  Schema schema;       // the source schema with the edited struct types
  // One per source column: null when the column is not edited.
  std::vector<std::shared_ptr<const StructEdit>> edits;
  // One line per problem, each starting with the spec location of its entry.
  std::vector<std::pair<StatusCode, std::string>> problems;
};

NestedEditPlan PlanNestedEdits(const TransformSpec& spec, const Schema& source);

// REQUIRES: `in` has the type the edit was planned from. Row errors are appended to *errors.
Result<Column> ApplyNestedEdit(const Column& in, const StructEdit& edit, std::vector<RowError>* errors);

}  // namespace gaggle
