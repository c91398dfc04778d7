// Avro schema -> gaggle columns: parses a container's avro.schema JSON (named
// types, namespaces, references, logical types) and maps it to a gaggle Schema plus a
// decoding plan.
//
// Mapping (see docs/formats.md, "Avro"):
//   boolean, int, long, float, double, string, bytes -> bool, int32, int64, float, double, string, binary
//   enum -> string (the symbol); fixed -> binary; uuid -> string
//   int date -> date; long timestamp-millis/-micros -> timestamp; local-timestamp-* -> timestamp_ntz
//   bytes/fixed decimal(p <= 38) -> decimal(p, s); decimal(p > 38) -> string (the exact decimal
//   text); other logical types -> their underlying type
//   ["null", T] / [T, "null"] -> T, nullable; any other field -> nullable = false
//   records at the top -> flattened, "parent.child"; a nullable record makes its children nullable
//   array -> list; map -> map<string, V>; a record inside an array, map or general union -> struct
//   a general union (two or more non-null branches) -> struct<member0: T0, member1: T1, ...> with
//   one nullable field per non-null branch in branch order, exactly one of them set (Spark's
//   and Arrow's mapping); a null branch makes the struct nullable
//   a non-record top-level schema -> one column named "value"
// Null-typed fields and recursive records are Status::Unsupported naming the field.
// Malformed JSON or an invalid schema is Status::Corruption.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"

namespace gaggle::avro {

enum class Kind : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kFixed,
  kUnion,
  kArray,
  kMap,
};
const char* KindName(Kind kind);

// How one Avro leaf value becomes a column value.
enum class Conversion : uint8_t {
  kBool,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kBinary,
  kDate,             // int days
  kTimestampMillis,  // long millis -> micros (x1000)
  kTimestampMicros,  // long micros
  kDecimal,          // bytes or fixed: big-endian two's complement unscaled value
  kDecimalText,      // the same, wider than 38 digits: its exact decimal text
  kEnumSymbol,       // enum index -> symbol
};

// The decoding plan: the Avro value tree restricted to what gaggle reads.
struct PlanNode {
  // kRecord at the top is flattened into columns; inside a nested column it is a struct.
  // kUnion: null + one type. kTaggedUnion: a general union, read as a struct (see above).
  enum class Type : uint8_t { kRecord, kUnion, kLeaf, kArray, kMap, kTaggedUnion };
  Type type = Type::kLeaf;
  // kRecord: one child per Avro field in field order; kUnion: one child, the non-null branch;
  // kArray: the items; kMap: the values; kTaggedUnion: one child per non-null branch.
  std::vector<PlanNode> children;
  // kTaggedUnion: for each branch, its index in children (-1: the null branch).
  std::vector<int> branch_child;
  // kUnion: number of branches (1 or 2) and which is null (-1: none) and which holds the value.
  int branch_count = 0;
  int null_branch = -1;
  int value_branch = 0;
  // Columns produced by this subtree: [first_column, end_column). Inside a nested column
  // (below an array, map or tagged union) these are unused: values go into child columns.
  int first_column = 0;
  int end_column = 0;
  // kLeaf:
  Kind kind = Kind::kNull;
  Conversion conversion = Conversion::kInt64;
  int64_t fixed_size = 0;            // kFixed
  int precision = 0;                 // kDecimal, kDecimalText
  int scale = 0;                     // kDecimalText
  std::vector<std::string> symbols;  // kEnum
};

struct ReadMapping {
  Schema schema;  // top-level records flattened; arrays, maps and general unions are nested columns
  PlanNode root;
  // The same value structure with synthetic names and no logical types, for avro-c
  // (which never sees the file's own schema text).
  std::string avro_c_json;
};

Result<ReadMapping> MapAvroSchema(std::string_view json);

// Avro names: [A-Za-z_][A-Za-z0-9_]*.
bool IsValidAvroName(std::string_view name);

}  // namespace gaggle::avro
