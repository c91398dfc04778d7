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
//   timestamp  int64_t                          microseconds since epoch, UTC
//   decimal    int64_t                          unscaled value; precision <= 18
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gaggle {

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
};

struct DataType {
  TypeId id = TypeId::kInt64;
  int precision = 0;  // decimal only
  int scale = 0;      // decimal only

  static DataType Bool() { return {TypeId::kBool}; }
  static DataType Int32() { return {TypeId::kInt32}; }
  static DataType Int64() { return {TypeId::kInt64}; }
  static DataType Float() { return {TypeId::kFloat}; }
  static DataType Double() { return {TypeId::kDouble}; }
  static DataType String() { return {TypeId::kString}; }
  static DataType Binary() { return {TypeId::kBinary}; }
  static DataType Date() { return {TypeId::kDate}; }
  static DataType Timestamp() { return {TypeId::kTimestamp}; }
  static DataType Decimal(int precision, int scale) { return {TypeId::kDecimal, precision, scale}; }

  bool operator==(const DataType& o) const {
    return id == o.id && (id != TypeId::kDecimal || (precision == o.precision && scale == o.scale));
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

  // Variable-length values (string, binary) live in offsets + bytes; the rest are fixed width.
  bool is_variable_width() const { return id == TypeId::kString || id == TypeId::kBinary; }
  // Byte width of one stored value for fixed-width types; 0 for string/binary.
  int byte_width() const;
  bool is_integer() const { return id == TypeId::kInt32 || id == TypeId::kInt64; }
  bool is_floating() const { return id == TypeId::kFloat || id == TypeId::kDouble; }
  bool is_numeric() const { return is_integer() || is_floating() || id == TypeId::kDecimal; }

  // "int64", "string", "decimal(10,2)", ...: the spelling used in specs and `inspect`.
  std::string ToString() const;
};

// Parses the spelling produced by DataType::ToString (also accepts aliases: int, long,
// integer, bigint, float32, float64, real, str, utf8, bytes, boolean, datetime). nullopt if unknown.
std::optional<DataType> ParseDataType(std::string_view text);

}  // namespace gaggle
