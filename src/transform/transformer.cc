#include "transform/transformer.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/suggest.h"
#include "transform/cast.h"
#include "transform/column_take.h"
#include "transform/nested_edit.h"
#include "transform/plan_problems_internal.h"

namespace gaggle {
namespace {

std::vector<std::string> FieldNames(const Schema& s) {
  std::vector<std::string> out;
  for (const Field& f : s.fields()) out.push_back(f.name);
  return out;
}

}  // namespace

// Builds a Transformer step by step (the numbered semantics in transformer.h), collecting
// every problem instead of stopping at the first. Steps run in the order Make calls them;
// each reads what the earlier ones decided.
class Transformer::Planner {
 public:
  Planner(const TransformSpec& spec, const Schema& source) : spec_(spec), source_(source), nf_(source.num_fields()) {
    t_.source_schema_ = source;
  }

  // 1. The declared source schema, if any, must match the real one.
  void CheckDeclaredSchema() {
    if (!spec_.source_schema) return;
    const Schema& declared = *spec_.source_schema;
    for (const Field& f : declared.fields()) {
      int i = source_.FindField(f.name);
      std::string where = spec_.Where("transform.source_schema." + f.name);
      if (i < 0) {
        problems_.Add(StatusCode::kSchemaMismatch, where + "missing column '" + f.name + "' (declared " +
                                                       f.type.ToString() + ")" +
                                                       DidYouMean(f.name, FieldNames(source_)));
      } else if (source_.field(static_cast<size_t>(i)).type != f.type) {
        problems_.Add(StatusCode::kSchemaMismatch, where + "column '" + f.name + "' is " +
                                                       source_.field(static_cast<size_t>(i)).type.ToString() +
                                                       ", declared " + f.type.ToString());
      }
    }
    for (const Field& f : source_.fields()) {
      if (declared.FindField(f.name) < 0) {
        problems_.Add(StatusCode::kSchemaMismatch, spec_.Where("transform.source_schema") + "extra column '" + f.name +
                                                       "' (" + f.type.ToString() + ") is not declared");
      }
    }
  }

  // 2. Renames apply simultaneously to the source names.
  void Rename() {
    names_ = FieldNames(source_);
    rename_source_.assign(spec_.rename.size(), -1);
    for (size_t k = 0; k < spec_.rename.size(); ++k) {
      const auto& [from, to] = spec_.rename[k];
      std::string where = spec_.Where("transform.rename." + from);
      int i = source_.FindField(from);
      if (i < 0) {
        problems_.Add(StatusCode::kSchemaMismatch,
                      where + "unknown column '" + from + "'" + DidYouMean(from, FieldNames(source_)));
        continue;
      }
      if (renamed_to_.count(from)) {
        problems_.Add(StatusCode::kInvalidArgument, where + "column '" + from + "' is renamed twice");
        continue;
      }
      if (to.empty()) {
        problems_.Add(StatusCode::kInvalidArgument, where + "the new name of '" + from + "' is empty");
        continue;
      }
      renamed_to_[from] = to;
      rename_source_[k] = i;
      names_[static_cast<size_t>(i)] = to;
    }
    CheckRenamedNamesAreUnique();
    working_ = source_.fields();
    for (size_t i = 0; i < nf_; ++i) working_[i].name = names_[i];
  }

  // 3. Casts, by the names after rename.
  void Cast() {
    std::set<int> cast_seen;
    for (const auto& [name, type] : spec_.cast) {
      std::string where = spec_.Where("transform.cast." + name);
      int i = FindWorking(name, where);
      if (i < 0) continue;
      if (!cast_seen.insert(i).second) {
        problems_.Add(StatusCode::kInvalidArgument, where + "column '" + name + "' is cast twice");
        continue;
      }
      Field& f = working_[static_cast<size_t>(i)];
      Status st = CheckCast(f.type, type);
      if (!st.ok()) {
        problems_.Add(StatusCode::kTypeError, where + "column '" + name + "': " + st.message());
        continue;
      }
      if (f.type != type) t_.casts_.push_back({i, type, "transform.cast." + name + ": "});
      f.type = type;
    }
    t_.working_schema_ = Schema(working_);
  }

