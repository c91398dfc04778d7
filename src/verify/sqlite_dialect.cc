#include "verify/sqlite_dialect.h"

#include <map>
#include <vector>

#include "verify/sql_identifier.h"
#include "verify/sql_lexer.h"

namespace gaggle {
namespace {

// Deepest nesting of parentheses translated; deeper input is an error.
constexpr size_t kMaxNesting = 200;

struct TypeName {
  std::string words;  // upper case, one space apart, no arguments
  bool array = false;
  size_t end = 0;  // sig index past the type
};

class Translator {
 public:
  explicit Translator(std::vector<SqlToken> tokens) : tokens_(std::move(tokens)) {}

  Result<std::string> Run() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (!tokens_[i].IsTrivia()) sig_.push_back(i);
    }
    GAGGLE_RETURN_IF_ERROR(MatchParentheses());
    std::string out;
    GAGGLE_RETURN_IF_ERROR(Emit(0, sig_.size(), &out));
    return out;
  }

 private:
  const SqlToken& Sig(size_t i) const { return tokens_[sig_[i]]; }
  bool Op(size_t i, std::string_view op) const { return i < sig_.size() && Sig(i).IsOp(op); }
  bool Kw(size_t i, std::string_view word) const {
    return i < sig_.size() && Sig(i).kind == SqlTokenKind::kIdentifier && EqualsIgnoreCase(Sig(i).text, word);
  }
  Status Error(size_t i, const std::string& what) const {
    const std::string where = i < sig_.size() ? SqlPosition(Sig(i)) : "end of query";
    return Status::InvalidArgument(where + ": " + what);
  }

  // The whitespace and comments between significant tokens i-1 and i (i == size:
  // after the last one).
  std::string Trivia(size_t i) const {
    const size_t from = i == 0 ? 0 : sig_[i - 1] + 1;
    const size_t to = i < sig_.size() ? sig_[i] : tokens_.size();
    std::string out;
    for (size_t t = from; t < to; ++t) out += tokens_[t].text;
    return out;
  }

  Status MatchParentheses() {
    match_.assign(sig_.size(), 0);
    std::vector<size_t> open;
    for (size_t i = 0; i < sig_.size(); ++i) {
      if (Op(i, "(")) {
        if (open.size() >= kMaxNesting) return Error(i, "parentheses nested too deeply");
        open.push_back(i);
      } else if (Op(i, ")")) {
        if (open.empty()) return Error(i, "unbalanced ')'");
        match_[open.back()] = i;
        open.pop_back();
      }
    }
    if (!open.empty()) return Error(open.back(), "unbalanced '('");
    return Status::OK();
  }

  // A type name starting at sig index i (before `end`): words, (arguments), [].
  Result<TypeName> ParseType(size_t i, size_t end) const {
    if (i >= end || Sig(i).kind != SqlTokenKind::kIdentifier) return Error(i, "expected a type name");
    TypeName type;
    const std::string first = AsciiUpper(Sig(i).text);
    type.words = first;
    ++i;
    auto take = [&](std::string_view word) {
      if (i < end && Kw(i, word)) {
        type.words += " " + AsciiUpper(word);
        ++i;
        return true;
      }
      return false;
    };
    if (first == "DOUBLE") {
      take("PRECISION");
    } else if (first == "CHARACTER") {
      take("VARYING");
    } else if (first == "TIMESTAMP" || first == "TIME") {
      if ((take("WITH") || take("WITHOUT")) && !(take("TIME") && take("ZONE"))) {
        return Error(i, "expected TIME ZONE in type " + type.words);
      }
    }
    if (i < end && Op(i, "(") && match_[i] < end) i = match_[i] + 1;
    while (i < end && Sig(i).quote == '[' && Sig(i).name.empty()) {
      type.array = true;
      ++i;
    }
    type.end = i;
    return type;
  }

  Result<std::string> MappedType(const TypeName& type, size_t where) const {
    if (type.array) return Error(where, "array type " + type.words + "[] has no SQLite equivalent");
    std::string mapped = SqliteTypeFor(type.words);
    if (mapped.empty()) return Error(where, "unknown type " + type.words);
    return mapped;
  }

