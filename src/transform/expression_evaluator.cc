#include "transform/expression_evaluator.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "transform/cast.h"
#include "transform/nested_access.h"

namespace gaggle {
namespace {

constexpr int64_t kMaxDecimal18 = 999999999999999999LL;  // 18 nines

// An evaluated node: a column of `rows` rows, or a literal broadcast to every row.
struct Datum {
  const Column* col = nullptr;
  std::shared_ptr<Column> hold;  // set when the datum owns its column
  bool scalar = false;

  size_t at(size_t i) const { return scalar ? 0 : i; }
  bool IsNull(size_t i) const { return col->IsNull(at(i)); }
  bool has_nulls() const { return col->may_have_nulls(); }
};

Datum Own(Column c) {
  Datum d;
  d.hold = std::make_shared<Column>(std::move(c));
  d.col = d.hold.get();
  return d;
}

Datum NullScalar(const DataType& type) {
  Column c(type);
  c.AppendNull();
  Datum d = Own(std::move(c));
  d.scalar = true;
  return d;
}

// Calls f(stride_a, stride_b) with compile-time strides (0 for a broadcast literal),
// so the common column-with-column and column-with-literal loops vectorize.
template <typename F>
auto WithStrides(bool scalar_a, bool scalar_b, F&& f) {
  using One = std::integral_constant<size_t, 1>;
  using Zero = std::integral_constant<size_t, 0>;
  if (!scalar_a && !scalar_b) return f(One{}, One{});
  if (!scalar_a) return f(One{}, Zero{});
  if (!scalar_b) return f(Zero{}, One{});
  return f(Zero{}, Zero{});
}

void MergeNulls(const Datum& a, const Datum& b, size_t n, Column* out) {
  if (!a.has_nulls() && !b.has_nulls()) return;
  for (size_t i = 0; i < n; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) out->SetNull(i);
  }
}

const uint8_t* RawBytes(const Column& c) {
  switch (c.type().byte_width()) {
    case 1: return c.data<uint8_t>();
    case 4: return reinterpret_cast<const uint8_t*>(c.data<int32_t>());
    case 16: return reinterpret_cast<const uint8_t*>(c.data<Int128>());
    default: return reinterpret_cast<const uint8_t*>(c.data<int64_t>());
  }
}

uint8_t* MutableRawBytes(Column* c) {
  switch (c->type().byte_width()) {
    case 1: return c->mutable_data<uint8_t>();
    case 4: return reinterpret_cast<uint8_t*>(c->mutable_data<int32_t>());
    case 16: return reinterpret_cast<uint8_t*>(c->mutable_data<Int128>());
    default: return reinterpret_cast<uint8_t*>(c->mutable_data<int64_t>());
  }
}

// Row i of the result comes from src[choice[i]] (null when choice[i] < 0).
Column Choose(const DataType& type, const std::vector<Datum>& src, const std::vector<int32_t>& choice, size_t n) {
  Column out(type);
  if (type.is_variable_width()) {
    for (size_t i = 0; i < n; ++i) {
      int32_t k = choice[i];
      if (k < 0 || src[static_cast<size_t>(k)].IsNull(i)) {
        out.AppendNull();
      } else {
        const Datum& d = src[static_cast<size_t>(k)];
        out.AppendString(d.col->GetString(d.at(i)));
      }
    }
    return out;
  }
  out.Resize(n);
  const size_t w = static_cast<size_t>(type.byte_width());
  uint8_t* dst = MutableRawBytes(&out);
  for (size_t i = 0; i < n; ++i) {
    int32_t k = choice[i];
    if (k < 0 || src[static_cast<size_t>(k)].IsNull(i)) {
      out.SetNull(i);
      continue;
    }
    const Datum& d = src[static_cast<size_t>(k)];
    std::memcpy(dst + i * w, RawBytes(*d.col) + d.at(i) * w, w);
  }
  return out;
}

Column Broadcast(const Datum& d, size_t n) {
  if (!d.scalar) return *d.col;
  std::vector<int32_t> zero(n, 0);
  Datum s = d;
  return Choose(d.col->type(), {s}, zero, n);
}

template <typename T>
struct AddChecked {
  bool operator()(T x, T y, T* r) const { return !__builtin_add_overflow(x, y, r); }
};
template <typename T>
struct SubChecked {
  bool operator()(T x, T y, T* r) const { return !__builtin_sub_overflow(x, y, r); }
};
template <typename T>
struct MulChecked {
  bool operator()(T x, T y, T* r) const { return !__builtin_mul_overflow(x, y, r); }
};
// Decimal results must also stay within 18 digits.
template <typename Op>
struct Within18 {
  bool operator()(int64_t x, int64_t y, int64_t* r) const {
    return Op()(x, y, r) && *r <= kMaxDecimal18 && *r >= -kMaxDecimal18;
  }
};
struct DivChecked {
  bool operator()(double x, double y, double* r) const {
    *r = y == 0 ? 0 : x / y;
    return y != 0;
  }
};

class Evaluator {
 public:
  Evaluator(const std::vector<const Column*>& inputs, size_t n) : inputs_(inputs), n_(n) {}