  // 4. Drops, by the names after rename; the source columns left are the first outputs.
  void Drop() {
    std::vector<bool> dropped(nf_, false);
    for (size_t k = 0; k < spec_.drop.size(); ++k) {
      std::string where = spec_.Where("transform.drop[" + std::to_string(k) + "]");
      int i = FindWorking(spec_.drop[k], where);
      if (i < 0) continue;
      if (dropped[static_cast<size_t>(i)]) {
        problems_.Add(StatusCode::kInvalidArgument, where + "column '" + spec_.drop[k] + "' is dropped twice");
      }
      dropped[static_cast<size_t>(i)] = true;
    }
    for (size_t i = 0; i < nf_; ++i) {
      if (dropped[i]) continue;
      output_.push_back(working_[i]);
      out_names_.insert(t_.working_schema_.field(i).name);
      t_.outputs_.push_back({OutputColumn::Kind::kSource, static_cast<int>(i)});
    }
  }

  // 5. Added columns: a constant read with the cast rules, or null.
  void Add() {
    for (const AddColumnSpec& add : spec_.add) {
      std::string where = spec_.Where("transform.add." + add.name);
      if (!ClaimName(add.name, where, "add")) continue;
      auto value = std::make_shared<Column>(add.type);
      if (add.default_value) {
        Column text(DataType::String());
        text.AppendString(*add.default_value);
        std::vector<RowError> errors;
        auto cast = CastColumn(text, add.type, &errors);
        if (!cast.ok() || !errors.empty()) {
          problems_.Add(StatusCode::kInvalidArgument, spec_.Where("transform.add." + add.name + ".default") +
                                                          "default '" + *add.default_value + "' is not a valid " +
                                                          add.type.ToString() + ": " +
                                                          (cast.ok() ? errors[0].reason : cast.status().message()));
          continue;
        }
        *value = std::move(cast).value();
      } else {
        value->AppendNull();
        null_adds_.insert(add.name);
      }
      output_.push_back(Field{add.name, add.type, !add.default_value.has_value()});
      t_.outputs_.push_back({OutputColumn::Kind::kAdd, static_cast<int>(t_.add_values_.size())});
      t_.add_values_.push_back(std::move(value));
    }
  }

  // 6a. Derived columns, in spec order. Expressions see the renamed and cast columns
  // (dropped ones included).
  void Derive() {
    std::set<int> derive_inputs;
    for (const auto& [name, text] : spec_.derive) {
      std::string path = "transform.derive." + name;
      bool name_ok = ClaimName(name, spec_.Where(path), "derive");
      auto expr = Compile(text, path);
      if (!expr || !name_ok) continue;
      derive_inputs.insert(expr->columns().begin(), expr->columns().end());
      output_.push_back(Field{name, expr->type(), true});
      t_.outputs_.push_back({OutputColumn::Kind::kDerive, static_cast<int>(t_.derives_.size())});
      t_.derives_.push_back({name, std::move(*expr), path + ": "});
    }
    t_.derive_inputs_.assign(derive_inputs.begin(), derive_inputs.end());
  }

  // 6b. The filter: a bool expression over the same columns.
  void Filter() {
    if (!spec_.filter) return;
    auto expr = Compile(*spec_.filter, "transform.filter");
    if (expr && expr->type().id != TypeId::kBool) {
      problems_.Add(StatusCode::kTypeError, spec_.Where("transform.filter") +
                                                "the filter must be a bool expression, got " + expr->type().ToString() +
                                                " \"" + *spec_.filter + "\"");
    } else if (expr) {
      t_.filter_ = std::move(expr);
    }
  }

