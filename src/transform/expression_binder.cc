#include "transform/expression_binder.h"

#include <algorithm>
#include <optional>

#include "columnar/value_format.h"
#include "common/suggest.h"
#include "transform/cast.h"
#include "transform/expression_evaluator.h"
#include "transform/nested_access.h"

namespace gaggle {
namespace {

using ExprPtr = std::unique_ptr<BoundExpr>;

const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> kNames = {"coalesce", "if",     "lower", "upper", "trim",
                                                  "concat",   "length", "abs",   "cast"};
  return kNames;
}

bool IsTemporal(const DataType& t) { return t.id == TypeId::kDate || t.id == TypeId::kTimestamp; }

// The type both operands convert to without losing meaning, if any.
std::optional<DataType> CommonType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  if (a.is_numeric() && b.is_numeric()) {
    if (a.is_floating() || b.is_floating()) return DataType::Double();
    if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
      int scale = std::max(a.id == TypeId::kDecimal ? a.scale : 0, b.id == TypeId::kDecimal ? b.scale : 0);
      return DataType::Decimal(18, scale);
    }
    return DataType::Int64();  // int32 with int64
  }
  if (IsTemporal(a) && IsTemporal(b)) {
    // A naive timestamp and an instant do not mix implicitly (a cast says which is meant);
    // a date widens to either.
    if (a.id == TypeId::kTimestamp && b.id == TypeId::kTimestamp) return std::nullopt;
    return a.id == TypeId::kTimestamp ? a : b;
  }
  return std::nullopt;
}

// Implicit conversions the binder may insert: they never change a value's meaning.
bool ImplicitlyConvertible(const DataType& from, const DataType& to) {
  if (from == to) return true;
  switch (to.id) {
    case TypeId::kInt64: return from.id == TypeId::kInt32;
    case TypeId::kDouble: return from.is_numeric();
    case TypeId::kDecimal: return from.is_integer() || from.id == TypeId::kDecimal;
    case TypeId::kTimestamp: return from.id == TypeId::kDate;
    default: return false;
  }
}

bool IsStringLiteral(const BoundExpr& e) {
  return e.op == BoundOp::kLiteral && !e.untyped_null && e.type.id == TypeId::kString && e.literal->IsValid(0);
}

class Binder {
 public:
  Binder(std::string_view text, const Schema& schema, std::vector<ExpressionProblem>* problems)
      : text_(text), schema_(schema), problems_(problems) {}

  ExprPtr Bind(const ExprNode& n) {
    switch (n.kind) {
      case ExprKind::kColumn: return BindColumn(n);
      case ExprKind::kLiteral: return BindLiteral(n);
      case ExprKind::kUnary: return BindUnary(n);
      case ExprKind::kBinary: return BindBinary(n);
      case ExprKind::kIsNull: {
        ExprPtr child = Bind(*n.children[0]);
        if (!child) return nullptr;
        if (child->untyped_null) child = NullLiteral(DataType::Bool(), child->text);
        return Node(n.negated ? BoundOp::kIsNotNull : BoundOp::kIsNull, DataType::Bool(), n, Args(std::move(child)));
      }
      case ExprKind::kCall: return BindCall(n);
      case ExprKind::kField:
      case ExprKind::kIndex: return BindAccess(n);
      case ExprKind::kCast: {
        ExprPtr child = Bind(*n.children[0]);
        if (!child) return nullptr;
        if (child->untyped_null) return NullLiteral(n.cast_to, Text(n));
        Status st = CheckCast(child->type, n.cast_to);
        if (!st.ok()) return Problem(n, StatusCode::kTypeError, st.message());
        if (child->type == n.cast_to) return child;
        return Node(BoundOp::kCast, n.cast_to, n, Args(std::move(child)));
      }
    }
    return Problem(n, StatusCode::kInternal, "unknown expression node");
  }

 private:
  std::string Text(const ExprNode& n) const {
    size_t end = std::min(n.end, text_.size());
    size_t begin = std::min(n.begin, end);
    return std::string(text_.substr(begin, end - begin));
  }

  ExprPtr Problem(const ExprNode& at, StatusCode code, std::string message) {
    problems_->push_back({code, at.begin, std::move(message)});
    return nullptr;
  }

