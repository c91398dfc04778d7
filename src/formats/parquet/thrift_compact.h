// Thrift compact protocol: the byte encoding of Parquet's footer and page headers.
//
// CompactWriter appends fields to a std::string: varints, zigzag integers, field-id
// deltas, booleans folded into the field type, lists and nested structs.
// CompactReader walks the same bytes with every length and count checked against the
// bytes that remain; any malformed input is Corruption naming the byte offset. It can
// skip a value of any type (for fields this code does not know), and refuses structs or
// containers nested deeper than `max_depth`, so hostile input cannot exhaust the stack.
// Sets and maps are only skipped, never produced. Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle::thrift {

// Wire types of the compact protocol (4 bits).
enum class CType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  // Structs: every BeginStruct needs an EndStruct (which writes the stop byte).
  void BeginStruct();
  void EndStruct();

  void FieldBool(int16_t id, bool v);
  void FieldI8(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldDouble(int16_t id, double v);
  void FieldBinary(int16_t id, std::string_view v);
  // Field header for a nested struct, then BeginStruct(); close it with EndStruct().
  void FieldStructBegin(int16_t id);
  // Field header and list header; then write `size` elements with the Elem* calls
  // (struct elements: BeginStruct()/EndStruct()).
  void FieldListBegin(int16_t id, CType element_type, uint32_t size);

  void ElemI32(int32_t v) { WriteVarint(ZigZag32(v)); }
  void ElemI64(int64_t v) { WriteVarint(ZigZag64(v)); }
  void ElemBinary(std::string_view v);

  void WriteVarint(uint64_t v);
  static uint64_t ZigZag32(int32_t v) {
    return static_cast<uint32_t>((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
  }
  static uint64_t ZigZag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

 private:
  void FieldHeader(int16_t id, CType type);

  std::string* out_;
  int16_t last_field_id_ = 0;
  std::vector<int16_t> field_id_stack_;
};

class CompactReader {
 public:
  static constexpr int kDefaultMaxDepth = 32;

  CompactReader(const uint8_t* data, size_t size, int max_depth = kDefaultMaxDepth)
      : data_(data), size_(size), max_depth_(max_depth) {}
  explicit CompactReader(std::string_view bytes, int max_depth = kDefaultMaxDepth)
      : CompactReader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), max_depth) {}

  // Enter a struct (top level, a struct field, or a struct list element); leave it after
  // NextField returned kStop.
  Status BeginStruct();
  Status EndStruct();
  // Reads the next field header of the current struct. *type == kStop ends the struct.
  // For boolean fields the value travels in the type: read it with ReadBool().
  Status NextField(int16_t* id, CType* type);

  // Values. ReadBool works for a boolean field (just after NextField) and for a list element.
  Status ReadBool(bool* v);
  Status ReadI8(int8_t* v);
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadDouble(double* v);
  Status ReadBinary(std::string* v);
  // The bytes stay owned by the input buffer.
  Status ReadBinaryView(std::string_view* v);
  // List or set header. `*size` is already checked against the remaining bytes.
  Status ReadListBegin(CType* element_type, uint32_t* size);

  // Skips one value of wire type `type` (for a boolean field, the value is already consumed).
  Status Skip(CType type);

  size_t position() const { return pos_; }
  // "thrift compact: <what> at byte offset N" as a Corruption status.
  Status Error(const std::string& what) const;
  Status ErrorAt(const std::string& what, size_t offset) const;

 private:
  Status ReadVarint(uint64_t* v);
  Status ReadByteRaw(uint8_t* b);
  Status SkipDepth(CType type, int depth);
  static bool IsBoolType(uint8_t t) { return t == 1 || t == 2; }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int max_depth_;
  int16_t last_field_id_ = 0;
  std::vector<int16_t> field_id_stack_;
  // Value of the boolean field just read by NextField.
  bool pending_bool_valid_ = false;
  bool pending_bool_ = false;
};

}  // namespace gaggle::thrift