  // A string token as a standard SQL literal: dollar-quoted and E'' strings are
  // rewritten ('...' with '' inside), others kept.
  Result<std::string> StandardString(size_t i) const {
    const std::string_view text = Sig(i).text;
    std::string content;
    if (text.front() == '$') {
      const size_t delim = text.find('$', 1) + 1;
      content = std::string(text.substr(delim, text.size() - 2 * delim));
    } else if (text.front() == 'E' || text.front() == 'e') {
      for (size_t k = 2; k + 1 < text.size(); ++k) {
        char c = text[k];
        if (c == '\\') {
          c = text[++k];
          if (c == 'n')
            c = '\n';
          else if (c == 't')
            c = '\t';
          else if (c == 'r')
            c = '\r';
          else if (c == 'b')
            c = '\b';
          else if (c == 'f')
            c = '\f';
          else if (c == 'x' || c == 'u' || c == 'U' || (c >= '0' && c <= '7')) {
            return Error(i, "escape \\" + std::string(1, c) + " in an E'' string is not supported");
          }
        } else if (c == '\'') {
          ++k;  // '' inside
        }
        content.push_back(c);
      }
    } else {
      return std::string(text);
    }
    std::string out = "'";
    for (char c : content) {
      out.push_back(c);
      if (c == '\'') out.push_back('\'');
    }
    return out + "'";
  }

  // Appends the translation of sig tokens [b, e) and the trivia before each and
  // after the last.
  Status Emit(size_t b, size_t e, std::string* out) {
    size_t primary = std::string::npos;  // where the primary the last token ended starts in *out
    for (size_t i = b; i < e;) {
      *out += Trivia(i);
      const SqlToken& t = Sig(i);
      const size_t here = out->size();
      if (t.IsOp("(")) {
        const bool call = i > b && Sig(i - 1).IsIdentifier() && primary != std::string::npos;
        *out += "(";
        GAGGLE_RETURN_IF_ERROR(Emit(i + 1, match_[i], out));
        *out += ")";
        if (!call) primary = here;
        i = match_[i] + 1;
        continue;
      }
      if (t.IsOp("::")) {
        if (primary == std::string::npos) {
          return Error(i, "'::' must follow a name, a literal, a function call or a parenthesised expression");
        }
        GAGGLE_ASSIGN_OR_RETURN(TypeName type, ParseType(i + 1, e));
        GAGGLE_ASSIGN_OR_RETURN(std::string mapped, MappedType(type, i + 1));
        std::string operand = out->substr(primary);
        while (!operand.empty() &&
               (operand.back() == ' ' || operand.back() == '\t' || operand.back() == '\n' || operand.back() == '\r')) {
          operand.pop_back();
        }
        out->resize(primary);
        *out += "CAST(" + operand + " AS " + mapped + ")";
        i = type.end;
        continue;
      }
      if ((Kw(i, "CAST") || Kw(i, "TRY_CAST")) && Op(i + 1, "(") && match_[i + 1] < e) {
        const size_t close = match_[i + 1];
        size_t as = 0;
        for (size_t k = i + 2; k < close; k = Op(k, "(") ? match_[k] + 1 : k + 1) {
          if (Kw(k, "AS")) as = k;
        }
        if (as == 0) return Error(i, "CAST without AS type");
        GAGGLE_ASSIGN_OR_RETURN(TypeName type, ParseType(as + 1, close));
        if (type.end != close) return Error(type.end, "unexpected '" + std::string(Sig(type.end).text) + "' in type");
        GAGGLE_ASSIGN_OR_RETURN(std::string mapped, MappedType(type, as + 1));
        *out += "CAST" + Trivia(i + 1) + "(";
        GAGGLE_RETURN_IF_ERROR(Emit(i + 2, as, out));
        *out += std::string(Sig(as).text) + Trivia(as + 1) + mapped + Trivia(close) + ")";
        primary = here;
        i = close + 1;
        continue;
      }
      const bool dotted = i > b && Op(i - 1, ".");
      if (!dotted && i + 1 < e && Sig(i + 1).kind == SqlTokenKind::kString && t.kind == SqlTokenKind::kIdentifier) {
        const std::string up = AsciiUpper(t.text);
        if (up == "DATE" || up == "TIME" || up == "TIMESTAMP" || up == "TIMESTAMPTZ" || up == "DATETIME") {
          *out += "CAST(" + std::string(Sig(i + 1).text) + " AS TEXT)";
          primary = here;
          i += 2;
          continue;
        }
      }
      if (Kw(i, "INTERVAL") && i + 1 < e &&
          (Sig(i + 1).kind == SqlTokenKind::kString || Sig(i + 1).kind == SqlTokenKind::kNumber)) {
        return Error(i, "INTERVAL literals have no SQLite equivalent");
      }
      if (t.kind == SqlTokenKind::kString) {
        GAGGLE_ASSIGN_OR_RETURN(std::string literal, StandardString(i));
        *out += literal;
      } else {
        *out += t.text;
      }
      if (t.IsIdentifier()) {
        const bool subscript = t.quote == '[' && primary != std::string::npos && Trivia(i).empty();
        const bool window = (Kw(i, "OVER") || Kw(i, "FILTER")) && i > b && Op(i - 1, ")");
        if (subscript || window || (dotted && primary != std::string::npos)) {
          // continues the primary before it
        } else if (t.kind == SqlTokenKind::kIdentifier && IsReservedSqlKeyword(t.text) && !IsValueKeyword(t.text)) {
          primary = std::string::npos;
        } else {
          primary = here;
        }
      } else if (t.kind == SqlTokenKind::kString || t.kind == SqlTokenKind::kNumber ||
                 t.kind == SqlTokenKind::kParameter) {
        primary = here;
      } else if (!t.IsOp(".")) {
        primary = std::string::npos;
      }
      ++i;
    }
    *out += Trivia(e);
    return Status::OK();
  }

