// The Parquet file writer: "PAR1", then row groups (one column chunk per field, each
// built by a ColumnWriter and written when the row group completes), then the footer
// (compact FileMetaData, its 4-byte length, "PAR1").
#include "formats/parquet/parquet_writer.h"

#include <climits>
#include <cstring>

#include "formats/parquet/column_writer.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_schema.h"

#ifndef GAGGLE_BUILD_ID
#define GAGGLE_BUILD_ID "unknown"
#endif

namespace gaggle {
namespace {

using parquet::ColumnChunkOutput;
using parquet::ColumnWriter;

constexpr std::string_view kMagic = "PAR1";

class ParquetFileWriter final : public BatchWriter {
 public:
  ParquetFileWriter(std::string path, std::shared_ptr<const Schema> schema, const WriteOptions& options)
      : path_(std::move(path)), schema_(std::move(schema)), options_(options) {}

  Status Open(FileSystem* fs) {
    if (options_.row_group_rows <= 0) return Fail(Status::InvalidArgument("row_group_rows must be positive"));
    Result<std::vector<parquet::SchemaElement>> elements = parquet::ToParquetSchema(*schema_);
    if (!elements.ok()) return Fail(elements.status());
    metadata_.schema = std::move(elements).value();
    parquet::ColumnWriterOptions column_options = parquet::ColumnWriterOptions::From(options_);
    for (const Field& f : schema_->fields()) {
      Result<std::unique_ptr<ColumnWriter>> w = parquet::MakeColumnWriter(f, column_options);
      if (!w.ok()) return Fail(w.status());
      columns_.push_back(std::move(w).value());
    }
    Result<std::unique_ptr<WritableFile>> file = fs->OpenWritable(path_);
    if (!file.ok()) return Fail(file.status());
    file_ = std::move(file).value();
    return Append(kMagic);
  }

  Status Write(const RecordBatch& batch) override {
    if (!status_.ok()) return status_;
    if (finished_) return Fail(Status::Internal("Write after Finish"));
    GAGGLE_RETURN_IF_ERROR(CheckBatch(batch));
    size_t rows = batch.num_rows();
    size_t offset = 0;
    while (offset < rows) {
      size_t n = std::min(rows - offset, static_cast<size_t>(options_.row_group_rows - row_group_rows_));
      for (size_t c = 0; c < columns_.size(); ++c) {
        Status st = columns_[c]->Write(batch.columns[c], offset, n);
        if (!st.ok()) return Fail(st.WithContext("at batch row offset " + std::to_string(offset)));
      }
      row_group_rows_ += static_cast<int64_t>(n);
      offset += n;
      if (row_group_rows_ == options_.row_group_rows) GAGGLE_RETURN_IF_ERROR(FlushRowGroup());
    }
    return Status::OK();
  }

  Status Finish() override {
    if (!status_.ok()) return status_;
    if (finished_) return Status::OK();
    GAGGLE_RETURN_IF_ERROR(FlushRowGroup());
    metadata_.version = 2;  // RLE_DICTIONARY is a format 2 encoding
    metadata_.created_by = std::string("gaggle version ") + GAGGLE_VERSION + " (build " GAGGLE_BUILD_ID ")";
    metadata_.column_orders.assign(schema_->num_fields(), parquet::ColumnOrder{true});
    for (const auto& [k, v] : options_.key_value_metadata) metadata_.key_value_metadata.push_back({k, v});
    std::string footer = parquet::Serialize(metadata_);
    if (footer.size() > static_cast<size_t>(UINT32_MAX)) return Fail(Status::Internal("footer exceeds 4 GiB"));
    uint32_t len = static_cast<uint32_t>(footer.size());
    char len_bytes[4];
    std::memcpy(len_bytes, &len, 4);
    footer.append(len_bytes, 4);
    footer.append(kMagic);
    GAGGLE_RETURN_IF_ERROR(Append(footer));
    Status st = file_->Close();
    if (!st.ok()) return Fail(st);
    finished_ = true;
    return Status::OK();
  }

  uint64_t bytes_written() const override { return file_ == nullptr ? 0 : file_->bytes_written(); }

 private:
  Status Fail(Status st) {
    status_ = st.WithContext("writing Parquet file '" + path_ + "'");
    return status_;
  }

  Status Append(std::string_view bytes) {
    Status st = file_->Append(bytes);
    return st.ok() ? st : Fail(st);
  }

  Status CheckBatch(const RecordBatch& batch) {
    if (batch.schema != schema_ && (batch.schema == nullptr || *batch.schema != *schema_)) {
      return Fail(Status::InvalidArgument("batch schema (" + (batch.schema ? batch.schema->ToString() : "none") +
                                          ") differs from the writer's (" + schema_->ToString() + ")"));
    }
    if (batch.columns.size() != columns_.size()) {
      return Fail(Status::InvalidArgument("batch has " + std::to_string(batch.columns.size()) + " columns, schema " +
                                          std::to_string(columns_.size())));
    }
    size_t rows = batch.num_rows();
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      const Column& col = batch.columns[c];
      if (col.type() != schema_->field(c).type || col.size() != rows) {
        return Fail(Status::InvalidArgument("batch column '" + schema_->field(c).name + "' has type " +
                                            col.type().ToString() + " and " + std::to_string(col.size()) +
                                            " rows; expected " + schema_->field(c).type.ToString() + " and " +
                                            std::to_string(rows)));
      }
    }
    return Status::OK();
  }

  Status FlushRowGroup() {
    if (row_group_rows_ == 0) return Status::OK();
    parquet::RowGroup group;
    group.num_rows = row_group_rows_;
    int64_t start = static_cast<int64_t>(file_->bytes_written());
    group.file_offset = start;
    int64_t compressed = 0;
    for (auto& column : columns_) {
      ColumnChunkOutput out;
      Status st = column->FinishChunk(&out);
      if (!st.ok()) return Fail(st);
      int64_t chunk_start = static_cast<int64_t>(file_->bytes_written());
      for (std::string_view piece : out.pieces) GAGGLE_RETURN_IF_ERROR(Append(piece));
      parquet::ColumnChunk chunk;
      chunk.file_offset = chunk_start;
      out.meta.data_page_offset += chunk_start;
      if (out.meta.dictionary_page_offset) *out.meta.dictionary_page_offset += chunk_start;
      group.total_byte_size += out.meta.total_uncompressed_size;
      compressed += out.meta.total_compressed_size;
      chunk.meta_data = std::move(out.meta);
      group.columns.push_back(std::move(chunk));
    }
    group.total_compressed_size = compressed;
    if (metadata_.row_groups.size() <= static_cast<size_t>(INT16_MAX)) {
      group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
    }
    metadata_.num_rows += row_group_rows_;
    metadata_.row_groups.push_back(std::move(group));
    row_group_rows_ = 0;
    return Status::OK();
  }

  std::string path_;
  std::shared_ptr<const Schema> schema_;
  WriteOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::vector<std::unique_ptr<ColumnWriter>> columns_;
  parquet::FileMetaData metadata_;
  int64_t row_group_rows_ = 0;
  Status status_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(FileSystem* fs, const std::string& path,
                                                       std::shared_ptr<const Schema> schema,
                                                       const WriteOptions& options) {
  if (schema == nullptr) return Status::InvalidArgument("Parquet writer for '" + path + "' needs a schema");
  auto writer = std::make_unique<ParquetFileWriter>(path, std::move(schema), options);
  GAGGLE_RETURN_IF_ERROR(writer->Open(fs));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

}  // namespace gaggle
