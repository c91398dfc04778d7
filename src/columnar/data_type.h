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
//
// timestamp and timestamp_ntz share TypeId::kTimestamp and their storage; DataType::utc
// tells them apart (an instant versus a wall-clock reading), and they are different types
// (operator==), so a change between them is visible to schema checks. Decimals wider than
// 18 digits are stored in 128 bits: code reading decimal values must look at
// DataType::is_wide_decimal() (or byte_width()) before choosing int64_t or Int128.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gaggle {

// 128-bit integers (a GCC/Clang extension): the storage of decimals wider than 18 digits.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Widest decimal: 38 digits, as in Parquet's and most engines' DECIMAL (10^38 < 2^127).
inline constexpr int kMaxDecimalPrecision = 38;
// Widest decimal stored in an int64_t.
inline constexpr int kMaxDecimal64Precision = 18;

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
  bool utc = true;    // timestamp only: true = an instant (UTC-adjusted), false = naive wall clock

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

  bool operator==(const DataType& o) const {
    return id == o.id && (id != TypeId::kDecimal || (precision == o.precision && scale == o.scale)) &&
           (id != TypeId::kTimestamp || utc == o.utc);
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

  // Variable-length values (string, binary) live in offsets + bytes; the rest are fixed width.
  bool is_variable_width() const { return id == TypeId::kString || id == TypeId::kBinary; }
  // Byte width of one stored value for fixed-width types; 0 for string/binary.
  int byte_width() const;
  bool is_integer() const { return id == TypeId::kInt32 || id == TypeId::kInt64; }
  bool is_floating() const { return id == TypeId::kFloat || id == TypeId::kDouble; }
  bool is_numeric() const { return is_integer() || is_floating() || id == TypeId::kDecimal; }
  // A decimal of more than 18 digits, stored as Int128.
  bool is_wide_decimal() const { return id == TypeId::kDecimal && precision > kMaxDecimal64Precision; }
  bool is_local_timestamp() const { return id == TypeId::kTimestamp && !utc; }

  // "int64", "string", "timestamp", "timestamp_ntz", "decimal(10,2)", ...: the spelling used
  // in specs and `inspect`.
  std::string ToString() const;
};

// Parses the spelling produced by DataType::ToString (also accepts aliases: int, long,
// integer, bigint, float32, float64, real, str, utf8, bytes, boolean, datetime, timestamptz,
// timestamp_utc for timestamp, local_timestamp for timestamp_ntz). Decimal precision 1..38.
// nullopt if unknown.
std::optional<DataType> ParseDataType(std::string_view text);

}  // namespace gaggle
