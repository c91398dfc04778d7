#include "formats/parquet/thrift_compact.h"

#include <cstring>
#include <limits>

namespace gaggle::thrift {

// ---------------------------------------------------------------- writer

void CompactWriter::WriteVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, CType type) {
  int delta = id - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    WriteVarint(ZigZag32(id));
  }
  last_field_id_ = id;
}

void CompactWriter::BeginStruct() {
  field_id_stack_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_->push_back(static_cast<char>(CType::kStop));
  last_field_id_ = field_id_stack_.empty() ? 0 : field_id_stack_.back();
  if (!field_id_stack_.empty()) field_id_stack_.pop_back();
}

void CompactWriter::FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CType::kBoolTrue : CType::kBoolFalse); }

void CompactWriter::FieldI8(int16_t id, int8_t v) {
  FieldHeader(id, CType::kByte);
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CType::kI16);
  WriteVarint(ZigZag32(v));
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CType::kI32);
  WriteVarint(ZigZag32(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CType::kI64);
  WriteVarint(ZigZag64(v));
}

void CompactWriter::FieldDouble(int16_t id, double v) {
  FieldHeader(id, CType::kDouble);
  char bytes[8];
  std::memcpy(bytes, &v, 8);  // little-endian hosts only (checked in parquet_metadata.cc)
  out_->append(bytes, 8);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CType::kBinary);
  ElemBinary(v);
}

void CompactWriter::ElemBinary(std::string_view v) {
  WriteVarint(v.size());
  out_->append(v.data(), v.size());
}

void CompactWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, CType::kStruct);
  BeginStruct();
}

void CompactWriter::FieldListBegin(int16_t id, CType element_type, uint32_t size) {
  FieldHeader(id, CType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint32_t>(element_type)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<int>(element_type)));
    WriteVarint(size);
  }
}

// ---------------------------------------------------------------- reader

Status CompactReader::ErrorAt(const std::string& what, size_t offset) const {
  return Status::Corruption("thrift compact: " + what + " at byte offset " + std::to_string(offset));
}

Status CompactReader::Error(const std::string& what) const { return ErrorAt(what, pos_); }

Status CompactReader::ReadByteRaw(uint8_t* b) {
  if (pos_ >= size_) return Error("unexpected end of input");
  *b = data_[pos_++];
  return Status::OK();
}

Status CompactReader::ReadVarint(uint64_t* v) {
  size_t start = pos_;
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= size_) return ErrorAt("truncated varint", start);
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7E) != 0) return ErrorAt("varint overflows 64 bits", start);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return ErrorAt("varint longer than 10 bytes", start);
}

Status CompactReader::BeginStruct() {
  if (static_cast<int>(field_id_stack_.size()) >= max_depth_) {
    return Error("structs nested deeper than " + std::to_string(max_depth_));
  }
  field_id_stack_.push_back(last_field_id_);
  last_field_id_ = 0;
  return Status::OK();
}

Status CompactReader::EndStruct() {
  if (field_id_stack_.empty()) return Error("EndStruct without BeginStruct");
  last_field_id_ = field_id_stack_.back();
  field_id_stack_.pop_back();
  return Status::OK();
}

Status CompactReader::NextField(int16_t* id, CType* type) {
  size_t start = pos_;
  uint8_t b = 0;
  GAGGLE_RETURN_IF_ERROR(ReadByteRaw(&b));
  uint8_t t = b & 0x0F;
  if (t == 0) {
    *type = CType::kStop;
    *id = 0;
    return Status::OK();
  }
  if (t > static_cast<uint8_t>(CType::kStruct)) return ErrorAt("unknown field type " + std::to_string(t), start);
  int delta = b >> 4;
  int32_t field_id = 0;
  if (delta != 0) {
    field_id = last_field_id_ + delta;
  } else {
    uint64_t raw = 0;
    GAGGLE_RETURN_IF_ERROR(ReadVarint(&raw));
    int64_t decoded = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
    field_id = static_cast<int32_t>(decoded);
    if (decoded != field_id) return ErrorAt("field id out of range", start);
  }
  if (field_id < std::numeric_limits<int16_t>::min() || field_id > std::numeric_limits<int16_t>::max()) {
    return ErrorAt("field id out of range", start);
  }
  *id = static_cast<int16_t>(field_id);
  last_field_id_ = *id;
  *type = static_cast<CType>(t);
  pending_bool_valid_ = IsBoolType(t);
  pending_bool_ = t == static_cast<uint8_t>(CType::kBoolTrue);
  return Status::OK();
}

Status CompactReader::ReadBool(bool* v) {
  if (pending_bool_valid_) {
    pending_bool_valid_ = false;
    *v = pending_bool_;
    return Status::OK();
  }
  uint8_t b = 0;
  GAGGLE_RETURN_IF_ERROR(ReadByteRaw(&b));
  *v = b == static_cast<uint8_t>(CType::kBoolTrue);
  return Status::OK();
}

Status CompactReader::ReadI8(int8_t* v) {
  uint8_t b = 0;
  GAGGLE_RETURN_IF_ERROR(ReadByteRaw(&b));
  *v = static_cast<int8_t>(b);
  return Status::OK();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t raw = 0;
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&raw));
  *v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  return Status::OK();
}