  static std::vector<ExprPtr> Args(ExprPtr a, ExprPtr b = nullptr, ExprPtr c = nullptr) {
    std::vector<ExprPtr> v;
    v.push_back(std::move(a));
    if (b) v.push_back(std::move(b));
    if (c) v.push_back(std::move(c));
    return v;
  }

  // A new node; folded into a literal when all its arguments are literals.
  ExprPtr Node(BoundOp op, const DataType& type, const ExprNode& at, std::vector<ExprPtr> args) {
    // Nested values pass through a transform untouched; the operators do not take them yet.
    const bool takes_nested = op == BoundOp::kIsNull || op == BoundOp::kIsNotNull || op == BoundOp::kField ||
                              op == BoundOp::kListElement || op == BoundOp::kMapValue ||
                              (op == BoundOp::kCast && type.id == TypeId::kString);
    for (const auto& a : args) {
      if (a->type.is_nested() && !takes_nested) {
        return Problem(at, StatusCode::kUnsupported,
                       "'" + a->text + "' is " + a->type.ToString() +
                           ": operators do not take nested values (take a field x.f, an element x[0] or a map "
                           "value x['k'], test IS NULL or cast to string)");
      }
    }
    auto e = std::make_unique<BoundExpr>();
    e->op = op;
    e->type = type;
    e->text = Text(at);
    e->args = std::move(args);
    bool constant = !e->args.empty();
    for (const auto& a : e->args) constant = constant && a->op == BoundOp::kLiteral;
    if (!constant) return e;
    std::vector<RowError> errors;
    auto value = std::make_shared<Column>(EvaluateBound(*e, {}, 1, &errors));
    if (!errors.empty()) return Problem(at, StatusCode::kTypeError, "always fails: " + errors[0].reason);
    auto lit = std::make_unique<BoundExpr>();
    lit->op = BoundOp::kLiteral;
    lit->type = type;
    lit->text = e->text;
    lit->literal = std::move(value);
    return lit;
  }

  ExprPtr Literal(const DataType& type, std::string text, Column value) {
    auto e = std::make_unique<BoundExpr>();
    e->op = BoundOp::kLiteral;
    e->type = type;
    e->text = std::move(text);
    e->literal = std::make_shared<Column>(std::move(value));
    return e;
  }

  ExprPtr NullLiteral(const DataType& type, std::string text) {
    Column c(type);
    c.AppendNull();
    return Literal(type, std::move(text), std::move(c));
  }

  ExprPtr BindColumn(const ExprNode& n) {
    int index = schema_.FindField(n.name);
    if (index < 0) {
      std::vector<std::string> names;
      for (const Field& f : schema_.fields()) names.push_back(f.name);
      std::string hint = DidYouMean(n.name, names);
      if (hint.empty() && std::find(FunctionNames().begin(), FunctionNames().end(), n.name) != FunctionNames().end()) {
        hint = " (" + n.name + " is a function: write " + n.name + "(...))";
      }
      return Problem(n, StatusCode::kSchemaMismatch, "unknown column '" + n.name + "'" + hint);
    }
    auto e = std::make_unique<BoundExpr>();
    e->op = BoundOp::kColumn;
    e->column = index;
    e->type = schema_.field(static_cast<size_t>(index)).type;
    e->text = Text(n);
    return e;
  }

  // "a.b.c" written without quotes, when the whole dotted name is a top-level column (Avro's
  // flattened "addr.city"): that column, as in nested_edit.h.
  static bool DottedName(const ExprNode& n, std::string* out) {
    if (n.kind == ExprKind::kColumn) {
      *out = n.name;
      return true;
    }
    if (n.kind != ExprKind::kField || !DottedName(*n.children[0], out)) return false;
    *out += "." + n.name;
    return true;
  }

