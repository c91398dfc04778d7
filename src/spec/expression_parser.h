// Parses the expression language of `derive` and `filter` into a syntax tree.
//
//   expr     := or
//   or       := and ("or" and)*
//   and      := not ("and" not)*
//   not      := "not" not | is
//   is       := compare ("is" ["not"] "null")*
//   compare  := sum [("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") sum]
//   sum      := product (("+" | "-") product)*
//   product  := unary (("*" | "/") unary)*
//   unary    := "-" unary | primary
//   primary  := literal | column | name "(" [expr ("," expr)*] ")"
//             | "cast" "(" expr "as" type ")" | "(" expr ")"
//
// Keywords are case-insensitive; a column whose name is a keyword or not a plain
// identifier is written "quoted" ("" for a quote inside). Strings are 'single
// quoted' ('' for a quote inside). Integer literals are int64, literals with a
// '.' or an exponent are double. See docs/expressions-and-casts.md.
// Bad text is an InvalidArgument naming the column (1-based character offset)
// and the problem; input of any size or nesting never crashes (depth is capped).
// Thread-safety: pure function.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "spec/expression_ast.h"

namespace gaggle {

// Deepest syntax tree accepted; deeper input is an error, not a stack overflow.
constexpr int kMaxExpressionDepth = 128;
// Nesting of parentheses, calls, 'not' and unary '-' the parser recurses into.
// Larger than the tree depth so that the canonical text of any accepted tree
// (which adds parentheses, up to three levels per tree level) parses again.
constexpr int kMaxExpressionNesting = 4 * kMaxExpressionDepth;
// Longest expression text accepted (bytes).
constexpr size_t kMaxExpressionBytes = 64 * 1024;

// InvalidArgument "syntax error at column N: ..." when `text` is not one expression;
// then *problem (if given) gets the offset and "syntax error: ..." as well.
Result<std::unique_ptr<ExprNode>> ParseExpression(std::string_view text, ExpressionProblem* problem = nullptr);

}  // namespace gaggle
