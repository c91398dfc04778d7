#include "formats/parquet/parquet_reader.h"

#include <algorithm>
#include <cctype>

#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_footer.h"
#include "formats/parquet/parquet_record_assembler.h"

namespace gaggle {
namespace {

using parquet::ParquetColumnDecoder;
using parquet::ParquetFooter;
using parquet::ParquetRecordAssembler;

Schema Project(const Schema& schema, const std::vector<size_t>& picks) {
  if (picks.size() == schema.num_fields()) return schema;
  std::vector<Field> fields;
  for (size_t f : picks) fields.push_back(schema.field(f));
  return Schema(std::move(fields));
}

// One top-level field: a flat leaf decoded straight into its column, or a nested field whose
// leaves are assembled into one.
struct FieldReader {
  size_t first_leaf = 0;
  std::unique_ptr<ParquetColumnDecoder> flat;
  std::unique_ptr<ParquetRecordAssembler> nested;
};

class ParquetReader final : public BatchReader {
 public:
  // Decodes the top-level fields `picks` (indexes into the footer's fields, ascending).
  ParquetReader(std::unique_ptr<RandomAccessFile> file, ParquetFooter footer, const std::vector<size_t>& picks,
                size_t batch_rows)
      : file_(std::move(file)),
        footer_(std::move(footer)),
        schema_(std::make_shared<const Schema>(Project(footer_.schema.schema, picks))),
        batch_rows_(batch_rows == 0 ? ReadOptions{}.batch_rows : batch_rows) {
    const parquet::ParquetSchema& s = footer_.schema;
    const bool v2_compressed = parquet::WritesV2PagesCompressedAnyway(footer_.metadata);
    fields_.resize(picks.size());
    for (size_t i = 0; i < picks.size(); ++i) {
      const size_t f = picks[i];
      fields_[i].first_leaf = s.fields[f].first_leaf;
      if (s.fields[f].tree) {
        fields_[i].nested = std::make_unique<ParquetRecordAssembler>(file_.get(), file_->path(), s, f);
        fields_[i].nested->set_v2_always_compressed(v2_compressed);
      } else {
        fields_[i].flat =
            std::make_unique<ParquetColumnDecoder>(file_.get(), file_->path(), s.leaves[s.fields[f].first_leaf]);
        fields_[i].flat->set_v2_always_compressed(v2_compressed);
      }
    }
  }

  std::shared_ptr<const Schema> schema() const override { return schema_; }

  Result<bool> Next(RecordBatch* batch) override {
    if (batch->schema != schema_ || batch->columns.size() != schema_->num_fields()) {
      *batch = RecordBatch::Empty(schema_);
    } else {
      batch->Clear();
    }
    if (!error_.ok()) return error_;
    if (fields_.empty()) return false;
    size_t got = 0;
    while (got < batch_rows_) {
      if (row_group_rows_left_ == 0) {
        if (next_row_group_ >= footer_.metadata.row_groups.size()) break;
        Status st = StartRowGroup(next_row_group_++);
        if (!st.ok()) return Fail(st, batch);
        continue;
      }
      size_t k = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(batch_rows_ - got), row_group_rows_left_));
      for (size_t c = 0; c < fields_.size(); ++c) {
        FieldReader& f = fields_[c];
        Status st = f.flat ? f.flat->Read(k, &batch->columns[c]) : f.nested->Read(k, &batch->columns[c]);
        if (!st.ok()) return Fail(st, batch);
      }
      got += k;
      row_group_rows_left_ -= static_cast<int64_t>(k);
    }
    return got > 0;
  }

 private:
  Status StartRowGroup(size_t g) {
    const parquet::RowGroup& rg = footer_.metadata.row_groups[g];
    for (FieldReader& f : fields_) {
      if (f.flat) {
        GAGGLE_RETURN_IF_ERROR(f.flat->StartChunk(rg.columns[f.first_leaf], static_cast<int>(g), next_first_row_,
                                                  rg.num_rows, footer_.data_end));
      } else {
        GAGGLE_RETURN_IF_ERROR(f.nested->StartChunk(rg, static_cast<int>(g), next_first_row_, footer_.data_end));
      }
    }
    row_group_rows_left_ = rg.num_rows;
    next_first_row_ += rg.num_rows;
    return Status::OK();
  }

  Status Fail(const Status& st, RecordBatch* batch) {
    error_ = st;
    batch->Clear();
    return st;
  }

  std::unique_ptr<RandomAccessFile> file_;
  ParquetFooter footer_;
  std::shared_ptr<const Schema> schema_;
  size_t batch_rows_;
  std::vector<FieldReader> fields_;
  size_t next_row_group_ = 0;
  int64_t row_group_rows_left_ = 0;
  int64_t next_first_row_ = 0;
  Status error_;
};

// The fields `options.columns` names (all when empty), as ascending indexes into `schema`.
Result<std::vector<size_t>> PickFields(const Schema& schema, const ReadOptions& options, const std::string& path) {
  std::vector<size_t> picks;
  if (options.columns.empty()) {
    for (size_t i = 0; i < schema.num_fields(); ++i) picks.push_back(i);
    return picks;
  }
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const std::string& name : options.columns) {
    int idx = schema.FindField(name);
    for (size_t i = 0; idx < 0 && i < schema.num_fields(); ++i) {
      if (lower(schema.field(i).name) != lower(name)) continue;
      for (size_t j = i + 1; j < schema.num_fields(); ++j) {
        if (lower(schema.field(j).name) == lower(name))
          return Status::SchemaMismatch(path + ": column '" + name + "' is ambiguous (it has " + schema.ToString() +
                                        ")");
      }
      idx = static_cast<int>(i);
    }
    if (idx < 0)
      return Status::SchemaMismatch(path + ": has no column '" + name + "' (it has " + schema.ToString() + ")");
    picks.push_back(static_cast<size_t>(idx));
  }
  std::sort(picks.begin(), picks.end());
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  return picks;
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenParquetReader(FileSystem* fs, const std::string& path,
                                                       const ReadOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->OpenRandomAccess(path));
  return OpenParquetReader(std::move(file), options);
}

Result<std::unique_ptr<BatchReader>> OpenParquetReader(std::unique_ptr<RandomAccessFile> file,
                                                       const ReadOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(ParquetFooter footer, parquet::ReadParquetFooter(*file));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<size_t> picks, PickFields(footer.schema.schema, options, file->path()));
  return std::unique_ptr<BatchReader>(new ParquetReader(std::move(file), std::move(footer), picks, options.batch_rows));
}

}  // namespace gaggle
