#include "verify/query_verifier.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "common/dataset_location.h"
#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/text_typing_policy.h"
#include "formats/format.h"
#include "verify/query_patch.h"
#include "verify/query_result.h"
#include "verify/query_rewriter.h"
#include "verify/sqlite_dialect.h"
#include "verify/sqlite_functions.h"
#include "verify/sqlite_table_loader.h"

namespace gaggle {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A query longer than this is stopped and reported (SQLite's progress handler).
constexpr std::chrono::seconds kQueryTimeLimit{300};

// The column names of a dataset, from its first data file.
Result<std::vector<std::string>> DataColumns(const std::string& root, const std::optional<Schema>& text_schema) {
  bool is_dir = false;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDatasetFiles(FileSystem::Default(), root, &is_dir));
  if (files.empty()) return Status::NotFound("dataset " + root + " has no data files");
  GAGGLE_ASSIGN_OR_RETURN(Format format, FormatFromPath(files[0].path));
  ReadOptions options;
  options.batch_rows = 1;
  TypeTextAs(format, text_schema, &options);
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(files[0].path, format, options));
  std::vector<std::string> names;
  for (const Field& f : reader->schema()->fields()) names.push_back(f.name);
  return names;
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// One table of the scratch database: a dataset on one side.
struct TableSlot {
  enum class Side { kOld, kNew, kCurrent } side;
  std::string dataset;
  std::string name;  // in the scratch database
  std::set<std::string> columns;
  size_t last_use = 0;  // index of the last sampled query that reads it
  bool loaded = false;
  int64_t excluded = 0;
};

// A sampled query on its way through the checks.
struct Candidate {
  const Entity* consumer = nullptr;
  int index = 0;
  std::vector<std::string> migrated_read;  // sorted
  std::string rewritten;
  std::string refused;
  std::shared_ptr<const RewriteRules> rules;  // the consumer's (new table names for consumers)
};

// A sampled query's SQL for the scratch database and the tables it reads there.
struct Prepared {
  std::string old_sql, new_sql;                // SQLite dialect, scratch table names
  std::vector<size_t> old_tables, new_tables;  // slots
  std::string error;
};

// One Verify call in named steps, in the order Verify runs them: the candidate queries and
// every affected consumer's patch, the seeded sample, the scratch tables each sampled query
// needs, the scratch database, then one check per sampled query.
// Not copyable: the scratch database's progress handler points at deadline_.
class VerificationRun {
 public:
  VerificationRun(const MigrationSpec& spec, const Catalog& catalog, const QueryVerifierOptions& options,
                  const std::vector<VerifiedDataset>& migrated)
      : spec_(spec), catalog_(catalog), options_(options) {
    report_.migration = spec_.name;
    report_.seed = static_cast<int64_t>(options_.seed);
    for (const VerifiedDataset& d : migrated) by_id_[d.id] = &d;
    for (const AddColumnSpec& a : spec_.transform.add) created_.insert(a.name);
    for (const auto& [name, expr] : spec_.transform.derive) created_.insert(name);
    drops_.insert(spec_.transform.drop.begin(), spec_.transform.drop.end());
  }
  VerificationRun(const VerificationRun&) = delete;
  VerificationRun& operator=(const VerificationRun&) = delete;

  // Every query of every consumer that reads a migrated dataset, rewritten for the consumer.
  void CollectCandidates() {
    for (NodeId n = 0; n < catalog_.size(); ++n) CollectConsumer(n);
    report_.candidates = static_cast<int64_t>(candidates_.size());
  }

  // The sample: a seeded partial Fisher-Yates over the candidates in catalog order.
  void DrawSample() {
    order_.resize(candidates_.size());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    const size_t want =
        options_.sample <= 0 ? order_.size() : std::min(order_.size(), static_cast<size_t>(options_.sample));
    std::mt19937_64 rng(options_.seed);
    for (size_t i = 0; i < want; ++i) {
      const size_t j = i + static_cast<size_t>(rng() % (order_.size() - i));
      std::swap(order_[i], order_[j]);
    }
    order_.resize(want);
    std::sort(order_.begin(), order_.end());
  }

  // Plans the scratch tables: which dataset on which side, which columns, last use.
  void PlanScratchTables() {
    prepared_.resize(order_.size());
    for (size_t k = 0; k < order_.size(); ++k) Prepare(k);
  }

  // The scratch database: private, temporary, spilling to disk past its cache.
  Status OpenScratchDatabase() {
    sqlite3* raw = nullptr;
    if (sqlite3_open("", &raw) != SQLITE_OK) {
      sqlite3_close(raw);
      return Status::IOError("cannot open a temporary SQLite database for verification");
    }
    db_.reset(raw);
    (void)sqlite3_exec(db_.get(),
                       "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
                       "PRAGMA case_sensitive_like = ON;",
                       nullptr, nullptr, nullptr);
    GAGGLE_RETURN_IF_ERROR(RegisterVerificationFunctions(db_.get()));
    sqlite3_progress_handler(
        db_.get(), 100000, [](void* d) { return Clock::now() > *static_cast<Clock::time_point*>(d) ? 1 : 0; },
        &deadline_);
    return Status::OK();
  }

