// Transformer::Make and Apply: the nested stages around the flat plan (transformer.cc) --
// nested renames and casts before it, field drops, flatten and nest (restructure.h) after it.
#include <algorithm>
#include <cstddef>

#include "transform/column_policy.h"
#include "transform/column_take.h"
#include "transform/nested_edit.h"
#include "transform/plan_problems_internal.h"
#include "transform/restructure.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

// A batch must have the source schema's columns, types and one length.
Status CheckBatchShape(const Schema& source, const RecordBatch& in) {
  const size_t nf = source.num_fields();
  if (in.columns.size() != nf) {
    return Status::SchemaMismatch("batch has " + std::to_string(in.columns.size()) + " columns, the source schema " +
                                  std::to_string(nf));
  }
  const size_t n = in.num_rows();
  for (size_t i = 0; i < nf; ++i) {
    const Field& f = source.field(i);
    if (in.columns[i].type() != f.type || in.columns[i].size() != n) {
      return Status::SchemaMismatch("batch column " + std::to_string(i) + " is " + in.columns[i].type().ToString() +
                                    " with " + std::to_string(in.columns[i].size()) + " rows; expected '" + f.name +
                                    "' " + f.type.ToString() + " with " + std::to_string(n));
    }
  }
  if (n > UINT32_MAX) return Status::InvalidArgument("batch of " + std::to_string(n) + " rows is too large");
  return Status::OK();
}

// The `drop` entries that are paths into struct columns (nested_edit.h's rule).
std::vector<std::string> NestedDrops(const TransformSpec& spec, const Schema& source) {
  std::vector<std::string> out;
  for (const std::string& name : spec.drop) {
    const size_t dot = name.find('.');
    if (source.FindField(name) < 0 && dot != std::string::npos && source.FindField(name.substr(0, dot)) >= 0) {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace

Result<Transformer> Transformer::Make(const TransformSpec& spec, const Schema& source) {
  if (spec.missing_columns == TransformSpec::MissingColumns::kSkip) {
    // The entries whose column this dataset lacks are left out (column_policy.h).
    return Make(PlanDatasetColumns(spec, source).spec, source);
  }
  NestedEditPlan plan = PlanNestedEdits(spec, source);
  const std::vector<std::string> nested_drops = NestedDrops(spec, source);
  const bool restructures = !nested_drops.empty() || !spec.flatten.empty() || !spec.nest.empty();
  bool edited = false;
  for (const auto& e : plan.edits) edited |= e != nullptr;
  if (!edited && !restructures && plan.problems.empty()) return MakeFlat(spec, source);
  PlanProblems problems;
  if (spec.source_schema) {
    // The declared schema is the source's, before the nested edits.
    TransformSpec declared_only;
    declared_only.source_schema = spec.source_schema;
    declared_only.locations = spec.locations;
    Result<Transformer> checked = MakeFlat(declared_only, source);
    if (!checked.ok()) problems.Add(checked.status().code(), checked.status().message());
  }
  for (auto& [code, what] : plan.problems) problems.Add(code, what);
  if (!problems.empty()) return problems.ToStatus();
  if (!nested_drops.empty()) {
    // The fields stay in the struct until the restructure: expressions still see them.
    TransformSpec kept = spec;
    kept.drop = plan.spec.drop;
    plan = PlanNestedEdits(kept, source);
    edited = false;
    for (const auto& e : plan.edits) edited |= e != nullptr;
  }
  TransformSpec flat = plan.spec;
  flat.source_schema.reset();
  flat.flatten.clear();
  flat.nest.clear();
  GAGGLE_ASSIGN_OR_RETURN(Transformer t, MakeFlat(flat, plan.schema));
  if (edited) {
    t.edited_schema_ = std::move(t.source_schema_);
    t.nested_edits_ = std::move(plan.edits);
  }
  t.source_schema_ = source;
  if (!restructures) return t;
  // Field drops, by output column (a flat cast may have turned the struct into something else).
  std::vector<std::shared_ptr<const StructEdit>> by_source = PlanFieldDrops(nested_drops, source, plan.schema);
  std::vector<std::shared_ptr<const StructEdit>> drops(t.outputs_.size());
  std::vector<std::pair<StatusCode, std::string>> found;
  for (size_t k = 0; k < t.outputs_.size(); ++k) {
    const OutputColumn& o = t.outputs_[k];
    if (o.kind != OutputColumn::Kind::kSource || !by_source[static_cast<size_t>(o.index)]) continue;
    const Field& f = t.output_schema_->field(k);
    if (f.type != plan.schema.field(static_cast<size_t>(o.index)).type) {
      found.emplace_back(StatusCode::kInvalidArgument, spec.Where("transform.drop") + "column '" + f.name +
                                                           "' is cast to " + f.type.ToString() +
                                                           ": its fields cannot be dropped too");
      continue;
    }
    drops[k] = by_source[static_cast<size_t>(o.index)];
  }
  auto restructure = Restructure::Make(spec, *t.output_schema_, std::move(drops), &found);
  for (auto& [code, what] : found) problems.Add(code, what);
  if (!problems.empty()) return problems.ToStatus();
  t.restructure_ = std::move(restructure);
  return t;
}

Status Transformer::Apply(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections,
                          TransformStats* stats, std::vector<uint32_t>* kept_rows) const {
  GAGGLE_RETURN_IF_ERROR(CheckBatchShape(source_schema_, in));
  if (!restructure_) return ApplySteps(in, out, rejections, stats, kept_rows);
  std::vector<uint32_t> local;
  std::vector<uint32_t>* kept = kept_rows ? kept_rows : &local;
  const size_t first = rejections->size();
  GAGGLE_RETURN_IF_ERROR(ApplySteps(in, out, rejections, stats, kept));
  std::vector<RowError> late;
  GAGGLE_RETURN_IF_ERROR(restructure_->Apply(&out->columns, &late));
  out->schema = restructure_->output_schema();
  if (late.empty()) return Status::OK();
  // Rows the restructure cannot keep are rejected: out of the output, into the rejections.
  std::stable_sort(late.begin(), late.end(), [](const RowError& a, const RowError& b) { return a.row < b.row; });
  std::vector<bool> bad(out->num_rows(), false);
  for (RowError& e : late) {
    if (bad[e.row]) continue;  // the first reason wins
    bad[e.row] = true;
    rejections->push_back({(*kept)[e.row], std::move(e.reason)});
  }
  std::vector<uint32_t> rows;
  std::vector<uint32_t> still_kept;
  for (size_t j = 0; j < bad.size(); ++j) {
    if (bad[j]) continue;
    rows.push_back(static_cast<uint32_t>(j));
    still_kept.push_back((*kept)[j]);
  }
  for (Column& c : out->columns) c = TakeRows(c, rows);
  const size_t removed = bad.size() - rows.size();
  *kept = std::move(still_kept);
  std::sort(rejections->begin() + static_cast<std::ptrdiff_t>(first), rejections->end(),
            [](const RowError& a, const RowError& b) { return a.row < b.row; });
  if (stats) {
    stats->rows_out -= removed;
    stats->rows_rejected += removed;
  }
  return Status::OK();
}

}  // namespace gaggle
