// The Parquet file writer: "PAR1", then row groups (one column chunk per field, each
// built by a ColumnWriter and written when the row group completes), then the footer
// (compact FileMetaData, its 4-byte length, "PAR1").
#include "formats/parquet/parquet_writer.h"

#include <climits>
#include <cstring>
#include <deque>

#include "formats/parquet/column_writer.h"
#include "formats/parquet/parallel_chunk_encoder.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_schema.h"
#include "formats/parquet/parquet_shredder.h"

#ifndef GAGGLE_BUILD_ID
#define GAGGLE_BUILD_ID "unknown"
#endif

namespace gaggle {
namespace {

using parquet::ColumnChunkOutput;
using parquet::ColumnWriter;
using parquet::ParquetShredder;

// One top-level field: its leaves' writers are columns_[first_leaf, first_leaf + num_leaves);
// a nested field is shredded into them first.
struct FieldWriter {
  size_t first_leaf = 0;
  std::unique_ptr<ParquetShredder> shredder;  // null for a flat field (one leaf)
};

// The leaf paths of a nested field as ToParquetSchema writes them (list/element, key_value/key...).
void LeafPaths(const std::string& name, const DataType& type, std::vector<std::string>* path,
               std::vector<std::vector<std::string>>* out) {
  path->push_back(name);
  switch (type.id) {
    case TypeId::kStruct:
      for (size_t c = 0; c < type.num_children(); ++c) LeafPaths(type.child(c).name, type.child(c).type, path, out);
      break;
    case TypeId::kList:
      path->push_back("list");
      LeafPaths("element", type.list_element().type, path, out);
      path->pop_back();
      break;
    case TypeId::kMap:
      path->push_back("key_value");
      LeafPaths("key", type.map_key().type, path, out);
      LeafPaths("value", type.map_value().type, path, out);
      path->pop_back();
      break;
    default: out->push_back(*path); break;
  }
  path->pop_back();
}

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
      FieldWriter& fw = fields_.emplace_back();
      fw.first_leaf = columns_.size();
      if (!f.type.is_nested()) {
        Result<std::unique_ptr<ColumnWriter>> w = parquet::MakeColumnWriter(f, column_options);
        if (!w.ok()) return Fail(w.status());
        columns_.push_back(std::move(w).value());
        continue;
      }
      Status st = AddNestedField(f, column_options, &fw);
      if (!st.ok()) return Fail(st);
    }
    if (options_.threads > 1) {
      // Two slices beyond one per thread keep every thread busy while bounding the batches held.
      const size_t max_slices = static_cast<size_t>(options_.threads) + 2;
      encoder_ = std::make_unique<parquet::ParallelChunkEncoder>(
          fields_.size(), options_.threads, max_slices,
          [this](size_t field, const parquet::EncodeSlice& slice) { return EncodeField(field, slice); });
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
    if (encoder_) {
      std::shared_ptr<RecordBatch> held = RecycledBatch();
      *held = batch;  // copy-assignment reuses the recycled batch's buffers
      return SubmitBatch(std::move(held));
    }
    size_t rows = batch.num_rows();
    size_t offset = 0;
    while (offset < rows) {
      size_t n = std::min(rows - offset, static_cast<size_t>(options_.row_group_rows - row_group_rows_));
      for (size_t c = 0; c < fields_.size(); ++c) {
        Status st = WriteField(c, batch.columns[c], offset, n);
        if (!st.ok()) return Fail(st.WithContext("at batch row offset " + std::to_string(offset)));
      }
      row_group_rows_ += static_cast<int64_t>(n);
      offset += n;
      if (row_group_rows_ == options_.row_group_rows) GAGGLE_RETURN_IF_ERROR(FlushRowGroup());
    }
    return Status::OK();
  }

  // Takes the batch's contents (no copy) and hands back a recycled batch's buffers.
  Status Consume(RecordBatch* batch) override {
    if (!encoder_) return Write(*batch);
    if (!status_.ok()) return status_;
    if (finished_) return Fail(Status::Internal("Write after Finish"));
    GAGGLE_RETURN_IF_ERROR(CheckBatch(*batch));
    std::shared_ptr<RecordBatch> held = RecycledBatch();
    std::swap(*held, *batch);
    return SubmitBatch(std::move(held));
  }

