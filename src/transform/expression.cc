#include "transform/expression.h"

#include <algorithm>

#include "spec/expression_parser.h"
#include "transform/expression_evaluator.h"

namespace gaggle {
namespace {

void CollectColumns(const BoundExpr& e, std::vector<int>* out) {
  if (e.op == BoundOp::kColumn) out->push_back(e.column);
  for (const auto& a : e.args) CollectColumns(*a, out);
}

}  // namespace

std::string FormatExpressionProblem(const ExpressionProblem& p) {
  return "column " + std::to_string(p.offset + 1) + ": " + p.message;
}

Result<CompiledExpression> CompiledExpression::Compile(std::string_view text, const Schema& schema,
                                                       std::vector<ExpressionProblem>* problems) {
  std::vector<ExpressionProblem> found;
  ExpressionProblem syntax;
  auto parsed = ParseExpression(text, &syntax);
  std::unique_ptr<BoundExpr> root;
  if (!parsed.ok()) {
    found.push_back(syntax);
  } else {
    root = BindExpression(**parsed, text, schema, &found);
    if (root && root->untyped_null) {
      found.push_back({StatusCode::kTypeError, 0, "the type of null is unknown here; write cast(null as TYPE)"});
    }
  }
  if (!found.empty()) {
    std::string message;
    for (const auto& p : found) {
      if (!message.empty()) message += "\n";
      message += FormatExpressionProblem(p);
    }
    StatusCode code = found[0].code;
    if (problems) problems->insert(problems->end(), found.begin(), found.end());
    return Status(code, message);
  }
  CompiledExpression c;
  c.text_ = std::string(text);
  CollectColumns(*root, &c.columns_);
  std::sort(c.columns_.begin(), c.columns_.end());
  c.columns_.erase(std::unique(c.columns_.begin(), c.columns_.end()), c.columns_.end());
  c.root_ = std::move(root);
  return c;
}

Column CompiledExpression::Evaluate(const std::vector<const Column*>& inputs, size_t rows,
                                    std::vector<RowError>* errors) const {
  return EvaluateBound(*root_, inputs, rows, errors);
}

}  // namespace gaggle
