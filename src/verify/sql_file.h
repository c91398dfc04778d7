// SqlFile: a consumer's SQL file as its repository holds it — its statements located in
// the file's own text, and the file rewritten statement by statement with every other
// byte kept (comments before, inside and after statements, spacing, CRLF line ends,
// Jinja, a missing final ';' or final newline).
//
// Statements are separated by ';' outside strings, quoted identifiers, comments and
// Jinja blocks ({{ ... }}, {% ... %}, {# ... #}). A statement's span runs from its first
// to its last meaningful token (comments and spacing around it, and its ';', are outside
// the span; comments between its tokens are inside). Jinja comments {# #} count as
// comments; other Jinja blocks as meaningful text. A part with no meaningful token (only
// comments, or an empty `;;`) is no statement.
//
// Rewriting hands each statement's text to a StatementRewriter and splices the result
// back in place. A statement the rewriter refuses stays as written, with a comment
// "-- gaggle: cannot rewrite: <reason>" on a line of its own above it when the statement
// starts its line (indented like it, with the file's line end), else "/* gaggle: cannot
// rewrite: <reason> */ " just before it (newlines in the reason become spaces, "*/"
// becomes "* /").
// Errors: InvalidArgument naming "line L col C" for an unterminated string, quoted
// identifier, block comment or Jinja block, or a NUL byte. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "verify/query_rewriter.h"

namespace gaggle {

struct SqlStatementSpan {
  size_t begin = 0;  // byte offset of its first meaningful token
  size_t end = 0;    // one past its last meaningful token
  int line = 1;      // 1-based line of `begin`
  int column = 1;    // 1-based column (bytes) of `begin`
  bool has_jinja = false;
};

Result<std::vector<SqlStatementSpan>> SplitSqlFile(std::string_view text);

// The statement's meaningful tokens joined by one space (comments and spacing dropped,
// Jinja blocks kept verbatim): equal for the same query laid out differently, so a file's
// statement can be matched with the catalog's copy of it. The text itself when it does
// not split.
std::string SqlStatementKey(std::string_view statement);

struct SqlFileStatement {
  SqlStatementSpan span;
  std::string original;
  std::string rewritten;  // == original when unchanged or refused
  bool changed = false;
  std::string refused;  // non-empty: why the rewriter refused it
  std::vector<std::string> edits;
};

struct SqlFileRewrite {
  std::string text;  // the whole file, rewritten
  std::vector<SqlFileStatement> statements;
  int Changed() const;
  int Refused() const;
};

// Rewrites one statement's text (no ';'); an error is a refusal with its message.
using StatementRewriter = std::function<Result<RewrittenQuery>(std::string_view statement)>;

Result<SqlFileRewrite> RewriteSqlFile(std::string_view text, const StatementRewriter& rewrite);

// With the query rewriter (verify/query_rewriter.h) and `rules`.
Result<SqlFileRewrite> RewriteSqlFile(std::string_view text, const RewriteRules& rules);

}  // namespace gaggle
