#include "formats/text_typing.h"

#include "columnar/value_format.h"

namespace gaggle {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsTrueOrFalse(std::string_view t) {
  auto eq = [&](std::string_view word) {
    if (t.size() != word.size()) return false;
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  return eq("true") || eq("false");
}

std::string WithPointZero(std::string text) {
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '-') return text;
  }
  text.append(".0");
  return text;
}

}  // namespace

std::string FormatDoubleForText(double v) { return WithPointZero(FormatDouble(v)); }
std::string FormatFloatForText(float v) { return WithPointZero(FormatFloat(v)); }

bool HexDecode(std::string_view text, std::string* out) {
  if (text.size() % 2 != 0) return false;
  out->resize(text.size() / 2);
  for (size_t i = 0; i < out->size(); ++i) {
    int hi = HexDigit(text[2 * i]), lo = HexDigit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

bool AppendText(Column* column, std::string_view text, std::string* scratch) {
  switch (column->type().id) {
    case TypeId::kString: column->AppendString(text); return true;
    case TypeId::kInt64: {
      int64_t v;
      if (!ParseInt64(text, &v)) return false;
      column->Append<int64_t>(v);
      return true;
    }
    case TypeId::kDouble: {
      double v;
      if (!ParseDouble(text, &v)) return false;
      column->Append<double>(v);
      return true;
    }
    case TypeId::kBool: {
      bool v;
      if (!ParseBool(text, &v)) return false;
      column->Append<uint8_t>(v ? 1 : 0);
      return true;
    }
    case TypeId::kInt32: {
      int32_t v;
      if (!ParseInt32(text, &v)) return false;
      column->Append<int32_t>(v);
      return true;
    }
    case TypeId::kFloat: {
      float v;
      if (!ParseFloat(text, &v)) return false;
      column->Append<float>(v);
      return true;
    }
    case TypeId::kDate: {
      int32_t v;
      if (!ParseDate(text, &v)) return false;
      column->Append<int32_t>(v);
      return true;
    }
    case TypeId::kTimestamp: {
      int64_t v;
      if (!ParseTimestamp(text, &v)) return false;
      column->Append<int64_t>(v);
      return true;
    }
    case TypeId::kDecimal: {
      if (column->type().is_wide_decimal()) {
        Int128 v;
        if (!ParseDecimal128(text, column->type().scale, column->type().precision, &v)) return false;
        column->Append<Int128>(v);
        return true;
      }
      int64_t v;
      if (!ParseDecimal(text, column->type().scale, column->type().precision, &v)) return false;
      column->Append<int64_t>(v);
      return true;
    }
    case TypeId::kBinary:
      if (!HexDecode(text, scratch)) return false;
      column->AppendString(*scratch);
      return true;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return false;  // nested values are not read from text
  }
  return false;
}

void TextTypeGuess::Observe(std::string_view text) {
  seen_ = true;
  if (bool_ok_) bool_ok_ = IsTrueOrFalse(text);
  if (int_ok_) {
    int64_t v;
    int_ok_ = ParseInt64(text, &v);
  }
  if (double_ok_) {
    double v;
    double_ok_ = ParseDouble(text, &v);
  }
  if (date_ok_) {
    int32_t v;
    date_ok_ = ParseDate(text, &v);
  }
  if (timestamp_ok_) {
    int64_t v;
    timestamp_ok_ = ParseTimestamp(text, &v);
  }
}

DataType TextTypeGuess::Guess() const {
  if (!seen_) return DataType::String();
  if (bool_ok_) return DataType::Bool();
  if (int_ok_) return DataType::Int64();
  if (double_ok_) return DataType::Double();
  if (date_ok_) return DataType::Date();
  if (timestamp_ok_) return DataType::Timestamp();
  return DataType::String();
}

void JsonTypeGuess::ObserveString(std::string_view text) {
  seen_string_ = true;
  if (date_ok_) {
    int32_t v;
    date_ok_ = ParseDate(text, &v);
  }
  if (timestamp_ok_) {
    int64_t v;
    timestamp_ok_ = ParseTimestamp(text, &v);
  }
}

DataType JsonTypeGuess::Guess() const {
  int kinds = int{seen_bool_} + int{seen_int_ || seen_double_} + int{seen_string_};
  if (kinds != 1) return DataType::String();  // nothing seen, or an incompatible mix
  if (seen_bool_) return DataType::Bool();
  if (seen_double_) return DataType::Double();
  if (seen_int_) return DataType::Int64();
  if (date_ok_) return DataType::Date();
  if (timestamp_ok_) return DataType::Timestamp();
  return DataType::String();
}

}  // namespace gaggle
