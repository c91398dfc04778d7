#include "verify/consumer_rules.h"

#include "agent/readable_location.h"
#include "common/dataset_location.h"
#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/text_typing_policy.h"
#include "formats/format.h"
#include "verify/query_rewriter.h"

namespace gaggle {
namespace {

// The column names of a dataset, from its first data file.
Result<std::vector<std::string>> DataColumns(FileSystem* fs, const std::string& root,
                                             const std::optional<Schema>& text_schema) {
  GAGGLE_ASSIGN_OR_RETURN(Schema schema, DataSchema(root, text_schema, fs));
  std::vector<std::string> names;
  for (const Field& f : schema.fields()) names.push_back(f.name);
  return names;
}

}  // namespace

Result<Schema> DataSchema(const std::string& root, const std::optional<Schema>& text_schema, FileSystem* fs) {
  if (fs == nullptr) fs = FileSystem::Default();
  bool is_dir = false;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDatasetFiles(fs, root, &is_dir));
  if (files.empty()) return Status::NotFound("dataset " + root + " has no data files");
  GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(files[0].path));
  ReadOptions options;
  options.batch_rows = 1;
  TypeTextAs(format, text_schema, &options);
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(files[0].path, format, options, fs));
  return *reader->schema();
}

std::string NewTableName(const MigrationSpec& spec, const std::string& id, const std::string& name) {
  std::string out = spec.verify.table;
  const std::pair<const char*, std::string> vars[] = {
      {"{id}", id}, {"{name}", name}, {"{version}", std::to_string(spec.version)}};
  for (const auto& [var, value] : vars) {
    for (size_t at = 0; (at = out.find(var, at)) != std::string::npos; at += value.size()) {
      out.replace(at, std::char_traits<char>::length(var), value);
    }
  }
  return out;
}

ConsumerRules::ConsumerRules(const MigrationSpec& spec, const Catalog& catalog,
                             const std::vector<VerifiedDataset>& migrated, bool preserve_output_names,
                             FileSystemResolver* resolver)
    : spec_(spec), catalog_(catalog), preserve_output_names_(preserve_output_names), resolver_(resolver) {
  for (const VerifiedDataset& d : migrated) by_id_[d.id] = &d;
  for (const AddColumnSpec& a : spec_.transform.add) created_.insert(a.name);
  for (const auto& [name, expr] : spec_.transform.derive) created_.insert(name);
  drops_.insert(spec_.transform.drop.begin(), spec_.transform.drop.end());
}

// What the migration did to a migrated dataset's columns, from the old data itself, in
// the names consumers use; nullptr (and the reason kept) when the data cannot be read.
const TableChange* ConsumerRules::ChangeOf(const std::string& id) {
  if (auto it = changes_.find(id); it != changes_.end()) return &it->second;
  if (change_errors_.count(id)) return nullptr;
  const VerifiedDataset& d = *by_id_.at(id);
  auto cols = DataColumns(d.old_fs ? d.old_fs : FileSystem::Default(), d.old_root, spec_.transform.source_schema);
  if (!cols.ok()) {
    change_errors_[id] = cols.status().ToString();
    return nullptr;
  }
  TableChange c;
  c.columns = *cols;
  for (const std::string& col : c.columns) {
    std::string now = col;
    for (const auto& [from, to] : spec_.transform.rename) {
      if (from == col) now = to;
    }
    if (now != col) c.renamed[col] = now;
    if (drops_.count(now) && !created_.count(now)) c.dropped.insert(col);
  }
  auto n = catalog_.Find(id);
  c.new_table = NewTableName(spec_, id, n ? catalog_.entity(*n).name : id);
  return &changes_.emplace(id, std::move(c)).first->second;
}

// The columns of a dataset the migration does not touch: its declared schema, else its
// data's; nullopt when neither is known.
const std::optional<std::vector<std::string>>& ConsumerRules::CurrentColumns(const Entity& e) {
  auto it = current_columns_.find(e.id);
  if (it != current_columns_.end()) return it->second;
  std::optional<std::vector<std::string>> cols;
  if (auto parsed = ParseSchemaText(e.schema); parsed.ok() && parsed->num_fields() > 0) {
    cols.emplace();
    for (const Field& f : parsed->fields()) cols->push_back(f.name);
  } else if (auto where = ResolveReadableLocation(resolver_, e.uri); where.ok()) {
    if (auto from_data = DataColumns(where->fs, where->root, std::nullopt); from_data.ok()) cols = *from_data;
  }
  return current_columns_.emplace(e.id, std::move(cols)).first->second;
}