  Datum Eval(const BoundExpr& e, std::vector<RowError>* errors) {
    switch (e.op) {
      case BoundOp::kColumn: {
        Datum d;
        d.col = inputs_[static_cast<size_t>(e.column)];
        return d;
      }
      case BoundOp::kLiteral: {
        Datum d;
        d.col = e.literal.get();
        d.scalar = true;
        return d;
      }
      case BoundOp::kCast: return EvalCast(e, errors);
      case BoundOp::kAdd:
      case BoundOp::kSub:
      case BoundOp::kMul:
      case BoundOp::kDiv: return EvalArithmetic(e, errors);
      case BoundOp::kNeg:
      case BoundOp::kAbs: return EvalNegAbs(e, errors);
      case BoundOp::kEq:
      case BoundOp::kNe:
      case BoundOp::kLt:
      case BoundOp::kLe:
      case BoundOp::kGt:
      case BoundOp::kGe: return EvalCompare(e, errors);
      case BoundOp::kAnd:
      case BoundOp::kOr: return EvalAndOr(e, errors);
      case BoundOp::kNot: return EvalNot(e, errors);
      case BoundOp::kIsNull:
      case BoundOp::kIsNotNull: return EvalIsNull(e, errors);
      case BoundOp::kCoalesce: return EvalCoalesce(e, errors);
      case BoundOp::kIf: return EvalIf(e, errors);
      case BoundOp::kLower:
      case BoundOp::kUpper:
      case BoundOp::kTrim:
      case BoundOp::kLength:
      case BoundOp::kConcat: return EvalString(e, errors);
      case BoundOp::kField:
      case BoundOp::kListElement:
      case BoundOp::kMapValue: return EvalAccess(e, errors);
    }
    return NullScalar(e.type);
  }

 private:
  // Errors of `arg` only count on rows where keep(row) is true.
  template <typename Keep>
  Datum EvalMasked(const BoundExpr& arg, std::vector<RowError>* errors, Keep keep) {
    std::vector<RowError> local;
    Datum d = Eval(arg, &local);
    for (RowError& r : local) {
      if (keep(r.row)) errors->push_back(std::move(r));
    }
    return d;
  }

  Datum EvalCast(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum in = Eval(*e.args[0], errors);
    std::vector<RowError> local;
    Result<Column> out = CastColumn(*in.col, e.type, &local);
    if (!out.ok()) {
      for (size_t i = 0; i < n_; ++i) errors->push_back({i, out.status().message() + " in '" + e.text + "'"});
      return NullScalar(e.type);
    }
    for (RowError& r : local) {
      if (in.scalar) {
        // A literal that does not convert fails every row (the binder folds these, so this is a safety net).
        for (size_t i = 0; i < n_; ++i) errors->push_back({i, r.reason + " in '" + e.text + "'"});
      } else {
        errors->push_back({r.row, r.reason + " in '" + e.text + "'"});
      }
    }
    Datum d = Own(std::move(out).value());
    d.scalar = in.scalar;
    return d;
  }

