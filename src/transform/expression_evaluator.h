// Vectorized evaluation of a bound expression over one batch.
//
// Each node computes a whole column from its arguments' columns (tight loops
// over contiguous values, no per-value tree walk); literals are broadcast
// without being materialized. Errors are per row, never per batch: integer or
// decimal overflow in + - * and abs/negation, division by zero, failed casts.
// Such a row is null in the result and listed in *errors (a row may be listed
// more than once). Errors in a branch that does not decide a row's value are
// ignored: the unchosen branch of if(), coalesce() arguments after the first
// non-null one, the right side of 'and' when the left is false and of 'or'
// when the left is true.
// Thread-safety: reentrant; concurrent evaluations of one BoundExpr are safe.
#pragma once

#include <vector>

#include "columnar/column.h"
#include "transform/bound_expression.h"
#include "transform/row_error.h"

namespace gaggle {

// Evaluates `expr` over `rows` rows. inputs[i] is the column of input field i;
// only fields the expression reads need be non-null, each with `rows` rows.
// Returns a column of expr.type with `rows` rows.
Column EvaluateBound(const BoundExpr& expr, const std::vector<const Column*>& inputs, size_t rows,
                     std::vector<RowError>* errors);

}  // namespace gaggle