// The rewrite rules of consumer n: the changes of the migrated datasets it reads and the
// columns of the others. *reads_migrated lists the migrated ones.
RewriteRules ConsumerRules::RulesFor(NodeId n, std::vector<std::string>* reads_migrated, std::string* problem) {
  RewriteRules rules;
  rules.preserve_output_names = preserve_output_names_;
  if (problem) problem->clear();
  for (NodeId u : catalog_.Upstream(n)) {
    const Entity& up = catalog_.entity(u);
    if (!up.is_dataset()) continue;
    if (auto bad = output_problems_.find(up.id); bad != output_problems_.end() && problem) {
      *problem += (problem->empty() ? "" : "; ") + bad->second;
    }
    if (auto o = outputs_.find(up.id); o != outputs_.end() && !by_id_.count(up.id)) {
      rules.migrated[up.id] = o->second.change;
      reads_migrated->push_back(up.id);
    } else if (by_id_.count(up.id)) {
      const TableChange* c = ChangeOf(up.id);
      if (!c) continue;
      rules.migrated[up.id] = *c;
      reads_migrated->push_back(up.id);
    } else if (const auto& cols = CurrentColumns(up); cols) {
      rules.other_tables[up.id] = *cols;
    }
  }
  return rules;
}

Result<std::vector<NodeId>> ConsumerRules::Order() const {
  std::vector<NodeId> order;
  if (preserve_output_names_) {
    for (NodeId n = 0; n < catalog_.size(); ++n) order.push_back(n);
    return order;
  }
  // Kahn's algorithm over what lies downstream of a migrated dataset; ties by catalog order.
  std::vector<char> reached(catalog_.size(), 0);
  std::vector<NodeId> stack;
  for (const auto& [id, d] : by_id_) {
    if (auto n = catalog_.Find(id)) stack.push_back(*n);
  }
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    if (reached[n]) continue;
    reached[n] = 1;
    for (NodeId d : catalog_.Downstream(n)) stack.push_back(d);
  }
  std::vector<uint32_t> pending(catalog_.size(), 0);
  for (const auto& [u, d] : catalog_.edges()) pending[d] += reached[u] && reached[d];
  std::set<NodeId> ready;
  for (NodeId n = 0; n < catalog_.size(); ++n) {
    if (reached[n] && pending[n] == 0) ready.insert(n);
  }
  while (!ready.empty()) {
    const NodeId n = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(n);
    for (NodeId d : catalog_.Downstream(n)) {
      if (reached[d] && --pending[d] == 0) ready.insert(d);
    }
  }
  std::string cycle;
  for (NodeId n = 0; n < catalog_.size(); ++n) {
    if (reached[n] && pending[n] > 0) cycle += (cycle.empty() ? "" : ", ") + catalog_.entity(n).id;
  }
  if (!cycle.empty()) {
    return Status::InvalidArgument(
        "verify.output_names: propagate needs the lineage downstream of the migrated "
        "datasets to have no cycle; these consumers lie on or after one: " +
        cycle);
  }
  for (NodeId n = 0; n < catalog_.size(); ++n) {
    if (!reached[n]) order.push_back(n);
  }
  return order;
}

void ConsumerRules::RecordOutputs(NodeId n, const RewriteRules& rules, const std::string& upstream_problem) {
  const Entity& e = catalog_.entity(n);
  if (preserve_output_names_ || !e.is_dataset() || e.queries.empty() || by_id_.count(e.id)) return;
  if (!upstream_problem.empty()) {
    output_problems_[e.id] = e.id + " is not rewritten (" + upstream_problem + ")";
    return;
  }
  TableChange change;
  std::optional<size_t> defining;
  std::vector<std::string> outputs;
  bool known = false;
  std::string problem;
  for (size_t q = 0; q < e.queries.size(); ++q) {
    auto rw = RewriteQuery(e.queries[q], rules);
    if (!rw.ok() || (rw->renamed_outputs.empty() && rw->dropped_outputs.empty())) continue;
    if (defining) {
      problem = "queries " + std::to_string(*defining + 1) + " and " + std::to_string(q + 1) +
                " both change their output columns, and which one makes the dataset is unknown";
      break;
    }
    defining = q;
    outputs = rw->outputs;
    known = rw->outputs_known;
    change.renamed = rw->renamed_outputs;
    change.dropped = rw->dropped_outputs;
  }
  if (!defining) return;
  if (problem.empty() && known) {
    for (std::string& o : outputs) {
      if (!o.empty()) change.columns.push_back(std::move(o));
    }
  } else if (problem.empty()) {
    if (const auto& cols = CurrentColumns(e); cols) {
      change.columns = *cols;
    } else {
      problem = "its output columns are unknown (a * over a source of unknown columns) and it declares no schema";
    }
  }
  change.new_table = e.id;
  change.keep_name = true;  // readers name it as they always did
  if (problem.empty()) {
    RewriteRules probe;
    probe.migrated[e.id] = change;
    if (Status s = ValidateRewriteRules(probe); !s.ok()) problem = s.message();
  }
  if (!problem.empty()) {
    output_problems_[e.id] = "cannot carry the renamed output columns of " + e.id + " to its readers: " + problem;
    return;
  }
  outputs_[e.id] = {std::move(change), *defining};
}

}  // namespace gaggle