  template <typename T, typename Op>
  Datum Arith(const BoundExpr& e, const Datum& a, const Datum& b, Op op, const char* what,
              std::vector<RowError>* errors) {
    const size_t n = n_;
    Column out(e.type);
    out.Resize(n);
    T* po = out.mutable_data<T>();
    const T* pa = a.col->data<T>();
    const T* pb = b.col->data<T>();
    bool ok = WithStrides(a.scalar, b.scalar, [&](auto sa, auto sb) {
      bool all = true;
      for (size_t i = 0; i < n; ++i) all &= op(pa[i * sa], pb[i * sb], &po[i]);
      return all;
    });
    MergeNulls(a, b, n, &out);
    if (!ok) {
      for (size_t i = 0; i < n; ++i) {
        T r;
        if (a.IsNull(i) || b.IsNull(i) || op(pa[a.at(i)], pb[b.at(i)], &r)) continue;
        errors->push_back({i, std::string(what) + " in '" + e.text + "'"});
        po[i] = T{};
        out.SetNull(i);
      }
    }
    return Own(std::move(out));
  }

  Datum EvalArithmetic(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    Datum b = Eval(*e.args[1], errors);
    const BoundOp op = e.op;
    switch (e.type.id) {
      case TypeId::kInt32:
        if (op == BoundOp::kAdd) return Arith<int32_t>(e, a, b, AddChecked<int32_t>(), "integer overflow", errors);
        if (op == BoundOp::kSub) return Arith<int32_t>(e, a, b, SubChecked<int32_t>(), "integer overflow", errors);
        return Arith<int32_t>(e, a, b, MulChecked<int32_t>(), "integer overflow", errors);
      case TypeId::kInt64:
        if (op == BoundOp::kAdd) return Arith<int64_t>(e, a, b, AddChecked<int64_t>(), "integer overflow", errors);
        if (op == BoundOp::kSub) return Arith<int64_t>(e, a, b, SubChecked<int64_t>(), "integer overflow", errors);
        return Arith<int64_t>(e, a, b, MulChecked<int64_t>(), "integer overflow", errors);
      case TypeId::kDecimal: {
        const char* what = "decimal overflow (more than 18 digits)";
        if (op == BoundOp::kAdd) return Arith<int64_t>(e, a, b, Within18<AddChecked<int64_t>>(), what, errors);
        if (op == BoundOp::kSub) return Arith<int64_t>(e, a, b, Within18<SubChecked<int64_t>>(), what, errors);
        return Arith<int64_t>(e, a, b, Within18<MulChecked<int64_t>>(), what, errors);
      }
      default:
        // IEEE arithmetic: overflow gives inf, which is a value, not an error.
        if (op == BoundOp::kDiv) return Arith<double>(e, a, b, DivChecked(), "division by zero", errors);
        if (op == BoundOp::kAdd)
          return Arith<double>(
              e, a, b,
              [](double x, double y, double* r) {
                *r = x + y;
                return true;
              },
              "", errors);
        if (op == BoundOp::kSub)
          return Arith<double>(
              e, a, b,
              [](double x, double y, double* r) {
                *r = x - y;
                return true;
              },
              "", errors);
        return Arith<double>(
            e, a, b,
            [](double x, double y, double* r) {
              *r = x * y;
              return true;
            },
            "", errors);
    }
  }

  template <typename T, typename Op>
  Datum MapFixed(const BoundExpr& e, const Column& in, Op op, const char* what, std::vector<RowError>* errors) {
    const size_t n = n_;
    Column out(e.type);
    out.Resize(n);
    T* po = out.mutable_data<T>();
    const T* pi = in.data<T>();
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok &= op(pi[i], &po[i]);
    if (in.may_have_nulls()) {
      for (size_t i = 0; i < n; ++i) {
        if (in.IsNull(i)) out.SetNull(i);
      }
    }
    if (!ok) {
      for (size_t i = 0; i < n; ++i) {
        T r;
        if (in.IsNull(i) || op(pi[i], &r)) continue;
        errors->push_back({i, std::string(what) + " in '" + e.text + "'"});
        po[i] = T{};
        out.SetNull(i);
      }
    }
    return Own(std::move(out));
  }

  template <typename T>
  Datum NegAbsInteger(const BoundExpr& e, const Column& in, const char* what, std::vector<RowError>* errors) {
    if (e.op == BoundOp::kNeg) {
      return MapFixed<T>(
          e, in, [](T x, T* r) { return !__builtin_sub_overflow(T{0}, x, r); }, what, errors);
    }
    return MapFixed<T>(
        e, in,
        [](T x, T* r) {
          if (x >= 0) {
            *r = x;
            return true;
          }
          return !__builtin_sub_overflow(T{0}, x, r);
        },
        what, errors);
  }

