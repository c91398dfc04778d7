#include "formats/avro/avro_writer.h"

#include <avro.h>

#include <array>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "formats/avro/avro_codec.h"
#include "formats/avro/avro_container.h"
#include "formats/avro/avro_schema.h"

namespace gaggle {
namespace {

using OJson = nlohmann::ordered_json;

// Uncompressed bytes per block: large enough to compress well, small enough that a
// reader's per-block buffer stays modest (Java and Python use 16..64 KiB).
constexpr size_t kTargetBlockBytes = 256 * 1024;

// The Avro record tree of a gaggle schema: dotted column names become nested records.
struct WriteNode {
  std::string name;                 // field name inside its parent
  std::vector<WriteNode> children;  // non-empty for a nested record
  int column = -1;                  // leaf: column index
  bool nullable = false;
  DataType type;
  std::array<uint8_t, 16> scratch{};  // leaf decimal bytes (alive until the record is written)

  bool is_record() const { return column < 0; }
};

// Nested columns are written as Avro records (struct), arrays (list) and maps (map with
// string keys); field names inside a struct must be Avro names.
Status CheckNestedType(const std::string& path, const DataType& type) {
  if (!type.is_nested()) return Status::OK();
  if (type.id == TypeId::kMap && type.map_key().type.id != TypeId::kString) {
    return Status::InvalidArgument("column '" + path + "' is " + type.ToString() +
                                   ": Avro map keys are strings; cast the key to string first");
  }
  if (type.id == TypeId::kStruct) {
    for (size_t i = 0; i < type.num_children(); ++i) {
      const Field& c = type.child(i);
      if (!avro::IsValidAvroName(c.name)) {
        return Status::InvalidArgument("field '" + path + "." + c.name +
                                       "' cannot be an Avro field name ([A-Za-z_][A-Za-z0-9_]*); rename it first");
      }
      GAGGLE_RETURN_IF_ERROR(CheckNestedType(path + "." + c.name, c.type));
    }
    return Status::OK();
  }
  const Field& inner = type.id == TypeId::kList ? type.list_element() : type.map_value();
  return CheckNestedType(path + (type.id == TypeId::kList ? "[]" : "{}"), inner.type);
}

Status BuildTree(const Schema& schema, WriteNode* root) {
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    GAGGLE_RETURN_IF_ERROR(CheckNestedType(f.name, f.type));
    WriteNode* node = root;
    size_t start = 0;
    while (true) {
      size_t dot = f.name.find('.', start);
      std::string seg = f.name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!avro::IsValidAvroName(seg)) {
        return Status::InvalidArgument("column '" + f.name + "' cannot be an Avro field name (segments must match " +
                                       "[A-Za-z_][A-Za-z0-9_]*, dots nest records); rename it first");
      }
      WriteNode* found = nullptr;
      for (WriteNode& c : node->children) {
        if (c.name == seg) found = &c;
      }
      bool last = dot == std::string::npos;
      if (found != nullptr && (last || !found->is_record())) {
        return Status::InvalidArgument("column '" + f.name + "' collides with another column's Avro field '" + seg +
                                       "'");
      }
      if (found == nullptr) {
        node->children.push_back(WriteNode{seg, {}, -1, false, DataType(), {}});
        found = &node->children.back();
      }
      if (last) {
        found->column = static_cast<int>(i);
        found->nullable = f.nullable;
        found->type = f.type;
        break;
      }
      node = found;
      start = dot + 1;
    }
  }
  return Status::OK();
}

// The Avro schema of a tree: with logical types and readable names for the file
// header, or plain with synthetic names for avro-c's encoder.
OJson TypeJson(const DataType& type, bool nullable, bool for_file, int* counter);

OJson TreeJson(const WriteNode& node, const std::string& space, bool for_file, int* counter) {
  if (node.is_record()) {
    OJson rec = OJson::object();
    rec["type"] = "record";
    if (!for_file) {
      rec["name"] = "r" + std::to_string((*counter)++);
    } else if (space.empty()) {
      rec["name"] = "gaggle_record";
    } else {
      rec["name"] = node.name + "_record";
      rec["namespace"] = space;
    }
    OJson fields = OJson::array();
    for (const WriteNode& c : node.children) {
      OJson field = OJson::object();
      field["name"] = c.name;
      std::string inner = space.empty() ? "gaggle" : space + "." + node.name;
      field["type"] = TreeJson(c, inner, for_file, counter);
      fields.push_back(std::move(field));
    }
    rec["fields"] = std::move(fields);
    return rec;
  }
  return TypeJson(node.type, node.nullable, for_file, counter);
}