  // base.field, base[index], base['key'] (nested_access.h).
  ExprPtr BindAccess(const ExprNode& n) {
    std::string dotted;
    if (n.kind == ExprKind::kField && DottedName(n, &dotted) && schema_.FindField(dotted) >= 0) {
      ExprNode column;
      column.kind = ExprKind::kColumn;
      column.name = dotted;
      column.begin = n.begin;
      column.end = n.end;
      return BindColumn(column);
    }
    ExprPtr base = Bind(*n.children[0]);
    if (!base) return nullptr;
    if (base->untyped_null) return Problem(n, StatusCode::kTypeError, "cannot take a field or element of null");
    auto e = std::make_unique<BoundExpr>();
    Status st;
    if (n.kind == ExprKind::kField) {
      e->op = BoundOp::kField;
      st = BindFieldAccess(base->type, n.name, &e->column, &e->type);
    } else {
      std::shared_ptr<const Column> key;
      st = BindSubscript(base->type, n.children[1]->literal, &e->index, &key, &e->type);
      e->op = key ? BoundOp::kMapValue : BoundOp::kListElement;
      e->literal = std::move(key);
    }
    if (!st.ok()) return Problem(n, st.code(), "'" + Text(n) + "': " + st.message());
    ExprPtr out = Node(e->op, e->type, n, Args(std::move(base)));  // never folded: no nested literal
    if (out && out->op == e->op) {
      out->column = e->column;
      out->index = e->index;
      out->literal = std::move(e->literal);
    }
    return out;
  }

  ExprPtr BindLiteral(const ExprNode& n) {
    const LiteralValue& v = n.literal;
    switch (v.kind) {
      case LiteralValue::Kind::kNull: {
        ExprPtr e = NullLiteral(DataType::Bool(), Text(n));
        e->untyped_null = true;
        return e;
      }
      case LiteralValue::Kind::kBool: {
        Column c(DataType::Bool());
        c.Append<uint8_t>(v.b ? 1 : 0);
        return Literal(DataType::Bool(), Text(n), std::move(c));
      }
      case LiteralValue::Kind::kInt: {
        Column c(DataType::Int64());
        c.Append<int64_t>(v.i);
        return Literal(DataType::Int64(), Text(n), std::move(c));
      }
      case LiteralValue::Kind::kDouble: {
        Column c(DataType::Double());
        c.Append<double>(v.d);
        return Literal(DataType::Double(), Text(n), std::move(c));
      }
      case LiteralValue::Kind::kString: {
        Column c(DataType::String());
        c.AppendString(v.s);
        return Literal(DataType::String(), Text(n), std::move(c));
      }
    }
    return Problem(n, StatusCode::kInternal, "unknown literal");
  }

  // Converts `e` to `to`: untyped nulls take the type, string literals are read as
  // dates/timestamps, widening casts are inserted. Reports a problem otherwise.
  ExprPtr Coerce(ExprPtr e, const DataType& to, const ExprNode& at) {
    if (e->untyped_null) return NullLiteral(to, e->text);
    if (e->type == to) return e;
    if (IsTemporal(to) && IsStringLiteral(*e)) {
      std::string_view s = e->literal->GetString(0);
      bool ok;
      Column c(to);
      if (to.id == TypeId::kDate) {
        int32_t d = 0;
        ok = ParseDate(s, &d);
        c.Append<int32_t>(d);
      } else {
        int64_t us = 0;
        ok = ParseTimestamp(s, &us);
        c.Append<int64_t>(us);
      }
      if (!ok) return Problem(at, StatusCode::kTypeError, "cannot read " + e->text + " as a " + to.ToString());
      return Literal(to, e->text, std::move(c));
    }
    if (!ImplicitlyConvertible(e->type, to)) {
      return Problem(at, StatusCode::kTypeError,
                     "cannot use " + e->type.ToString() + " '" + e->text + "' as " + to.ToString());
    }
    std::string text = e->text;
    std::vector<ExprPtr> one;
    one.push_back(std::move(e));
    return NodeWithText(BoundOp::kCast, to, at, std::move(one), text);
  }

  ExprPtr NodeWithText(BoundOp op, const DataType& type, const ExprNode& at, std::vector<ExprPtr> args,
                       const std::string& text) {
    ExprPtr e = Node(op, type, at, std::move(args));
    if (e) e->text = text;
    return e;
  }

  // The common type of several operands (nullopt + problem when there is none).
  // Untyped nulls adapt; string literals adapt to a temporal type of the others.
  std::optional<DataType> Unify(const std::vector<ExprPtr>& args, const ExprNode& at, const std::string& what) {
    std::optional<DataType> common;
    bool saw_string_literal = false;
    for (const auto& a : args) {
      if (a->untyped_null) continue;
      if (IsStringLiteral(*a)) {
        saw_string_literal = true;
        continue;
      }
      if (!common) {
        common = a->type;
        continue;
      }
      auto c = CommonType(*common, a->type);
      if (!c) {
        Problem(at, StatusCode::kTypeError,
                what + " " + common->ToString() + " with " + a->type.ToString() + Hint(*common, a->type));
        return std::nullopt;
      }
      common = c;
    }
    if (saw_string_literal) {
      if (!common) return DataType::String();
      if (!IsTemporal(*common) && common->id != TypeId::kString) {
        Problem(at, StatusCode::kTypeError,
                what + " " + common->ToString() + " with string" + Hint(*common, DataType::String()));
        return std::nullopt;
      }
    }
    return common;  // nullopt without a problem: every operand is null
  }

