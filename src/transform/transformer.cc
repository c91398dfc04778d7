#include "transform/transformer.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/suggest.h"
#include "transform/cast.h"
#include "transform/column_take.h"

namespace gaggle {
namespace {

// Every problem found while planning, with the code that best describes it.
class Problems {
 public:
  void Add(StatusCode code, std::string message) { list_.push_back({code, std::move(message)}); }
  bool empty() const { return list_.empty(); }
  Status ToStatus() const {
    StatusCode code = StatusCode::kInvalidArgument;
    auto has = [&](StatusCode c) {
      return std::any_of(list_.begin(), list_.end(), [c](const auto& p) { return p.first == c; });
    };
    if (has(StatusCode::kSchemaMismatch)) {
      code = StatusCode::kSchemaMismatch;
    } else if (has(StatusCode::kTypeError)) {
      code = StatusCode::kTypeError;
    }
    std::string message;
    for (const auto& p : list_) message += (message.empty() ? "" : "\n") + p.second;
    return Status(code, message);
  }

 private:
  std::vector<std::pair<StatusCode, std::string>> list_;
};

std::vector<std::string> Names(const Schema& s) {
  std::vector<std::string> out;
  for (const Field& f : s.fields()) out.push_back(f.name);
  return out;
}

}  // namespace

Result<Transformer> Transformer::Make(const TransformSpec& spec, const Schema& source) {
  Problems problems;
  Transformer t;
  t.source_schema_ = source;
  const size_t nf = source.num_fields();

  // 1. The declared source schema, if any, must match the real one.
  if (spec.source_schema) {
    const Schema& declared = *spec.source_schema;
    for (const Field& f : declared.fields()) {
      int i = source.FindField(f.name);
      std::string where = spec.Where("transform.source_schema." + f.name);
      if (i < 0) {
        problems.Add(StatusCode::kSchemaMismatch, where + "missing column '" + f.name + "' (declared " +
                                                      f.type.ToString() + ")" + DidYouMean(f.name, Names(source)));
      } else if (source.field(static_cast<size_t>(i)).type != f.type) {
        problems.Add(StatusCode::kSchemaMismatch, where + "column '" + f.name + "' is " +
                                                      source.field(static_cast<size_t>(i)).type.ToString() +
                                                      ", declared " + f.type.ToString());
      }
    }
    for (const Field& f : source.fields()) {
      if (declared.FindField(f.name) < 0) {
        problems.Add(StatusCode::kSchemaMismatch, spec.Where("transform.source_schema") + "extra column '" + f.name +
                                                      "' (" + f.type.ToString() + ") is not declared");
      }
    }
  }

  // 2. Renames apply simultaneously to the source names.
  std::vector<std::string> names = Names(source);
  std::map<std::string, std::string> renamed_to;  // old name -> new name
  std::vector<int> rename_source(spec.rename.size(), -1);
  for (size_t k = 0; k < spec.rename.size(); ++k) {
    const auto& [from, to] = spec.rename[k];
    std::string where = spec.Where("transform.rename." + from);
    int i = source.FindField(from);
    if (i < 0) {
      problems.Add(StatusCode::kSchemaMismatch,
                   where + "unknown column '" + from + "'" + DidYouMean(from, Names(source)));
      continue;
    }
    if (renamed_to.count(from)) {
      problems.Add(StatusCode::kInvalidArgument, where + "column '" + from + "' is renamed twice");
      continue;
    }
    if (to.empty()) {
      problems.Add(StatusCode::kInvalidArgument, where + "the new name of '" + from + "' is empty");
      continue;
    }
    renamed_to[from] = to;
    rename_source[k] = i;
    names[static_cast<size_t>(i)] = to;
  }
  for (size_t k = 0; k < spec.rename.size(); ++k) {
    if (rename_source[k] < 0) continue;
    const auto& [from, to] = spec.rename[k];
    for (size_t j = 0; j < nf; ++j) {
      if (static_cast<int>(j) == rename_source[k] || names[j] != to) continue;
      const std::string& other = source.field(j).name;
      bool other_renamed = renamed_to.count(other) > 0;
      if (other_renamed && static_cast<int>(j) < rename_source[k]) continue;  // reported once, at the first
      problems.Add(StatusCode::kInvalidArgument, spec.Where("transform.rename." + from) + "renaming '" + from +
                                                     "' to '" + to + "' makes a duplicate column: " +
                                                     (other_renamed ? "'" + other + "' is renamed to '" + to + "' too"
                                                                    : "the source already has '" + to + "'"));
    }
  }
  std::vector<Field> working = source.fields();
  for (size_t i = 0; i < nf; ++i) working[i].name = names[i];

  // Finds a column by its name after rename, explaining the likely mistake if absent.
  auto find = [&](const std::string& name, const std::string& where) -> int {
    for (size_t i = 0; i < nf; ++i) {
      if (working[i].name == name) return static_cast<int>(i);
    }
    auto r = renamed_to.find(name);
    std::string hint =
        r != renamed_to.end() ? " (it is renamed to '" + r->second + "'; use the new name)" : DidYouMean(name, names);
    problems.Add(StatusCode::kSchemaMismatch, where + "unknown column '" + name + "'" + hint);
    return -1;
  };

  // 3. Casts, by the names after rename.
  std::set<int> cast_seen;
  for (const auto& [name, type] : spec.cast) {
    std::string where = spec.Where("transform.cast." + name);
    int i = find(name, where);
    if (i < 0) continue;
    if (!cast_seen.insert(i).second) {
      problems.Add(StatusCode::kInvalidArgument, where + "column '" + name + "' is cast twice");
      continue;
    }
    Field& f = working[static_cast<size_t>(i)];
    Status st = CheckCast(f.type, type);
    if (!st.ok()) {
      problems.Add(StatusCode::kTypeError, where + "column '" + name + "': " + st.message());
      continue;
    }
    if (f.type != type) t.casts_.push_back({i, type, "transform.cast." + name + ": "});
    f.type = type;
  }

  t.working_schema_ = Schema(working);

  // 4. Drops, by the names after rename.
  std::vector<bool> dropped(nf, false);
  for (size_t k = 0; k < spec.drop.size(); ++k) {
    std::string where = spec.Where("transform.drop[" + std::to_string(k) + "]");
    int i = find(spec.drop[k], where);
    if (i < 0) continue;
    if (dropped[static_cast<size_t>(i)]) {
      problems.Add(StatusCode::kInvalidArgument, where + "column '" + spec.drop[k] + "' is dropped twice");
    }
    dropped[static_cast<size_t>(i)] = true;
  }

  std::vector<Field> output;
  std::set<std::string> out_names;
  for (size_t i = 0; i < nf; ++i) {
    if (dropped[i]) continue;
    output.push_back(working[i]);
    out_names.insert(t.working_schema_.field(i).name);
    t.outputs_.push_back({OutputColumn::Kind::kSource, static_cast<int>(i)});
  }
  auto claim_name = [&](const std::string& name, const std::string& where, const char* what) {
    if (name.empty()) {
      problems.Add(StatusCode::kInvalidArgument, where + "the column name is empty");
      return false;
    }
    if (!out_names.insert(name).second) {
      problems.Add(StatusCode::kInvalidArgument, where + "the output already has a column '" + name + "' (" + what +
                                                     " cannot replace a column unless it is dropped)");
      return false;
    }
    return true;
  };

  // 5. Added columns: a constant read with the cast rules, or null.
  std::set<std::string> null_adds;
  for (const AddColumnSpec& add : spec.add) {
    std::string where = spec.Where("transform.add." + add.name);
    if (!claim_name(add.name, where, "add")) continue;
    auto value = std::make_shared<Column>(add.type);
    if (add.default_value) {
      Column text(DataType::String());
      text.AppendString(*add.default_value);
      std::vector<RowError> errors;
      auto cast = CastColumn(text, add.type, &errors);
      if (!cast.ok() || !errors.empty()) {
        problems.Add(StatusCode::kInvalidArgument, spec.Where("transform.add." + add.name + ".default") + "default '" +
                                                       *add.default_value + "' is not a valid " + add.type.ToString() +
                                                       ": " + (cast.ok() ? errors[0].reason : cast.status().message()));
        continue;
      }
      *value = std::move(cast).value();
    } else {
      value->AppendNull();
      null_adds.insert(add.name);
    }
    output.push_back(Field{add.name, add.type, !add.default_value.has_value()});
    t.outputs_.push_back({OutputColumn::Kind::kAdd, static_cast<int>(t.add_values_.size())});
    t.add_values_.push_back(std::move(value));
  }

  // 6. Expressions see the renamed and cast columns (dropped ones included).
  auto compile = [&](const std::string& text, const std::string& path) -> std::optional<CompiledExpression> {
    std::vector<ExpressionProblem> found;
    auto c = CompiledExpression::Compile(text, t.working_schema_, &found);
    if (c.ok()) return std::move(c).value();
    for (const ExpressionProblem& p : found) {
      problems.Add(p.code, spec.Where(path) + FormatExpressionProblem(p) + " in \"" + text + "\"");
    }
    return std::nullopt;
  };
  std::set<int> derive_inputs;
  for (const auto& [name, text] : spec.derive) {
    std::string path = "transform.derive." + name;
    bool name_ok = claim_name(name, spec.Where(path), "derive");
    auto expr = compile(text, path);
    if (!expr || !name_ok) continue;
    derive_inputs.insert(expr->columns().begin(), expr->columns().end());
    output.push_back(Field{name, expr->type(), true});
    t.outputs_.push_back({OutputColumn::Kind::kDerive, static_cast<int>(t.derives_.size())});
    t.derives_.push_back({name, std::move(*expr), path + ": "});
  }
  t.derive_inputs_.assign(derive_inputs.begin(), derive_inputs.end());
  if (spec.filter) {
    auto expr = compile(*spec.filter, "transform.filter");
    if (expr && expr->type().id != TypeId::kBool) {
      problems.Add(StatusCode::kTypeError, spec.Where("transform.filter") +
                                               "the filter must be a bool expression, got " + expr->type().ToString() +
                                               " \"" + *spec.filter + "\"");
    } else if (expr) {
      t.filter_ = std::move(expr);
    }
  }

  // 7. Required columns must exist in the output and cannot be always null.
  for (size_t k = 0; k < spec.required.size(); ++k) {
    const std::string& name = spec.required[k];
    std::string where = spec.Where("transform.required[" + std::to_string(k) + "]");
    auto it = std::find_if(output.begin(), output.end(), [&](const Field& f) { return f.name == name; });
    if (it == output.end()) {
      bool was_dropped = t.working_schema_.FindField(name) >= 0;
      problems.Add(StatusCode::kInvalidArgument,
                   where + "'" + name + "' is not an output column" +
                       (was_dropped ? " (it is dropped)" : DidYouMean(name, Names(Schema(output)))));
      continue;
    }
    if (null_adds.count(name)) {
      problems.Add(StatusCode::kInvalidArgument,
                   where + "'" + name + "' is required but added without a default (always null)");
      continue;
    }
    it->nullable = false;
    t.required_.push_back(static_cast<int>(it - output.begin()));
  }
  if (output.empty() && problems.empty()) {
    problems.Add(StatusCode::kInvalidArgument, "transform: the output has no columns");
  }
  if (!problems.empty()) return problems.ToStatus();
  t.output_schema_ = std::make_shared<const Schema>(Schema(std::move(output)));
  return t;
}

Status Transformer::Apply(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections,
                          TransformStats* stats, std::vector<uint32_t>* kept_rows) const {
  const size_t nf = source_schema_.num_fields();
  if (in.columns.size() != nf) {
    return Status::SchemaMismatch("batch has " + std::to_string(in.columns.size()) + " columns, the source schema " +
                                  std::to_string(nf));
  }
  const size_t n = in.num_rows();
  for (size_t i = 0; i < nf; ++i) {
    const Field& f = source_schema_.field(i);
    if (in.columns[i].type() != f.type || in.columns[i].size() != n) {
      return Status::SchemaMismatch("batch column " + std::to_string(i) + " is " + in.columns[i].type().ToString() +
                                    " with " + std::to_string(in.columns[i].size()) + " rows; expected '" + f.name +
                                    "' " + f.type.ToString() + " with " + std::to_string(n));
    }
  }
  if (n > UINT32_MAX) return Status::InvalidArgument("batch of " + std::to_string(n) + " rows is too large");

  enum : uint8_t { kKeep = 0, kRejected = 1, kFiltered = 2 };
  // Per-thread scratch and the previous output's buffers are reused batch after
  // batch: fresh large allocations cost page faults that would dominate the work.
  thread_local std::vector<uint8_t> state;
  thread_local std::vector<uint32_t> sel;
  thread_local std::vector<uint32_t> final_rows;
  state.assign(n, kKeep);
  std::vector<RowError> rejected;
  auto reject = [&](size_t row, std::string reason) {
    if (state[row] == kRejected) return;  // the first reason wins
    state[row] = kRejected;
    rejected.push_back({row, std::move(reason)});
  };

  // Rename is free (names only); casts make new columns.
  std::vector<const Column*> work(nf);
  for (size_t i = 0; i < nf; ++i) work[i] = &in.columns[i];
  std::vector<Column> casted(nf);
  std::vector<bool> is_casted(nf, false);
  std::vector<RowError> errors;
  for (const CastStep& c : casts_) {
    errors.clear();
    auto col = CastColumn(*work[static_cast<size_t>(c.column)], c.to, &errors);
    if (!col.ok()) return col.status();
    for (RowError& e : errors) reject(e.row, c.where + e.reason);
    casted[static_cast<size_t>(c.column)] = std::move(col).value();
    is_casted[static_cast<size_t>(c.column)] = true;
    work[static_cast<size_t>(c.column)] = &casted[static_cast<size_t>(c.column)];
  }

  if (filter_) {
    errors.clear();
    Column keep = filter_->Evaluate(work, n, &errors);
    for (RowError& e : errors) reject(e.row, "transform.filter: " + e.reason);
    const uint8_t* kv = keep.data<uint8_t>();
    for (size_t i = 0; i < n; ++i) {
      if (state[i] == kKeep && (keep.IsNull(i) || kv[i] == 0)) state[i] = kFiltered;
    }
  }

  // The rows still kept; source columns are compacted to them straight into the
  // output slots (derive reads them there), dropped ones that derive reads aside.
  sel.clear();
  for (size_t i = 0; i < n; ++i) {
    if (state[i] == kKeep) sel.push_back(static_cast<uint32_t>(i));
  }
  const size_t m = sel.size();
  const bool all_kept = m == n;
  std::vector<Column> cols = std::move(out->columns);
  cols.resize(outputs_.size());
  std::vector<const Column*> kept = work;
  std::vector<Column> aside(all_kept ? 0 : nf);
  for (size_t k = 0; k < outputs_.size(); ++k) {
    const OutputColumn& o = outputs_[k];
    if (o.kind != OutputColumn::Kind::kSource) continue;
    const size_t c = static_cast<size_t>(o.index);
    if (!all_kept) {
      TakeRowsInto(*work[c], sel, &cols[k]);
      kept[c] = &cols[k];
    } else if (is_casted[c]) {
      cols[k] = std::move(casted[c]);
      kept[c] = &cols[k];
    } else {
      cols[k] = in.columns[c];  // copy-assignment reuses the slot's buffers
    }
  }
  if (!all_kept) {
    for (int c : derive_inputs_) {
      if (kept[static_cast<size_t>(c)] != work[static_cast<size_t>(c)]) continue;  // already compacted
      TakeRowsInto(*work[static_cast<size_t>(c)], sel, &aside[static_cast<size_t>(c)]);
      kept[static_cast<size_t>(c)] = &aside[static_cast<size_t>(c)];
    }
  }

  for (size_t k = 0; k < outputs_.size(); ++k) {
    const OutputColumn& o = outputs_[k];
    const size_t i = static_cast<size_t>(o.index);
    if (o.kind == OutputColumn::Kind::kAdd) {
      thread_local std::vector<uint32_t> zeros;
      zeros.assign(m, 0);
      TakeRowsInto(*add_values_[i], zeros, &cols[k]);
    } else if (o.kind == OutputColumn::Kind::kDerive) {
      const DeriveStep& d = derives_[i];
      errors.clear();
      cols[k] = d.expr.Evaluate(kept, m, &errors);
      for (RowError& e : errors) reject(sel[e.row], d.where + e.reason);
    }
  }
  for (int r : required_) {
    const Column& c = cols[static_cast<size_t>(r)];
    if (!c.may_have_nulls()) continue;
    for (size_t j = 0; j < m; ++j) {
      if (c.IsNull(j))
        reject(sel[j],
               "transform.required: column '" + output_schema_->field(static_cast<size_t>(r)).name + "' is null");
    }
  }

  // Rows rejected after compaction (derive errors, required nulls) leave the output too.
  final_rows.clear();
  for (size_t j = 0; j < m; ++j) {
    if (state[sel[j]] == kKeep) final_rows.push_back(static_cast<uint32_t>(j));
  }
  if (final_rows.size() != m) {
    for (Column& c : cols) c = TakeRows(c, final_rows);
  }
  if (kept_rows) {
    kept_rows->clear();
    for (uint32_t j : final_rows) kept_rows->push_back(sel[j]);
  }

  size_t filtered = 0;
  for (uint8_t s : state) filtered += s == kFiltered;
  if (final_rows.size() + rejected.size() + filtered != n) {
    return Status::Internal("row accounting broken: " + std::to_string(n) + " in, " +
                            std::to_string(final_rows.size()) + " out, " + std::to_string(rejected.size()) +
                            " rejected, " + std::to_string(filtered) + " filtered");
  }
  std::sort(rejected.begin(), rejected.end(), [](const RowError& a, const RowError& b) { return a.row < b.row; });
  if (stats) {
    stats->rows_in += n;
    stats->rows_out += final_rows.size();
    stats->rows_rejected += rejected.size();
    stats->rows_filtered += filtered;
  }
  rejections->insert(rejections->end(), std::make_move_iterator(rejected.begin()),
                     std::make_move_iterator(rejected.end()));
  out->schema = output_schema_;
  out->columns = std::move(cols);
  return Status::OK();
}

}  // namespace gaggle
