#include "verify/sql_lexer.h"

#include <string>

namespace gaggle {
namespace {

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(unsigned char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// Bytes >= 0x80 are parts of UTF-8 letters: identifiers may hold them.
bool IsIdentStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool IsIdentPart(unsigned char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : s_(sql) {}

  Result<std::vector<SqlToken>> Run() {
    std::vector<SqlToken> out;
    while (pos_ < s_.size()) {
      SqlToken t;
      t.offset = pos_;
      t.line = line_;
      t.column = column_;
      GAGGLE_RETURN_IF_ERROR(Next(&t));
      t.text = s_.substr(t.offset, pos_ - t.offset);
      Advance(t.text);
      out.push_back(std::move(t));
    }
    return out;
  }

 private:
  unsigned char At(size_t i) const { return i < s_.size() ? static_cast<unsigned char>(s_[i]) : 0; }
  bool StartsWith(size_t i, std::string_view p) const { return s_.substr(std::min(i, s_.size())).starts_with(p); }

  // Moves line/column past `text` (pos_ has already moved).
  void Advance(std::string_view text) {
    for (char c : text) {
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  Status Error(const SqlToken& t, const std::string& what) const {
    return Status::InvalidArgument("line " + std::to_string(t.line) + " col " + std::to_string(t.column) + ": " + what);
  }

  Status Next(SqlToken* t) {
    const unsigned char c = At(pos_);
    if (c == 0) return Error(*t, "NUL byte in query text");
    if (IsSpace(c)) {
      t->kind = SqlTokenKind::kWhitespace;
      while (pos_ < s_.size() && IsSpace(At(pos_))) ++pos_;
      return Status::OK();
    }
    if (StartsWith(pos_, "--")) {
      t->kind = SqlTokenKind::kLineComment;
      size_t end = s_.find('\n', pos_);
      pos_ = end == std::string_view::npos ? s_.size() : end;
      return Status::OK();
    }
    if (StartsWith(pos_, "/*")) {
      t->kind = SqlTokenKind::kBlockComment;
      size_t end = s_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) return Error(*t, "unterminated block comment");
      pos_ = end + 2;
      return Status::OK();
    }
    if (c == '\'') return Quoted(t, SqlTokenKind::kString, '\'', '\'', false, "string literal");
    if ((c == 'E' || c == 'e') && At(pos_ + 1) == '\'') {
      ++pos_;
      return Quoted(t, SqlTokenKind::kString, '\'', '\'', true, "string literal");
    }
    if ((c == 'X' || c == 'x') && At(pos_ + 1) == '\'') {  // X'0a1b': a blob literal
      ++pos_;
      return Quoted(t, SqlTokenKind::kString, '\'', '\'', false, "string literal");
    }
    if (c == '"') return Quoted(t, SqlTokenKind::kQuotedIdentifier, '"', '"', false, "quoted identifier");
    if (c == '`') return Quoted(t, SqlTokenKind::kQuotedIdentifier, '`', '`', false, "quoted identifier");
    if (c == '[') return Quoted(t, SqlTokenKind::kQuotedIdentifier, '[', ']', false, "quoted identifier");
    if (c == '$') return Dollar(t);
    if (IsDigit(c) || (c == '.' && IsDigit(At(pos_ + 1)))) return Number(t);
    if (IsIdentStart(c)) {
      t->kind = SqlTokenKind::kIdentifier;
      while (pos_ < s_.size() && IsIdentPart(At(pos_))) ++pos_;
      t->name = std::string(s_.substr(t->offset, pos_ - t->offset));
      return Status::OK();
    }
    if (c == '?') {
      t->kind = SqlTokenKind::kParameter;
      ++pos_;
      while (IsDigit(At(pos_))) ++pos_;
      return Status::OK();
    }
    if (c == ':' && IsIdentStart(At(pos_ + 1))) {
      t->kind = SqlTokenKind::kParameter;
      ++pos_;
      while (pos_ < s_.size() && IsIdentPart(At(pos_))) ++pos_;
      return Status::OK();
    }
    t->kind = SqlTokenKind::kOperator;
    static const char* const kMulti[] = {"->>", "<=", ">=", "<>", "!=", "==", "||", "::", ":=", "=>", "->", "<<", ">>"};
    for (const char* op : kMulti) {
      if (StartsWith(pos_, op)) {
        pos_ += std::string_view(op).size();
        return Status::OK();
      }
    }
    ++pos_;
    return Status::OK();
  }

  // A run from the opening `open` to the closing `close`; a doubled close is an
  // escaped one; with backslashes, \x escapes any byte.
  Status Quoted(SqlToken* t, SqlTokenKind kind, char open, char close, bool backslashes, const char* what) {
    t->kind = kind;
    ++pos_;  // the opening quote
    std::string content;
    for (;;) {
      if (pos_ >= s_.size()) return Error(*t, std::string("unterminated ") + what);
      char ch = s_[pos_];
      if (ch == '\0') return Error(*t, std::string("NUL byte in ") + what);
      if (backslashes && ch == '\\') {
        if (pos_ + 1 >= s_.size()) return Error(*t, std::string("unterminated ") + what);
        if (s_[pos_ + 1] == '\0') return Error(*t, std::string("NUL byte in ") + what);
        content.push_back(s_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      if (ch == close) {
        if (At(pos_ + 1) == static_cast<unsigned char>(close)) {
          content.push_back(close);
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      content.push_back(ch);
      ++pos_;
    }
    if (kind == SqlTokenKind::kQuotedIdentifier) {
      t->name = std::move(content);
      t->quote = open;
    }
    return Status::OK();
  }

  // $1 (parameter), $$...$$ or $tag$...$tag$ (string), else a lone '$' operator.
  Status Dollar(SqlToken* t) {
    if (IsDigit(At(pos_ + 1))) {
      t->kind = SqlTokenKind::kParameter;
      ++pos_;
      while (IsDigit(At(pos_))) ++pos_;
      return Status::OK();
    }
    size_t p = pos_ + 1;
    if (IsIdentStart(At(p)) && At(p) < 0x80) {
      while (p < s_.size() && IsIdentPart(At(p)) && At(p) != '$') ++p;
    }
    if (At(p) != '$') {
      t->kind = SqlTokenKind::kOperator;
      ++pos_;
      return Status::OK();
    }
    std::string_view delim = s_.substr(pos_, p + 1 - pos_);
    t->kind = SqlTokenKind::kString;
    size_t body = p + 1;
    size_t end = s_.find(delim, body);
    if (end == std::string_view::npos) return Error(*t, "unterminated dollar-quoted string");
    if (s_.substr(body, end - body).find('\0') != std::string_view::npos) {
      return Error(*t, "NUL byte in dollar-quoted string");
    }
    pos_ = end + delim.size();
    return Status::OK();
  }

  Status Number(SqlToken* t) {
    t->kind = SqlTokenKind::kNumber;
    if (At(pos_) == '0' && (At(pos_ + 1) == 'x' || At(pos_ + 1) == 'X') && IsHexDigit(At(pos_ + 2))) {
      pos_ += 2;
      while (IsHexDigit(At(pos_))) ++pos_;
      return Status::OK();
    }
    while (IsDigit(At(pos_))) ++pos_;
    if (At(pos_) == '.' && At(pos_ + 1) != '.') {
      ++pos_;
      while (IsDigit(At(pos_))) ++pos_;
    }
    if (At(pos_) == 'e' || At(pos_) == 'E') {
      size_t p = pos_ + 1;
      if (At(p) == '+' || At(p) == '-') ++p;
      if (IsDigit(At(p))) {
        pos_ = p;
        while (IsDigit(At(pos_))) ++pos_;
      }
    }
    return Status::OK();
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

const char* SqlTokenKindName(SqlTokenKind kind) {
  switch (kind) {
    case SqlTokenKind::kIdentifier: return "identifier";
    case SqlTokenKind::kQuotedIdentifier: return "quoted identifier";
    case SqlTokenKind::kString: return "string";
    case SqlTokenKind::kNumber: return "number";
    case SqlTokenKind::kOperator: return "operator";
    case SqlTokenKind::kLineComment: return "line comment";
    case SqlTokenKind::kBlockComment: return "block comment";
    case SqlTokenKind::kWhitespace: return "whitespace";
    case SqlTokenKind::kParameter: return "parameter";
  }
  return "unknown";
}

Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql) { return Lexer(sql).Run(); }

std::string SqlPosition(const SqlToken& token) {
  return "line " + std::to_string(token.line) + " col " + std::to_string(token.column);
}

}  // namespace gaggle
