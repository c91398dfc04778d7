#include "validate/dataset_profile.h"

namespace gaggle {

DatasetProfile::DatasetProfile(std::shared_ptr<const Schema> schema, const ProfileOptions& options)
    : schema_(std::move(schema)), leaves_(*schema_, options), reservoir_(options.sample_rows, options.seed) {
  columns_.reserve(schema_->num_fields());
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.name, f.type, options);
}

void DatasetProfile::Update(const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  rows_ += static_cast<int64_t>(n);
  checksum_.Update(batch);
  bool same_shape = batch.columns.size() == columns_.size();
  for (size_t c = 0; same_shape && c < columns_.size(); ++c) {
    same_shape = batch.columns[c].type() == columns_[c].type() &&
                 (!batch.schema || batch.schema->field(c).name == columns_[c].name());
  }
  if (!same_shape) {
    ++mismatched_batches_;
    return;
  }
  reservoir_.Advance(n, &picks_);
  for (size_t c = 0; c < columns_.size(); ++c) {
    columns_[c].Update(batch.columns[c]);
    if (!picks_.empty()) columns_[c].Sample(batch.columns[c], picks_);
  }
  leaves_.Update(batch);
}

std::vector<ColumnSummary> DatasetProfile::Summarize() const {
  std::vector<ColumnSummary> out;
  out.reserve(columns_.size());
  for (const ColumnProfile& c : columns_) out.push_back(c.Summarize());
  for (ColumnSummary& leaf : leaves_.Summarize()) out.push_back(std::move(leaf));
  return out;
}

}  // namespace gaggle