  Datum EvalNegAbs(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    Column in = a.scalar ? Broadcast(a, n_) : Column();
    const Column& c = a.scalar ? in : *a.col;
    const bool neg = e.op == BoundOp::kNeg;
    switch (e.type.id) {
      case TypeId::kInt32: return NegAbsInteger<int32_t>(e, c, "integer overflow", errors);
      case TypeId::kInt64: return NegAbsInteger<int64_t>(e, c, "integer overflow", errors);
      case TypeId::kDecimal:
        if (e.type.is_wide_decimal()) return NegAbsInteger<Int128>(e, c, "decimal overflow", errors);
        return NegAbsInteger<int64_t>(e, c, "decimal overflow", errors);
      case TypeId::kFloat:
        return MapFixed<float>(
            e, c,
            [neg](float x, float* r) {
              *r = neg ? -x : std::fabs(x);
              return true;
            },
            "", errors);
      default:
        return MapFixed<double>(
            e, c,
            [neg](double x, double* r) {
              *r = neg ? -x : std::fabs(x);
              return true;
            },
            "", errors);
    }
  }

  template <typename T, typename Cmp>
  Datum CompareFixed(const Datum& a, const Datum& b, Cmp cmp) {
    const size_t n = n_;
    Column out(DataType::Bool());
    out.Resize(n);
    uint8_t* po = out.mutable_data<uint8_t>();
    const T* pa = a.col->data<T>();
    const T* pb = b.col->data<T>();
    WithStrides(a.scalar, b.scalar, [&](auto sa, auto sb) {
      for (size_t i = 0; i < n; ++i) po[i] = cmp(pa[i * sa], pb[i * sb]) ? 1 : 0;
      return 0;
    });
    MergeNulls(a, b, n, &out);
    return Own(std::move(out));
  }

  template <typename Cmp>
  Datum CompareStrings(const Datum& a, const Datum& b, Cmp cmp) {
    Column out(DataType::Bool());
    out.Resize(n_);
    uint8_t* po = out.mutable_data<uint8_t>();
    for (size_t i = 0; i < n_; ++i) po[i] = cmp(a.col->GetString(a.at(i)), b.col->GetString(b.at(i))) ? 1 : 0;
    MergeNulls(a, b, n_, &out);
    return Own(std::move(out));
  }