  // 7. Required columns must exist in the output and cannot be always null.
  void Require() {
    for (size_t k = 0; k < spec_.required.size(); ++k) {
      const std::string& name = spec_.required[k];
      std::string where = spec_.Where("transform.required[" + std::to_string(k) + "]");
      auto it = std::find_if(output_.begin(), output_.end(), [&](const Field& f) { return f.name == name; });
      if (it == output_.end()) {
        bool was_dropped = t_.working_schema_.FindField(name) >= 0;
        problems_.Add(StatusCode::kInvalidArgument,
                      where + "'" + name + "' is not an output column" +
                          (was_dropped ? " (it is dropped)" : DidYouMean(name, FieldNames(Schema(output_)))));
        continue;
      }
      if (null_adds_.count(name)) {
        problems_.Add(StatusCode::kInvalidArgument,
                      where + "'" + name + "' is required but added without a default (always null)");
        continue;
      }
      it->nullable = false;
      t_.required_.push_back(static_cast<int>(it - output_.begin()));
    }
  }

  // Every problem at once, or the finished plan.
  Result<Transformer> Finish() {
    if (output_.empty() && problems_.empty()) {
      problems_.Add(StatusCode::kInvalidArgument, "transform: the output has no columns");
    }
    if (!problems_.empty()) return problems_.ToStatus();
    t_.output_schema_ = std::make_shared<const Schema>(Schema(std::move(output_)));
    return std::move(t_);
  }

 private:
  // Two renames to one name, or a rename onto a name the source keeps, make a duplicate.
  void CheckRenamedNamesAreUnique() {
    for (size_t k = 0; k < spec_.rename.size(); ++k) {
      if (rename_source_[k] < 0) continue;
      const auto& [from, to] = spec_.rename[k];
      for (size_t j = 0; j < nf_; ++j) {
        if (static_cast<int>(j) == rename_source_[k] || names_[j] != to) continue;
        const std::string& other = source_.field(j).name;
        bool other_renamed = renamed_to_.count(other) > 0;
        if (other_renamed && static_cast<int>(j) < rename_source_[k]) continue;  // reported once, at the first
        problems_.Add(StatusCode::kInvalidArgument,
                      spec_.Where("transform.rename." + from) + "renaming '" + from + "' to '" + to +
                          "' makes a duplicate column: " +
                          (other_renamed ? "'" + other + "' is renamed to '" + to + "' too"
                                         : "the source already has '" + to + "'"));
      }
    }
  }

  // Finds a column by its name after rename, explaining the likely mistake if absent.
  int FindWorking(const std::string& name, const std::string& where) {
    for (size_t i = 0; i < nf_; ++i) {
      if (working_[i].name == name) return static_cast<int>(i);
    }
    auto r = renamed_to_.find(name);
    std::string hint =
        r != renamed_to_.end() ? " (it is renamed to '" + r->second + "'; use the new name)" : DidYouMean(name, names_);
    problems_.Add(StatusCode::kSchemaMismatch, where + "unknown column '" + name + "'" + hint);
    return -1;
  }

  // Reserves an output column name; false (with the problem) if empty or taken.
  bool ClaimName(const std::string& name, const std::string& where, const char* what) {
    if (name.empty()) {
      problems_.Add(StatusCode::kInvalidArgument, where + "the column name is empty");
      return false;
    }
    if (!out_names_.insert(name).second) {
      problems_.Add(StatusCode::kInvalidArgument, where + "the output already has a column '" + name + "' (" + what +
                                                      " cannot replace a column unless it is dropped)");
      return false;
    }
    return true;
  }

  std::optional<CompiledExpression> Compile(const std::string& text, const std::string& path) {
    std::vector<ExpressionProblem> found;
    auto c = CompiledExpression::Compile(text, t_.working_schema_, &found);
    if (c.ok()) return std::move(c).value();
    for (const ExpressionProblem& p : found) {
      problems_.Add(p.code, spec_.Where(path) + FormatExpressionProblem(p) + " in \"" + text + "\"");
    }
    return std::nullopt;
  }

