// Mapping between a gaggle Schema and a flat Parquet schema (a root group with one
// primitive leaf per field; nested data is not supported).
//
// Writing (ToParquetSchema), by gaggle type:
//   bool -> BOOLEAN; int32 -> INT32; int64 -> INT64; float -> FLOAT; double -> DOUBLE;
//   string -> BYTE_ARRAY + STRING (converted UTF8); binary -> BYTE_ARRAY;
//   date -> INT32 + DATE; timestamp -> INT64 + TIMESTAMP(MICROS, isAdjustedToUTC=true)
//   (converted TIMESTAMP_MICROS); decimal(p<=9) -> INT32 + DECIMAL, decimal(p<=18) -> INT64 + DECIMAL.
//   Nullable fields are OPTIONAL (max definition level 1), the others REQUIRED.
// Reading (FromParquetSchema) also accepts what other writers emit, and says per leaf how
// stored values become gaggle values (LeafColumn::conversion). Anything gaggle cannot
// represent (INT96, nested or repeated fields, TIME, UUID, FLOAT16, INTERVAL, decimals
// over 18 digits, ...) is Unsupported naming the column; a malformed schema is Corruption.
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
                    //   int64 unscaled (leading sign-extension bytes allowed; larger values are errors)
  kFixedToBinary,   // FIXED_LEN_BYTE_ARRAY without annotation -> binary (type_length bytes each)
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
};

struct ParquetSchema {
  Schema schema;                   // one field per leaf, in file order
  std::vector<LeafColumn> leaves;  // leaves[i] <-> schema.field(i) <-> column chunk i of each row group
};

// The physical type the writer uses for a gaggle type (decimal by precision).
PhysicalType PhysicalTypeFor(const DataType& type);

// Root "schema" element plus one leaf per field. InvalidArgument for a decimal whose
// precision is not in 1..18 or whose scale is not in 0..precision.
Result<std::vector<SchemaElement>> ToParquetSchema(const Schema& schema);

Result<ParquetSchema> FromParquetSchema(const std::vector<SchemaElement>& elements);

}  // namespace gaggle::parquet
