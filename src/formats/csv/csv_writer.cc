#include "formats/csv/csv_writer.h"

#include <charconv>

#include "columnar/value_format.h"
#include "columnar/value_json.h"
#include "formats/text_typing.h"

namespace gaggle {
namespace {

// Output is gathered here and handed to the file in pieces of about this size.
constexpr size_t kFlushBytes = size_t{1} << 20;

class CsvWriter final : public BatchWriter {
 public:
  CsvWriter(std::unique_ptr<WritableFile> file, std::shared_ptr<const Schema> schema, const CsvOptions& options)
      : file_(std::move(file)), schema_(std::move(schema)), options_(options) {
    needs_quote_[static_cast<uint8_t>(options.delimiter)] = true;
    needs_quote_[static_cast<uint8_t>(options.quote)] = true;
    needs_quote_[static_cast<uint8_t>('\n')] = true;
    needs_quote_[static_cast<uint8_t>('\r')] = true;
  }

  Status Init();
  Status Write(const RecordBatch& batch) override;
  Status Finish() override;
  uint64_t bytes_written() const override { return file_->bytes_written() + out_.size(); }

 private:
  void AppendField(std::string_view text);
  void AppendValue(const Column& column, size_t row);
  Status Flush();

  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<const Schema> schema_;
  CsvOptions options_;
  bool needs_quote_[256] = {};
  std::string out_;
  std::string json_;  // scratch: a nested value's JSON text
  Status error_;
  bool finished_ = false;
};

// RFC 4180 quoting only where a reader would otherwise misread the field: it holds the
// delimiter, the quote, CR or LF, starts or ends with a space or tab (many readers trim),
// is empty (an empty unquoted field is null), spells the null text, or starts the file
// with a byte order mark (which a reader would skip).
void CsvWriter::AppendField(std::string_view text) {
  bool quote = text.empty() || text.front() == ' ' || text.front() == '\t' || text.back() == ' ' ||
               text.back() == '\t' || (!options_.null_text.empty() && text == options_.null_text) ||
               (out_.empty() && text.substr(0, 3) == "\xEF\xBB\xBF" && file_->bytes_written() == 0);
  if (!quote) {
    for (char c : text) {
      if (needs_quote_[static_cast<uint8_t>(c)]) {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out_.append(text);
    return;
  }
  out_.push_back(options_.quote);
  for (char c : text) {
    if (c == options_.quote) out_.push_back(c);
    out_.push_back(c);
  }
  out_.push_back(options_.quote);
}

void CsvWriter::AppendValue(const Column& column, size_t row) {
  if (column.IsNull(row)) {
    out_.append(options_.null_text);
    return;
  }
  char buf[32];
  switch (column.type().id) {
    case TypeId::kBool: AppendField(column.Get<uint8_t>(row) ? "true" : "false"); return;
    case TypeId::kInt32: {
      auto r = std::to_chars(buf, buf + sizeof(buf), column.Get<int32_t>(row));
      AppendField(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
      return;
    }
    case TypeId::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), column.Get<int64_t>(row));
      AppendField(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
      return;
    }
    case TypeId::kFloat: AppendField(FormatFloatForText(column.Get<float>(row))); return;
    case TypeId::kDouble: AppendField(FormatDoubleForText(column.Get<double>(row))); return;
    case TypeId::kString: AppendField(column.GetString(row)); return;
    case TypeId::kBinary: AppendField(HexEncode(column.GetString(row))); return;
    case TypeId::kDate: AppendField(FormatDate(column.Get<int32_t>(row))); return;
    case TypeId::kTimestamp: AppendField(FormatTimestamp(column.Get<int64_t>(row), column.type().utc)); return;
    case TypeId::kDecimal: AppendField(column.ValueToString(row)); return;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      // Nested values are written as their JSON text (value_json.h), quoted as any field.
      json_.clear();
      (void)AppendValueJson(column, row, &json_);
      AppendField(json_);
      return;
  }
}

Status CsvWriter::Flush() {
  if (out_.empty()) return Status::OK();
  Status st = file_->Append(out_);
  out_.clear();
  return st;
}

Status CsvWriter::Init() {
  const CsvOptions& o = options_;
  if (o.delimiter == o.quote || o.delimiter == '\n' || o.delimiter == '\r' || o.quote == '\n' || o.quote == '\r') {
    return Status::InvalidArgument(file_->path() + ": CSV delimiter and quote must differ and not be CR or LF");
  }
  // Without columns there is nothing to write, not even a header: an empty line would read back as one column.
  if (!o.header || schema_->num_fields() == 0) return Status::OK();
  for (size_t i = 0; i < schema_->num_fields(); ++i) {
    if (i > 0) out_.push_back(o.delimiter);
    AppendField(schema_->field(i).name);
  }
  out_.push_back('\n');
  return Status::OK();
}

Status CsvWriter::Write(const RecordBatch& batch) {
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
    for (size_t c = 0; c < cols; ++c) {
      if (c > 0) out_.push_back(options_.delimiter);
      AppendValue(batch.columns[c], r);
    }
    out_.push_back('\n');
    if (out_.size() >= kFlushBytes) {
      Status st = Flush();
      if (!st.ok()) return error_ = st;
    }
  }
  return Status::OK();
}

Status CsvWriter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return error_ = Status::InvalidArgument(file_->path() + ": Finish() called twice");
  finished_ = true;
  Status st = Flush();
  if (st.ok()) st = file_->Close();
  if (!st.ok()) error_ = st;
  return st;
}

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(std::unique_ptr<WritableFile> file,
                                                   std::shared_ptr<const Schema> schema, const WriteOptions& options) {
  if (!schema) return Status::InvalidArgument(file->path() + ": CSV writer needs a schema");
  auto writer = std::make_unique<CsvWriter>(std::move(file), std::move(schema), options.csv);
  GAGGLE_RETURN_IF_ERROR(writer->Init());
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(FileSystem* fs, const std::string& path,
                                                   std::shared_ptr<const Schema> schema, const WriteOptions& options) {
  if (!schema) return Status::InvalidArgument(path + ": CSV writer needs a schema");
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenWritable(path));
  return OpenCsvWriter(std::move(file), std::move(schema), options);
}

}  // namespace gaggle
