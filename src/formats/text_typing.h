// Typing for the text formats (CSV, JSON lines): how a text value becomes a typed
// column value, and how a column's type is inferred from a sample.
//
// Parsing (AppendText) uses value_format.h's exact parsers for every type, so CSV,
// JSON lines and casts agree on spellings; binary is hex (two digits per byte, either
// case). A value that does not parse leaves the column unchanged and returns false.
//
// Inference picks the narrowest type that fits every non-null sample value; a column
// with no non-null sample value is string. int32, float, decimal and binary are never
// inferred (declare them in a schema).
//   CSV text  (TextTypeGuess):  bool < int64 < double, date < timestamp, else string.
//     Only true/false (any case) count as bool when inferring, so 0/1 columns stay
//     int64; a declared bool column accepts every ParseBool spelling.
//   JSON      (JsonTypeGuess):  true/false -> bool; integers -> int64; numbers with a
//     fraction or exponent -> double (int64 widens to double when both appear);
//     strings -> date if all are dates, else timestamp if all are timestamps, else
//     string; any other mix of kinds -> string (the values are then read as their
//     JSON text).
// Thread-safety: values; no shared state.
#pragma once

#include <string>
#include <string_view>

#include "columnar/column.h"
#include "columnar/data_type.h"

namespace gaggle {

// Parses `text` as column->type() and appends it. `scratch` is reused for binary. Nested
// types are never parsed from text (false).
bool AppendText(Column* column, std::string_view text, std::string* scratch);

// FormatDouble/FormatFloat (value_format.h), with ".0" appended when the text would
// read as an integer ("2" -> "2.0", "-0" -> "-0.0"), so that inference reads a written
// floating column back as double and -0 keeps its sign in JSON.
std::string FormatDoubleForText(double v);
std::string FormatFloatForText(float v);

// Decodes hex text (even length, 0-9a-fA-F) into *out (replaced). False if malformed.
bool HexDecode(std::string_view text, std::string* out);

class TextTypeGuess {
 public:
  void Observe(std::string_view text);
  DataType Guess() const;

 private:
  bool seen_ = false;
  bool bool_ok_ = true;
  bool int_ok_ = true;
  bool double_ok_ = true;
  bool date_ok_ = true;
  bool timestamp_ok_ = true;
};

class JsonTypeGuess {
 public:
  void ObserveBool() { seen_bool_ = true; }
  void ObserveInt() { seen_int_ = true; }
  void ObserveDouble() { seen_double_ = true; }
  void ObserveString(std::string_view text);
  DataType Guess() const;

 private:
  bool seen_bool_ = false;
  bool seen_int_ = false;
  bool seen_double_ = false;
  bool seen_string_ = false;
  bool date_ok_ = true;
  bool timestamp_ok_ = true;
};

}  // namespace gaggle