  Status Finish() override {
    if (!status_.ok()) return status_;
    if (finished_) return Status::OK();
    GAGGLE_RETURN_IF_ERROR(encoder_ ? FinishParallel() : FlushRowGroup());
    metadata_.version = 2;  // RLE_DICTIONARY is a format 2 encoding
    metadata_.created_by = std::string("gaggle version ") + GAGGLE_VERSION + " (build " GAGGLE_BUILD_ID ")";
    metadata_.column_orders.assign(columns_.size(), parquet::ColumnOrder{true});
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

  Status AddNestedField(const Field& f, const parquet::ColumnWriterOptions& options, FieldWriter* fw) {
    fw->shredder = std::make_unique<ParquetShredder>(f);
    std::vector<std::vector<std::string>> paths;
    std::vector<std::string> path;
    LeafPaths(f.name, f.type, &path, &paths);
    std::vector<const parquet::LevelNode*> leaves;
    parquet::CollectLeaves(fw->shredder->tree(), &leaves);
    if (leaves.size() != paths.size()) return Status::Internal("Parquet column '" + f.name + "': leaf count");
    for (size_t i = 0; i < leaves.size(); ++i) {
      parquet::LeafLevels levels;
      levels.max_definition_level = leaves[i]->valid_def;
      levels.max_repetition_level = leaves[i]->rep;
      levels.path_in_schema = paths[i];
      std::string name;
      for (const std::string& p : paths[i]) name += (name.empty() ? "" : ".") + p;
      GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<ColumnWriter> w,
                              parquet::MakeColumnWriter(Field{name, leaves[i]->type, true}, options, &levels));
      columns_.push_back(std::move(w));
    }
    return Status::OK();
  }

  Status WriteField(size_t c, const Column& column, size_t offset, size_t n) {
    const FieldWriter& fw = fields_[c];
    if (!fw.shredder) return columns_[fw.first_leaf]->Write(column, offset, n);
    fw.shredder->Shred(column, offset, n);
    for (size_t i = 0; i < fw.shredder->num_leaves(); ++i) {
      const parquet::ShreddedLeaf& leaf = fw.shredder->leaf(i);
      GAGGLE_RETURN_IF_ERROR(
          columns_[fw.first_leaf + i]->WriteLevels(leaf.values, leaf.def.data(), leaf.rep.data(), leaf.def.size()));
    }
    return Status::OK();
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
    if (batch.columns.size() != fields_.size()) {
      return Fail(Status::InvalidArgument("batch has " + std::to_string(batch.columns.size()) + " columns, schema " +
                                          std::to_string(fields_.size())));
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
      if (col.type().is_nested()) {
        Status st = col.ValidateStructure(schema_->field(c).name);
        if (!st.ok()) return Fail(Status::InvalidArgument(st.message()));
        if (!schema_->field(c).nullable && col.null_count() > 0) {
          return Fail(Status::InvalidArgument("Parquet column '" + schema_->field(c).name +
                                              "' is not nullable but the batch holds a null"));
        }
      }
    }
    return Status::OK();
  }

  Status FlushRowGroup() {
    if (row_group_rows_ == 0) return Status::OK();
    parquet::RowGroup group = StartRowGroup(row_group_rows_);
    for (auto& column : columns_) {
      ColumnChunkOutput out;
      Status st = column->FinishChunk(&out);
      if (!st.ok()) return Fail(st);
      GAGGLE_RETURN_IF_ERROR(AppendChunk(out.pieces, std::move(out.meta), &group));
    }
    AddRowGroup(std::move(group));
    row_group_rows_ = 0;
    return Status::OK();
  }

  parquet::RowGroup StartRowGroup(int64_t rows) const {
    parquet::RowGroup group;
    group.num_rows = rows;
    group.file_offset = static_cast<int64_t>(file_->bytes_written());
    group.total_compressed_size = 0;
    return group;
  }

  // Appends one column chunk at the end of the file and records it (page offsets made absolute).
  template <typename Pieces>
  Status AppendChunk(const Pieces& pieces, parquet::ColumnMetaData meta, parquet::RowGroup* group) {
    int64_t chunk_start = static_cast<int64_t>(file_->bytes_written());
    for (std::string_view piece : pieces) GAGGLE_RETURN_IF_ERROR(Append(piece));
    parquet::ColumnChunk chunk;
    chunk.file_offset = chunk_start;
    meta.data_page_offset += chunk_start;
    if (meta.dictionary_page_offset) *meta.dictionary_page_offset += chunk_start;
    group->total_byte_size += meta.total_uncompressed_size;
    *group->total_compressed_size += meta.total_compressed_size;
    chunk.meta_data = std::move(meta);
    group->columns.push_back(std::move(chunk));
    return Status::OK();
  }

  void AddRowGroup(parquet::RowGroup group) {
    if (metadata_.row_groups.size() <= static_cast<size_t>(INT16_MAX)) {
      group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
    }
    metadata_.num_rows += group.num_rows;
    metadata_.row_groups.push_back(std::move(group));
  }

  // ---- threads > 1: the ordered pipeline (parallel_chunk_encoder.h) ----