  const TransformSpec& spec_;
  const Schema& source_;
  const size_t nf_;
  PlanProblems problems_;
  Transformer t_;
  std::vector<std::string> names_;                 // source names after rename
  std::map<std::string, std::string> renamed_to_;  // old name -> new name
  std::vector<int> rename_source_;                 // per rename: the source column, or -1
  std::vector<Field> working_;                     // source fields after rename and cast
  std::vector<Field> output_;
  std::set<std::string> out_names_;
  std::set<std::string> null_adds_;  // added without a default
};

Result<Transformer> Transformer::MakeFlat(const TransformSpec& spec, const Schema& source) {
  Planner planner(spec, source);
  planner.CheckDeclaredSchema();
  planner.Rename();
  planner.Cast();
  planner.Drop();
  planner.Add();
  planner.Derive();
  planner.Filter();
  planner.Require();
  return planner.Finish();
}

// Named, not anonymous: Transformer::BatchRun (external linkage) holds one, which g++ rejects
// (-Wsubobject-linkage) when this file is compiled inside a unity batch.
namespace transformer_internal {

// Per-thread scratch, reused batch after batch: fresh large allocations cost page faults
// that would dominate the work.
struct ApplyScratch {
  std::vector<uint8_t> state;  // per input row: BatchRun::kKeep, kRejected or kFiltered
  std::vector<uint32_t> sel;   // input rows kept after the filter
  std::vector<uint32_t> final_rows;
  std::vector<uint32_t> zeros;
};

}  // namespace transformer_internal

using transformer_internal::ApplyScratch;

namespace {

ApplyScratch& ThreadScratch() {
  thread_local ApplyScratch scratch;
  return scratch;
}

}  // namespace

// One Apply call: the batch's state and the steps that transform it, in the order of the
// semantics in transformer.h. Every step works on whole columns; per-row work is plain loops.
class Transformer::BatchRun {
 public:
  enum : uint8_t { kKeep = 0, kRejected = 1, kFiltered = 2 };

  BatchRun(const Transformer& t, const RecordBatch& in)
      : t_(t),
        in_(in),
        nf_(in.columns.size()),
        n_(in.num_rows()),
        scratch_(ThreadScratch()),
        work_(nf_),
        casted_(nf_),
        is_casted_(nf_, false) {
    scratch_.state.assign(n_, kKeep);
    for (size_t i = 0; i < nf_; ++i) work_[i] = &in.columns[i];
  }

  // Rename is free (names only); casts make new columns and reject what does not convert.
  Status Cast() {
    for (const CastStep& c : t_.casts_) {
      const size_t i = static_cast<size_t>(c.column);
      errors_.clear();
      auto col = CastColumn(*work_[i], c.to, &errors_);
      if (!col.ok()) return col.status();
      for (RowError& e : errors_) Reject(e.row, c.where + e.reason);
      casted_[i] = std::move(col).value();
      is_casted_[i] = true;
      work_[i] = &casted_[i];
    }
    return Status::OK();
  }

  // Rows whose filter is false or null are filtered; a filter error rejects the row.
  void Filter() {
    if (!t_.filter_) return;
    errors_.clear();
    Column keep = t_.filter_->Evaluate(work_, n_, &errors_);
    for (RowError& e : errors_) Reject(e.row, "transform.filter: " + e.reason);
    const uint8_t* kv = keep.data<uint8_t>();
    uint8_t* state = scratch_.state.data();
    for (size_t i = 0; i < n_; ++i) {
      if (state[i] == kKeep && (keep.IsNull(i) || kv[i] == 0)) state[i] = kFiltered;
    }
  }

