#include "transform/cast.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "columnar/value_format.h"
#include "common/utf8.h"

namespace gaggle {
namespace {

constexpr int64_t kMicrosPerDay = 86400000000LL;

int64_t Pow10(int n) {
  int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// Values shown in reasons are cut so that one huge cell cannot bloat the dead-letter file.
std::string Shown(std::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

bool FitsPrecision(Int128 v, int precision) {
  Int128 limit = Pow10Int128(precision);
  return v < limit && v > -limit;
}

// The unscaled value of a decimal row, whatever its storage width.
Int128 DecimalAt(const Column& in, size_t i) {
  return in.type().is_wide_decimal() ? in.Get<Int128>(i) : static_cast<Int128>(in.Get<int64_t>(i));
}

std::string FormatDecimalAny(Int128 v, int scale) { return FormatDecimal128(v, scale); }

// Runs `convert(i, &value)` for each valid row of a fixed-width output.
// `convert` returns "" on success or the failure reason.
template <typename Out, typename F>
Column MapToFixed(const Column& in, const DataType& to, std::vector<RowError>* errors, F convert) {
  const size_t n = in.size();
  Column out(to);
  out.Resize(n);
  Out* dst = out.template mutable_data<Out>();
  const bool nulls = in.may_have_nulls();
  for (size_t i = 0; i < n; ++i) {
    if (nulls && in.IsNull(i)) {
      out.SetNull(i);
      continue;
    }
    std::string why = convert(i, &dst[i]);
    if (!why.empty()) {
      dst[i] = Out{};
      out.SetNull(i);
      errors->push_back({i, std::move(why)});
    }
  }
  return out;
}

// Same for string and binary outputs: `convert(i, &text)`.
template <typename F>
Column MapToString(const Column& in, const DataType& to, std::vector<RowError>* errors, F convert) {
  const size_t n = in.size();
  Column out(to);
  out.Reserve(n, in.type().is_variable_width() ? in.chars().size() : n * 8);
  std::string text;
  for (size_t i = 0; i < n; ++i) {
    if (in.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    text.clear();
    std::string why = convert(i, &text);
    if (!why.empty()) {
      out.AppendNull();
      errors->push_back({i, std::move(why)});
    } else {
      out.AppendString(text);
    }
  }
  return out;
}

// Widening casts that cannot fail, as one tight loop.
template <typename In, typename Out>
Column Widen(const Column& in, const DataType& to) {
  const size_t n = in.size();
  Column out(to);
  out.Resize(n);
  const In* src = in.data<In>();
  Out* dst = out.mutable_data<Out>();
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<Out>(src[i]);
  if (in.may_have_nulls()) {
    for (size_t i = 0; i < n; ++i) {
      if (in.IsNull(i)) out.SetNull(i);
    }
  }
  return out;
}

std::string OutOfRange(const std::string& value, const DataType& to) {
  return "value " + value + " is out of range for " + to.ToString();
}

// Integer value of any integer-like input row (bool, int32, int64).
int64_t IntegerAt(const Column& in, size_t i) {
  switch (in.type().id) {
    case TypeId::kBool: return in.Get<uint8_t>(i);
    case TypeId::kInt32: return in.Get<int32_t>(i);
    default: return in.Get<int64_t>(i);
  }
}

double FloatingAt(const Column& in, size_t i) {
  return in.type().id == TypeId::kFloat ? static_cast<double>(in.Get<float>(i)) : in.Get<double>(i);
}

// Floating value -> integer: must be integral and within [lo, hi].
std::string FloatingToInteger(double v, int64_t lo, int64_t hi, const DataType& to, int64_t* out) {
  if (std::isnan(v)) return "nan cannot be cast to " + to.ToString();
  if (std::isfinite(v) && std::trunc(v) != v) {
    return "value " + FormatDouble(v) + " is not an integer (cannot cast to " + to.ToString() + ")";
  }
  // -2^63 and 2^63 are exact doubles; every integral double in between converts exactly.
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return OutOfRange(FormatDouble(v), to);
  *out = static_cast<int64_t>(v);
  if (*out < lo || *out > hi) return OutOfRange(FormatDouble(v), to);
  return "";
}

// Unscaled decimal at scale `from_scale` -> unscaled at `to`'s scale, exact or a reason.
// Scales differ by at most 38 and results are checked against the precision (<= 38 digits),
// so the 128-bit arithmetic cannot overflow: a value of p digits times 10^k is only formed
// when the result still fits 38 digits.
std::string Rescale(Int128 v, int from_scale, const DataType& to, Int128* out) {
  Int128 r = v;
  if (to.scale >= from_scale) {
    int up = to.scale - from_scale;
    if (!FitsPrecision(v, std::max(0, to.precision - up))) return OutOfRange(FormatDecimalAny(v, from_scale), to);
    r *= Pow10Int128(up);
  } else {
    Int128 div = Pow10Int128(from_scale - to.scale);
    if (v % div != 0) {
      return "value " + FormatDecimalAny(v, from_scale) + " does not fit " + to.ToString() + " without losing digits";
    }
    r /= div;
  }
  if (!FitsPrecision(r, to.precision)) return OutOfRange(FormatDecimalAny(v, from_scale), to);
  *out = r;
  return "";
}

std::string DoubleToDecimal(double v, const DataType& to, Int128* out) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e38) return OutOfRange(FormatDouble(v), to);
  // The shortest text that reads back to v decides: 0.1 casts to 0.10, not 0.1000000000000000055.
  char buf[400];  // room for the fixed spelling of the smallest subnormal
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (r.ec != std::errc()) return OutOfRange(FormatDouble(v), to);
  if (!ParseDecimal128(std::string_view(buf, static_cast<size_t>(r.ptr - buf)), to.scale, to.precision, out)) {
    return "value " + FormatDouble(v) + " does not fit " + to.ToString() + " exactly";
  }
  return "";
}

std::string ParseFailure(const Column& in, size_t i, const DataType& to) {
  return "cannot parse '" + Shown(in.GetString(i)) + "' as " + to.ToString();
}

Column CastToString(const Column& in, const DataType& to, std::vector<RowError>* errors) {
  const TypeId from = in.type().id;
  return MapToString(in, to, errors, [&](size_t i, std::string* text) -> std::string {
    switch (from) {
      case TypeId::kString: *text = in.GetString(i); return "";
      case TypeId::kBinary:
        if (to.id == TypeId::kString && !IsValidUtf8(in.GetString(i))) {
          return "bytes " + Shown(HexEncode(in.GetString(i))) + " are not valid UTF-8";
        }
        *text = in.GetString(i);
        return "";
      default: *text = in.ValueToString(i); return "";
    }
  });
}

Column CastToInteger(const Column& in, const DataType& to, std::vector<RowError>* errors) {
  const int64_t lo = to.id == TypeId::kInt32 ? INT32_MIN : INT64_MIN;
  const int64_t hi = to.id == TypeId::kInt32 ? INT32_MAX : INT64_MAX;
  const DataType from = in.type();
  auto convert = [&](size_t i, int64_t* v) -> std::string {
    switch (from.id) {
      case TypeId::kString:
        if (!ParseInt64(in.GetString(i), v) || *v < lo || *v > hi) return ParseFailure(in, i, to);
        return "";
      case TypeId::kBool:
      case TypeId::kInt32:
      case TypeId::kInt64:
        *v = IntegerAt(in, i);
        if (*v < lo || *v > hi) return OutOfRange(std::to_string(*v), to);
        return "";
      case TypeId::kFloat:
      case TypeId::kDouble: return FloatingToInteger(FloatingAt(in, i), lo, hi, to, v);
      case TypeId::kDecimal: {
        Int128 u = DecimalAt(in, i), div = Pow10Int128(from.scale);
        if (u % div != 0) {
          return "value " + FormatDecimalAny(u, from.scale) + " is not an integer (cannot cast to " + to.ToString() +
                 ")";
        }
        Int128 q = u / div;
        if (q < lo || q > hi) return OutOfRange(FormatDecimalAny(u, from.scale), to);
        *v = static_cast<int64_t>(q);
        return "";
      }
      default: return "cannot cast " + from.ToString() + " to " + to.ToString();
    }
  };
  if (to.id == TypeId::kInt64) return MapToFixed<int64_t>(in, to, errors, convert);
  return MapToFixed<int32_t>(in, to, errors, [&](size_t i, int32_t* out) {
    int64_t v = 0;
    std::string why = convert(i, &v);
    *out = static_cast<int32_t>(v);
    return why;
  });
}

Column CastToFloating(const Column& in, const DataType& to, std::vector<RowError>* errors) {
  const DataType from = in.type();
  auto convert = [&](size_t i, double* v) -> std::string {
    switch (from.id) {
      case TypeId::kString:
        if (!ParseDouble(in.GetString(i), v)) return ParseFailure(in, i, to);
        return "";
      case TypeId::kInt32:
      case TypeId::kInt64: *v = static_cast<double>(IntegerAt(in, i)); return "";
      case TypeId::kFloat:
      case TypeId::kDouble: *v = FloatingAt(in, i); return "";
      case TypeId::kDecimal:
        if (from.is_wide_decimal()) {
          // Through the exact text: one correctly rounded conversion instead of two roundings.
          ParseDouble(FormatDecimal128(in.Get<Int128>(i), from.scale), v);
        } else {
          *v = static_cast<double>(in.Get<int64_t>(i)) / static_cast<double>(Pow10(from.scale));
        }
        return "";
      default: return "cannot cast " + from.ToString() + " to " + to.ToString();
    }
  };
  if (to.id == TypeId::kDouble) return MapToFixed<double>(in, to, errors, convert);
  return MapToFixed<float>(in, to, errors, [&](size_t i, float* out) -> std::string {
    double v = 0;
    std::string why = convert(i, &v);
    if (!why.empty()) return why;
    if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) {
      return from.id == TypeId::kString ? ParseFailure(in, i, to) : OutOfRange(FormatDouble(v), to);
    }
    *out = static_cast<float>(v);
    return "";
  });
}

Column CastToDecimal(const Column& in, const DataType& to, std::vector<RowError>* errors) {
  const DataType from = in.type();
  auto convert = [&](size_t i, Int128* v) -> std::string {
    switch (from.id) {
      case TypeId::kString:
        if (!ParseDecimal128(in.GetString(i), to.scale, to.precision, v)) return ParseFailure(in, i, to);
        return "";
      case TypeId::kInt32:
      case TypeId::kInt64: {
        int64_t x = IntegerAt(in, i);
        // |x| < 2^63 < 10^19: times 10^scale stays below 10^57 only when checked first.
        if (!FitsPrecision(x, std::max(0, to.precision - to.scale))) return OutOfRange(std::to_string(x), to);
        *v = static_cast<Int128>(x) * Pow10Int128(to.scale);
        return "";
      }
      case TypeId::kFloat:
      case TypeId::kDouble: return DoubleToDecimal(FloatingAt(in, i), to, v);
      case TypeId::kDecimal: return Rescale(DecimalAt(in, i), from.scale, to, v);
      default: return "cannot cast " + from.ToString() + " to " + to.ToString();
    }
  };
  if (to.is_wide_decimal()) return MapToFixed<Int128>(in, to, errors, convert);
  return MapToFixed<int64_t>(in, to, errors, [&](size_t i, int64_t* out) -> std::string {
    Int128 v = 0;
    std::string why = convert(i, &v);
    *out = static_cast<int64_t>(v);  // fits: the precision (<= 18 digits) was checked
    return why;
  });
}

}  // namespace

Status CheckCast(const DataType& from, const DataType& to) {
  bool ok = false;
  const TypeId f = from.id;
  if (from == to) {
    ok = true;
  } else if (to.is_nested()) {
    return Status::TypeError("cannot cast " + from.ToString() + " to " + to.ToString() +
                             ": casts to nested types are not supported yet");
  } else if (f == TypeId::kString) {
    ok = true;
  } else {
    switch (to.id) {
      case TypeId::kString: ok = true; break;
      case TypeId::kBinary: ok = f == TypeId::kBinary; break;
      case TypeId::kBool: ok = from.is_integer(); break;
      case TypeId::kInt32:
      case TypeId::kInt64: ok = from.is_numeric() || f == TypeId::kBool; break;
      case TypeId::kFloat:
      case TypeId::kDouble:
      case TypeId::kDecimal: ok = from.is_numeric(); break;
      case TypeId::kDate:
      case TypeId::kTimestamp: ok = f == TypeId::kDate || f == TypeId::kTimestamp; break;
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap: break;  // refused above
    }
  }
  if (ok) return Status::OK();
  return Status::TypeError("cannot cast " + from.ToString() + " to " + to.ToString());
}

Result<Column> CastColumn(const Column& in, const DataType& to, std::vector<RowError>* errors) {
  GAGGLE_RETURN_IF_ERROR(CheckCast(in.type(), to));
  const DataType& from = in.type();
  if (from == to) return in;
  switch (to.id) {
    case TypeId::kString:
    case TypeId::kBinary: return CastToString(in, to, errors);
    case TypeId::kBool:
      return MapToFixed<uint8_t>(in, to, errors, [&](size_t i, uint8_t* v) -> std::string {
        if (from.id == TypeId::kString) {
          bool b;
          if (!ParseBool(in.GetString(i), &b)) return ParseFailure(in, i, to);
          *v = b ? 1 : 0;
          return "";
        }
        int64_t x = IntegerAt(in, i);
        if (x != 0 && x != 1) return "value " + std::to_string(x) + " is not 0 or 1 (cannot cast to bool)";
        *v = static_cast<uint8_t>(x);
        return "";
      });
    case TypeId::kInt32:
    case TypeId::kInt64:
      if (from.id == TypeId::kInt32 && to.id == TypeId::kInt64) return Widen<int32_t, int64_t>(in, to);
      if (from.id == TypeId::kBool && to.id == TypeId::kInt64) return Widen<uint8_t, int64_t>(in, to);
      if (from.id == TypeId::kBool) return Widen<uint8_t, int32_t>(in, to);
      return CastToInteger(in, to, errors);
    case TypeId::kFloat:
    case TypeId::kDouble:
      if (to.id == TypeId::kDouble && from.id == TypeId::kInt64) return Widen<int64_t, double>(in, to);
      if (to.id == TypeId::kDouble && from.id == TypeId::kInt32) return Widen<int32_t, double>(in, to);
      if (to.id == TypeId::kDouble && from.id == TypeId::kFloat) return Widen<float, double>(in, to);
      return CastToFloating(in, to, errors);
    case TypeId::kDecimal: return CastToDecimal(in, to, errors);
    case TypeId::kDate:
      if (from.id == TypeId::kTimestamp) {
        return MapToFixed<int32_t>(in, to, errors, [&](size_t i, int32_t* v) -> std::string {
          int64_t us = in.Get<int64_t>(i);
          int64_t days = us / kMicrosPerDay;
          if (us % kMicrosPerDay < 0) --days;  // floor: 1969-12-31T23:00Z is on 1969-12-31
          *v = static_cast<int32_t>(days);
          return "";
        });
      }
      return MapToFixed<int32_t>(in, to, errors, [&](size_t i, int32_t* v) -> std::string {
        if (!ParseDate(in.GetString(i), v)) return ParseFailure(in, i, to);
        return "";
      });
    case TypeId::kTimestamp:
      // Naive <-> UTC-adjusted keeps the number: a wall-clock reading is taken as a UTC instant
      // and back (gaggle knows no time zone to convert with); declaring the cast is the point.
      if (from.id == TypeId::kTimestamp) return Widen<int64_t, int64_t>(in, to);
      if (from.id == TypeId::kDate) {
        return MapToFixed<int64_t>(in, to, errors, [&](size_t i, int64_t* v) -> std::string {
          int32_t d = in.Get<int32_t>(i);
          if (__builtin_mul_overflow(static_cast<int64_t>(d), kMicrosPerDay, v)) {
            return "date " + FormatDate(d) + " is out of the timestamp range";
          }
          return "";
        });
      }
      return MapToFixed<int64_t>(in, to, errors, [&](size_t i, int64_t* v) -> std::string {
        if (!ParseTimestamp(in.GetString(i), v)) return ParseFailure(in, i, to);
        return "";
      });
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: break;  // CheckCast refuses these
  }
  return Status::Internal("unhandled cast from " + from.ToString() + " to " + to.ToString());
}

}  // namespace gaggle
