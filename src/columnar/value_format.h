// Text <-> value conversions shared by the text formats (CSV, JSON lines), casts
// and diagnostics. Parsing is exact: the whole text must be consumed, no silent
// truncation, overflow is an error. Each Parse* returns false on failure.
//
// Spellings:
//   date       YYYY-MM-DD
//   timestamp  YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM]  (also a bare date = midnight UTC);
//              formatted as YYYY-MM-DDTHH:MM:SS[.ffffff]Z, always UTC, fraction only if non-zero.
//              A naive timestamp (timestamp_ntz) parses the same way (a text with an offset is
//              read as the UTC wall clock of that instant, as DuckDB casts it) and is formatted
//              without the Z: YYYY-MM-DDTHH:MM:SS[.ffffff]
//   bool       true/false, t/f, yes/no, 1/0 (case-insensitive)
//   double     decimal or scientific, plus nan, inf, -inf, infinity (case-insensitive)
//   decimal    [-]digits[.digits], at most `scale` fractional digits (up to 38 digits in all)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/data_type.h"

namespace gaggle {

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

std::string FormatDate(int32_t days);
// `utc` false formats a naive timestamp (no trailing Z).
std::string FormatTimestamp(int64_t micros, bool utc = true);
// Shortest text that reads back to the same value ("nan", "inf", "-inf" for specials).
std::string FormatDouble(double v);
std::string FormatFloat(float v);
std::string FormatDecimal(int64_t unscaled, int scale);
std::string FormatDecimal128(Int128 unscaled, int scale);
std::string HexEncode(std::string_view bytes);

bool ParseInt64(std::string_view text, int64_t* out);
bool ParseInt32(std::string_view text, int32_t* out);
bool ParseDouble(std::string_view text, double* out);
bool ParseFloat(std::string_view text, float* out);
bool ParseBool(std::string_view text, bool* out);
bool ParseDate(std::string_view text, int32_t* days);
bool ParseTimestamp(std::string_view text, int64_t* micros);
bool ParseDecimal(std::string_view text, int scale, int precision, int64_t* unscaled);
// The same for precision up to 38.
bool ParseDecimal128(std::string_view text, int scale, int precision, Int128* unscaled);
// 10^n as a 128-bit integer, n in 0..38.
Int128 Pow10Int128(int n);

// A decimal stored as big-endian two's complement bytes of any length (Avro and Parquet
// decimals wider than 38 digits), rendered exactly as text ("-12.3400"). False when the bytes
// are empty or the value has more than `precision` digits.
bool FormatBigDecimal(std::string_view big_endian, int precision, int scale, std::string* out);

}  // namespace gaggle