  static std::string Hint(const DataType& a, const DataType& b) {
    if (a.id == TypeId::kString || b.id == TypeId::kString) {
      const DataType& other = a.id == TypeId::kString ? b : a;
      if (other.id != TypeId::kString) return " (convert with cast(x as " + other.ToString() + "))";
    }
    return "";
  }

  ExprPtr BindUnary(const ExprNode& n) {
    ExprPtr child = Bind(*n.children[0]);
    if (!child) return nullptr;
    if (n.op == ExprOp::kNot) {
      if (child->untyped_null) child = NullLiteral(DataType::Bool(), child->text);
      if (child->type.id != TypeId::kBool) {
        return Problem(n, StatusCode::kTypeError, "'not' needs a bool operand, got " + child->type.ToString());
      }
      return Node(BoundOp::kNot, DataType::Bool(), n, Args(std::move(child)));
    }
    if (child->untyped_null) child = NullLiteral(DataType::Int64(), child->text);
    if (!child->type.is_numeric()) {
      return Problem(n, StatusCode::kTypeError, "cannot negate " + child->type.ToString());
    }
    DataType t = child->type;
    return Node(BoundOp::kNeg, t, n, Args(std::move(child)));
  }

  ExprPtr BindBinary(const ExprNode& n) {
    ExprPtr l = Bind(*n.children[0]);
    ExprPtr r = Bind(*n.children[1]);
    if (!l || !r) return nullptr;
    switch (n.op) {
      case ExprOp::kAnd:
      case ExprOp::kOr: {
        for (ExprPtr* side : {&l, &r}) {
          if ((*side)->untyped_null) *side = NullLiteral(DataType::Bool(), (*side)->text);
          if ((*side)->type.id != TypeId::kBool) {
            return Problem(n, StatusCode::kTypeError,
                           std::string("'") + ExprOpName(n.op) + "' needs bool operands, got " +
                               (*side)->type.ToString() + " '" + (*side)->text + "'");
          }
        }
        return Node(n.op == ExprOp::kAnd ? BoundOp::kAnd : BoundOp::kOr, DataType::Bool(), n,
                    Args(std::move(l), std::move(r)));
      }
      case ExprOp::kAdd:
      case ExprOp::kSub:
      case ExprOp::kMul:
      case ExprOp::kDiv: return BindArithmetic(n, std::move(l), std::move(r));
      default: return BindCompare(n, std::move(l), std::move(r));
    }
  }

  ExprPtr BindArithmetic(const ExprNode& n, ExprPtr l, ExprPtr r) {
    for (const ExprPtr* side : {&l, &r}) {
      const BoundExpr& s = **side;
      if (!s.untyped_null && !s.type.is_numeric()) {
        std::string hint;
        if (s.type.id == TypeId::kString && n.op == ExprOp::kAdd) hint = " (join strings with concat(a, b))";
        if (s.type.id == TypeId::kString && n.op != ExprOp::kAdd) hint = " (convert with cast(x as double))";
        return Problem(n, StatusCode::kTypeError,
                       std::string("cannot apply '") + ExprOpName(n.op) + "' to " + s.type.ToString() + " '" + s.text +
                           "'" + hint);
      }
    }
    std::vector<ExprPtr> both;
    both.push_back(std::move(l));
    both.push_back(std::move(r));
    auto common = Unify(both, n, std::string("'") + ExprOpName(n.op) + "' cannot combine");
    DataType t = common.value_or(DataType::Int64());
    BoundOp op = n.op == ExprOp::kAdd   ? BoundOp::kAdd
                 : n.op == ExprOp::kSub ? BoundOp::kSub
                 : n.op == ExprOp::kMul ? BoundOp::kMul
                                        : BoundOp::kDiv;
    DataType result = t;
    if (op == BoundOp::kDiv || t.is_floating()) {
      result = DataType::Double();
    } else if (t.id == TypeId::kDecimal) {
      if (op == BoundOp::kMul) {
        // Each side keeps its scale; the product's scale is their sum.
        int scale = 0;
        for (auto& side : both) {
          if (side->untyped_null || side->type.is_integer()) {
            side = Coerce(std::move(side), DataType::Decimal(18, 0), n);
            if (!side) return nullptr;
          }
          scale += side->type.scale;
        }
        if (scale > 18) {
          return Problem(
              n, StatusCode::kTypeError,
              "the product's scale " + std::to_string(scale) + " is larger than 18 (cast an operand to double)");
        }
        return Node(op, DataType::Decimal(18, scale), n, std::move(both));
      }
      result = DataType::Decimal(18, t.scale);
    }
    for (auto& side : both) {
      side = Coerce(std::move(side), result, n);
      if (!side) return nullptr;
    }
    return Node(op, result, n, std::move(both));
  }

