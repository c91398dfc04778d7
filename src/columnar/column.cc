#include "columnar/column.h"

#include "columnar/value_format.h"

namespace gaggle {

size_t Column::null_count() const {
  if (validity_.empty()) return 0;
  size_t valid = 0;
  for (uint8_t v : validity_) valid += v;
  return size_ - valid;
}

void Column::SetNull(size_t i) {
  assert(i < size_);
  if (validity_.empty()) validity_.assign(size_, 1);
  validity_[i] = 0;
}

void Column::Reserve(size_t rows, size_t char_bytes) {
  if (type_.is_variable_width()) {
    offsets_.reserve(rows + 1);
    chars_.reserve(char_bytes);
  } else {
    fixed_.reserve(rows * static_cast<size_t>(type_.byte_width()));
  }
}

void Column::AppendNull() {
  if (validity_.empty()) validity_.assign(size_, 1);
  if (type_.is_variable_width()) {
    offsets_.push_back(chars_.size());
  } else {
    fixed_.resize(fixed_.size() + static_cast<size_t>(type_.byte_width()), 0);
  }
  validity_.push_back(0);
  ++size_;
}

void Column::AppendFrom(const Column& other, size_t i) {
  assert(other.type_ == type_);
  if (other.IsNull(i)) {
    AppendNull();
    return;
  }
  if (type_.is_variable_width()) {
    AppendString(other.GetString(i));
    return;
  }
  size_t w = static_cast<size_t>(type_.byte_width());
  size_t pos = fixed_.size();
  fixed_.resize(pos + w);
  std::memcpy(fixed_.data() + pos, other.fixed_.data() + i * w, w);
  if (!validity_.empty()) validity_.push_back(1);
  ++size_;
}

void Column::Resize(size_t n) {
  assert(!type_.is_variable_width());
  fixed_.resize(n * static_cast<size_t>(type_.byte_width()), 0);
  if (!validity_.empty()) validity_.resize(n, 1);
  size_ = n;
}

void Column::Clear() {
  size_ = 0;
  fixed_.clear();
  chars_.clear();
  offsets_.assign(1, 0);
  validity_.clear();
}

std::string Column::ValueToString(size_t i) const {
  if (IsNull(i)) return "null";
  switch (type_.id) {
    case TypeId::kBool: return Get<uint8_t>(i) ? "true" : "false";
    case TypeId::kInt32: return std::to_string(Get<int32_t>(i));
    case TypeId::kInt64: return std::to_string(Get<int64_t>(i));
    case TypeId::kFloat: return FormatFloat(Get<float>(i));
    case TypeId::kDouble: return FormatDouble(Get<double>(i));
    case TypeId::kString: return std::string(GetString(i));
    case TypeId::kBinary: return HexEncode(GetString(i));
    case TypeId::kDate: return FormatDate(Get<int32_t>(i));
    case TypeId::kTimestamp: return FormatTimestamp(Get<int64_t>(i), type_.utc);
    case TypeId::kDecimal:
      if (type_.is_wide_decimal()) return FormatDecimal128(Get<Int128>(i), type_.scale);
      return FormatDecimal(Get<int64_t>(i), type_.scale);
  }
  return "?";
}

}  // namespace gaggle