  // The rows still kept; source columns are compacted to them straight into the output
  // slots (derive reads them there; `out`'s previous buffers are reused), dropped ones
  // that derive reads aside.
  void CompactSources(RecordBatch* out) {
    std::vector<uint32_t>& sel = scratch_.sel;
    const uint8_t* state = scratch_.state.data();
    sel.clear();
    for (size_t i = 0; i < n_; ++i) {
      if (state[i] == kKeep) sel.push_back(static_cast<uint32_t>(i));
    }
    m_ = sel.size();
    const bool all_kept = m_ == n_;
    cols_ = std::move(out->columns);
    cols_.resize(t_.outputs_.size());
    kept_ = work_;
    aside_.resize(all_kept ? 0 : nf_);
    for (size_t k = 0; k < t_.outputs_.size(); ++k) {
      const OutputColumn& o = t_.outputs_[k];
      if (o.kind != OutputColumn::Kind::kSource) continue;
      const size_t c = static_cast<size_t>(o.index);
      if (!all_kept) {
        TakeRowsInto(*work_[c], sel, &cols_[k]);
        kept_[c] = &cols_[k];
      } else if (is_casted_[c]) {
        cols_[k] = std::move(casted_[c]);
        kept_[c] = &cols_[k];
      } else {
        cols_[k] = in_.columns[c];  // copy-assignment reuses the slot's buffers
      }
    }
    if (all_kept) return;
    for (int c : t_.derive_inputs_) {
      const size_t i = static_cast<size_t>(c);
      if (kept_[i] != work_[i]) continue;  // already compacted
      TakeRowsInto(*work_[i], sel, &aside_[i]);
      kept_[i] = &aside_[i];
    }
  }

  // Added constants repeat for every kept row; derived columns are evaluated over the
  // kept rows only, and an error rejects its row.
  void AddAndDerive() {
    for (size_t k = 0; k < t_.outputs_.size(); ++k) {
      const OutputColumn& o = t_.outputs_[k];
      const size_t i = static_cast<size_t>(o.index);
      if (o.kind == OutputColumn::Kind::kAdd) {
        scratch_.zeros.assign(m_, 0);
        TakeRowsInto(*t_.add_values_[i], scratch_.zeros, &cols_[k]);
      } else if (o.kind == OutputColumn::Kind::kDerive) {
        const DeriveStep& d = t_.derives_[i];
        errors_.clear();
        cols_[k] = d.expr.Evaluate(kept_, m_, &errors_);
        for (RowError& e : errors_) Reject(scratch_.sel[e.row], d.where + e.reason);
      }
    }
  }

  void RejectRequiredNulls() {
    for (int r : t_.required_) {
      const Column& c = cols_[static_cast<size_t>(r)];
      if (!c.may_have_nulls()) continue;
      for (size_t j = 0; j < m_; ++j) {
        if (c.IsNull(j)) {
          Reject(scratch_.sel[j],
                 "transform.required: column '" + t_.output_schema_->field(static_cast<size_t>(r)).name + "' is null");
        }
      }
    }
  }

  // Rows rejected after compaction (derive errors, required nulls) leave the output too.
  void DropLateRejections(std::vector<uint32_t>* kept_rows) {
    std::vector<uint32_t>& final_rows = scratch_.final_rows;
    const uint32_t* sel = scratch_.sel.data();
    const uint8_t* state = scratch_.state.data();
    final_rows.clear();
    for (size_t j = 0; j < m_; ++j) {
      if (state[sel[j]] == kKeep) final_rows.push_back(static_cast<uint32_t>(j));
    }
    if (final_rows.size() != m_) {
      for (Column& c : cols_) c = TakeRows(c, final_rows);
    }
    if (kept_rows) {
      kept_rows->clear();
      for (uint32_t j : final_rows) kept_rows->push_back(sel[j]);
    }
  }