  ExprPtr BindCompare(const ExprNode& n, ExprPtr l, ExprPtr r) {
    std::vector<ExprPtr> both;
    both.push_back(std::move(l));
    both.push_back(std::move(r));
    size_t before = problems_->size();
    auto common = Unify(both, n, "cannot compare");
    if (!common && problems_->size() > before) return nullptr;
    DataType t = common.value_or(DataType::Bool());
    if (t.id == TypeId::kDecimal) {
      // Decimals compare exactly at a common scale: in 128 bits when a side is wider than 18 digits.
      bool wide = false;
      for (const auto& side : both) wide |= side->type.is_wide_decimal();
      t = DataType::Decimal(wide ? kMaxDecimalPrecision : kMaxDecimal64Precision, t.scale);
    }
    for (auto& side : both) {
      if (side->type.id == TypeId::kDecimal && t.id == TypeId::kDecimal && side->type.scale == t.scale &&
          side->type.is_wide_decimal() == t.is_wide_decimal()) {
        continue;  // same scale and storage: compare unscaled values directly
      }
      side = Coerce(std::move(side), t, n);
      if (!side) return nullptr;
    }
    static const BoundOp kOps[] = {BoundOp::kEq, BoundOp::kNe, BoundOp::kLt, BoundOp::kLe, BoundOp::kGt, BoundOp::kGe};
    int idx = static_cast<int>(n.op) - static_cast<int>(ExprOp::kEq);
    return Node(kOps[idx], DataType::Bool(), n, std::move(both));
  }

  ExprPtr BindCall(const ExprNode& n) {
    const std::string& f = n.name;
    bool known = std::find(FunctionNames().begin(), FunctionNames().end(), f) != FunctionNames().end();
    if (!known)
      return Problem(n, StatusCode::kTypeError, "unknown function '" + f + "'" + DidYouMean(f, FunctionNames()));
    std::vector<ExprPtr> args;
    bool failed = false;
    for (const auto& c : n.children) {
      args.push_back(Bind(*c));
      failed = failed || !args.back();
    }
    if (failed) return nullptr;
    if (f == "coalesce") return BindCoalesce(n, std::move(args));
    if (f == "if") return BindIf(n, std::move(args));
    if (f == "concat") return BindConcat(n, std::move(args));
    if (!CheckArity(n, 1, 1)) return nullptr;
    return BindUnaryFunction(n, std::move(args[0]));
  }

  // True when call n has lo..hi arguments; else reports how many it takes.
  bool CheckArity(const ExprNode& n, size_t lo, size_t hi) {
    size_t k = n.children.size();
    if (k >= lo && k <= hi) return true;
    std::string want = lo == hi         ? std::to_string(lo)
                       : hi == SIZE_MAX ? "at least " + std::to_string(lo)
                                        : std::to_string(lo) + " to " + std::to_string(hi);
    Problem(n, StatusCode::kTypeError,
            n.name + "() takes " + want + " argument" + (lo == 1 && hi == 1 ? "" : "s") + ", got " + std::to_string(k));
    return false;
  }

