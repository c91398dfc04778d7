#include "formats/avro/avro_reader.h"

#include <avro.h>

#include <cstring>

#include "columnar/value_format.h"
#include "formats/avro/avro_block_validator.h"
#include "formats/avro/avro_codec.h"
#include "formats/avro/avro_container.h"
#include "formats/avro/avro_schema.h"

namespace gaggle {
namespace {

using avro::PlanNode;

// A file's header, schema mapping and codec: what the reader and InspectAvro share.
struct OpenedFile {
  std::unique_ptr<RandomAccessFile> file;
  avro::ContainerHeader header;
  avro::ReadMapping mapping;
};

Result<OpenedFile> OpenContainer(FileSystem* fs, const std::string& path) {
  OpenedFile f;
  GAGGLE_ASSIGN_OR_RETURN(f.file, fs->OpenRandomAccess(path));
  GAGGLE_ASSIGN_OR_RETURN(f.header, avro::ReadContainerHeader(*f.file));
  auto mapping = avro::MapAvroSchema(f.header.schema_json);
  if (!mapping.ok()) return mapping.status().WithContext("avro file '" + path + "'");
  f.mapping = std::move(mapping).value();
  return f;
}

class AvroReader final : public BatchReader {
 public:
  AvroReader(OpenedFile f, avro::Codec codec, size_t batch_rows)
      : file_(std::move(f.file)),
        header_(std::move(f.header)),
        mapping_(std::move(f.mapping)),
        schema_(std::make_shared<const Schema>(mapping_.schema)),
        codec_(codec),
        batch_rows_(batch_rows),
        cursor_(file_.get(), header_.data_offset, header_.sync) {}

  ~AvroReader() override {
    if (value_.iface != nullptr) avro_value_decref(&value_);
    if (iface_ != nullptr) avro_value_iface_decref(iface_);
    if (avro_schema_ != nullptr) avro_schema_decref(avro_schema_);
    if (memory_ != nullptr) avro_reader_free(memory_);
  }

  // Builds avro-c's decoder from the validated, synthetic schema.
  Status Init() {
    const std::string& json = mapping_.avro_c_json;
    if (avro_schema_from_json_length(json.data(), json.size(), &avro_schema_) != 0) {
      return Status::Internal("avro-c rejected the derived schema for '" + file_->path() + "': " + avro_strerror());
    }
    iface_ = avro_generic_class_from_schema(avro_schema_);
    if (iface_ == nullptr) return Status::Internal(std::string("avro-c generic class: ") + avro_strerror());
    if (avro_generic_value_new(iface_, &value_) != 0) {
      value_.iface = nullptr;
      return Status::Internal(std::string("avro-c generic value: ") + avro_strerror());
    }
    memory_ = avro_reader_memory("", 0);
    if (memory_ == nullptr) return Status::Internal("avro-c memory reader");
    return Status::OK();
  }

  std::shared_ptr<const Schema> schema() const override { return schema_; }

  Result<bool> Next(RecordBatch* batch) override {
    if (batch->schema != schema_ || batch->columns.size() != schema_->num_fields()) {
      *batch = RecordBatch::Empty(schema_);
      for (Column& c : batch->columns) c.Reserve(batch_rows_);
    } else {
      batch->Clear();
    }
    if (!error_.ok()) return error_;
    size_t rows = 0;
    while (rows < batch_rows_) {
      if (remaining_ == 0) {
        if (done_) break;
        Status st = LoadBlock();
        if (!st.ok()) return Fail(st, batch);
        continue;
      }
      if (avro_value_read(memory_, &value_) != 0) {
        return Fail(Corrupt(std::string("avro-c could not decode the record: ") + avro_strerror()), batch);
      }
      Status st = Extract(mapping_.root, &value_, batch);
      if (!st.ok()) return Fail(st, batch);
      --remaining_;
      ++row_;
      ++rows;
    }
    return rows > 0;
  }

 private:
  Result<bool> Fail(Status st, RecordBatch* batch) {
    error_ = st;
    batch->Clear();
    return st;
  }

