// Nested access in expressions: a struct's field (`device.os`), a list's element
// (`items[0]`, counted from 0) and a map's value (`attrs['country']`).
//
// The Bind* functions type-check one access against its operand's type and say what the
// evaluator needs; the Extract* functions compute it over a whole column. Every access is
// null-tolerant: a null struct, list or map, an index past the end of a list and a key the map
// does not hold give null (never an error), as in DuckDB and Spark.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"
#include "spec/expression_ast.h"

namespace gaggle {

// `base.name`: *field is the field's index, *type its type. InvalidArgument (not a struct)
// or SchemaMismatch (no such field, with a suggestion) otherwise.
Status BindFieldAccess(const DataType& base, const std::string& name, int* field, DataType* type);

// `base[key]` on a list (key: an integer >= 0 -> *index) or a map (key read as the map's key
// type -> *map_key, one row). TypeError when the key does not fit, InvalidArgument when
// `base` is neither.
Status BindSubscript(const DataType& base, const LiteralValue& key, int64_t* index,
                     std::shared_ptr<const Column>* map_key, DataType* type);

// REQUIRES: `base` is a struct column of at least `rows` rows and field < its field count.
Column ExtractField(const Column& base, int field, size_t rows);
// REQUIRES: `base` is a list column.
Column ExtractListElement(const Column& base, int64_t index, size_t rows);
// REQUIRES: `base` is a map column and `key` one row of its key type.
Column ExtractMapValue(const Column& base, const Column& key, size_t rows);

}  // namespace gaggle
