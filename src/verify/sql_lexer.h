// Splits the text of one SQL query (DuckDB/PostgreSQL-ish dialect) into tokens,
// losslessly: concatenating every token's text gives the input back byte for byte,
// so tools can rewrite a query token by token and keep everything else as written.
//
// Token kinds:
//   identifier          bare word: [A-Za-z_ or any byte >= 0x80] then letters, digits, _, $
//   quoted identifier   "x" ("" inside), `x` (`` inside), [x] (]] inside)
//   string              'x' ('' inside); E'x' and e'x' also take backslash escapes;
//                       X'0a' and x'0a' (blob literals);
//                       $$x$$ and $tag$x$tag$ (dollar quoting)
//   number              123, 1.5, .5, 1e-3, 0x1F
//   operator            punctuation; multi-byte: <= >= <> != == || :: := => -> ->> << >>
//   line comment        -- up to (not including) the end of the line
//   block comment       /* ... */ (no nesting)
//   whitespace          runs of space, tab, CR, LF, FF, VT
//   parameter           $1, ?, ?1, :name (not ::)
// Any other byte (control characters, stray punctuation) is a one-byte operator.
//
// Each token has its byte offset, 1-based line and column (in bytes) and, for
// identifiers, the name: the text itself when bare, unquoted and unescaped when
// quoted. An unterminated string, quoted identifier or block comment, or a NUL
// byte, is InvalidArgument naming "line L col C". Never crashes or reads out of
// bounds on arbitrary bytes. Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle {

enum class SqlTokenKind {
  kIdentifier,
  kQuotedIdentifier,
  kString,
  kNumber,
  kOperator,
  kLineComment,
  kBlockComment,
  kWhitespace,
  kParameter,
};

const char* SqlTokenKindName(SqlTokenKind kind);

struct SqlToken {
  SqlTokenKind kind = SqlTokenKind::kOperator;
  std::string_view text;  // view into the tokenized input: valid while it lives
  size_t offset = 0;      // byte offset of text in the input
  int line = 1;           // 1-based
  int column = 1;         // 1-based, in bytes
  std::string name;       // identifiers: the name (unquoted, unescaped); else empty
  char quote = 0;         // quoted identifiers: '"', '`' or '['; else 0

  bool IsIdentifier() const { return kind == SqlTokenKind::kIdentifier || kind == SqlTokenKind::kQuotedIdentifier; }
  // Whitespace and comments: tokens that carry no meaning.
  bool IsTrivia() const {
    return kind == SqlTokenKind::kWhitespace || kind == SqlTokenKind::kLineComment ||
           kind == SqlTokenKind::kBlockComment;
  }
  // True for an operator token with exactly this text.
  bool IsOp(std::string_view op) const { return kind == SqlTokenKind::kOperator && text == op; }
};

// Tokenizes `sql`. The tokens' text views point into `sql`.
Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql);

// "line L col C" for messages.
std::string SqlPosition(const SqlToken& token);

}  // namespace gaggle
