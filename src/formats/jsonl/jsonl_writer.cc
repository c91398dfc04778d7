#include "formats/jsonl/jsonl_writer.h"

#include <charconv>
#include <cmath>

#include "columnar/value_format.h"
#include "columnar/value_json.h"
#include "formats/text_typing.h"

namespace gaggle {
namespace {

// Output is gathered here and handed to the file in pieces of about this size.
constexpr size_t kJsonlFlushBytes = size_t{1} << 20;

class JsonlWriter final : public BatchWriter {
 public:
  JsonlWriter(std::unique_ptr<WritableFile> file, std::shared_ptr<const Schema> schema)
      : file_(std::move(file)), schema_(std::move(schema)) {}

  Status Init();
  Status Write(const RecordBatch& batch) override;
  Status Finish() override;
  uint64_t bytes_written() const override { return file_->bytes_written() + out_.size(); }

 private:
  Status AppendValue(const Column& column, size_t column_index, size_t row);
  Status Flush();

  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<const Schema> schema_;
  std::vector<std::string> prefixes_;  // `{"name":` for the first column, `,"name":` after
  std::string out_;
  Status error_;
  bool finished_ = false;
};

Status JsonlWriter::Init() {
  for (size_t i = 0; i < schema_->num_fields(); ++i) {
    std::string prefix = i == 0 ? "{" : ",";
    if (!AppendJsonQuoted(schema_->field(i).name, &prefix)) {
      return Status::InvalidArgument(file_->path() + ": column name of field " + std::to_string(i) +
                                     " is not valid UTF-8");
    }
    prefix.push_back(':');
    prefixes_.push_back(std::move(prefix));
  }
  return Status::OK();
}

Status JsonlWriter::AppendValue(const Column& column, size_t c, size_t row) {
  if (column.IsNull(row)) {
    out_.append("null");
    return Status::OK();
  }
  char buf[32];
  auto append_double = [&](double v, std::string text) {
    if (std::isfinite(v)) {
      out_.append(text);
    } else {  // JSON has no NaN or infinity: written as the strings "nan", "inf", "-inf"
      out_.push_back('"');
      out_.append(text);
      out_.push_back('"');
    }
  };
  switch (column.type().id) {
    case TypeId::kBool: out_.append(column.Get<uint8_t>(row) ? "true" : "false"); break;
    case TypeId::kInt32: {
      auto r = std::to_chars(buf, buf + sizeof(buf), column.Get<int32_t>(row));
      out_.append(buf, static_cast<size_t>(r.ptr - buf));
      break;
    }
    case TypeId::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), column.Get<int64_t>(row));
      out_.append(buf, static_cast<size_t>(r.ptr - buf));
      break;
    }
    case TypeId::kFloat: {
      float v = column.Get<float>(row);
      append_double(v, FormatFloatForText(v));
      break;
    }
    case TypeId::kDouble: {
      double v = column.Get<double>(row);
      append_double(v, FormatDoubleForText(v));
      break;
    }
    case TypeId::kString:
      if (!AppendJsonQuoted(column.GetString(row), &out_)) {
        return Status::InvalidArgument(file_->path() + ": row " + std::to_string(row) + " of column '" +
                                       schema_->field(c).name +
                                       "' is not valid UTF-8; JSON cannot hold it (declare the column binary)");
      }
      break;
    case TypeId::kBinary:
      out_.push_back('"');
      out_.append(HexEncode(column.GetString(row)));
      out_.push_back('"');
      break;
    case TypeId::kDate:
      out_.push_back('"');
      out_.append(FormatDate(column.Get<int32_t>(row)));
      out_.push_back('"');
      break;
    case TypeId::kTimestamp:
      out_.push_back('"');
      out_.append(FormatTimestamp(column.Get<int64_t>(row), column.type().utc));
      out_.push_back('"');
      break;
    case TypeId::kDecimal:  // a string keeps every digit for readers that would parse a number as a double
      out_.push_back('"');
      out_.append(column.ValueToString(row));
      out_.push_back('"');
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      if (!AppendValueJson(column, row, &out_)) {
        return Status::InvalidArgument(file_->path() + ": row " + std::to_string(row) + " of column '" +
                                       schema_->field(c).name +
                                       "' holds a string that is not valid UTF-8; JSON cannot hold it");
      }
      break;
  }
  return Status::OK();
}

Status JsonlWriter::Flush() {
  if (out_.empty()) return Status::OK();
  Status st = file_->Append(out_);
  out_.clear();
  return st;
}

Status JsonlWriter::Write(const RecordBatch& batch) {
  if (!error_.ok()) return error_;
  if (finished_) return error_ = Status::InvalidArgument(file_->path() + ": Write() after Finish()");
  if (batch.schema != schema_ &&
      (!batch.schema || *batch.schema != *schema_ || batch.columns.size() != schema_->num_fields())) {
    return error_ = Status::InvalidArgument(file_->path() + ": batch schema (" +
                                            (batch.schema ? batch.schema->ToString() : std::string("none")) +
                                            ") differs from the writer's (" + schema_->ToString() + ")");
  }
  const size_t rows = batch.num_rows();
  const size_t cols = batch.columns.size();
  for (size_t r = 0; r < rows; ++r) {
    if (cols == 0) out_.push_back('{');
    for (size_t c = 0; c < cols; ++c) {
      out_.append(prefixes_[c]);
      Status st = AppendValue(batch.columns[c], c, r);
      if (!st.ok()) return error_ = st;
    }
    out_.append("}\n");
    if (out_.size() >= kJsonlFlushBytes) {
      Status st = Flush();
      if (!st.ok()) return error_ = st;
    }
  }
  return Status::OK();
}

Status JsonlWriter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return error_ = Status::InvalidArgument(file_->path() + ": Finish() called twice");
  finished_ = true;
  Status st = Flush();
  if (st.ok()) st = file_->Close();
  if (!st.ok()) error_ = st;
  return st;
}

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(std::unique_ptr<WritableFile> file,
                                                     std::shared_ptr<const Schema> schema,
                                                     const WriteOptions& options) {
  if (!schema) return Status::InvalidArgument(file->path() + ": JSON lines writer needs a schema");
  auto writer = std::make_unique<JsonlWriter>(std::move(file), std::move(schema));
  GAGGLE_RETURN_IF_ERROR(writer->Init());
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(FileSystem* fs, const std::string& path,
                                                     std::shared_ptr<const Schema> schema,
                                                     const WriteOptions& options) {
  if (!schema) return Status::InvalidArgument(path + ": JSON lines writer needs a schema");
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenWritable(path));
  return OpenJsonlWriter(std::move(file), std::move(schema), options);
}

}  // namespace gaggle