  Status Corrupt(const std::string& what) const {
    return Status::Corruption("avro file '" + file_->path() + "', block " + std::to_string(block_.index) + " at byte " +
                              std::to_string(block_.offset) + ", row " + std::to_string(row_) + ": " + what);
  }

  Status LoadBlock() {
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool more, cursor_.Next(&block_, &compressed_));
      if (!more) {
        done_ = true;
        return Status::OK();
      }
      std::string where = "avro file '" + file_->path() + "', block " + std::to_string(block_.index) + " at byte " +
                          std::to_string(block_.offset);
      auto data = avro::DecodeBlock(codec_, compressed_, static_cast<size_t>(avro::kMaxBlockBytes), &decoded_);
      if (!data.ok()) return data.status().WithContext(where);
      Status st = avro::ValidateBlock(mapping_.root, *data, block_.count);
      if (!st.ok()) return st.WithContext(where);
      if (block_.count == 0) continue;
      avro_reader_memory_set_source(memory_, data->data(), static_cast<int64_t>(data->size()));
      remaining_ = block_.count;
      return Status::OK();
    }
  }

  static Status AvroError(const char* what) { return Status::Corruption(std::string(what) + ": " + avro_strerror()); }

  Status Extract(const PlanNode& node, avro_value_t* v, RecordBatch* batch) {
    switch (node.type) {
      case PlanNode::Type::kRecord:
        for (size_t i = 0; i < node.children.size(); ++i) {
          avro_value_t child;
          if (avro_value_get_by_index(v, i, &child, nullptr) != 0) return Corrupt("record field missing");
          GAGGLE_RETURN_IF_ERROR(Extract(node.children[i], &child, batch));
        }
        return Status::OK();
      case PlanNode::Type::kUnion: {
        int branch = -1;
        if (avro_value_get_discriminant(v, &branch) != 0) return Corrupt("union without a branch");
        if (branch == node.null_branch) {
          for (int c = node.first_column; c < node.end_column; ++c) batch->columns[c].AppendNull();
          return Status::OK();
        }
        avro_value_t child;
        if (avro_value_get_current_branch(v, &child) != 0) return Corrupt("union without a branch");
        return Extract(node.children[0], &child, batch);
      }
      case PlanNode::Type::kLeaf: return ExtractLeaf(node, v, &batch->columns[node.first_column]);
      case PlanNode::Type::kArray:
      case PlanNode::Type::kMap:
      case PlanNode::Type::kTaggedUnion: return ExtractValue(node, v, &batch->columns[node.first_column]);
    }
    return Status::Internal("unknown plan node");
  }

  // One value of a nested column (or inside one) into `col`, whose type MapValue derived.
  Status ExtractValue(const PlanNode& node, avro_value_t* v, Column* col) {
    switch (node.type) {
      case PlanNode::Type::kRecord:
        for (size_t i = 0; i < node.children.size(); ++i) {
          avro_value_t child;
          if (avro_value_get_by_index(v, i, &child, nullptr) != 0) return Corrupt("record field missing");
          GAGGLE_RETURN_IF_ERROR(ExtractValue(node.children[i], &child, &col->child(i)));
        }
        col->CommitStruct();
        return Status::OK();
      case PlanNode::Type::kUnion:
      case PlanNode::Type::kTaggedUnion: {
        int branch = -1;
        if (avro_value_get_discriminant(v, &branch) != 0) return Corrupt("union without a branch");
        if (branch == node.null_branch) {
          col->AppendNull();
          return Status::OK();
        }
        avro_value_t child;
        if (avro_value_get_current_branch(v, &child) != 0) return Corrupt("union without a branch");
        if (node.type == PlanNode::Type::kUnion) return ExtractValue(node.children[0], &child, col);
        if (branch < 0 || static_cast<size_t>(branch) >= node.branch_child.size()) return Corrupt("union branch");
        const size_t k = static_cast<size_t>(node.branch_child[static_cast<size_t>(branch)]);
        for (size_t m = 0; m < node.children.size(); ++m) {
          if (m == k) {
            GAGGLE_RETURN_IF_ERROR(ExtractValue(node.children[m], &child, &col->child(m)));
          } else {
            col->child(m).AppendNull();
          }
        }
        col->CommitStruct();
        return Status::OK();
      }
      case PlanNode::Type::kArray:
      case PlanNode::Type::kMap: {
        size_t n = 0;
        if (avro_value_get_size(v, &n) != 0) return Corrupt("array or map without a size");
        Column& items = col->child(0);
        for (size_t i = 0; i < n; ++i) {
          avro_value_t item;
          const char* key = nullptr;
          if (avro_value_get_by_index(v, i, &item, &key) != 0) return Corrupt("array or map item missing");
          if (node.type == PlanNode::Type::kArray) {
            GAGGLE_RETURN_IF_ERROR(ExtractValue(node.children[0], &item, &items));
            continue;
          }
          items.child(0).AppendString(key == nullptr ? std::string_view() : std::string_view(key));
          GAGGLE_RETURN_IF_ERROR(ExtractValue(node.children[0], &item, &items.child(1)));
          items.CommitStruct();
        }
        col->CommitList();
        return Status::OK();
      }
      case PlanNode::Type::kLeaf: return ExtractLeaf(node, v, col);
    }
    return Status::Internal("unknown plan node");
  }