  // Runs on an encoder thread: field `f`'s share of one slice, then, when the slice ends the
  // row group, the field's finished chunks (copied: the writer reuses its buffers).
  Status EncodeField(size_t f, const parquet::EncodeSlice& slice) {
    if (slice.rows > 0) {
      Status st = WriteField(f, slice.batch->columns[f], slice.offset, slice.rows);
      if (!st.ok()) return st.WithContext("at batch row offset " + std::to_string(slice.offset));
    }
    if (!slice.ends_group) return Status::OK();
    const FieldWriter& fw = fields_[f];
    const size_t leaves = fw.shredder ? fw.shredder->num_leaves() : 1;
    for (size_t i = fw.first_leaf; i < fw.first_leaf + leaves; ++i) {
      ColumnChunkOutput out;
      GAGGLE_RETURN_IF_ERROR(columns_[i]->FinishChunk(&out));
      parquet::EncodedChunk& chunk = slice.ends_group->chunks[i];
      size_t size = 0;
      for (std::string_view piece : out.pieces) size += piece.size();
      chunk.bytes.reserve(size);
      for (std::string_view piece : out.pieces) chunk.bytes.append(piece);
      chunk.meta = std::move(out.meta);
    }
    return Status::OK();
  }

  // A batch whose slices are all encoded, cleared for reuse, or a new one. The other encoded
  // batches are freed, so that only the batches still queued stay in memory.
  std::shared_ptr<RecordBatch> RecycledBatch() {
    std::shared_ptr<RecordBatch> batch;
    while (!held_.empty() && encoder_->Done(held_.front().first)) {
      if (batch == nullptr) batch = std::move(held_.front().second);
      held_.pop_front();
    }
    if (batch == nullptr) return std::make_shared<RecordBatch>(RecordBatch::Empty(schema_));
    batch->Clear();
    return batch;
  }

  // Cuts the batch at the row-group boundaries, as Write does, and queues the slices.
  Status SubmitBatch(std::shared_ptr<RecordBatch> batch) {
    const size_t rows = batch->num_rows();
    size_t offset = 0;
    uint64_t last = 0;
    while (offset < rows) {
      size_t n = std::min(rows - offset, static_cast<size_t>(options_.row_group_rows - row_group_rows_));
      row_group_rows_ += static_cast<int64_t>(n);
      GAGGLE_ASSIGN_OR_RETURN(last, SubmitSlice(batch, offset, n));
      offset += n;
    }
    if (rows > 0) held_.emplace_back(last, std::move(batch));
    return AppendDoneGroups();
  }

  // Queues rows [offset, offset + n) of `batch`; the slice ends the row group when the group is
  // full or `batch` is null (Finish closing a partial group).
  Result<uint64_t> SubmitSlice(std::shared_ptr<const RecordBatch> batch, size_t offset, size_t n) {
    std::shared_ptr<parquet::RowGroupChunks> group;
    if (batch == nullptr || row_group_rows_ == options_.row_group_rows) {
      group = std::make_shared<parquet::RowGroupChunks>(columns_.size(), row_group_rows_);
      row_group_rows_ = 0;
    }
    Result<uint64_t> seq = encoder_->Submit({std::move(batch), offset, n, group});
    if (!seq.ok()) return Fail(seq.status());
    if (group) pending_.emplace_back(*seq, std::move(group));
    return seq;
  }

  // Appends, in order, the row groups whose every field is encoded.
  Status AppendDoneGroups() {
    while (!pending_.empty() && encoder_->Done(pending_.front().first)) {
      parquet::RowGroupChunks& done = *pending_.front().second;
      parquet::RowGroup group = StartRowGroup(done.num_rows);
      for (parquet::EncodedChunk& chunk : done.chunks) {
        GAGGLE_RETURN_IF_ERROR(AppendChunk(std::vector<std::string_view>{chunk.bytes}, std::move(chunk.meta), &group));
      }
      AddRowGroup(std::move(group));
      pending_.pop_front();
    }
    return Status::OK();
  }

  Status FinishParallel() {
    if (row_group_rows_ > 0) GAGGLE_RETURN_IF_ERROR(SubmitSlice(nullptr, 0, 0).status());
    if (!pending_.empty()) {
      Status st = encoder_->WaitFor(pending_.back().first);
      if (!st.ok()) return Fail(st);
    }
    return AppendDoneGroups();
  }

  std::string path_;
  std::shared_ptr<const Schema> schema_;
  WriteOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::vector<FieldWriter> fields_;
  std::vector<std::unique_ptr<ColumnWriter>> columns_;  // one per leaf, in schema order
  parquet::FileMetaData metadata_;
  int64_t row_group_rows_ = 0;
  // threads > 1 only. Declared after the column writers so that it stops (joining its
  // threads) before they are destroyed.
  std::unique_ptr<parquet::ParallelChunkEncoder> encoder_;
  std::deque<std::pair<uint64_t, std::shared_ptr<RecordBatch>>> held_;                 // batch, last slice
  std::deque<std::pair<uint64_t, std::shared_ptr<parquet::RowGroupChunks>>> pending_;  // group, last slice
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
