// Casts: converting a whole column from one logical type to another.
//
// Which casts exist is decided by the two types alone (CheckCast, at plan time);
// whether a given value converts is decided per row at run time. A value that
// does not convert (text that does not parse, a number out of range, a fraction
// where an integer is needed) makes that row null in the result and appends a
// RowError; the other rows are unaffected. Nulls stay null. The rules:
//
//   to \ from   string  bool  int32/64  float/double  decimal  date  timestamp  binary
//   string        =      yes    yes        yes          yes     yes     yes      UTF-8
//   bool        parse    =      0/1         -            -       -       -         -
//   int32/64    parse    0/1   range    integral+range  exact    -       -         -
//   float/double parse    -    round      range (f)     round    -       -         -
//   decimal     parse    -     range       exact        exact    -       -         -
//   date        parse    -      -           -            -       =    truncate     -
//   timestamp   parse    -      -           -            -     range     =         -
//   binary      bytes    -      -           -            -       -       -         =
//
// "parse" uses the exact parsers of columnar/value_format.h (no whitespace
// trimming, no silent truncation); "range" fails values outside the target;
// "exact" fails values that would lose digits; "round" rounds to nearest;
// timestamp -> date keeps the UTC calendar day (floor). timestamp <-> timestamp_ntz
// keeps the number: a naive wall-clock reading becomes the instant of that reading in
// UTC and back. Decimals of any width (up to 38 digits) cast exactly. Formatting to
// string uses value_format.h. See docs/expressions-and-casts.md.
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"
#include "common/status.h"
#include "transform/row_error.h"

namespace gaggle {

// OK when some values of type `from` can be cast to `to`; TypeError
// ("cannot cast date to bool") when none ever can.
Status CheckCast(const DataType& from, const DataType& to);

// Casts every row of `in` to `to`. Rows that do not convert are null in the
// result and appended to *errors (row index in `in`, reason). TypeError when
// CheckCast fails.
Result<Column> CastColumn(const Column& in, const DataType& to, std::vector<RowError>* errors);

}  // namespace gaggle
