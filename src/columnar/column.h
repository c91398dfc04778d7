// Column: one typed vector of values with validity, the unit a batch is made of.
//
// Fixed-width types keep values contiguously (see data_type.h for the C++ type of
// each logical type): data<T>() gives a pointer usable in tight loops. String and
// binary keep offsets (size()+1 entries) into one byte buffer. Validity is one
// byte per row (1 = valid); an empty validity vector means "no nulls", so columns
// without nulls cost nothing extra. A null slot still holds a value (zero or empty).
//
// Nested columns follow Arrow's layout, with validity at every level:
//   struct  one child column per field, each with exactly size() rows (a null struct
//           row still has a row, usually null, in every child);
//   list    offsets (size()+1 entries) into one child column: row i holds child rows
//           [ListBegin(i), ListEnd(i)); a null or empty list holds none;
//   map     a list whose child is the struct<key not null, value> of its entries.
// Flat columns have no children and pay nothing for nesting: nested code paths branch off
// once per call on type().is_nested(), never per value.
// Thread-safety: a Column is a value; concurrent const access is safe.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"
#include "common/status.h"

namespace gaggle {

class Column {
 public:
  explicit Column(DataType type = DataType::Int64()) : type_(std::move(type)) {
    offsets_.push_back(0);
    if (type_.is_nested()) InitChildren();
  }

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

  // --- nested values (struct, list, map) ---
  size_t num_children() const { return children_.size(); }
  const Column& child(size_t i) const { return children_[i]; }
  Column& child(size_t i) { return children_[i]; }
  // List and map: row i holds rows [ListBegin(i), ListEnd(i)) of child(0).
  uint64_t ListBegin(size_t i) const { return offsets_[i]; }
  uint64_t ListEnd(size_t i) const { return offsets_[i + 1]; }
  uint64_t ListLength(size_t i) const { return offsets_[i + 1] - offsets_[i]; }
  // List and map: appends a valid row holding every row appended to child(0) since the
  // previous row of this column.
  void CommitList() {
    offsets_.push_back(children_[0].size());
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }
  // List and map: appends a valid row holding the next `length` rows of child(0) after the
  // previous row's, for builders that fill the child on their own (e.g. Parquet record assembly).
  void AppendListSpan(uint64_t length) {
    offsets_.push_back(offsets_.back() + length);
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }
  // Struct: appends a valid row. REQUIRES: one value was appended to every child since (or will
  // be, by a builder that fills the children on their own).
  void CommitStruct() {
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
  }

  // --- building ---
  void Reserve(size_t rows, size_t char_bytes = 0);
  // Appends a null (zero / empty value underneath; a null struct appends a null to every child).
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
  // Appends row i of `other` (same type), null or not; nested values are copied deeply.
  void AppendFrom(const Column& other, size_t i) {
    if (type_.is_nested()) {
      AppendRange(other, i, 1);
      return;
    }
    AppendFlatFrom(other, i);
  }
  // Appends rows [begin, begin + count) of `other` (same type, another column), in bulk.
  void AppendRange(const Column& other, size_t begin, size_t count);
  // Fixed width only: sets size to n rows; new values are zero and valid.
  void Resize(size_t n);
  // Removes all rows, keeps the type and capacity.
  void Clear();
  // Approximate heap bytes held (for memory accounting), children included.
  size_t memory_bytes() const {
    size_t n = fixed_.capacity() + chars_.capacity() + offsets_.capacity() * 8 + validity_.capacity();
    for (const Column& c : children_) n += c.memory_bytes();
    return n;
  }

  // Value i rendered for humans and diagnostics ("null", "2024-01-02", "3.5", "abc"); nested
  // values as JSON text (value_json.h): [1,2,null], {"a":1,"b":"x"}.
  std::string ValueToString(size_t i) const;

  // Row i of this column and row j of `other` hold the same value: same type, both null, or
  // equal values (bitwise for floating point, so NaN equals NaN and -0.0 differs from 0.0;
  // nested values element by element).
  bool ValueEquals(size_t i, const Column& other, size_t j) const;
  // Same type, same size and ValueEquals at every row.
  bool Equals(const Column& other) const;

  // Checks a nested column's invariants (offsets start at 0 and never decrease, child sizes
  // match, non-nullable children hold no null where their parent is valid, recursively).
  // Internal error naming `name` and the path inside it. OK for flat columns.
  Status ValidateStructure(const std::string& name) const;

 private:
  void InitChildren();
  void AppendFlatFrom(const Column& other, size_t i);
  // Appends the validity of rows [begin, begin + count) of `other`; call before size_ grows.
  void AppendValidity(const Column& other, size_t begin, size_t count);

  DataType type_;
  size_t size_ = 0;
  std::vector<uint8_t> fixed_;
  std::vector<uint64_t> offsets_;
  std::string chars_;
  std::vector<uint8_t> validity_;
  std::vector<Column> children_;  // nested types only
};

}  // namespace gaggle
