// Small rules about SQL names shared by the query rewriter and the SQLite
// translator: which bare words are reserved keywords, when a name needs quotes,
// and how to write a name in a given quoting style. ASCII case rules only.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace gaggle {

std::string AsciiUpper(std::string_view s);
std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Reserved words of the DuckDB/PostgreSQL dialect that never name a column or a
// table when written bare (SELECT, FROM, AND, NULL, CASE, CURRENT_DATE, ...).
// Case-insensitive.
bool IsReservedSqlKeyword(std::string_view word);

// Reserved words that are values and so end an operand: NULL, TRUE, FALSE, END,
// CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP,
// CURRENT_USER, SESSION_USER. Case-insensitive.
bool IsValueKeyword(std::string_view word);

// [A-Za-z_][A-Za-z0-9_]*
bool IsPlainSqlIdentifier(std::string_view name);

// `name` as written in SQL: bare when plain and not reserved, else "double quoted"
// with "" for a quote inside.
std::string RenderSqlName(std::string_view name);

// `name` in the quoting style `quote` ('"', '`' or '['; 0 renders like RenderSqlName).
std::string QuoteSqlName(std::string_view name, char quote);

}  // namespace gaggle
