#include "verify/sql_identifier.h"

#include <unordered_set>

namespace gaggle {
namespace {

// Upper case. Words like DAY, FIRST or FILTER may name columns and are not here.
const std::unordered_set<std::string_view>& ReservedWords() {
  // clang-format off
  static const auto* words = new std::unordered_set<std::string_view>{
      "ALL", "ANALYSE", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "ASYMMETRIC", "BETWEEN", "BOTH", "BY",
      "CASE", "CAST", "CHECK", "COLLATE", "COLUMN", "CONSTRAINT", "CREATE", "CROSS", "CURRENT_DATE", "CURRENT_TIME",
      "CURRENT_TIMESTAMP", "CURRENT_USER", "DEFAULT", "DESC", "DISTINCT", "DO", "ELSE", "END", "EXCEPT", "EXISTS",
      "FALSE", "FETCH", "FOR", "FOREIGN", "FROM", "FULL", "GRANT", "GROUP", "HAVING", "ILIKE", "IN", "INNER",
      "INTERSECT", "INTERVAL", "INTO", "IS", "ISNULL", "JOIN", "LATERAL", "LEADING", "LEFT", "LIKE", "LIMIT",
      "LOCALTIME", "LOCALTIMESTAMP", "NATURAL", "NOT", "NOTNULL", "NULL", "OFFSET", "ON", "ONLY", "OR", "ORDER",
      "OUTER", "PLACING", "PRIMARY", "QUALIFY", "REFERENCES", "RIGHT", "SELECT", "SESSION_USER", "SIMILAR", "SOME",
      "SYMMETRIC", "TABLE", "THEN", "TO", "TRAILING", "TRUE", "TRY_CAST", "UNION", "UNIQUE", "USING",
      "VALUES", "VARIADIC", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN",
  };
  // clang-format on
  return *words;
}

}  // namespace

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsReservedSqlKeyword(std::string_view word) {
  if (word.empty() || word.size() > 24) return false;
  const std::string up = AsciiUpper(word);
  return ReservedWords().count(up) > 0;
}

bool IsValueKeyword(std::string_view word) {
  const std::string up = AsciiUpper(word);
  return up == "NULL" || up == "TRUE" || up == "FALSE" || up == "END" || up == "CURRENT_DATE" || up == "CURRENT_TIME" ||
         up == "CURRENT_TIMESTAMP" || up == "LOCALTIME" || up == "LOCALTIMESTAMP" || up == "CURRENT_USER" ||
         up == "SESSION_USER";
}

bool IsPlainSqlIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string QuoteSqlName(std::string_view name, char quote) {
  char open = quote, close = quote;
  if (quote == '[') close = ']';
  if (quote != '"' && quote != '`' && quote != '[') {
    if (IsPlainSqlIdentifier(name) && !IsReservedSqlKeyword(name)) return std::string(name);
    open = close = '"';
  }
  std::string out(1, open);
  for (char c : name) {
    out.push_back(c);
    if (c == close) out.push_back(c);
  }
  out.push_back(close);
  return out;
}

std::string RenderSqlName(std::string_view name) { return QuoteSqlName(name, 0); }

}  // namespace gaggle
