// BoundExpr: a type-checked expression, ready to evaluate over batches.
//
// Built by BindExpression (expression_binder.h) from a syntax tree and an input
// schema: every node has its result type, operands of binary operations and
// function arguments already have the operation's common type (implicit casts
// are explicit kCast nodes), and subtrees made only of literals are folded into
// literals. Evaluated by EvaluateBound (expression_evaluator.h).
// Thread-safety: immutable after binding; share freely between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "columnar/column.h"
#include "columnar/data_type.h"

namespace gaggle {

enum class BoundOp {
  kColumn,   // column: input field index
  kLiteral,  // literal: a one-row column (may hold a null)
  kCast,     // args[0] -> type, by the cast rules
  kAdd,
  kSub,
  kMul,
  kDiv,  // args of equal type (kMul on decimals: any scales)
  kNeg,
  kAbs,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,  // args of equal type; result bool
  kAnd,
  kOr,
  kNot,  // bool, three-valued
  kIsNull,
  kIsNotNull,
  kCoalesce,  // args of the result type
  kIf,        // args: bool condition, then, else
  kLower,
  kUpper,
  kTrim,
  kLength,
  kConcat,       // string args; nulls are skipped
  kField,        // args[0] is a struct; `column` is the field index
  kListElement,  // args[0] is a list; `index` is the element (from 0)
  kMapValue,     // args[0] is a map; `literal` is the key (one row of the key type)
};

struct BoundExpr {
  BoundOp op = BoundOp::kLiteral;
  DataType type;
  int column = -1;
  int64_t index = 0;
  std::shared_ptr<const Column> literal;
  std::vector<std::unique_ptr<BoundExpr>> args;
  // The source text of this node ("a + b"), quoted in per-row error reasons.
  std::string text;
  // A null literal whose type the context has not decided yet (binder only).
  bool untyped_null = false;
};

}  // namespace gaggle
