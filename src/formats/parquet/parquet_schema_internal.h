// Private to the Parquet schema mapping (parquet_schema.cc: one leaf; parquet_schema_tree.cc:
// groups, levels and the field tree). Thread-safety: pure functions.
#pragma once

#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_schema.h"

namespace gaggle::parquet {

// Reading: fills leaf->field.type, physical_type, type_length and conversion from one primitive
// element (its name is used in messages). Unsupported when gaggle cannot represent it.
Status MapLeaf(const SchemaElement& e, LeafColumn* leaf);

// Writing: the element of a flat field (name, physical type, repetition from nullability,
// logical and converted annotations).
Status LeafSchemaElement(const Field& f, SchemaElement* out);

// Writing: appends a nested field's group tree, depth first (see parquet_schema.h).
Status AppendNestedSchemaElements(const Field& f, std::vector<SchemaElement>* out);

}  // namespace gaggle::parquet
