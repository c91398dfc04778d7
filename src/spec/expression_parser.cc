#include "spec/expression_parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include "columnar/value_format.h"
#include "common/suggest.h"

namespace gaggle {
namespace {

enum class Tok { kEnd, kIdent, kQuotedIdent, kInt, kDouble, kString, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier / string contents, number spelling, symbol
  size_t begin = 0;
  size_t end = 0;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::unique_ptr<ExprNode>> Parse() {
    if (text_.size() > kMaxExpressionBytes) {
      return Status::InvalidArgument("expression is longer than " + std::to_string(kMaxExpressionBytes) + " bytes");
    }
    Status st = Lex();
    if (!st.ok()) return st;
    if (Peek().kind == Tok::kEnd) return Error(Peek(), "empty expression");
    auto node = ParseOr();
    if (!error_.ok()) return error_;
    if (Peek().kind != Tok::kEnd) return Error(Peek(), "unexpected " + Describe(Peek()) + " after the expression");
    return node;
  }

 private:
  // ---- lexer ----
  Status Lex() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      Token t;
      t.begin = i;
      if (IsIdentStart(c)) {
        while (i < text_.size() && IsIdentChar(text_[i])) ++i;
        t.kind = Tok::kIdent;
        t.text = std::string(text_.substr(t.begin, i - t.begin));
      } else if (IsDigit(c) || (c == '.' && i + 1 < text_.size() && IsDigit(text_[i + 1]))) {
        bool is_double = false;
        while (i < text_.size() && IsDigit(text_[i])) ++i;
        // "0.sku" (items[0].sku) is an integer and a field access, "1." a double.
        if (i < text_.size() && text_[i] == '.' && !(i + 1 < text_.size() && IsIdentStart(text_[i + 1]))) {
          is_double = true;
          ++i;
          while (i < text_.size() && IsDigit(text_[i])) ++i;
        }
        if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
          size_t j = i + 1;
          if (j < text_.size() && (text_[j] == '+' || text_[j] == '-')) ++j;
          if (j < text_.size() && IsDigit(text_[j])) {
            is_double = true;
            i = j;
            while (i < text_.size() && IsDigit(text_[i])) ++i;
          }
        }
        if (i < text_.size() && IsIdentStart(text_[i])) {
          return SyntaxError(i, "unexpected '" + std::string(1, text_[i]) + "' in a number");
        }
        t.kind = is_double ? Tok::kDouble : Tok::kInt;
        t.text = std::string(text_.substr(t.begin, i - t.begin));
      } else if (c == '\'' || c == '"') {
        // '' inside a string and "" inside a quoted identifier stand for the quote itself.
        ++i;
        bool closed = false;
        while (i < text_.size()) {
          if (text_[i] == c) {
            if (i + 1 < text_.size() && text_[i + 1] == c) {
              t.text.push_back(c);
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          t.text.push_back(text_[i++]);
        }
        if (!closed) {
          return SyntaxError(t.begin, c == '\'' ? "unterminated string literal" : "unterminated quoted identifier");
        }
        t.kind = c == '\'' ? Tok::kString : Tok::kQuotedIdent;
        if (t.kind == Tok::kQuotedIdent && t.text.empty()) return SyntaxError(t.begin, "empty quoted identifier");
      } else {
        static const char* kTwoChar[] = {"==", "!=", "<>", "<=", ">="};
        t.kind = Tok::kSymbol;
        for (const char* two : kTwoChar) {
          if (text_.substr(i, 2) == two) t.text = two;
        }
        if (t.text.empty()) {
          if (std::string_view("+-*/()=<>,.[]").find(c) == std::string_view::npos) {
            std::string shown = (c >= 32 && c < 127) ? std::string(1, c) : "\\x" + HexEncode(std::string_view(&c, 1));
            return SyntaxError(i, "unexpected character '" + shown + "'");
          }
          t.text = std::string(1, c);
        }
        i += t.text.size();
      }
      t.end = i;
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.begin = end.end = text_.size();
    tokens_.push_back(end);
    return Status::OK();
  }

  Status SyntaxError(size_t offset, const std::string& message) {
    problem_ = {StatusCode::kInvalidArgument, offset, "syntax error: " + message};
    return Status::InvalidArgument("syntax error at column " + std::to_string(offset + 1) + ": " + message);
  }

 public:
  const ExpressionProblem& problem() const { return problem_; }

 private:
  // ---- parser helpers ----
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, const char* kw) const { return t.kind == Tok::kIdent && Lower(t.text) == kw; }
  bool IsSymbol(const Token& t, const char* sym) const { return t.kind == Tok::kSymbol && t.text == sym; }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return "end of expression";
      case Tok::kString: return "string '" + t.text + "'";
      case Tok::kQuotedIdent: return "\"" + t.text + "\"";
      default: return "'" + t.text + "'";
    }
  }

  // Records the first error; parsing unwinds by returning nullptr.
  std::unique_ptr<ExprNode> Fail(const Token& at, const std::string& message) {
    if (error_.ok()) error_ = SyntaxError(at.begin, message);
    return nullptr;
  }
  Status Error(const Token& at, const std::string& message) { return SyntaxError(at.begin, message); }

  std::unique_ptr<ExprNode> Make(ExprKind kind, size_t begin, size_t end) {
    auto n = std::make_unique<ExprNode>();
    n->kind = kind;
    n->begin = begin;
    n->end = end;
    return n;
  }

  // Adopts children and checks the depth cap.
  std::unique_ptr<ExprNode> Finish(std::unique_ptr<ExprNode> n, const Token& at) {
    int d = 0;
    for (const auto& c : n->children) d = std::max(d, c->depth);
    n->depth = d + 1;
    if (n->depth > kMaxExpressionDepth) {
      return Fail(at, "expression is nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels");
    }
    return n;
  }

  std::unique_ptr<ExprNode> Binary(ExprOp op, std::unique_ptr<ExprNode> l, std::unique_ptr<ExprNode> r,
                                   const Token& at) {
    auto n = Make(ExprKind::kBinary, l->begin, r->end);
    n->op = op;
    n->children.push_back(std::move(l));
    n->children.push_back(std::move(r));
    return Finish(std::move(n), at);
  }

  // ---- grammar ----
  std::unique_ptr<ExprNode> ParseOr() {
    auto left = ParseAnd();
    while (left && IsKeyword(Peek(), "or")) {
      const Token& op = Next();
      auto right = ParseAnd();
      if (!right) return nullptr;
      left = Binary(ExprOp::kOr, std::move(left), std::move(right), op);
    }
    return left;
  }

  std::unique_ptr<ExprNode> ParseAnd() {
    auto left = ParseNot();
    while (left && IsKeyword(Peek(), "and")) {
      const Token& op = Next();
      auto right = ParseNot();
      if (!right) return nullptr;
      left = Binary(ExprOp::kAnd, std::move(left), std::move(right), op);
    }
    return left;
  }

  std::unique_ptr<ExprNode> ParseNot() {
    if (IsKeyword(Peek(), "not")) {
      const Token& op = Next();
      if (++nesting_ > kMaxExpressionNesting) return Fail(op, "expression is nested too deeply");
      auto child = ParseNot();
      --nesting_;
      if (!child) return nullptr;
      auto n = Make(ExprKind::kUnary, op.begin, child->end);
      n->op = ExprOp::kNot;
      n->children.push_back(std::move(child));
      return Finish(std::move(n), op);
    }
    return ParseIs();
  }

  std::unique_ptr<ExprNode> ParseIs() {
    auto left = ParseCompare();
    while (left && IsKeyword(Peek(), "is")) {
      const Token& is = Next();
      bool negated = false;
      if (IsKeyword(Peek(), "not")) {
        Next();
        negated = true;
      }
      if (!IsKeyword(Peek(), "null"))
        return Fail(Peek(), "expected 'null' after 'is" + std::string(negated ? " not'" : "'"));
      const Token& null_tok = Next();
      auto n = Make(ExprKind::kIsNull, left->begin, null_tok.end);
      n->negated = negated;
      n->children.push_back(std::move(left));
      left = Finish(std::move(n), is);
    }
    return left;
  }

  static ExprOp CompareOp(const Token& t) {
    if (t.kind != Tok::kSymbol) return ExprOp::kNone;
    if (t.text == "=" || t.text == "==") return ExprOp::kEq;
    if (t.text == "!=" || t.text == "<>") return ExprOp::kNe;
    if (t.text == "<") return ExprOp::kLt;
    if (t.text == "<=") return ExprOp::kLe;
    if (t.text == ">") return ExprOp::kGt;
    if (t.text == ">=") return ExprOp::kGe;
    return ExprOp::kNone;
  }

  std::unique_ptr<ExprNode> ParseCompare() {
    auto left = ParseSum();
    if (!left) return nullptr;
    ExprOp op = CompareOp(Peek());
    if (op == ExprOp::kNone) return left;
    const Token& op_tok = Next();
    auto right = ParseSum();
    if (!right) return nullptr;
    if (CompareOp(Peek()) != ExprOp::kNone) {
      return Fail(Peek(), "comparisons cannot be chained; combine them with 'and'");
    }
    return Binary(op, std::move(left), std::move(right), op_tok);
  }

  std::unique_ptr<ExprNode> ParseSum() {
    auto left = ParseProduct();
    while (left && (IsSymbol(Peek(), "+") || IsSymbol(Peek(), "-"))) {
      const Token& op = Next();
      auto right = ParseProduct();
      if (!right) return nullptr;
      left = Binary(op.text == "+" ? ExprOp::kAdd : ExprOp::kSub, std::move(left), std::move(right), op);
    }
    return left;
  }

  std::unique_ptr<ExprNode> ParseProduct() {
    auto left = ParseUnary();
    while (left && (IsSymbol(Peek(), "*") || IsSymbol(Peek(), "/"))) {
      const Token& op = Next();
      auto right = ParseUnary();
      if (!right) return nullptr;
      left = Binary(op.text == "*" ? ExprOp::kMul : ExprOp::kDiv, std::move(left), std::move(right), op);
    }
    return left;
  }

  std::unique_ptr<ExprNode> ParseUnary() {
    if (!IsSymbol(Peek(), "-")) return ParsePrimary();
    const Token& minus = Next();
    // "-123" is one literal, so that the most negative int64 can be written.
    if (Peek().kind == Tok::kInt || Peek().kind == Tok::kDouble) {
      const Token& num = Next();
      return NumberLiteral(num, minus.begin, true);
    }
    if (++nesting_ > kMaxExpressionNesting) return Fail(minus, "expression is nested too deeply");
    auto child = ParseUnary();
    --nesting_;
    if (!child) return nullptr;
    auto n = Make(ExprKind::kUnary, minus.begin, child->end);
    n->op = ExprOp::kNeg;
    n->children.push_back(std::move(child));
    return Finish(std::move(n), minus);
  }

  std::unique_ptr<ExprNode> NumberLiteral(const Token& num, size_t begin, bool negative) {
    auto n = Make(ExprKind::kLiteral, begin, num.end);
    std::string spelled = (negative ? "-" : "") + num.text;
    if (num.kind == Tok::kInt) {
      n->literal.kind = LiteralValue::Kind::kInt;
      if (!ParseInt64(spelled, &n->literal.i)) return Fail(num, "integer " + spelled + " is out of the int64 range");
    } else {
      n->literal.kind = LiteralValue::Kind::kDouble;
      if (!ParseDouble(spelled, &n->literal.d)) return Fail(num, "number " + spelled + " is out of the double range");
    }
    return n;
  }

  // A primary followed by field accesses and subscripts: device.os, items[0].sku, attrs['k'].
  std::unique_ptr<ExprNode> ParsePrimary() {
    auto base = ParseAtom();
    while (base && (IsSymbol(Peek(), ".") || IsSymbol(Peek(), "["))) {
      const Token& op = Next();
      if (op.text == ".") {
        const Token& name = Peek();
        if (name.kind != Tok::kIdent && name.kind != Tok::kQuotedIdent) {
          return Fail(name, "expected a field name after '.', found " + Describe(name));
        }
        Next();
        auto n = Make(ExprKind::kField, base->begin, name.end);
        n->name = name.text;
        n->children.push_back(std::move(base));
        base = Finish(std::move(n), op);
        continue;
      }
      const Token& key = Peek();
      if (key.kind != Tok::kInt && key.kind != Tok::kString) {
        return Fail(key, "expected an integer index or a 'string' key inside [ ], found " + Describe(key));
      }
      Next();
      auto k =
          key.kind == Tok::kInt ? NumberLiteral(key, key.begin, false) : Make(ExprKind::kLiteral, key.begin, key.end);
      if (!k) return nullptr;
      if (key.kind == Tok::kString) {
        k->literal.kind = LiteralValue::Kind::kString;
        k->literal.s = key.text;
      }
      if (!IsSymbol(Peek(), "]")) return Fail(Peek(), "expected ']' after the index, found " + Describe(Peek()));
      auto n = Make(ExprKind::kIndex, base->begin, Next().end);
      n->children.push_back(std::move(base));
      n->children.push_back(std::move(k));
      base = Finish(std::move(n), op);
    }
    return base;
  }

  std::unique_ptr<ExprNode> ParseAtom() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kEnd: return Fail(t, "unexpected end of expression");
      case Tok::kInt:
      case Tok::kDouble: Next(); return NumberLiteral(t, t.begin, false);
      case Tok::kString: {
        Next();
        auto n = Make(ExprKind::kLiteral, t.begin, t.end);
        n->literal.kind = LiteralValue::Kind::kString;
        n->literal.s = t.text;
        return n;
      }
      case Tok::kQuotedIdent: {
        Next();
        auto n = Make(ExprKind::kColumn, t.begin, t.end);
        n->name = t.text;
        return n;
      }
      case Tok::kSymbol:
        if (t.text == "(") {
          Next();
          if (++nesting_ > kMaxExpressionNesting) return Fail(t, "expression is nested too deeply");
          auto inner = ParseOr();
          --nesting_;
          if (!inner) return nullptr;
          if (!IsSymbol(Peek(), ")"))
            return Fail(Peek(), "expected ')' to close the '(' at column " + std::to_string(t.begin + 1) + ", found " +
                                    Describe(Peek()));
          Next();
          return inner;
        }
        return Fail(t, "unexpected " + Describe(t));
      case Tok::kIdent: break;
    }
    std::string word = Lower(t.text);
    Next();
    if (word == "null" || word == "true" || word == "false") {
      auto n = Make(ExprKind::kLiteral, t.begin, t.end);
      n->literal.kind = word == "null" ? LiteralValue::Kind::kNull : LiteralValue::Kind::kBool;
      n->literal.b = word == "true";
      return n;
    }
    if (word == "and" || word == "or" || word == "not" || word == "is" || word == "as") {
      return Fail(t, "unexpected keyword '" + word + "' (quote a column with this name: \"" + t.text + "\")");
    }
    if (!IsSymbol(Peek(), "(")) {
      auto n = Make(ExprKind::kColumn, t.begin, t.end);
      n->name = t.text;
      return n;
    }
    const Token& open = Next();
    if (++nesting_ > kMaxExpressionNesting) return Fail(open, "expression is nested too deeply");
    auto n = word == "cast" ? ParseCastRest(t) : ParseCallRest(t, word);
    --nesting_;
    return n;
  }

  std::unique_ptr<ExprNode> ParseCallRest(const Token& name, const std::string& word) {
    auto n = Make(ExprKind::kCall, name.begin, name.end);
    n->name = word;
    if (!IsSymbol(Peek(), ")")) {
      while (true) {
        auto arg = ParseOr();
        if (!arg) return nullptr;
        n->children.push_back(std::move(arg));
        if (IsSymbol(Peek(), ",")) {
          Next();
          continue;
        }
        break;
      }
    }
    if (!IsSymbol(Peek(), ")"))
      return Fail(Peek(), "expected ',' or ')' in the arguments of " + word + "(), found " + Describe(Peek()));
    n->end = Next().end;
    return Finish(std::move(n), name);
  }

  std::unique_ptr<ExprNode> ParseCastRest(const Token& name) {
    auto value = ParseOr();
    if (!value) return nullptr;
    if (!IsKeyword(Peek(), "as")) return Fail(Peek(), "expected 'as' in cast(x as TYPE), found " + Describe(Peek()));
    Next();
    const Token& type_tok = Peek();
    if (type_tok.kind != Tok::kIdent)
      return Fail(type_tok, "expected a type name after 'as', found " + Describe(type_tok));
    Next();
    std::string type_text = type_tok.text;
    if (IsSymbol(Peek(), "(")) {
      // decimal(p, s): gather the tokens up to ')'.
      while (Peek().kind != Tok::kEnd && !IsSymbol(Peek(), ")")) type_text += Next().text;
      if (!IsSymbol(Peek(), ")")) return Fail(Peek(), "expected ')' after the type's parameters");
      type_text += Next().text;
    }
    auto type = ParseDataType(type_text);
    if (!type) {
      static const std::vector<std::string> kTypes = {"bool",   "int32",  "int64", "float",     "double",
                                                      "string", "binary", "date",  "timestamp", "decimal"};
      return Fail(type_tok, "unknown type '" + type_text + "'" + DidYouMean(type_text, kTypes));
    }
    if (!IsSymbol(Peek(), ")")) return Fail(Peek(), "expected ')' to close cast(, found " + Describe(Peek()));
    auto n = Make(ExprKind::kCast, name.begin, Next().end);
    n->cast_to = *type;
    n->children.push_back(std::move(value));
    return Finish(std::move(n), name);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
  Status error_;
  ExpressionProblem problem_;
};

}  // namespace

Result<std::unique_ptr<ExprNode>> ParseExpression(std::string_view text, ExpressionProblem* problem) {
  Parser parser(text);
  auto result = parser.Parse();
  if (!result.ok() && problem != nullptr) {
    *problem = parser.problem();
    if (problem->message.empty()) *problem = {StatusCode::kInvalidArgument, 0, result.status().message()};
  }
  return result;
}

}  // namespace gaggle
