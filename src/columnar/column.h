// Column: one typed vector of values with validity, the unit a batch is made of.
//
// Fixed-width types keep values contiguously (see data_type.h for the C++ type of
// each logical type): data<T>() gives a pointer usable in tight loops. String and
// binary keep offsets (size()+1 entries) into one byte buffer. Validity is one
// byte per row (1 = valid); an empty validity vector means "no nulls", so columns
// without nulls cost nothing extra. A null slot still holds a value (zero or empty).
// Thread-safety: a Column is a value; concurrent const access is safe.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"

namespace gaggle {

class Column {
 public:
  explicit Column(DataType type = DataType::Int64()) : type_(type) { offsets_.push_back(0); }

  const DataType& type() const { return type_; }
  size_t size() const { return size_; }

  // --- validity ---
  bool IsNull(size_t i) const { return !validity_.empty() && validity_[i] == 0; }
  bool IsValid(size_t i) const { return !IsNull(i); }
  bool may_have_nulls() const { return !validity_.empty(); }
  size_t null_count() const;
  // One byte per row, 1 = valid; empty when the column has no nulls.
  const std::vector<uint8_t>& validity() const { return validity_; }
  // Marks row i null (materializes the validity vector on first use).
  void SetNull(size_t i);
  void SetValid(size_t i) {
    if (!validity_.empty()) validity_[i] = 1;
  }

  // --- fixed-width values ---
  template <typename T>
  const T* data() const {
    assert(!type_.is_variable_width() && sizeof(T) == static_cast<size_t>(type_.byte_width()));
    return reinterpret_cast<const T*>(fixed_.data());
  }
  template <typename T>
  T* mutable_data() {
    assert(!type_.is_variable_width() && sizeof(T) == static_cast<size_t>(type_.byte_width()));
    return reinterpret_cast<T*>(fixed_.data());
  }
  template <typename T>
  T Get(size_t i) const {
    return data<T>()[i];
  }

  // --- variable-width values (string, binary) ---
  std::string_view GetString(size_t i) const {
    return std::string_view(chars_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  const std::string& chars() const { return chars_; }

  // --- building ---
  void Reserve(size_t rows, size_t char_bytes = 0);
  // Appends a null (zero / empty value underneath).
  void AppendNull();
  template <typename T>
  void Append(T value) {
    assert(sizeof(T) == static_cast<size_t>(type_.byte_width()));
    size_t pos = fixed_.size();
    fixed_.resize(pos + sizeof(T));
    std::memcpy(fixed_.data() + pos, &value, sizeof(T));
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }
  void AppendString(std::string_view value) {
    chars_.append(value.data(), value.size());
    offsets_.push_back(chars_.size());
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }
  // Appends row i of `other` (same type), null or not.
  void AppendFrom(const Column& other, size_t i);
  // Fixed width only: sets size to n rows; new values are zero and valid.
  void Resize(size_t n);
  // Removes all rows, keeps the type and capacity.
  void Clear();
  // Approximate heap bytes held (for memory accounting).
  size_t memory_bytes() const {
    return fixed_.capacity() + chars_.capacity() + offsets_.capacity() * 8 + validity_.capacity();
  }

  // Value i rendered for humans and diagnostics ("null", "2024-01-02", "3.5", "abc").
  std::string ValueToString(size_t i) const;

 private:
  DataType type_;
  size_t size_ = 0;
  std::vector<uint8_t> fixed_;
  std::vector<uint64_t> offsets_;
  std::string chars_;
  std::vector<uint8_t> validity_;
};

}  // namespace gaggle