  // coalesce(a, ...): the arguments' common type; all-null arguments make an untyped null.
  ExprPtr BindCoalesce(const ExprNode& n, std::vector<ExprPtr> args) {
    if (!CheckArity(n, 1, SIZE_MAX)) return nullptr;
    size_t before = problems_->size();
    auto common = Unify(args, n, "coalesce() cannot mix");
    if (!common) {
      if (problems_->size() > before) return nullptr;
      ExprPtr e = NullLiteral(DataType::Bool(), Text(n));
      e->untyped_null = true;
      return e;
    }
    for (auto& a : args) {
      a = Coerce(std::move(a), *common, n);
      if (!a) return nullptr;
    }
    return Node(BoundOp::kCoalesce, *common, n, std::move(args));
  }

  // if(condition, then, else): a bool condition; the branches' common type.
  ExprPtr BindIf(const ExprNode& n, std::vector<ExprPtr> args) {
    if (!CheckArity(n, 3, 3)) return nullptr;
    if (args[0]->untyped_null) args[0] = NullLiteral(DataType::Bool(), args[0]->text);
    if (args[0]->type.id != TypeId::kBool) {
      return Problem(*n.children[0], StatusCode::kTypeError,
                     "the condition of if() must be bool, got " + args[0]->type.ToString());
    }
    std::vector<ExprPtr> branches;
    branches.push_back(std::move(args[1]));
    branches.push_back(std::move(args[2]));
    size_t before = problems_->size();
    auto common = Unify(branches, n, "if() cannot mix");
    if (!common && problems_->size() > before) return nullptr;
    if (!common) {
      ExprPtr e = NullLiteral(DataType::Bool(), Text(n));
      e->untyped_null = true;
      return e;
    }
    for (auto& b : branches) {
      b = Coerce(std::move(b), *common, n);
      if (!b) return nullptr;
    }
    return Node(BoundOp::kIf, *common, n, Args(std::move(args[0]), std::move(branches[0]), std::move(branches[1])));
  }

  // concat(a, ...): every argument cast to string.
  ExprPtr BindConcat(const ExprNode& n, std::vector<ExprPtr> args) {
    if (!CheckArity(n, 1, SIZE_MAX)) return nullptr;
    for (auto& a : args) {
      if (a->untyped_null) {
        a = NullLiteral(DataType::String(), a->text);
      } else if (a->type.id != TypeId::kString) {
        std::string text = a->text;
        std::vector<ExprPtr> one;
        one.push_back(std::move(a));
        a = NodeWithText(BoundOp::kCast, DataType::String(), n, std::move(one), text);
        if (!a) return nullptr;
      }
    }
    return Node(BoundOp::kConcat, DataType::String(), n, std::move(args));
  }

  // abs(number), length(string or binary), lower/upper/trim(string).
  ExprPtr BindUnaryFunction(const ExprNode& n, ExprPtr a) {
    const std::string& f = n.name;
    if (f == "abs") {
      if (a->untyped_null) a = NullLiteral(DataType::Int64(), a->text);
      if (!a->type.is_numeric())
        return Problem(n, StatusCode::kTypeError, "abs() needs a number, got " + a->type.ToString());
      DataType t = a->type;
      return Node(BoundOp::kAbs, t, n, Args(std::move(a)));
    }
    if (f == "length") {
      if (a->untyped_null) a = NullLiteral(DataType::String(), a->text);
      if (a->type.id != TypeId::kString && a->type.id != TypeId::kBinary) {
        return Problem(n, StatusCode::kTypeError, "length() needs a string or binary, got " + a->type.ToString());
      }
      return Node(BoundOp::kLength, DataType::Int64(), n, Args(std::move(a)));
    }
    // lower, upper, trim
    if (a->untyped_null) a = NullLiteral(DataType::String(), a->text);
    if (a->type.id != TypeId::kString) {
      return Problem(n, StatusCode::kTypeError,
                     f + "() needs a string, got " + a->type.ToString() + " (convert with cast(x as string))");
    }
    BoundOp op = f == "lower" ? BoundOp::kLower : f == "upper" ? BoundOp::kUpper : BoundOp::kTrim;
    return Node(op, DataType::String(), n, Args(std::move(a)));
  }

  std::string_view text_;
  const Schema& schema_;
  std::vector<ExpressionProblem>* problems_;
};

}  // namespace

std::unique_ptr<BoundExpr> BindExpression(const ExprNode& node, std::string_view text, const Schema& schema,
                                          std::vector<ExpressionProblem>* problems) {
  size_t before = problems->size();
  Binder binder(text, schema, problems);
  auto e = binder.Bind(node);
  if (problems->size() > before) return nullptr;
  return e;
}

}  // namespace gaggle
