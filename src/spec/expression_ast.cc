#include "spec/expression_ast.h"

#include "columnar/value_format.h"

namespace gaggle {
namespace {

bool IsPlainIdentifier(const std::string& s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  std::string lower;
  for (char c : s) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  for (const char* kw : {"and", "or", "not", "is", "null", "true", "false", "as", "cast"}) {
    if (lower == kw) return false;
  }
  return true;
}

std::string Quote(const std::string& s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out.push_back(c);
    if (c == q) out.push_back(q);
  }
  out.push_back(q);
  return out;
}

void Render(const ExprNode& n, std::string* out) {
  switch (n.kind) {
    case ExprKind::kColumn: *out += IsPlainIdentifier(n.name) ? n.name : Quote(n.name, '"'); return;
    case ExprKind::kLiteral:
      switch (n.literal.kind) {
        case LiteralValue::Kind::kNull: *out += "null"; return;
        case LiteralValue::Kind::kBool: *out += n.literal.b ? "true" : "false"; return;
        case LiteralValue::Kind::kInt: *out += std::to_string(n.literal.i); return;
        case LiteralValue::Kind::kDouble: {
          std::string d = FormatDouble(n.literal.d);
          // Keep it a double when read back: "1" would be an integer.
          if (d.find_first_of(".en") == std::string::npos) d += ".0";
          *out += d;
          return;
        }
        case LiteralValue::Kind::kString: *out += Quote(n.literal.s, '\''); return;
      }
      return;
    case ExprKind::kUnary:
      // "-(x)": a minus directly before a number would read back as a negative literal.
      *out += n.op == ExprOp::kNeg ? "(-(" : "(not ";
      Render(*n.children[0], out);
      *out += n.op == ExprOp::kNeg ? "))" : ")";
      return;
    case ExprKind::kBinary:
      *out += "(";
      Render(*n.children[0], out);
      *out += " ";
      *out += ExprOpName(n.op);
      *out += " ";
      Render(*n.children[1], out);
      *out += ")";
      return;
    case ExprKind::kIsNull:
      *out += "(";
      Render(*n.children[0], out);
      *out += n.negated ? " is not null)" : " is null)";
      return;
    case ExprKind::kCall:
      *out += n.name + "(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) *out += ", ";
        Render(*n.children[i], out);
      }
      *out += ")";
      return;
    case ExprKind::kField:
      Render(*n.children[0], out);
      *out += "." + (IsPlainIdentifier(n.name) ? n.name : Quote(n.name, '"'));
      return;
    case ExprKind::kIndex:
      Render(*n.children[0], out);
      *out += "[";
      Render(*n.children[1], out);
      *out += "]";
      return;
    case ExprKind::kCast:
      *out += "cast(";
      Render(*n.children[0], out);
      *out += " as " + n.cast_to.ToString() + ")";
      return;
  }
}

}  // namespace

const char* ExprOpName(ExprOp op) {
  switch (op) {
    case ExprOp::kNone: return "?";
    case ExprOp::kAdd: return "+";
    case ExprOp::kSub: return "-";
    case ExprOp::kMul: return "*";
    case ExprOp::kDiv: return "/";
    case ExprOp::kEq: return "=";
    case ExprOp::kNe: return "<>";
    case ExprOp::kLt: return "<";
    case ExprOp::kLe: return "<=";
    case ExprOp::kGt: return ">";
    case ExprOp::kGe: return ">=";
    case ExprOp::kAnd: return "and";
    case ExprOp::kOr: return "or";
    case ExprOp::kNot: return "not";
    case ExprOp::kNeg: return "-";
  }
  return "?";
}

std::string ExprToString(const ExprNode& node) {
  std::string out;
  Render(node, &out);
  return out;
}

}  // namespace gaggle
