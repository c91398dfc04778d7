#include "verify/sql_file.h"

#include "verify/sql_lexer.h"

namespace gaggle {
namespace {

struct ByteRange {
  size_t begin = 0, end = 0;
};

// "line L col C" of byte `offset` in `text`.
std::string PositionOf(std::string_view text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + " col " + std::to_string(column);
}

// `text` with its Jinja blocks masked at the same offsets, so the SQL lexer sees through
// them: {# #} comments become spaces, {{ }} and {% %} blocks an identifier of '_' (line
// ends inside are kept, so lines and columns stay right). *code gets the code blocks.
Result<std::string> MaskJinja(std::string_view text, std::vector<ByteRange>* code) {
  std::string masked(text);
  size_t i = 0;
  while (i + 1 < text.size()) {
    const char open = text[i + 1];
    if (text[i] != '{' || (open != '{' && open != '%' && open != '#')) {
      ++i;
      continue;
    }
    const char close[3] = {open == '{' ? '}' : open, '}', '\0'};
    const size_t stop = text.find(close, i + 2);
    if (stop == std::string_view::npos) {
      return Status::InvalidArgument("unterminated Jinja block '{" + std::string(1, open) + "' at " +
                                     PositionOf(text, i));
    }
    const size_t end = stop + 2;
    for (size_t k = i; k < end; ++k) {
      if (masked[k] != '\n' && masked[k] != '\r') masked[k] = open == '#' ? ' ' : '_';
    }
    if (open != '#') code->push_back({i, end});
    i = end;
  }
  return masked;
}

bool Overlaps(const std::vector<ByteRange>& ranges, size_t begin, size_t end) {
  for (const ByteRange& r : ranges) {
    if (r.begin < end && begin < r.end) return true;
  }
  return false;
}

// The refusal note placed before a statement that starts at `begin`.
std::string RefusalNote(std::string_view text, size_t begin, const std::string& reason) {
  std::string why = reason;
  for (char& c : why) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  const size_t line_start = text.rfind('\n', begin == 0 ? 0 : begin - 1);
  const size_t ls = (begin == 0 || line_start == std::string_view::npos) ? 0 : line_start + 1;
  const std::string_view indent = text.substr(ls, begin - ls);
  if (indent.find_first_not_of(" \t") == std::string_view::npos) {
    const size_t nl = text.find('\n', begin);
    const bool crlf = nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r';
    return "-- gaggle: cannot rewrite: " + why + (crlf ? "\r\n" : "\n") + std::string(indent);
  }
  for (size_t p = why.find("*/"); p != std::string::npos; p = why.find("*/", p)) why.replace(p, 2, "* /");
  return "/* gaggle: cannot rewrite: " + why + " */ ";
}

}  // namespace

Result<std::vector<SqlStatementSpan>> SplitSqlFile(std::string_view text) {
  std::vector<ByteRange> jinja;
  GAGGLE_ASSIGN_OR_RETURN(std::string masked, MaskJinja(text, &jinja));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, TokenizeSql(masked));
  std::vector<SqlStatementSpan> out;
  bool open = false;
  SqlStatementSpan cur;
  auto close = [&] {
    if (!open) return;
    cur.has_jinja = Overlaps(jinja, cur.begin, cur.end);
    out.push_back(cur);
    open = false;
  };
  for (const SqlToken& t : tokens) {
    if (t.IsTrivia()) continue;
    if (t.IsOp(";")) {
      close();
      continue;
    }
    if (!open) {
      open = true;
      cur = SqlStatementSpan{};
      cur.begin = t.offset;
      cur.line = t.line;
      cur.column = t.column;
    }
    cur.end = t.offset + t.text.size();
  }
  close();
  return out;
}

std::string SqlStatementKey(std::string_view statement) {
  std::vector<ByteRange> jinja;
  auto masked = MaskJinja(statement, &jinja);
  if (!masked.ok()) return std::string(statement);
  auto tokens = TokenizeSql(*masked);
  if (!tokens.ok()) return std::string(statement);
  std::string key;
  for (const SqlToken& t : *tokens) {
    if (t.IsTrivia()) continue;
    if (!key.empty()) key += ' ';
    key += statement.substr(t.offset, t.text.size());
  }
  return key;
}

int SqlFileRewrite::Changed() const {
  int n = 0;
  for (const SqlFileStatement& s : statements) n += s.changed;
  return n;
}

int SqlFileRewrite::Refused() const {
  int n = 0;
  for (const SqlFileStatement& s : statements) n += !s.refused.empty();
  return n;
}

Result<SqlFileRewrite> RewriteSqlFile(std::string_view text, const StatementRewriter& rewrite) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<SqlStatementSpan> spans, SplitSqlFile(text));
  SqlFileRewrite out;
  size_t copied = 0;
  for (const SqlStatementSpan& span : spans) {
    SqlFileStatement s;
    s.span = span;
    s.original = std::string(text.substr(span.begin, span.end - span.begin));
    out.text.append(text.substr(copied, span.begin - copied));
    auto rw = rewrite(s.original);
    if (rw.ok()) {
      s.rewritten = rw->sql;
      s.changed = rw->changed && rw->sql != s.original;
      s.edits = rw->edits;
    } else {
      s.rewritten = s.original;
      s.refused = rw.status().message();
      out.text += RefusalNote(text, span.begin, s.refused);
    }
    out.text += s.rewritten;
    copied = span.end;
    out.statements.push_back(std::move(s));
  }
  out.text.append(text.substr(copied));
  return out;
}

Result<SqlFileRewrite> RewriteSqlFile(std::string_view text, const RewriteRules& rules) {
  return RewriteSqlFile(text, [&rules](std::string_view statement) { return RewriteQuery(statement, rules); });
}

}  // namespace gaggle