  Status ExtractLeaf(const PlanNode& node, avro_value_t* v, Column* col) {
    using avro::Conversion;
    switch (node.conversion) {
      case Conversion::kBool: {
        int b = 0;
        if (avro_value_get_boolean(v, &b) != 0) return Corrupt("boolean");
        col->Append<uint8_t>(b != 0 ? 1 : 0);
        return Status::OK();
      }
      case Conversion::kInt32:
      case Conversion::kDate: {
        int32_t i = 0;
        if (avro_value_get_int(v, &i) != 0) return Corrupt("int");
        col->Append<int32_t>(i);
        return Status::OK();
      }
      case Conversion::kInt64:
      case Conversion::kTimestampMicros:
      case Conversion::kTimestampMillis: {
        int64_t l = 0;
        if (avro_value_get_long(v, &l) != 0) return Corrupt("long");
        if (node.conversion == Conversion::kTimestampMillis && __builtin_mul_overflow(l, int64_t{1000}, &l)) {
          return Corrupt("timestamp-millis value in column '" + Name(node) + "' overflows microseconds");
        }
        col->Append<int64_t>(l);
        return Status::OK();
      }
      case Conversion::kFloat: {
        float f = 0;
        if (avro_value_get_float(v, &f) != 0) return Corrupt("float");
        col->Append<float>(f);
        return Status::OK();
      }
      case Conversion::kDouble: {
        double d = 0;
        if (avro_value_get_double(v, &d) != 0) return Corrupt("double");
        col->Append<double>(d);
        return Status::OK();
      }
      case Conversion::kString: {
        const char* s = nullptr;
        size_t size = 0;
        if (avro_value_get_string(v, &s, &size) != 0) return Corrupt("string");
        col->AppendString(size > 0 ? std::string_view(s, size - 1) : std::string_view());  // size counts the NUL
        return Status::OK();
      }
      case Conversion::kEnumSymbol: {
        int idx = 0;
        if (avro_value_get_enum(v, &idx) != 0) return Corrupt("enum");
        if (idx < 0 || static_cast<size_t>(idx) >= node.symbols.size()) return Corrupt("enum index out of range");
        col->AppendString(node.symbols[static_cast<size_t>(idx)]);
        return Status::OK();
      }
      case Conversion::kBinary:
      case Conversion::kDecimal:
      case Conversion::kDecimalText: {
        const void* buf = nullptr;
        size_t size = 0;
        int rc = node.kind == avro::Kind::kFixed ? avro_value_get_fixed(v, &buf, &size)
                                                 : avro_value_get_bytes(v, &buf, &size);
        if (rc != 0) return Corrupt("bytes");
        std::string_view bytes(static_cast<const char*>(buf), buf == nullptr ? 0 : size);
        if (node.conversion == Conversion::kBinary) {
          col->AppendString(bytes);
          return Status::OK();
        }
        if (node.conversion == Conversion::kDecimalText) {
          if (!FormatBigDecimal(bytes, node.precision, node.scale, &text_) &&
              !(bytes.empty() && FormatBigDecimal(std::string_view("\0", 1), node.precision, node.scale, &text_))) {
            return Corrupt("decimal value in column '" + Name(node) + "' does not fit decimal(" +
                           std::to_string(node.precision) + ")");
          }
          col->AppendString(text_);
          return Status::OK();
        }
        Int128 unscaled = 0;
        if (!DecodeDecimal(bytes, node.precision, &unscaled)) {
          return Corrupt("decimal value in column '" + Name(node) + "' does not fit decimal(" +
                         std::to_string(node.precision) + ")");
        }
        if (col->type().is_wide_decimal()) {
          col->Append<Int128>(unscaled);
        } else {
          col->Append<int64_t>(static_cast<int64_t>(unscaled));
        }
        return Status::OK();
      }
    }
    return Status::Internal("unknown conversion");
  }

