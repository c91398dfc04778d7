// Mapping between a gaggle Schema and a Parquet schema: a root group whose fields are primitive
// leaves (flat fields) or groups (nested fields: struct, list, map; see parquet_levels.h for
// how their levels map onto nested columns).
//
// Writing (ToParquetSchema), by gaggle type:
//   bool -> BOOLEAN; int32 -> INT32; int64 -> INT64; float -> FLOAT; double -> DOUBLE;
//   string -> BYTE_ARRAY + STRING (converted UTF8); binary -> BYTE_ARRAY;
//   date -> INT32 + DATE; timestamp -> INT64 + TIMESTAMP(MICROS, isAdjustedToUTC=true)
//   (converted TIMESTAMP_MICROS); timestamp_ntz -> INT64 + TIMESTAMP(MICROS, isAdjustedToUTC=false)
//   (no converted type: TIMESTAMP_MICROS means UTC-adjusted); decimal(p<=9) -> INT32 + DECIMAL,
//   decimal(p<=18) -> INT64 + DECIMAL, decimal(p<=38) -> FIXED_LEN_BYTE_ARRAY(16) + DECIMAL.
//   Nullable fields are OPTIONAL (max definition level 1), the others REQUIRED.
//   struct -> a group of its fields; list -> the standard three-level LIST
//   (<rep> group name (LIST) { repeated group list { <rep> T element; } }); map -> the standard
//   three-level MAP (<rep> group name (MAP) { repeated group key_value { required K key;
//   <rep> V value; } }). A struct without fields has no Parquet form (InvalidArgument).
// Reading (FromParquetSchema) also accepts what other writers emit, and says per leaf how
// stored values become gaggle values (LeafColumn::conversion): INT96 -> timestamp_ntz (as
// DuckDB and Arrow read it), FLOAT16 -> float, TIMESTAMP(isAdjustedToUTC=false) ->
// timestamp_ntz, decimals up to 38 digits -> decimal, wider ones -> string (exact text).
// Logical types without a gaggle counterpart that only annotate a primitive (unknown
// ones, GEOMETRY, GEOGRAPHY, TIME, UUID, INTERVAL, ...) read as their physical type, as
// other readers do. Groups read as structs; LIST and
// MAP (and MAP_KEY_VALUE outside a MAP) follow LogicalTypes.md's backward-compatibility rules:
// the repeated child of a LIST is itself the (required) element when it is a primitive, a group
// of several fields, or a one-field group named `array` or `<list name>_tuple` (the legacy
// two-level layouts); otherwise its one field is the element. A repeated field outside LIST/MAP
// is a non-null list of required elements. A MAP's key_value group gives key and value by
// position; a MAP without a value reads as a list of its keys (the spec's "set"). Empty groups
// and nesting deeper than kMaxTypeDepth are Unsupported naming the column; a malformed
// schema is Corruption.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "formats/parquet/parquet_levels.h"
#include "formats/parquet/parquet_metadata.h"

namespace gaggle::parquet {

// How one stored (physical) value becomes the gaggle value of the leaf's field.
enum class ValueConversion : uint8_t {
  kNone,            // same value, same width (BOOLEAN bits become uint8_t 0/1)
  kInt32ToInt64,    // INT32 DECIMAL -> decimal (int64 storage): sign-extend
  kUint32ToInt64,   // INT32 UINT_32 / INTEGER(32, unsigned) -> int64: zero-extend the 32 bits
  kUint64ToInt64,   // INT64 UINT_64 / INTEGER(64, unsigned) -> int64: a value >= 2^63 (sign bit set)
                    //   does not fit and must be reported as an error naming row and column
  kTimestampScale,  // INT64 TIMESTAMP in MILLIS or NANOS -> micros: value * timestamp_multiplier,
                    //   then floor-divided by timestamp_divisor (overflow must be reported)
  kDecimalBytes,    // BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY DECIMAL: big-endian two's complement ->
                    //   unscaled int64 (precision <= 18) or Int128 (<= 38); leading sign-extension
                    //   bytes allowed, values past the precision are errors
  kDecimalText,     // the same, wider than 38 digits -> string: the exact decimal text
  kIntToInt128,     // INT32 / INT64 DECIMAL declared wider than 18 digits -> Int128: sign-extend
  kFixedToBinary,   // FIXED_LEN_BYTE_ARRAY without annotation -> binary (type_length bytes each)
  kInt96,           // INT96 (nanoseconds of the day, Julian day) -> timestamp_ntz micros (floor)
  kFloat16,         // FIXED_LEN_BYTE_ARRAY(2) FLOAT16 -> float (exact: every half is a float)
};

struct LeafColumn {
  Field field;           // gaggle name, type and nullability (nested leaves: the dotted path as name)
  int schema_index = 0;  // index of the leaf in FileMetaData::schema
  PhysicalType physical_type = PhysicalType::kInt32;
  int32_t type_length = 0;           // FIXED_LEN_BYTE_ARRAY width in bytes, else 0
  int16_t max_definition_level = 0;  // flat: 1 for OPTIONAL, 0 for REQUIRED
  // Nested leaves (inside a group, or repeated): levels come with repetition levels and values
  // assemble into a nested column (parquet_record_assembler.h).
  bool nested = false;
  int16_t max_repetition_level = 0;
  int16_t slot_definition_level = 0;  // def >= this: the entry has a slot (value or null) in the leaf column
  // [r - 1]: the definition level an entry with repetition level r must reach (the r-th repeated
  // ancestor is non-empty when a value continues it).
  std::vector<int16_t> repeated_definition_levels;
  std::vector<std::string> path;  // path_in_schema
  ValueConversion conversion = ValueConversion::kNone;
  int64_t timestamp_multiplier = 1;  // kTimestampScale: 1000 for MILLIS
  int64_t timestamp_divisor = 1;     // kTimestampScale: 1000 for NANOS
  int32_t decimal_precision = 0;     // kDecimalText: the declared precision and scale
  int32_t decimal_scale = 0;
};

// Where a top-level field's leaves are, and how they assemble.
struct ParquetField {
  size_t first_leaf = 0;  // index into ParquetSchema::leaves
  size_t num_leaves = 1;
  std::shared_ptr<const LevelNode> tree;  // null for a flat field (one leaf, no repetition)
};

struct ParquetSchema {
  Schema schema;                     // one field per top-level field, in file order
  std::vector<LeafColumn> leaves;    // every primitive leaf: leaves[i] <-> column chunk i of each row group
  std::vector<ParquetField> fields;  // fields[i] <-> schema.field(i)
};

// The physical type the writer uses for a gaggle type (decimal by precision).
PhysicalType PhysicalTypeFor(const DataType& type);

// Root "schema" element plus, per field, one leaf or a group tree (depth first). InvalidArgument
// for a decimal whose precision is not in 1..38 or whose scale is not in 0..precision, and for a
// struct without fields.

// FIXED_LEN_BYTE_ARRAY width of decimals over 18 digits (what DuckDB and Arrow write too).
inline constexpr int32_t kWideDecimalBytes = 16;
Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema);

Result<ParquetSchema> FromParquetSchema(const std::vector<SchemaElement>& elements);

}  // namespace gaggle::parquet
