// Type checking: turns a syntax tree into a BoundExpr against an input schema.
//
// Rules (docs/expressions-and-casts.md has the full table):
//  - numbers promote int32 < int64 < double; float operands compute in double;
//    decimals mix with integers exactly (+ - * stay decimal(18, s), / is double);
//  - '/' always yields double; division by zero is a per-row error;
//  - comparisons need comparable types; a 'string literal' compared with a date
//    or timestamp is read as one when binding (a bad literal is a type error);
//  - strings join only through concat(); and/or/not take bools (three-valued);
//  - a bare null takes the type its context needs.
// Every problem is reported (not only the first), each with the byte offset of
// the node at fault. Subtrees of literals are folded; a folded subtree that
// always fails (e.g. cast('x' as int64)) is a problem too.
// Thread-safety: pure function.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "spec/expression_ast.h"
#include "transform/bound_expression.h"

namespace gaggle {

// Binds `node` (parsed from `text`) against `schema`. Returns nullptr and appends
// to *problems when anything does not type-check.
std::unique_ptr<BoundExpr> BindExpression(const ExprNode& node, std::string_view text, const Schema& schema,
                                          std::vector<ExpressionProblem>* problems);

}  // namespace gaggle