// The Avro schema of one gaggle type (nested types recursively; struct records are named
// gaggle_struct_N, unique in the file).
OJson TypeJson(const DataType& type, bool nullable, bool for_file, int* counter) {
  OJson t;
  switch (type.id) {
    case TypeId::kBool: t = "boolean"; break;
    case TypeId::kInt32: t = "int"; break;
    case TypeId::kInt64: t = "long"; break;
    case TypeId::kFloat: t = "float"; break;
    case TypeId::kDouble: t = "double"; break;
    case TypeId::kString: t = "string"; break;
    case TypeId::kBinary: t = "bytes"; break;
    case TypeId::kDate: t = for_file ? OJson{{"type", "int"}, {"logicalType", "date"}} : OJson("int"); break;
    case TypeId::kTimestamp: {
      // A naive timestamp stays naive: Avro's local-timestamp-micros.
      const char* logical = type.utc ? "timestamp-micros" : "local-timestamp-micros";
      t = for_file ? OJson{{"type", "long"}, {"logicalType", logical}} : OJson("long");
      break;
    }
    case TypeId::kDecimal:
      t = for_file ? OJson{{"type", "bytes"},
                           {"logicalType", "decimal"},
                           {"precision", type.precision},
                           {"scale", type.scale}}
                   : OJson("bytes");
      break;
    case TypeId::kStruct: {
      OJson fields = OJson::array();
      for (size_t i = 0; i < type.num_children(); ++i) {
        const Field& c = type.child(i);
        fields.push_back(OJson{{"name", c.name}, {"type", TypeJson(c.type, c.nullable, for_file, counter)}});
      }
      t = OJson{{"type", "record"}, {"name", "gaggle_struct_" + std::to_string((*counter)++)}, {"fields", fields}};
      break;
    }
    case TypeId::kList:
      t = OJson{{"type", "array"},
                {"items", TypeJson(type.list_element().type, type.list_element().nullable, for_file, counter)}};
      break;
    case TypeId::kMap:
      t = OJson{{"type", "map"},
                {"values", TypeJson(type.map_value().type, type.map_value().nullable, for_file, counter)}};
      break;
  }
  if (nullable) return OJson::array({"null", t});
  return t;
}

// Minimal big-endian two's complement bytes of v (at most 16).
size_t DecimalBytes(Int128 v, uint8_t* out) {
  uint8_t full[16];
  for (int i = 0; i < 16; ++i) full[i] = static_cast<uint8_t>(static_cast<UInt128>(v) >> (120 - 8 * i));
  int start = 0;
  while (start < 15) {
    bool redundant = (full[start] == 0x00 && (full[start + 1] & 0x80) == 0) ||
                     (full[start] == 0xFF && (full[start + 1] & 0x80) != 0);
    if (!redundant) break;
    ++start;
  }
  size_t n = static_cast<size_t>(16 - start);
  std::memcpy(out, full + start, n);
  return n;
}

class AvroWriter final : public BatchWriter {
 public:
  AvroWriter(std::unique_ptr<WritableFile> file, std::shared_ptr<const Schema> schema, avro::Codec codec, int level)
      : file_(std::move(file)), schema_(std::move(schema)), codec_(codec), level_(level) {}

  ~AvroWriter() override {
    if (value_.iface != nullptr) avro_value_decref(&value_);
    if (iface_ != nullptr) avro_value_iface_decref(iface_);
    if (avro_schema_ != nullptr) avro_schema_decref(avro_schema_);
    if (scratch_writer_ != nullptr) avro_writer_free(scratch_writer_);
  }

  Status Init(const WriteNode& root, const std::vector<std::pair<std::string, std::string>>& extra_metadata) {
    root_ = root;
    int counter = 0;
    std::string file_json = TreeJson(root_, "", true, &counter).dump();
    std::string plain_json = TreeJson(root_, "", false, &counter).dump();
    if (avro_schema_from_json_length(plain_json.data(), plain_json.size(), &avro_schema_) != 0) {
      return Status::Internal(std::string("avro-c rejected the writer schema: ") + avro_strerror());
    }
    iface_ = avro_generic_class_from_schema(avro_schema_);
    if (iface_ == nullptr) return Status::Internal(std::string("avro-c generic class: ") + avro_strerror());
    if (avro_generic_value_new(iface_, &value_) != 0) {
      value_.iface = nullptr;
      return Status::Internal(std::string("avro-c generic value: ") + avro_strerror());
    }
    scratch_.resize(64 * 1024);
    scratch_writer_ = avro_writer_memory(scratch_.data(), static_cast<int64_t>(scratch_.size()));
    if (scratch_writer_ == nullptr) return Status::Internal("avro-c memory writer");

    std::random_device rd;
    for (size_t i = 0; i < sync_.size(); i += 4) {
      uint32_t r = rd();
      std::memcpy(sync_.data() + i, &r, 4);
    }
    std::vector<std::pair<std::string, std::string>> meta = {
        {"avro.schema", file_json}, {"avro.codec", avro::CodecName(codec_)}, {"created_by", "gaggle " GAGGLE_VERSION}};
    for (const auto& kv : extra_metadata) {
      if (kv.first.rfind("avro.", 0) != 0 && kv.first != "created_by") meta.push_back(kv);
    }
    return file_->Append(avro::EncodeContainerHeader(meta, sync_));
  }