  // Checks that every input row is accounted for once, then hands over the output, the
  // rejections (in row order) and the counts.
  Status Finish(RecordBatch* out, std::vector<RowError>* rejections, TransformStats* stats) {
    size_t filtered = 0;
    for (uint8_t s : scratch_.state) filtered += s == kFiltered;
    const size_t out_rows = scratch_.final_rows.size();
    if (out_rows + rejected_.size() + filtered != n_) {
      return Status::Internal("row accounting broken: " + std::to_string(n_) + " in, " + std::to_string(out_rows) +
                              " out, " + std::to_string(rejected_.size()) + " rejected, " + std::to_string(filtered) +
                              " filtered");
    }
    std::sort(rejected_.begin(), rejected_.end(), [](const RowError& a, const RowError& b) { return a.row < b.row; });
    if (stats) {
      stats->rows_in += n_;
      stats->rows_out += out_rows;
      stats->rows_rejected += rejected_.size();
      stats->rows_filtered += filtered;
    }
    rejections->insert(rejections->end(), std::make_move_iterator(rejected_.begin()),
                       std::make_move_iterator(rejected_.end()));
    out->schema = t_.output_schema_;
    out->columns = std::move(cols_);
    return Status::OK();
  }

  void Reject(size_t row, std::string reason) {
    if (scratch_.state[row] == kRejected) return;  // the first reason wins
    scratch_.state[row] = kRejected;
    rejected_.push_back({row, std::move(reason)});
  }

 private:
  const Transformer& t_;
  const RecordBatch& in_;
  const size_t nf_;
  const size_t n_;
  ApplyScratch& scratch_;
  std::vector<RowError> rejected_;
  std::vector<RowError> errors_;     // one step's errors
  std::vector<const Column*> work_;  // after cast, all input rows
  std::vector<Column> casted_;       // cast columns, by source index
  std::vector<bool> is_casted_;
  size_t m_ = 0;                     // rows kept after the filter
  std::vector<Column> cols_;         // the output columns
  std::vector<const Column*> kept_;  // working columns over the kept rows: what derive reads
  std::vector<Column> aside_;        // dropped columns derive reads, compacted
};

Status Transformer::ApplySteps(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections,
                               TransformStats* stats, std::vector<uint32_t>* kept_rows) const {
  if (!nested_edits_.empty()) return ApplyEdited(in, out, rejections, stats, kept_rows);
  BatchRun run(*this, in);
  GAGGLE_RETURN_IF_ERROR(run.Cast());
  run.Filter();
  run.CompactSources(out);
  run.AddAndDerive();
  run.RejectRequiredNulls();
  run.DropLateRejections(kept_rows);
  return run.Finish(out, rejections, stats);
}

// Nested edits first (nested_edit.h): the edited struct columns are new, the others are
// copied into the edited batch (a cost paid only by specs that edit nested fields); rows
// whose nested cast failed start out rejected.
Status Transformer::ApplyEdited(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections,
                                TransformStats* stats, std::vector<uint32_t>* kept_rows) const {
  RecordBatch edited;
  edited.schema = std::make_shared<const Schema>(edited_schema_);
  edited.columns.reserve(in.columns.size());
  std::vector<RowError> errors;
  for (size_t i = 0; i < in.columns.size(); ++i) {
    if (nested_edits_[i]) {
      GAGGLE_ASSIGN_OR_RETURN(Column c, ApplyNestedEdit(in.columns[i], *nested_edits_[i], &errors));
      edited.columns.push_back(std::move(c));
    } else {
      edited.columns.push_back(in.columns[i]);
    }
  }
  BatchRun run(*this, edited);
  for (RowError& e : errors) run.Reject(e.row, std::move(e.reason));
  GAGGLE_RETURN_IF_ERROR(run.Cast());
  run.Filter();
  run.CompactSources(out);
  run.AddAndDerive();
  run.RejectRequiredNulls();
  run.DropLateRejections(kept_rows);
  return run.Finish(out, rejections, stats);
}

}  // namespace gaggle