  std::vector<SqlToken> tokens_;
  std::vector<size_t> sig_;
  std::vector<size_t> match_;
};

}  // namespace

std::string SqliteTypeFor(std::string_view type_words) {
  static const auto* types = new std::map<std::string, std::string, std::less<>>{
      {"TIMESTAMP", "TEXT"},
      {"TIMESTAMPTZ", "TEXT"},
      {"TIMESTAMP WITH TIME ZONE", "TEXT"},
      {"TIMESTAMP WITHOUT TIME ZONE", "TEXT"},
      {"DATE", "TEXT"},
      {"TIME", "TEXT"},
      {"TIMETZ", "TEXT"},
      {"TIME WITH TIME ZONE", "TEXT"},
      {"TIME WITHOUT TIME ZONE", "TEXT"},
      {"DATETIME", "TEXT"},
      {"VARCHAR", "TEXT"},
      {"CHAR", "TEXT"},
      {"CHARACTER", "TEXT"},
      {"CHARACTER VARYING", "TEXT"},
      {"BPCHAR", "TEXT"},
      {"NVARCHAR", "TEXT"},
      {"STRING", "TEXT"},
      {"TEXT", "TEXT"},
      {"DOUBLE", "REAL"},
      {"DOUBLE PRECISION", "REAL"},
      {"FLOAT", "REAL"},
      {"FLOAT4", "REAL"},
      {"FLOAT8", "REAL"},
      {"REAL", "REAL"},
      {"DECIMAL", "REAL"},
      {"NUMERIC", "REAL"},
      {"INT", "INTEGER"},
      {"INTEGER", "INTEGER"},
      {"BIGINT", "INTEGER"},
      {"SMALLINT", "INTEGER"},
      {"TINYINT", "INTEGER"},
      {"HUGEINT", "INTEGER"},
      {"INT1", "INTEGER"},
      {"INT2", "INTEGER"},
      {"INT4", "INTEGER"},
      {"INT8", "INTEGER"},
      {"UTINYINT", "INTEGER"},
      {"USMALLINT", "INTEGER"},
      {"UINTEGER", "INTEGER"},
      {"UBIGINT", "INTEGER"},
      {"BOOLEAN", "INTEGER"},
      {"BOOL", "INTEGER"},
      {"BLOB", "BLOB"},
      {"BYTEA", "BLOB"},
      {"VARBINARY", "BLOB"},
  };
  auto it = types->find(type_words);
  return it == types->end() ? std::string() : it->second;
}

Result<std::string> ToSqliteDialect(std::string_view sql) {
  GAGGLE_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, TokenizeSql(sql));
  return Translator(std::move(tokens)).Run();
}

}  // namespace gaggle
