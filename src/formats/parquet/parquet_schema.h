// Mapping between a gaggle Schema and a flat Parquet schema (a root group with one
// primitive leaf per field; nested data is not supported).
//
// Writing (ToParquetSchema), by gaggle type:
//   bool -> BOOLEAN; int32 -> INT32; int64 -> INT64; float -> FLOAT; double -> DOUBLE;
//   string -> BYTE_ARRAY + STRING (converted UTF8); binary -> BYTE_ARRAY;
//   date -> INT32 + DATE; timestamp -> INT64 + TIMESTAMP(MICROS, isAdjustedToUTC=true)
//   (converted TIMESTAMP_MICROS); timestamp_ntz -> INT64 + TIMESTAMP(MICROS, isAdjustedToUTC=false)
//   (no converted type: TIMESTAMP_MICROS means UTC-adjusted); decimal(p<=9) -> INT32 + DECIMAL,
//   decimal(p<=18) -> INT64 + DECIMAL, decimal(p<=38) -> FIXED_LEN_BYTE_ARRAY(16) + DECIMAL.
//   Nullable fields are OPTIONAL (max definition level 1), the others REQUIRED.
// Reading (FromParquetSchema) also accepts what other writers emit, and says per leaf how
// stored values become gaggle values (LeafColumn::conversion): INT96 -> timestamp_ntz (as
// DuckDB and Arrow read it), FLOAT16 -> float, TIMESTAMP(isAdjustedToUTC=false) ->
// timestamp_ntz, decimals up to 38 digits -> decimal, wider ones -> string (exact text).
// Logical types without a gaggle counterpart that only annotate a primitive (unknown
// ones, GEOMETRY, GEOGRAPHY, TIME, UUID, INTERVAL, ...) read as their physical type, as
// other readers do. Nested or repeated fields are Unsupported naming the column; a
// malformed schema is Corruption.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
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
  Field field;           // gaggle name, type and nullability
  int schema_index = 0;  // index of the leaf in FileMetaData::schema
  PhysicalType physical_type = PhysicalType::kInt32;
  int32_t type_length = 0;           // FIXED_LEN_BYTE_ARRAY width in bytes, else 0
  int16_t max_definition_level = 0;  // 1 for OPTIONAL, 0 for REQUIRED
  ValueConversion conversion = ValueConversion::kNone;
  int64_t timestamp_multiplier = 1;  // kTimestampScale: 1000 for MILLIS
  int64_t timestamp_divisor = 1;     // kTimestampScale: 1000 for NANOS
  int32_t decimal_precision = 0;     // kDecimalText: the declared precision and scale
  int32_t decimal_scale = 0;
};

struct ParquetSchema {
  Schema schema;                   // one field per leaf, in file order
  std::vector<LeafColumn> leaves;  // leaves[i] <-> schema.field(i) <-> column chunk i of each row group
};

// The physical type the writer uses for a gaggle type (decimal by precision).
PhysicalType PhysicalTypeFor(const DataType& type);

// Root "schema" element plus one leaf per field. InvalidArgument for a decimal whose
// precision is not in 1..38 or whose scale is not in 0..precision.

// FIXED_LEN_BYTE_ARRAY width of decimals over 18 digits (what DuckDB and Arrow write too).
inline constexpr int32_t kWideDecimalBytes = 16;
Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema);

Result<ParquetSchema> FromParquetSchema(const std::vector<SchemaElement>& elements);

}  // namespace gaggle::parquet
