// The syntax tree of one expression, as written (before type checking).
//
// Produced by ParseExpression (expression_parser.h), consumed by the type
// checker (transform/expression_binder.h) and by the spec's canonical rendering. Every
// node remembers the byte range of the text it came from, so errors can point
// at the problem. Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/data_type.h"
#include "common/status.h"

namespace gaggle {

enum class ExprKind {
  kColumn,   // name
  kLiteral,  // literal
  kUnary,    // op (kNeg, kNot), children[0]
  kBinary,   // op, children[0..1]
  kIsNull,   // children[0]; negated for "is not null"
  kCall,     // name (lower-cased function name), children = arguments
  kCast,     // children[0], cast_to
  kField,    // children[0].name: field `name` of a struct value
  kIndex,    // children[0][children[1]]: a list element (integer, from 0) or a map value (key)
};

enum class ExprOp { kNone, kAdd, kSub, kMul, kDiv, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr, kNot, kNeg };

// The operator's spelling in canonical text: "+", "=", "and", ...
const char* ExprOpName(ExprOp op);

struct LiteralValue {
  enum class Kind { kNull, kBool, kInt, kDouble, kString };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

struct ExprNode {
  ExprKind kind = ExprKind::kLiteral;
  ExprOp op = ExprOp::kNone;
  std::string name;
  LiteralValue literal;
  bool negated = false;
  DataType cast_to;
  std::vector<std::unique_ptr<ExprNode>> children;
  // Byte range [begin, end) of this node in the expression text.
  size_t begin = 0;
  size_t end = 0;
  // Height of the subtree (1 for a leaf); the parser caps it at kMaxExpressionDepth.
  int depth = 1;
};

// One problem found in an expression's text, at a byte offset.
struct ExpressionProblem {
  StatusCode code = StatusCode::kTypeError;  // kInvalidArgument: syntax; kSchemaMismatch: unknown column
  size_t offset = 0;                         // byte offset in the expression text
  std::string message;
};

// Canonical text of a tree: keywords lower case, single spaces, every binary and
// unary operation parenthesised, identifiers quoted only when needed. Two texts
// that parse to the same tree render the same.
std::string ExprToString(const ExprNode& node);

}  // namespace gaggle