  // One check per sampled query, in sample order; tables no later query reads are dropped
  // after each, to bound the scratch database.
  void CheckSample() {
    for (size_t k = 0; k < order_.size(); ++k) {
      const auto t0 = Clock::now();
      QueryCheck check = Check(k);
      DropTablesDoneAt(k);
      check.seconds = SecondsSince(t0);
      ReportProgress(check);
      report_.checks.push_back(std::move(check));
    }
  }

  VerificationReport TakeReport() { return std::move(report_); }

 private:
  // What the migration did to a migrated dataset's columns, from the old data itself, in
  // the names consumers use; nullptr (and the reason kept) when the data cannot be read.
  const TableChange* ChangeOf(const std::string& id) {
    if (auto it = changes_.find(id); it != changes_.end()) return &it->second;
    if (change_errors_.count(id)) return nullptr;
    auto cols = DataColumns(by_id_.at(id)->old_root, spec_.transform.source_schema);
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
  const std::optional<std::vector<std::string>>& CurrentColumns(const Entity& e) {
    auto it = current_columns_.find(e.id);
    if (it != current_columns_.end()) return it->second;
    std::optional<std::vector<std::string>> cols;
    if (auto parsed = ParseSchemaText(e.schema); parsed.ok() && parsed->num_fields() > 0) {
      cols.emplace();
      for (const Field& f : parsed->fields()) cols->push_back(f.name);
    } else if (auto path = LocalPathFromUri(e.uri); path.ok()) {
      if (auto from_data = DataColumns(*path, std::nullopt); from_data.ok()) cols = *from_data;
    }
    return current_columns_.emplace(e.id, std::move(cols)).first->second;
  }

  // The rewrite rules of consumer n: the changes of the migrated datasets it reads and the
  // columns of the others. *reads_migrated lists the migrated ones.
  RewriteRules RulesFor(NodeId n, std::vector<std::string>* reads_migrated) {
    RewriteRules rules;
    for (NodeId u : catalog_.Upstream(n)) {
      const Entity& up = catalog_.entity(u);
      if (!up.is_dataset()) continue;
      if (by_id_.count(up.id)) {
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

  // Consumer n's queries that read a migrated dataset become candidates; the patch of all
  // its queries goes into the report.
  void CollectConsumer(NodeId n) {
    const Entity& consumer = catalog_.entity(n);
    if (consumer.queries.empty()) return;
    std::vector<std::string> reads_migrated;
    RewriteRules rules = RulesFor(n, &reads_migrated);
    if (reads_migrated.empty()) return;
    auto shared_rules = std::make_shared<const RewriteRules>(std::move(rules));
    ConsumerPatch patch;
    patch.consumer = consumer.id;
    patch.owner = consumer.owner;
    std::vector<QueryPatchEntry> entries;
    for (size_t q = 0; q < consumer.queries.size(); ++q) {
      Candidate c;
      c.consumer = &consumer;
      c.index = static_cast<int>(q);
      c.rules = shared_rules;
      auto rw = RewriteQuery(consumer.queries[q], *shared_rules);
      QueryPatchEntry entry;
      entry.original = consumer.queries[q];
      if (rw.ok()) {
        for (const std::string& t : rw->tables) {
          if (shared_rules->migrated.count(t)) c.migrated_read.push_back(t);
        }
        c.rewritten = rw->sql;
        entry.rewritten = rw->sql;
        patch.rewritten += rw->changed;
      } else {
        c.refused = rw.status().message();
        c.migrated_read = reads_migrated;
        entry.rewritten = consumer.queries[q];
        entry.refused = c.refused;
        ++patch.refused;
      }
      entries.push_back(std::move(entry));
      ++patch.queries;
      if (!c.migrated_read.empty()) candidates_.push_back(std::move(c));
    }
    for (const std::string& d : reads_migrated) patch.datasets.push_back(d);
    patch.patch = RenderQueryPatch(consumer.id, entries);
    report_.patches.push_back(std::move(patch));
  }

  // The scratch table of `dataset` on `side`, made on first use.
  size_t SlotFor(TableSlot::Side side, const std::string& dataset) {
    auto key = std::make_pair(static_cast<int>(side), dataset);
    if (auto it = slot_of_.find(key); it != slot_of_.end()) return it->second;
    TableSlot s;
    s.side = side;
    s.dataset = dataset;
    s.name = std::string(side == TableSlot::Side::kOld   ? "old_"
                         : side == TableSlot::Side::kNew ? "new_"
                                                         : "cur_") +
             std::to_string(slots_.size());
    slots_.push_back(std::move(s));
    slot_of_[key] = slots_.size() - 1;
    return slots_.size() - 1;
  }

  // The k-th sampled query mapped onto the scratch tables (old and new side) in SQLite's
  // dialect, and the columns it needs of each table.
  void Prepare(size_t k) {
    const Candidate& c = candidates_[order_[k]];
    Prepared& p = prepared_[k];
    if (!c.refused.empty()) return;
    RewriteRules old_rules, new_rules;
    std::map<std::string, size_t> old_slot, new_slot;
    for (const auto& [id, change] : c.rules->migrated) {
      old_slot[id] = SlotFor(TableSlot::Side::kOld, id);
      new_slot[id] = SlotFor(TableSlot::Side::kNew, id);
      old_rules.migrated[id] = {slots_[old_slot[id]].name, change.columns, {}, {}};
      TableChange n = change;
      n.new_table = slots_[new_slot[id]].name;
      new_rules.migrated[id] = std::move(n);
    }
    for (const auto& [id, cols] : c.rules->other_tables) {
      const size_t s = SlotFor(TableSlot::Side::kCurrent, id);
      old_slot[id] = new_slot[id] = s;
      old_rules.migrated[id] = new_rules.migrated[id] = {slots_[s].name, cols, {}, {}};
    }
    const std::string& sql = c.consumer->queries[static_cast<size_t>(c.index)];
    auto old_rw = RewriteQuery(sql, old_rules);
    auto new_rw = RewriteQuery(sql, new_rules);
    if (!old_rw.ok() || !new_rw.ok()) {
      p.error = "cannot map it onto the loaded tables: " + (old_rw.ok() ? new_rw : old_rw).status().message();
      return;
    }
    auto old_sql = ToSqliteDialect(old_rw->sql);
    auto new_sql = ToSqliteDialect(new_rw->sql);
    if (!old_sql.ok() || !new_sql.ok()) {
      p.error = "cannot translate it for SQLite: " + (old_sql.ok() ? new_sql : old_sql).status().message();
      return;
    }
    p.old_sql = *old_sql;
    p.new_sql = *new_sql;
    for (const std::string& id : old_rw->tables) {
      const size_t s = old_slot.at(id);
      for (const std::string& col : old_rw->columns_needed[id]) slots_[s].columns.insert(col);
      slots_[s].last_use = k;
      p.old_tables.push_back(s);
    }
    for (const std::string& id : new_rw->tables) {
      const size_t s = new_slot.at(id);
      const auto& cols = c.rules->migrated.count(id) ? new_rw->new_columns_needed[id] : new_rw->columns_needed[id];
      for (const std::string& col : cols) slots_[s].columns.insert(col);
      slots_[s].last_use = k;
      p.new_tables.push_back(s);
    }
  }

  // Loads a scratch table once: old data through the migration's transformation (rows it
  // filters or dead-letters left out), new data as written, untouched data from the catalog.
  Status Load(TableSlot& s) {
    if (s.loaded) return Status::OK();
    TableLoadRequest req;
    req.table = s.name;
    req.columns.assign(s.columns.begin(), s.columns.end());
    if (s.side == TableSlot::Side::kCurrent) {
      auto n = catalog_.Find(s.dataset);
      GAGGLE_ASSIGN_OR_RETURN(req.root, LocalPathFromUri(catalog_.entity(*n).uri));
    } else {
      const VerifiedDataset& d = *by_id_.at(s.dataset);
      req.root = s.side == TableSlot::Side::kOld ? d.old_root : d.new_root;
      if (s.side == TableSlot::Side::kOld) {
        req.through = &spec_;
        req.text_schema = spec_.transform.source_schema;
      }
    }
    deadline_ = Clock::now() + kQueryTimeLimit;
    auto stats = LoadSqliteTable(db_.get(), req);
    if (!stats.ok()) {
      (void)sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      return stats.status().WithContext("loading " + s.dataset + " (" + req.root + ")");
    }
    s.excluded = stats->rows_excluded;
    s.loaded = true;
    return Status::OK();
  }

  // Runs one query under the time limit.
  Result<QueryResult> Run(const std::string& sql) {
    deadline_ = Clock::now() + kQueryTimeLimit;
    auto r = RunSqliteQuery(db_.get(), sql, options_.max_result_rows);
    if (!r.ok() && Clock::now() > deadline_) {
      return Status::Timeout("the query ran longer than " + std::to_string(kQueryTimeLimit.count()) + " s");
    }
    return r;
  }

  // The k-th sampled query's check: refused or unpreparable as found, else run on both sides.
  QueryCheck Check(size_t k) {
    const Candidate& c = candidates_[order_[k]];
    const Prepared& p = prepared_[k];
    QueryCheck check;
    check.consumer = c.consumer->id;
    check.owner = c.consumer->owner;
    check.query_index = c.index;
    check.original = c.consumer->queries[static_cast<size_t>(c.index)];
    check.rewritten = c.rewritten;
    check.datasets = c.migrated_read;
    if (!c.refused.empty()) {
      check.outcome = QueryCheck::Outcome::kRefused;
      check.reason = c.refused;
    } else if (!p.error.empty()) {
      check.outcome = QueryCheck::Outcome::kError;
      check.reason = p.error;
    } else {
      RunOnBothSides(p, &check);
    }
    return check;
  }

  // Loads the tables, runs the original query on the old data and the rewritten one on
  // the new, and compares the answers as multisets.
  void RunOnBothSides(const Prepared& p, QueryCheck* check) {
    Status st;
    for (size_t s : p.old_tables) {
      if (st.ok()) st = Load(slots_[s]);
      if (slots_[s].side == TableSlot::Side::kOld) check->old_rows_excluded += slots_[s].excluded;
    }
    for (size_t s : p.new_tables) {
      if (st.ok()) st = Load(slots_[s]);
    }
    if (!st.ok()) {
      check->outcome = QueryCheck::Outcome::kError;
      check->reason = st.ToString();
      return;
    }
    Result<QueryResult> old_answer = Run(p.old_sql);
    Result<QueryResult> new_answer = Run(p.new_sql);
    if (!old_answer.ok()) {
      check->outcome = QueryCheck::Outcome::kError;
      check->reason = "on the old data: " + old_answer.status().message();
    } else if (!new_answer.ok()) {
      check->outcome = QueryCheck::Outcome::kMismatched;
      check->reason = "runs on the old data but fails on the new: " + new_answer.status().message();
    } else {
      check->rows_old = static_cast<int64_t>(old_answer->rows.size());
      check->rows_new = static_cast<int64_t>(new_answer->rows.size());
      ResultDiff diff = CompareQueryResults(*old_answer, *new_answer, options_.float_tolerance, options_.max_examples);
      if (!diff.same) {
        check->outcome = QueryCheck::Outcome::kMismatched;
        check->reason = diff.reason;
        for (const SqlRow& r : diff.examples_old) check->examples_old.push_back(RowToString(r));
        for (const SqlRow& r : diff.examples_new) check->examples_new.push_back(RowToString(r));
      }
    }
  }

  void DropTablesDoneAt(size_t k) {
    for (TableSlot& s : slots_) {
      if (s.loaded && s.last_use <= k) {
        (void)sqlite3_exec(db_.get(), ("DROP TABLE " + QuoteSqlIdentifier(s.name)).c_str(), nullptr, nullptr, nullptr);
        s.loaded = false;
        s.last_use = SIZE_MAX;  // never reloaded
      }
    }
  }

  void ReportProgress(const QueryCheck& check) const {
    if (!options_.progress) return;
    options_.progress(std::string(OutcomeName(check.outcome)) + "  " + check.consumer + " #" +
                      std::to_string(check.query_index + 1) + " (" + std::to_string(check.rows_old) + " rows, " +
                      std::to_string(static_cast<int64_t>(check.seconds * 1000)) + " ms)" +
                      (check.reason.empty() ? "" : ": " + check.reason));
  }

  const MigrationSpec& spec_;
  const Catalog& catalog_;
  const QueryVerifierOptions& options_;
  VerificationReport report_;
  std::map<std::string, const VerifiedDataset*> by_id_;
  std::set<std::string> created_;  // output names made by add/derive (a dropped name may come back)
  std::set<std::string> drops_;
  std::map<std::string, TableChange> changes_;  // dataset id -> change, consumer-facing names
  std::map<std::string, std::string> change_errors_;
  std::map<std::string, std::optional<std::vector<std::string>>> current_columns_;
  std::vector<Candidate> candidates_;
  std::vector<size_t> order_;       // the sample: indexes into candidates_, in catalog order
  std::vector<Prepared> prepared_;  // per sampled query
  std::vector<TableSlot> slots_;
  std::map<std::pair<int, std::string>, size_t> slot_of_;
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  Clock::time_point deadline_;
};

}  // namespace

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

Result<VerificationReport> QueryVerifier::Verify(const std::vector<VerifiedDataset>& migrated) const {
  const auto started = Clock::now();
  VerificationRun run(spec_, catalog_, options_, migrated);
  run.CollectCandidates();
  run.DrawSample();
  run.PlanScratchTables();
  GAGGLE_RETURN_IF_ERROR(run.OpenScratchDatabase());
  run.CheckSample();
  VerificationReport report = run.TakeReport();
  report.seconds = SecondsSince(started);
  return report;
}

}  // namespace gaggle
