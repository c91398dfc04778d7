#include "columnar/column.h"

#include "columnar/value_format.h"
#include "columnar/value_json.h"

namespace gaggle {

void Column::InitChildren() {
  children_.reserve(type_.num_children());
  for (size_t i = 0; i < type_.num_children(); ++i) children_.emplace_back(type_.child(i).type);
}

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
  } else if (type_.is_nested()) {
    if (type_.id != TypeId::kStruct) offsets_.reserve(rows + 1);
  } else {
    fixed_.reserve(rows * static_cast<size_t>(type_.byte_width()));
  }
}

void Column::AppendNull() {
  if (validity_.empty()) validity_.assign(size_, 1);
  if (type_.is_variable_width()) {
    offsets_.push_back(chars_.size());
  } else if (type_.id == TypeId::kStruct) {
    for (Column& c : children_) c.AppendNull();
  } else if (type_.is_nested()) {
    offsets_.push_back(offsets_.back());
  } else {
    fixed_.resize(fixed_.size() + static_cast<size_t>(type_.byte_width()), 0);
  }
  validity_.push_back(0);
  ++size_;
}

void Column::AppendFlatFrom(const Column& other, size_t i) {
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

void Column::AppendValidity(const Column& other, size_t begin, size_t count) {
  if (other.validity_.empty()) {
    if (!validity_.empty()) validity_.insert(validity_.end(), count, 1);
    return;
  }
  const uint8_t* v = other.validity_.data() + begin;
  if (validity_.empty()) {
    bool any_null = false;
    for (size_t k = 0; k < count && !any_null; ++k) any_null = v[k] == 0;
    if (!any_null) return;
    validity_.assign(size_, 1);
  }
  validity_.insert(validity_.end(), v, v + count);
}

void Column::AppendRange(const Column& other, size_t begin, size_t count) {
  assert(other.type_ == type_ && begin + count <= other.size_ && &other != this);
  if (count == 0) return;
  AppendValidity(other, begin, count);
  if (type_.is_variable_width() || (type_.is_nested() && type_.id != TypeId::kStruct)) {
    const uint64_t first = other.offsets_[begin];
    const uint64_t base = offsets_.back();
    for (size_t k = 1; k <= count; ++k) offsets_.push_back(base + (other.offsets_[begin + k] - first));
    const uint64_t len = other.offsets_[begin + count] - first;
    if (type_.is_variable_width()) {
      chars_.append(other.chars_.data() + first, len);
    } else {
      children_[0].AppendRange(other.children_[0], first, len);
    }
  } else if (type_.id == TypeId::kStruct) {
    for (size_t c = 0; c < children_.size(); ++c) children_[c].AppendRange(other.children_[c], begin, count);
  } else {
    const size_t w = static_cast<size_t>(type_.byte_width());
    const size_t pos = fixed_.size();
    fixed_.resize(pos + count * w);
    std::memcpy(fixed_.data() + pos, other.fixed_.data() + begin * w, count * w);
  }
  size_ += count;
}

void Column::Resize(size_t n) {
  assert(!type_.is_variable_width() && !type_.is_nested());
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
  for (Column& c : children_) c.Clear();
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
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: {
      std::string out;
      (void)AppendValueJson(*this, i, &out);
      return out;
    }
  }
  return "?";
}

bool Column::ValueEquals(size_t i, const Column& other, size_t j) const {
  if (IsNull(i) || other.IsNull(j)) return IsNull(i) && other.IsNull(j) && type_ == other.type_;
  if (type_ != other.type_) return false;
  if (type_.is_variable_width()) return GetString(i) == other.GetString(j);
  if (type_.id == TypeId::kStruct) {
    for (size_t c = 0; c < children_.size(); ++c) {
      if (!children_[c].ValueEquals(i, other.children_[c], j)) return false;
    }
    return true;
  }
  if (type_.is_nested()) {
    const uint64_t n = ListLength(i);
    if (n != other.ListLength(j)) return false;
    for (uint64_t k = 0; k < n; ++k) {
      if (!children_[0].ValueEquals(ListBegin(i) + k, other.children_[0], other.ListBegin(j) + k)) return false;
    }
    return true;
  }
  const size_t w = static_cast<size_t>(type_.byte_width());
  return std::memcmp(fixed_.data() + i * w, other.fixed_.data() + j * w, w) == 0;
}

bool Column::Equals(const Column& other) const {
  if (type_ != other.type_ || size_ != other.size_) return false;
  for (size_t i = 0; i < size_; ++i) {
    if (!ValueEquals(i, other, i)) return false;
  }
  return true;
}

Status Column::ValidateStructure(const std::string& name) const {
  if (!type_.is_nested()) return Status::OK();
  auto bad = [&](const std::string& what) { return Status::Internal("column '" + name + "': " + what); };
  if (!validity_.empty() && validity_.size() != size_) return bad("validity does not cover every row");
  if (children_.size() != type_.num_children()) return bad("has the wrong number of child columns");
  const bool is_list = type_.id != TypeId::kStruct;
  if (is_list) {
    if (offsets_.size() != size_ + 1 || offsets_[0] != 0) return bad("list offsets do not match its rows");
    for (size_t i = 0; i < size_; ++i) {
      if (offsets_[i + 1] < offsets_[i]) return bad("list offsets decrease at row " + std::to_string(i));
    }
    if (offsets_[size_] != children_[0].size()) {
      return bad("list offsets end at " + std::to_string(offsets_[size_]) + " but the elements hold " +
                 std::to_string(children_[0].size()) + " rows");
    }
  }
  for (size_t c = 0; c < children_.size(); ++c) {
    const Field& f = type_.child(c);
    const Column& child = children_[c];
    const std::string path = name + "." + f.name;
    if (child.type_ != f.type) return Status::Internal("column '" + path + "' holds " + child.type_.ToString());
    if (!is_list && child.size_ != size_) {
      return Status::Internal("column '" + path + "' has " + std::to_string(child.size_) + " rows, its struct " +
                              std::to_string(size_));
    }
    if (!f.nullable && child.may_have_nulls()) {
      for (size_t r = 0; r < child.size_; ++r) {
        if (child.IsNull(r) && (is_list || IsValid(r))) {
          return Status::Internal("column '" + path + "' is not nullable but holds a null at row " + std::to_string(r));
        }
      }
    }
    GAGGLE_RETURN_IF_ERROR(child.ValidateStructure(path));
  }
  return Status::OK();
}

}  // namespace gaggle
