// CompiledExpression: one `derive` or `filter` expression, parsed and
// type-checked against an input schema, ready to evaluate batch after batch.
//
// The public face of the expression engine (parser: expression_parser.h, type
// rules: expression_binder.h, evaluation: expression_evaluator.h; the language
// is described in docs/expressions-and-casts.md).
// Thread-safety: a CompiledExpression is immutable; Evaluate may be called from
// several threads at once. Copies share the compiled tree.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "transform/bound_expression.h"
#include "transform/expression_binder.h"
#include "transform/row_error.h"

namespace gaggle {

class CompiledExpression {
 public:
  // Parses and type-checks `text` against `schema`. On failure the Status lists
  // every problem, one per line ("column 7: unknown column 'amont' (did you mean
  // 'amount'?)"); its code is the first problem's (InvalidArgument for syntax,
  // SchemaMismatch for an unknown column, TypeError otherwise). When `problems`
  // is given, the problems are also appended there.
  static Result<CompiledExpression> Compile(std::string_view text, const Schema& schema,
                                            std::vector<ExpressionProblem>* problems = nullptr);

  const std::string& text() const { return text_; }
  const DataType& type() const { return root_->type; }
  // Indexes of the schema fields the expression reads (ascending, unique).
  const std::vector<int>& columns() const { return columns_; }

  // Evaluates over `rows` rows. inputs[i] is the column of schema field i (fields
  // outside columns() may be null pointers). Rows that cannot be computed are
  // null in the result and listed in *errors (possibly more than once per row).
  Column Evaluate(const std::vector<const Column*>& inputs, size_t rows, std::vector<RowError>* errors) const;

 private:
  CompiledExpression() = default;

  std::string text_;
  std::shared_ptr<const BoundExpr> root_;
  std::vector<int> columns_;
};

// "column 7: message" for one problem.
std::string FormatExpressionProblem(const ExpressionProblem& p);

}  // namespace gaggle
