// Translates a DuckDB/PostgreSQL-style query, token by token, so that SQLite 3.40
// runs it with the same meaning over data loaded the way the verification runner
// loads it: timestamps, dates and times as ISO-8601 TEXT, booleans as 0/1
// INTEGER, doubles and decimals as REAL, integers as INTEGER, strings as TEXT.
//
//   CAST(x AS type), TRY_CAST(x AS type)  -> CAST(x AS <SQLite type>)  (SqliteTypeFor)
//   primary::type                         -> CAST(primary AS <SQLite type>)
//       primary: an identifier chain, a literal, a parameter, a parenthesised group
//       or a function call (also a previous cast: x::int::text nests)
//   DATE 'x', TIME 'x', TIMESTAMP 'x', TIMESTAMPTZ 'x', DATETIME 'x'  -> CAST('x' AS TEXT)
// Everything else (spacing, comments, functions such as date_trunc, which the runner
// registers) passes through unchanged.
// Errors (InvalidArgument naming "line L col C"): an unknown or array type, `::`
// after something that is not a primary, CAST without AS, INTERVAL literals (no
// SQLite equivalent), unbalanced parentheses, and the lexer's errors.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle {

Result<std::string> ToSqliteDialect(std::string_view sql);

// The SQLite type for a DuckDB/PostgreSQL type name, given as upper-case words
// joined by one space, without arguments ("DOUBLE PRECISION", "VARCHAR"):
//   TEXT     TIMESTAMP, TIMESTAMPTZ, TIMESTAMP WITH[OUT] TIME ZONE, DATE, TIME, TIMETZ,
//            TIME WITH[OUT] TIME ZONE, DATETIME, VARCHAR, CHAR, CHARACTER,
//            CHARACTER VARYING, BPCHAR, NVARCHAR, STRING, TEXT
//   REAL     DOUBLE, DOUBLE PRECISION, FLOAT, FLOAT4, FLOAT8, REAL, DECIMAL, NUMERIC
//   INTEGER  INT, INTEGER, BIGINT, SMALLINT, TINYINT, HUGEINT, INT1, INT2, INT4, INT8,
//            UTINYINT, USMALLINT, UINTEGER, UBIGINT, BOOLEAN, BOOL
//   BLOB     BLOB, BYTEA, VARBINARY
// Empty when unknown.
std::string SqliteTypeFor(std::string_view type_words);

}  // namespace gaggle