Status CompactReader::ReadI32(int32_t* v) {
  size_t start = pos_;
  int64_t wide = 0;
  GAGGLE_RETURN_IF_ERROR(ReadI64(&wide));
  if (wide < std::numeric_limits<int32_t>::min() || wide > std::numeric_limits<int32_t>::max()) {
    return ErrorAt("i32 value out of range", start);
  }
  *v = static_cast<int32_t>(wide);
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* v) {
  size_t start = pos_;
  int64_t wide = 0;
  GAGGLE_RETURN_IF_ERROR(ReadI64(&wide));
  if (wide < std::numeric_limits<int16_t>::min() || wide > std::numeric_limits<int16_t>::max()) {
    return ErrorAt("i16 value out of range", start);
  }
  *v = static_cast<int16_t>(wide);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* v) {
  if (size_ - pos_ < 8) return Error("truncated double");
  std::memcpy(v, data_ + pos_, 8);
  pos_ += 8;
  return Status::OK();
}

Status CompactReader::ReadBinaryView(std::string_view* v) {
  size_t start = pos_;
  uint64_t len = 0;
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&len));
  if (len > size_ - pos_) {
    return ErrorAt(
        "binary length " + std::to_string(len) + " exceeds the " + std::to_string(size_ - pos_) + " remaining bytes",
        start);
  }
  *v = std::string_view(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return Status::OK();
}

Status CompactReader::ReadBinary(std::string* v) {
  std::string_view view;
  GAGGLE_RETURN_IF_ERROR(ReadBinaryView(&view));
  v->assign(view.data(), view.size());
  return Status::OK();
}

Status CompactReader::ReadListBegin(CType* element_type, uint32_t* size) {
  size_t start = pos_;
  uint8_t b = 0;
  GAGGLE_RETURN_IF_ERROR(ReadByteRaw(&b));
  uint8_t t = b & 0x0F;
  if (t == 0 || t > static_cast<uint8_t>(CType::kStruct)) {
    return ErrorAt("unknown list element type " + std::to_string(t), start);
  }
  uint64_t n = b >> 4;
  if (n == 15) GAGGLE_RETURN_IF_ERROR(ReadVarint(&n));
  // Every element takes at least one byte, so a count above the remaining bytes is a lie.
  if (n > size_ - pos_) {
    return ErrorAt(
        "list of " + std::to_string(n) + " elements exceeds the " + std::to_string(size_ - pos_) + " remaining bytes",
        start);
  }
  *element_type = static_cast<CType>(t);
  *size = static_cast<uint32_t>(n);
  pending_bool_valid_ = false;
  return Status::OK();
}

Status CompactReader::Skip(CType type) { return SkipDepth(type, static_cast<int>(field_id_stack_.size())); }

Status CompactReader::SkipDepth(CType type, int depth) {
  if (depth >= max_depth_) return Error("values nested deeper than " + std::to_string(max_depth_));
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse: {
      bool ignored = false;
      return ReadBool(&ignored);
    }
    case CType::kByte: {
      uint8_t ignored = 0;
      return ReadByteRaw(&ignored);
    }
    case CType::kI16:
    case CType::kI32:
    case CType::kI64: {
      uint64_t ignored = 0;
      return ReadVarint(&ignored);
    }
    case CType::kDouble: {
      double ignored = 0;
      return ReadDouble(&ignored);
    }
    case CType::kBinary: {
      std::string_view ignored;
      return ReadBinaryView(&ignored);
    }
    case CType::kList:
    case CType::kSet: {
      CType elem = CType::kStop;
      uint32_t n = 0;
      GAGGLE_RETURN_IF_ERROR(ReadListBegin(&elem, &n));
      for (uint32_t i = 0; i < n; ++i) GAGGLE_RETURN_IF_ERROR(SkipDepth(elem, depth + 1));
      return Status::OK();
    }
    case CType::kMap: {
      size_t start = pos_;
      uint64_t n = 0;
      GAGGLE_RETURN_IF_ERROR(ReadVarint(&n));
      if (n == 0) return Status::OK();
      uint8_t kv = 0;
      GAGGLE_RETURN_IF_ERROR(ReadByteRaw(&kv));
      if (n > (size_ - pos_) / 2) return ErrorAt("map of " + std::to_string(n) + " entries exceeds the input", start);
      CType key = static_cast<CType>(kv >> 4);
      CType value = static_cast<CType>(kv & 0x0F);
      if (key == CType::kStop || value == CType::kStop || (kv >> 4) > 12 || (kv & 0x0F) > 12) {
        return ErrorAt("bad map key/value types", start);
      }
      for (uint64_t i = 0; i < n; ++i) {
        GAGGLE_RETURN_IF_ERROR(SkipDepth(key, depth + 1));
        GAGGLE_RETURN_IF_ERROR(SkipDepth(value, depth + 1));
      }
      return Status::OK();
    }
    case CType::kStruct: {
      GAGGLE_RETURN_IF_ERROR(BeginStruct());
      while (true) {
        int16_t id = 0;
        CType t = CType::kStop;
        GAGGLE_RETURN_IF_ERROR(NextField(&id, &t));
        if (t == CType::kStop) break;
        GAGGLE_RETURN_IF_ERROR(SkipDepth(t, depth + 1));
      }
      return EndStruct();
    }
    case CType::kStop: break;
  }
  return Error("cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

}  // namespace gaggle::thrift
