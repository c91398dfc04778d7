// DataType: the logical types that flow through gaggle's data plane, and how
// each is stored in a Column.
//
//   type       storage (C++ type in Column)     meaning
//   bool       uint8_t (0 or 1)
//   int32      int32_t
//   int64      int64_t
//   float      float
//   double     double
//   string     bytes (UTF-8)                    offsets + character buffer
//   binary     bytes                            offsets + byte buffer
//   date       int32_t                          days since 1970-01-01
//   timestamp  int64_t                          microseconds since epoch; an instant (UTC-adjusted)
//   timestamp_ntz int64_t                       microseconds since 1970-01-01T00:00 of a wall clock
//                                               in no time zone ("naive", local)
//   decimal    int64_t  (precision <= 18)       unscaled value
//              Int128   (precision 19..38)      unscaled value (__int128, 16 bytes)
//   struct     one child column per field       named fields, in order
//   list       offsets + one child column       one element type
//   map        offsets + one child column       a list of struct<key not null, value>
//
// timestamp and timestamp_ntz share TypeId::kTimestamp and their storage; DataType::utc
// tells them apart (an instant versus a wall-clock reading), and they are different types
// (operator==), so a change between them is visible to schema checks. Decimals wider than
// 18 digits are stored in 128 bits: code reading decimal values must look at
// DataType::is_wide_decimal() (or byte_width()) before choosing int64_t or Int128.
//
// Nested types (struct, list, map) form a tree: `children` holds the child fields
// (struct: its fields; list: one field "element"; map: one field "entries" of type
// struct<key not null, value>). The children live behind a shared_ptr to an immutable
// vector, so a DataType stays cheap to copy whatever its depth; flat types have none.
// Spellings: "struct<a:int64,b:string not null>", "list<int64>", "map<string,double>"
// (a name that is not [A-Za-z0-9_]+ is written in double quotes, "" inside).
// Thread-safety: values; the shared children are never modified.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gaggle {

// 128-bit integers (a GCC/Clang extension): the storage of decimals wider than 18 digits.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Widest decimal: 38 digits, as in Parquet's and most engines' DECIMAL (10^38 < 2^127).
inline constexpr int kMaxDecimalPrecision = 38;
// Widest decimal stored in an int64_t.
inline constexpr int kMaxDecimal64Precision = 18;

// Nested ids come last: is_nested() is one comparison.
enum class TypeId : uint8_t {
  kBool,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kBinary,
  kDate,
  kTimestamp,
  kDecimal,
  kStruct,
  kList,
  kMap,
};

// Deepest nesting ParseDataType and the readers accept (a guard against stack exhaustion).
inline constexpr int kMaxTypeDepth = 64;

struct Field;

struct DataType {
  TypeId id = TypeId::kInt64;
  int precision = 0;  // decimal only
  int scale = 0;      // decimal only
  bool utc = true;    // timestamp only: true = an instant (UTC-adjusted), false = naive wall clock
  // Nested types only (see above); null for flat types.
  std::shared_ptr<const std::vector<Field>> children = nullptr;

  static DataType Bool() { return {TypeId::kBool}; }
  static DataType Int32() { return {TypeId::kInt32}; }
  static DataType Int64() { return {TypeId::kInt64}; }
  static DataType Float() { return {TypeId::kFloat}; }
  static DataType Double() { return {TypeId::kDouble}; }
  static DataType String() { return {TypeId::kString}; }
  static DataType Binary() { return {TypeId::kBinary}; }
  static DataType Date() { return {TypeId::kDate}; }
  static DataType Timestamp() { return {TypeId::kTimestamp}; }
  // A naive timestamp (Avro local-timestamp-*, Parquet TIMESTAMP(isAdjustedToUTC=false)).
  static DataType LocalTimestamp() { return {TypeId::kTimestamp, 0, 0, false}; }
  static DataType Decimal(int precision, int scale) { return {TypeId::kDecimal, precision, scale}; }
  static DataType Struct(std::vector<Field> fields);
  static DataType List(DataType element, bool element_nullable = true);
  // Map keys are never null.
  static DataType Map(DataType key, DataType value, bool value_nullable = true);

  inline bool operator==(const DataType& o) const;
  bool operator!=(const DataType& o) const { return !(*this == o); }

  bool is_nested() const { return id >= TypeId::kStruct; }
  // Variable-length values (string, binary) live in offsets + bytes; the rest are fixed width.
  bool is_variable_width() const { return id == TypeId::kString || id == TypeId::kBinary; }
  // Byte width of one stored value for fixed-width types; 0 for string/binary and nested types.
  int byte_width() const;
  bool is_integer() const { return id == TypeId::kInt32 || id == TypeId::kInt64; }
  bool is_floating() const { return id == TypeId::kFloat || id == TypeId::kDouble; }
  bool is_numeric() const { return is_integer() || is_floating() || id == TypeId::kDecimal; }
  // A decimal of more than 18 digits, stored as Int128.
  bool is_wide_decimal() const { return id == TypeId::kDecimal && precision > kMaxDecimal64Precision; }
  bool is_local_timestamp() const { return id == TypeId::kTimestamp && !utc; }

  // --- nested types ---
  inline size_t num_children() const;
  // REQUIRES: i < num_children().
  inline const Field& child(size_t i) const;
  // REQUIRES: id == kList.
  inline const Field& list_element() const;
  // REQUIRES: id == kMap. The entries struct, its key field and its value field.
  inline const Field& map_entries() const;
  inline const Field& map_key() const;
  inline const Field& map_value() const;
  // Nesting depth: 0 for flat types, 1 for struct<a:int64>, 2 for list<list<int64>>, ...
  int depth() const;

  // "int64", "string", "timestamp", "timestamp_ntz", "decimal(10,2)", "list<int64>", ...: the spelling used in specs
  // and `inspect`.
  std::string ToString() const;
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  bool operator==(const Field& o) const { return name == o.name && type == o.type && nullable == o.nullable; }
  bool operator!=(const Field& o) const { return !(*this == o); }
};

inline bool DataType::operator==(const DataType& o) const {
  if (id != o.id) return false;
  if (id == TypeId::kDecimal) return precision == o.precision && scale == o.scale;
  if (id == TypeId::kTimestamp) return utc == o.utc;
  if (!is_nested()) return true;
  return children == o.children || (children && o.children && *children == *o.children);
}

inline size_t DataType::num_children() const { return children ? children->size() : 0; }
inline const Field& DataType::child(size_t i) const { return (*children)[i]; }
inline const Field& DataType::list_element() const { return (*children)[0]; }
inline const Field& DataType::map_entries() const { return (*children)[0]; }
inline const Field& DataType::map_key() const { return map_entries().type.child(0); }
inline const Field& DataType::map_value() const { return map_entries().type.child(1); }

// Parses the spelling produced by DataType::ToString (also accepts aliases: int, long,
// integer, bigint, float32, float64, real, str, utf8, bytes, boolean, datetime, timestamptz,
// timestamp_utc for timestamp, local_timestamp for timestamp_ntz; keywords in any case;
// "not null" after a struct field, list element or map value). Decimal precision 1..38.
// nullopt if unknown, malformed, or nested deeper than kMaxTypeDepth.
std::optional<DataType> ParseDataType(std::string_view text);

// A field name as written inside a type spelling: bare when it is [A-Za-z0-9_]+, else in
// double quotes with "" for a quote.
std::string QuoteFieldName(std::string_view name);

}  // namespace gaggle