  // Big-endian two's complement -> 128 bits, requiring |value| < 10^precision (precision <= 38).
  static bool DecodeDecimal(std::string_view b, int precision, Int128* out) {
    const auto* p = reinterpret_cast<const uint8_t*>(b.data());
    size_t n = b.size();
    if (n == 0) {
      *out = 0;
      return true;
    }
    bool negative = (p[0] & 0x80) != 0;
    // Leading bytes beyond 16 must be pure sign extension.
    size_t start = 0;
    while (n - start > 16) {
      if (p[start] != (negative ? 0xFF : 0x00)) return false;
      ++start;
    }
    if (n - start == 16 && start > 0 && ((p[start] & 0x80) != 0) != negative) return false;
    UInt128 u = negative ? ~UInt128{0} : 0;
    for (size_t i = start; i < n; ++i) u = (u << 8) | p[i];
    Int128 v = static_cast<Int128>(u);
    Int128 bound = Pow10Int128(precision);
    if (v >= bound || v <= -bound) return false;
    *out = v;
    return true;
  }

  const std::string& Name(const PlanNode& node) const { return schema_->field(node.first_column).name; }

  std::unique_ptr<RandomAccessFile> file_;
  avro::ContainerHeader header_;
  avro::ReadMapping mapping_;
  std::shared_ptr<const Schema> schema_;
  avro::Codec codec_;
  size_t batch_rows_;
  avro::BlockCursor cursor_;

  avro_schema_t avro_schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{nullptr, nullptr};  // reused for every record
  avro_reader_t memory_ = nullptr;

  avro::BlockInfo block_;
  std::string compressed_;
  std::string decoded_;
  std::string text_;       // scratch: one decimal's text
  int64_t remaining_ = 0;  // records of the current block not yet decoded
  int64_t row_ = 0;
  bool done_ = false;
  Status error_;  // sticky
};

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenAvroReader(FileSystem* fs, const std::string& path,
                                                    const ReadOptions& options) {
  if (options.batch_rows == 0) return Status::InvalidArgument("batch_rows must be positive");
  GAGGLE_ASSIGN_OR_RETURN(OpenedFile f, OpenContainer(fs, path));
  auto codec = avro::ParseCodec(f.header.codec);
  if (!codec.ok()) return codec.status().WithContext("avro file '" + path + "'");
  auto reader = std::make_unique<AvroReader>(std::move(f), *codec, options.batch_rows);
  GAGGLE_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<BatchReader>(std::move(reader));
}

Result<FileSummary> InspectAvro(FileSystem* fs, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(OpenedFile f, OpenContainer(fs, path));
  FileSummary s;
  s.format = Format::kAvro;
  s.path = path;
  s.file_bytes = f.file->size();
  s.schema = f.mapping.schema;
  s.codec = f.header.codec;
  for (const auto& [k, v] : f.header.metadata) {
    if (k == "created_by" || k == "created-by" || k == "avro.created_by") s.created_by = v;
    if (k.rfind("avro.", 0) != 0) s.key_value_metadata.emplace_back(k, v);
  }
  // Only block framing is read: counts, sizes and sync markers, never the values.
  avro::BlockCursor cursor(f.file.get(), f.header.data_offset, f.header.sync);
  avro::BlockInfo block;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, cursor.Next(&block, nullptr));
    if (!more) break;
    s.num_rows += block.count;
  }
  return s;
}

}  // namespace gaggle
