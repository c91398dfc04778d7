// Values as JSON text: how nested values are rendered for humans (Column::ValueToString),
// for JSON lines and for CSV. One spelling everywhere, which the JSON lines reader reads back:
//   null -> null; bool -> true/false; integers -> digits;
//   float/double -> shortest round-trip text, with ".0" when it would read as an integer;
//     NaN and infinities -> the strings "nan", "inf", "-inf" (JSON has no literal for them);
//   string -> a JSON string ('"' and '\' escaped, control characters as \u00XX, other bytes as is);
//   binary -> lowercase hex string; date, timestamp (UTC, Z) and decimal -> strings (exact);
//   struct -> {"field":value,...} in field order; list -> [value,...];
//   map -> {"key":value,...}: a string key as it is, any other key as its ValueToString text.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "columnar/column.h"

namespace gaggle {

// Appends row i of `column` as JSON. Returns false when a string inside is not valid UTF-8
// (its bytes are still appended as they are: JSON text must be UTF-8, so writers refuse it).
bool AppendValueJson(const Column& column, size_t i, std::string* out);

// Appends `text` as a JSON string. Returns false when it is not valid UTF-8.
bool AppendJsonQuoted(std::string_view text, std::string* out);

// Shortest round-trip text of a double/float with ".0" appended when it would read as an
// integer ("2" -> "2.0"); "nan", "inf", "-inf" for the special values.
std::string FormatDoubleJson(double v);
std::string FormatFloatJson(float v);

}  // namespace gaggle