  Status Write(const RecordBatch& batch) override {
    if (!error_.ok()) return error_;
    if (batch.schema == nullptr || *batch.schema != *schema_ || batch.columns.size() != schema_->num_fields()) {
      return Sticky(
          Status::InvalidArgument("avro writer '" + file_->path() + "': batch schema differs from the file's"));
    }
    batch_ = &batch;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Status st = AppendRow(r);
      if (st.ok() && block_.size() >= kTargetBlockBytes) st = FlushBlock();
      if (!st.ok()) return Sticky(st);
    }
    batch_ = nullptr;
    return Status::OK();
  }

  Status Finish() override {
    if (!error_.ok()) return error_;
    Status st = FlushBlock();
    if (st.ok()) st = file_->Close();
    if (!st.ok()) return Sticky(st);
    error_ = Status::InvalidArgument("avro writer '" + file_->path() + "' is already finished");
    return Status::OK();
  }

  uint64_t bytes_written() const override { return file_->bytes_written(); }

 private:
  Status Sticky(Status st) {
    error_ = st;
    return st;
  }

  Status AppendRow(size_t r) {
    GAGGLE_RETURN_IF_ERROR(SetRecord(root_, &value_, r));
    while (true) {
      avro_writer_reset(scratch_writer_);
      if (avro_value_write(scratch_writer_, &value_) == 0) break;
      // The only failure of a memory writer is running out of room: grow and retry.
      if (scratch_.size() >= static_cast<size_t>(avro::kMaxBlockBytes)) {
        return Status::InvalidArgument("avro writer '" + file_->path() + "': row " + std::to_string(rows_) +
                                       " encodes to more than " + std::to_string(avro::kMaxBlockBytes) + " bytes");
      }
      scratch_.resize(scratch_.size() * 2);
      avro_writer_memory_set_dest(scratch_writer_, scratch_.data(), static_cast<int64_t>(scratch_.size()));
    }
    block_.append(scratch_.data(), static_cast<size_t>(avro_writer_tell(scratch_writer_)));
    ++block_rows_;
    ++rows_;
    return Status::OK();
  }

  Status SetRecord(WriteNode& node, avro_value_t* v, size_t r) {
    for (size_t i = 0; i < node.children.size(); ++i) {
      avro_value_t field;
      if (avro_value_get_by_index(v, i, &field, nullptr) != 0) return AvroFailure("field");
      WriteNode& c = node.children[i];
      GAGGLE_RETURN_IF_ERROR(c.is_record() ? SetRecord(c, &field, r) : SetLeaf(c, &field, r));
    }
    return Status::OK();
  }

  Status SetLeaf(WriteNode& node, avro_value_t* field, size_t r) {
    const Column& col = batch_->columns[static_cast<size_t>(node.column)];
    avro_value_t branch;
    avro_value_t* v = field;
    if (node.nullable) {
      bool null = col.IsNull(r);
      if (avro_value_set_branch(field, null ? 0 : 1, &branch) != 0) return AvroFailure("union");
      if (null) return avro_value_set_null(&branch) == 0 ? Status::OK() : AvroFailure("null");
      v = &branch;
    } else if (col.IsNull(r)) {
      return Status::InvalidArgument("avro writer '" + file_->path() + "': column '" +
                                     schema_->field(static_cast<size_t>(node.column)).name +
                                     "' is not nullable but row " + std::to_string(rows_) + " is null");
    }
    int rc = 0;
    switch (node.type.id) {
      case TypeId::kBool: rc = avro_value_set_boolean(v, col.Get<uint8_t>(r) != 0); break;
      case TypeId::kInt32:
      case TypeId::kDate: rc = avro_value_set_int(v, col.Get<int32_t>(r)); break;
      case TypeId::kInt64:
      case TypeId::kTimestamp: rc = avro_value_set_long(v, col.Get<int64_t>(r)); break;
      case TypeId::kFloat: rc = avro_value_set_float(v, col.Get<float>(r)); break;
      case TypeId::kDouble: rc = avro_value_set_double(v, col.Get<double>(r)); break;
      case TypeId::kString:
      case TypeId::kBinary: {
        // Lend the column's bytes to avro-c (no copy); it encodes before the batch goes away.
        std::string_view s = col.GetString(r);
        avro_wrapped_buffer_t buf;
        if (node.type.id == TypeId::kString) {
          // avro-c's string size counts a NUL it never writes; the byte after the
          // value is readable (the next value or std::string's terminator).
          avro_wrapped_buffer_new(&buf, s.data(), s.size() + 1);
          rc = avro_value_give_string_len(v, &buf);
        } else {
          avro_wrapped_buffer_new(&buf, s.data(), s.size());
          rc = avro_value_give_bytes(v, &buf);
        }
        break;
      }
      case TypeId::kDecimal: {
        Int128 unscaled = node.type.is_wide_decimal() ? col.Get<Int128>(r) : col.Get<int64_t>(r);
        size_t n = DecimalBytes(unscaled, node.scratch.data());
        avro_wrapped_buffer_t buf;
        avro_wrapped_buffer_new(&buf, node.scratch.data(), n);
        rc = avro_value_give_bytes(v, &buf);
        break;
      }
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap: return SetNested(col, r, v, schema_->field(static_cast<size_t>(node.column)).name);
    }
    return rc == 0 ? Status::OK() : AvroFailure("value");
  }

  // Row r of a nested column (or of a column inside one) into avro-c's value. Values are
  // copied (avro_value_set_*): a row may hold any number of them.
  Status SetNested(const Column& col, size_t r, avro_value_t* v, const std::string& path) {
    const DataType& type = col.type();
    if (type.id == TypeId::kStruct) {
      for (size_t i = 0; i < type.num_children(); ++i) {
        avro_value_t field;
        if (avro_value_get_by_index(v, i, &field, nullptr) != 0) return AvroFailure("field");
        const Field& f = type.child(i);
        GAGGLE_RETURN_IF_ERROR(SetInner(col.child(i), r, f.nullable, &field, path + "." + f.name));
      }
      return Status::OK();
    }
    if (avro_value_reset(v) != 0) return AvroFailure("array");  // the value is reused row after row
    const bool list = type.id == TypeId::kList;
    const Column& items = col.child(0);
    for (uint64_t k = col.ListBegin(r); k < col.ListEnd(r); ++k) {
      avro_value_t item;
      if (list) {
        if (avro_value_append(v, &item, nullptr) != 0) return AvroFailure("array item");
        GAGGLE_RETURN_IF_ERROR(SetInner(items, k, type.list_element().nullable, &item, path + "[]"));
        continue;
      }
      key_.assign(items.child(0).GetString(k));
      if (key_.find('\0') != std::string::npos) {
        return Status::InvalidArgument("avro writer '" + file_->path() + "': map column '" + path + "' row " +
                                       std::to_string(rows_) + " has a key with a NUL byte (avro-c cannot write it)");
      }
      int is_new = 0;
      if (avro_value_add(v, key_.c_str(), &item, nullptr, &is_new) != 0) return AvroFailure("map entry");
      if (!is_new) {
        return Status::InvalidArgument("avro writer '" + file_->path() + "': map column '" + path + "' row " +
                                       std::to_string(rows_) + " repeats the key '" + key_ +
                                       "' (an Avro map holds each key once)");
      }
      GAGGLE_RETURN_IF_ERROR(SetInner(items.child(1), k, type.map_value().nullable, &item, path + "{}"));
    }
    return Status::OK();
  }

  // One value inside a nested column: the null branch of its union, or the value.
  Status SetInner(const Column& col, size_t i, bool nullable, avro_value_t* field, const std::string& path) {
    avro_value_t branch;
    avro_value_t* v = field;
    if (nullable) {
      const bool null = col.IsNull(i);
      if (avro_value_set_branch(field, null ? 0 : 1, &branch) != 0) return AvroFailure("union");
      if (null) return avro_value_set_null(&branch) == 0 ? Status::OK() : AvroFailure("null");
      v = &branch;
    } else if (col.IsNull(i)) {
      return Status::InvalidArgument("avro writer '" + file_->path() + "': '" + path + "' is not nullable but row " +
                                     std::to_string(rows_) + " holds a null there");
    }
    int rc = 0;
    switch (col.type().id) {
      case TypeId::kBool: rc = avro_value_set_boolean(v, col.Get<uint8_t>(i) != 0); break;
      case TypeId::kInt32:
      case TypeId::kDate: rc = avro_value_set_int(v, col.Get<int32_t>(i)); break;
      case TypeId::kInt64:
      case TypeId::kTimestamp: rc = avro_value_set_long(v, col.Get<int64_t>(i)); break;
      case TypeId::kFloat: rc = avro_value_set_float(v, col.Get<float>(i)); break;
      case TypeId::kDouble: rc = avro_value_set_double(v, col.Get<double>(i)); break;
      case TypeId::kString: {
        std::string_view s = col.GetString(i);
        rc = avro_value_set_string_len(v, s.data(), s.size() + 1);  // the size counts a NUL (see SetLeaf)
        break;
      }
      case TypeId::kBinary: {
        std::string_view s = col.GetString(i);
        rc = avro_value_set_bytes(v, const_cast<char*>(s.data()), s.size());
        break;
      }
      case TypeId::kDecimal: {
        std::array<uint8_t, 16> bytes{};
        Int128 unscaled = col.type().is_wide_decimal() ? col.Get<Int128>(i) : col.Get<int64_t>(i);
        size_t n = DecimalBytes(unscaled, bytes.data());
        rc = avro_value_set_bytes(v, bytes.data(), n);
        break;
      }
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap: return SetNested(col, i, v, path);
    }
    return rc == 0 ? Status::OK() : AvroFailure("value");
  }

  Status AvroFailure(const char* what) const {
    return Status::Internal("avro writer '" + file_->path() + "': avro-c could not set a " + what + " at row " +
                            std::to_string(rows_) + ": " + avro_strerror());
  }

  Status FlushBlock() {
    if (block_rows_ == 0) return Status::OK();
    GAGGLE_RETURN_IF_ERROR(avro::EncodeBlock(codec_, block_, level_, &compressed_));
    std::string head;
    avro::AppendVarLong(&head, block_rows_);
    avro::AppendVarLong(&head, static_cast<int64_t>(compressed_.size()));
    GAGGLE_RETURN_IF_ERROR(file_->Append(head));
    GAGGLE_RETURN_IF_ERROR(file_->Append(compressed_));
    GAGGLE_RETURN_IF_ERROR(file_->Append(std::string_view(reinterpret_cast<const char*>(sync_.data()), sync_.size())));
    block_.clear();
    block_rows_ = 0;
    return Status::OK();
  }

  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<const Schema> schema_;
  avro::Codec codec_;
  int level_;
  WriteNode root_;
  avro::SyncMarker sync_{};

  avro_schema_t avro_schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{nullptr, nullptr};  // reused for every row
  avro_writer_t scratch_writer_ = nullptr;
  std::string scratch_;
  std::string key_;  // scratch: one map key, NUL-terminated for avro-c

  const RecordBatch* batch_ = nullptr;
  std::string block_;  // encoded rows of the open block
  int64_t block_rows_ = 0;
  std::string compressed_;
  int64_t rows_ = 0;
  Status error_;
};

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenAvroWriter(FileSystem* fs, const std::string& path,
                                                    std::shared_ptr<const Schema> schema, const WriteOptions& options) {
  avro::Codec codec = avro::Codec::kNull;
  switch (options.compression) {
    case Compression::kNone: codec = avro::Codec::kNull; break;
    case Compression::kGzip: codec = avro::Codec::kDeflate; break;
    case Compression::kSnappy: codec = avro::Codec::kSnappy; break;
    case Compression::kZstd: codec = avro::Codec::kZstandard; break;
    case Compression::kLz4Raw:
    case Compression::kBrotli:
    case Compression::kLz4Hadoop:
      return Status::Unsupported(std::string(CompressionName(options.compression)) + " for Avro output '" + path +
                                 "': Avro has no such codec; use zstd (Avro zstandard), snappy, gzip (written as "
                                 "Avro deflate) or none");
  }
  if (schema == nullptr || schema->num_fields() == 0) {
    return Status::InvalidArgument("avro writer '" + path + "': the schema has no columns");
  }
  WriteNode root;
  GAGGLE_RETURN_IF_ERROR(BuildTree(*schema, &root));
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenWritable(path));
  auto writer = std::make_unique<AvroWriter>(std::move(file), std::move(schema), codec, options.compression_level);
  GAGGLE_RETURN_IF_ERROR(writer->Init(root, options.key_value_metadata));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

}  // namespace gaggle