  template <typename T>
  Datum CompareTyped(BoundOp op, const Datum& a, const Datum& b) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      switch (op) {
        case BoundOp::kEq: return CompareStrings(a, b, std::equal_to<T>());
        case BoundOp::kNe: return CompareStrings(a, b, std::not_equal_to<T>());
        case BoundOp::kLt: return CompareStrings(a, b, std::less<T>());
        case BoundOp::kLe: return CompareStrings(a, b, std::less_equal<T>());
        case BoundOp::kGt: return CompareStrings(a, b, std::greater<T>());
        default: return CompareStrings(a, b, std::greater_equal<T>());
      }
    } else {
      switch (op) {
        case BoundOp::kEq: return CompareFixed<T>(a, b, std::equal_to<T>());
        case BoundOp::kNe: return CompareFixed<T>(a, b, std::not_equal_to<T>());
        case BoundOp::kLt: return CompareFixed<T>(a, b, std::less<T>());
        case BoundOp::kLe: return CompareFixed<T>(a, b, std::less_equal<T>());
        case BoundOp::kGt: return CompareFixed<T>(a, b, std::greater<T>());
        default: return CompareFixed<T>(a, b, std::greater_equal<T>());
      }
    }
  }

  Datum EvalCompare(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    Datum b = Eval(*e.args[1], errors);
    switch (a.col->type().id) {
      case TypeId::kBool: return CompareTyped<uint8_t>(e.op, a, b);
      case TypeId::kInt32:
      case TypeId::kDate: return CompareTyped<int32_t>(e.op, a, b);
      case TypeId::kInt64:
      case TypeId::kTimestamp: return CompareTyped<int64_t>(e.op, a, b);
      case TypeId::kDecimal:
        if (a.col->type().is_wide_decimal()) return CompareTyped<Int128>(e.op, a, b);
        return CompareTyped<int64_t>(e.op, a, b);
      case TypeId::kFloat: return CompareTyped<float>(e.op, a, b);
      case TypeId::kDouble: return CompareTyped<double>(e.op, a, b);
      case TypeId::kString:
      case TypeId::kBinary: return CompareTyped<std::string_view>(e.op, a, b);
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap: break;  // the binder refuses comparisons of nested values
    }
    return NullScalar(DataType::Bool());
  }

  // Three-valued logic: false and null = false, true or null = true, otherwise null wins.
  Datum EvalAndOr(const BoundExpr& e, std::vector<RowError>* errors) {
    const bool is_and = e.op == BoundOp::kAnd;
    Datum l = Eval(*e.args[0], errors);
    const uint8_t* lv = l.col->data<uint8_t>();
    // The right side decides a row unless the left is already false (and) / true (or).
    auto decided = [&](size_t i) { return !l.IsNull(i) && (lv[l.at(i)] != 0) != is_and; };
    bool any_open = false;
    for (size_t i = 0; i < n_ && !any_open; ++i) any_open = !decided(i);
    Datum r = any_open ? EvalMasked(*e.args[1], errors, [&](size_t row) { return !decided(row); })
                       : NullScalar(DataType::Bool());
    const uint8_t* rv = r.col->data<uint8_t>();
    Column out(DataType::Bool());
    out.Resize(n_);
    uint8_t* po = out.mutable_data<uint8_t>();
    const bool nulls = l.has_nulls() || r.has_nulls();
    for (size_t i = 0; i < n_; ++i) {
      const bool ln = l.IsNull(i), rn = r.IsNull(i);
      const bool lb = lv[l.at(i)] != 0, rb = rv[r.at(i)] != 0;
      if (is_and) {
        if ((!ln && !lb) || (!rn && !rb)) {
          po[i] = 0;
        } else if (nulls && (ln || rn)) {
          out.SetNull(i);
        } else {
          po[i] = 1;
        }
      } else {
        if ((!ln && lb) || (!rn && rb)) {
          po[i] = 1;
        } else if (nulls && (ln || rn)) {
          out.SetNull(i);
        } else {
          po[i] = 0;
        }
      }
    }
    return Own(std::move(out));
  }

  Datum EvalNot(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    Column out(DataType::Bool());
    out.Resize(n_);
    uint8_t* po = out.mutable_data<uint8_t>();
    const uint8_t* pa = a.col->data<uint8_t>();
    for (size_t i = 0; i < n_; ++i) po[i] = pa[a.at(i)] ? 0 : 1;
    if (a.has_nulls()) {
      for (size_t i = 0; i < n_; ++i) {
        if (a.IsNull(i)) out.SetNull(i);
      }
    }
    return Own(std::move(out));
  }

  Datum EvalIsNull(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    const uint8_t want_null = e.op == BoundOp::kIsNull ? 1 : 0;
    Column out(DataType::Bool());
    out.Resize(n_);
    uint8_t* po = out.mutable_data<uint8_t>();
    for (size_t i = 0; i < n_; ++i) po[i] = (a.IsNull(i) ? 1 : 0) == want_null ? 1 : 0;
    return Own(std::move(out));
  }

  Datum EvalCoalesce(const BoundExpr& e, std::vector<RowError>* errors) {
    std::vector<Datum> values;
    values.push_back(Eval(*e.args[0], errors));
    std::vector<int32_t> choice(n_, -1);
    size_t pending = 0;
    for (size_t i = 0; i < n_; ++i) {
      if (values[0].IsNull(i)) {
        ++pending;
      } else {
        choice[i] = 0;
      }
    }
    for (size_t k = 1; k < e.args.size() && pending > 0; ++k) {
      Datum d = EvalMasked(*e.args[k], errors, [&](size_t row) { return choice[row] < 0; });
      for (size_t i = 0; i < n_; ++i) {
        if (choice[i] < 0 && !d.IsNull(i)) {
          choice[i] = static_cast<int32_t>(k);
          --pending;
        }
      }
      values.push_back(std::move(d));
    }
    return Own(Choose(e.type, values, choice, n_));
  }

  Datum EvalIf(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum c = Eval(*e.args[0], errors);
    const uint8_t* cv = c.col->data<uint8_t>();
    std::vector<int32_t> choice(n_);
    bool any_then = false, any_else = false;
    for (size_t i = 0; i < n_; ++i) {
      // A null condition takes the else branch, as SQL's CASE WHEN does.
      const bool take_then = !c.IsNull(i) && cv[c.at(i)] != 0;
      choice[i] = take_then ? 0 : 1;
      any_then = any_then || take_then;
      any_else = any_else || !take_then;
    }
    std::vector<Datum> branches;
    branches.push_back(any_then ? EvalMasked(*e.args[1], errors, [&](size_t row) { return choice[row] == 0; })
                                : NullScalar(e.type));
    branches.push_back(any_else ? EvalMasked(*e.args[2], errors, [&](size_t row) { return choice[row] == 1; })
                                : NullScalar(e.type));
    return Own(Choose(e.type, branches, choice, n_));
  }

  Datum EvalString(const BoundExpr& e, std::vector<RowError>* errors) {
    std::vector<Datum> args;
    for (const auto& a : e.args) args.push_back(Eval(*a, errors));
    Column out(e.type);
    if (e.op == BoundOp::kLength) {
      out.Resize(n_);
      int64_t* po = out.mutable_data<int64_t>();
      const Datum& a = args[0];
      const bool chars = a.col->type().id == TypeId::kString;
      for (size_t i = 0; i < n_; ++i) {
        if (a.IsNull(i)) {
          out.SetNull(i);
          continue;
        }
        std::string_view s = a.col->GetString(a.at(i));
        int64_t len = 0;
        if (chars) {
          for (char ch : s) len += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;  // code points
        } else {
          len = static_cast<int64_t>(s.size());
        }
        po[i] = len;
      }
      return Own(std::move(out));
    }
    std::string buf;
    for (size_t i = 0; i < n_; ++i) {
      if (e.op == BoundOp::kConcat) {
        buf.clear();
        for (const Datum& a : args) {
          if (!a.IsNull(i)) buf.append(a.col->GetString(a.at(i)));
        }
        out.AppendString(buf);
        continue;
      }
      const Datum& a = args[0];
      if (a.IsNull(i)) {
        out.AppendNull();
        continue;
      }
      std::string_view s = a.col->GetString(a.at(i));
      if (e.op == BoundOp::kTrim) {
        auto space = [](char ch) {
          return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
        };
        while (!s.empty() && space(s.front())) s.remove_prefix(1);
        while (!s.empty() && space(s.back())) s.remove_suffix(1);
        out.AppendString(s);
        continue;
      }
      buf.assign(s);
      for (char& ch : buf) {  // ASCII letters only; other bytes (UTF-8) are kept
        if (e.op == BoundOp::kLower && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        if (e.op == BoundOp::kUpper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      }
      out.AppendString(buf);
    }
    return Own(std::move(out));
  }

  // Nested access (nested_access.h): the operand is a column (nested values are never literals).
  Datum EvalAccess(const BoundExpr& e, std::vector<RowError>* errors) {
    Datum a = Eval(*e.args[0], errors);
    if (a.scalar) return NullScalar(e.type);
    if (e.op == BoundOp::kField) return Own(ExtractField(*a.col, e.column, n_));
    if (e.op == BoundOp::kListElement) return Own(ExtractListElement(*a.col, e.index, n_));
    return Own(ExtractMapValue(*a.col, *e.literal, n_));
  }

  const std::vector<const Column*>& inputs_;
  const size_t n_;
};

}  // namespace

Column EvaluateBound(const BoundExpr& expr, const std::vector<const Column*>& inputs, size_t rows,
                     std::vector<RowError>* errors) {
  Evaluator ev(inputs, rows);
  const size_t first_error = errors->size();
  Datum d = ev.Eval(expr, errors);
  Column out = d.scalar ? Broadcast(d, rows) : (d.hold && d.hold.use_count() == 1) ? std::move(*d.hold) : *d.col;
  // A row that failed anywhere is null, even where the failing part did not decide its value
  // (an error on the left of 'and' whose right side is false).
  for (size_t i = first_error; i < errors->size(); ++i) {
    if ((*errors)[i].row < rows) out.SetNull((*errors)[i].row);
  }
  return out;
}

}  // namespace gaggle
