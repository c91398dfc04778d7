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
  VerificationReport report;
  report.migration = spec_.name;
  report.seed = static_cast<int64_t>(options_.seed);

  // What the migration did to each dataset's columns, from the old data itself.
  std::map<std::string, const VerifiedDataset*> by_id;
  for (const VerifiedDataset& d : migrated) by_id[d.id] = &d;
  std::set<std::string> created;  // output names made by add/derive (a dropped name may come back)
  for (const AddColumnSpec& a : spec_.transform.add) created.insert(a.name);
  for (const auto& [name, expr] : spec_.transform.derive) created.insert(name);
  const std::set<std::string> drops(spec_.transform.drop.begin(), spec_.transform.drop.end());
  std::map<std::string, TableChange> changes;  // dataset id -> change, consumer-facing names
  std::map<std::string, std::string> change_errors;
  auto change_of = [&](const std::string& id) -> const TableChange* {
    if (auto it = changes.find(id); it != changes.end()) return &it->second;
    if (change_errors.count(id)) return nullptr;
    auto cols = DataColumns(by_id.at(id)->old_root, spec_.transform.source_schema);
    if (!cols.ok()) {
      change_errors[id] = cols.status().ToString();
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
      if (drops.count(now) && !created.count(now)) c.dropped.insert(col);
    }
    auto n = catalog_.Find(id);
    c.new_table = NewTableName(spec_, id, n ? catalog_.entity(*n).name : id);
    return &changes.emplace(id, std::move(c)).first->second;
  };
  std::map<std::string, std::optional<std::vector<std::string>>> current_columns;
  auto columns_of_current = [&](const Entity& e) -> const std::optional<std::vector<std::string>>& {
    auto it = current_columns.find(e.id);
    if (it != current_columns.end()) return it->second;
    std::optional<std::vector<std::string>> cols;
    if (auto parsed = ParseSchemaText(e.schema); parsed.ok() && parsed->num_fields() > 0) {
      cols.emplace();
      for (const Field& f : parsed->fields()) cols->push_back(f.name);
    } else if (auto path = LocalPathFromUri(e.uri); path.ok()) {
      if (auto from_data = DataColumns(*path, std::nullopt); from_data.ok()) cols = *from_data;
    }
    return current_columns.emplace(e.id, std::move(cols)).first->second;
  };

  // Every query of every consumer that reads a migrated dataset, rewritten for the consumer.
  std::vector<Candidate> candidates;
  for (NodeId n = 0; n < catalog_.size(); ++n) {
    const Entity& consumer = catalog_.entity(n);
    if (consumer.queries.empty()) continue;
    RewriteRules rules;
    std::vector<std::string> reads_migrated;
    for (NodeId u : catalog_.Upstream(n)) {
      const Entity& up = catalog_.entity(u);
      if (!up.is_dataset()) continue;
      if (by_id.count(up.id)) {
        const TableChange* c = change_of(up.id);
        if (!c) continue;
        rules.migrated[up.id] = *c;
        reads_migrated.push_back(up.id);
      } else if (const auto& cols = columns_of_current(up); cols) {
        rules.other_tables[up.id] = *cols;
      }
    }
    if (reads_migrated.empty()) continue;
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
      if (!c.migrated_read.empty()) candidates.push_back(std::move(c));
    }
    for (const std::string& d : reads_migrated) patch.datasets.push_back(d);
    patch.patch = RenderQueryPatch(consumer.id, entries);
    report.patches.push_back(std::move(patch));
  }
  report.candidates = static_cast<int64_t>(candidates.size());

  // The sample: a seeded partial Fisher-Yates over the candidates in catalog order.
  std::vector<size_t> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t want =
      options_.sample <= 0 ? order.size() : std::min(order.size(), static_cast<size_t>(options_.sample));
  std::mt19937_64 rng(options_.seed);
  for (size_t i = 0; i < want; ++i) {
    const size_t j = i + static_cast<size_t>(rng() % (order.size() - i));
    std::swap(order[i], order[j]);
  }
  order.resize(want);
  std::sort(order.begin(), order.end());

  // Plan the scratch tables: which dataset on which side, which columns, last use.
  struct Prepared {
    std::string old_sql, new_sql;                // SQLite dialect, scratch table names
    std::vector<size_t> old_tables, new_tables;  // slots
    std::string error;
  };
  std::vector<TableSlot> slots;
  std::map<std::pair<int, std::string>, size_t> slot_of;
  auto slot = [&](TableSlot::Side side, const std::string& dataset) {
    auto key = std::make_pair(static_cast<int>(side), dataset);
    if (auto it = slot_of.find(key); it != slot_of.end()) return it->second;
    TableSlot s;
    s.side = side;
    s.dataset = dataset;
    s.name = std::string(side == TableSlot::Side::kOld   ? "old_"
                         : side == TableSlot::Side::kNew ? "new_"
                                                         : "cur_") +
             std::to_string(slots.size());
    slots.push_back(std::move(s));
    slot_of[key] = slots.size() - 1;
    return slots.size() - 1;
  };
  std::vector<Prepared> prepared(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const Candidate& c = candidates[order[k]];
    Prepared& p = prepared[k];
    if (!c.refused.empty()) continue;
    RewriteRules old_rules, new_rules;
    std::map<std::string, size_t> old_slot, new_slot;
    for (const auto& [id, change] : c.rules->migrated) {
      old_slot[id] = slot(TableSlot::Side::kOld, id);
      new_slot[id] = slot(TableSlot::Side::kNew, id);
      old_rules.migrated[id] = {slots[old_slot[id]].name, change.columns, {}, {}};
      TableChange n = change;
      n.new_table = slots[new_slot[id]].name;
      new_rules.migrated[id] = std::move(n);
    }
    for (const auto& [id, cols] : c.rules->other_tables) {
      const size_t s = slot(TableSlot::Side::kCurrent, id);
      old_slot[id] = new_slot[id] = s;
      old_rules.migrated[id] = new_rules.migrated[id] = {slots[s].name, cols, {}, {}};
    }
    const std::string& sql = c.consumer->queries[static_cast<size_t>(c.index)];
    auto old_rw = RewriteQuery(sql, old_rules);
    auto new_rw = RewriteQuery(sql, new_rules);
    if (!old_rw.ok() || !new_rw.ok()) {
      p.error = "cannot map it onto the loaded tables: " + (old_rw.ok() ? new_rw : old_rw).status().message();
      continue;
    }
    auto old_sql = ToSqliteDialect(old_rw->sql);
    auto new_sql = ToSqliteDialect(new_rw->sql);
    if (!old_sql.ok() || !new_sql.ok()) {
      p.error = "cannot translate it for SQLite: " + (old_sql.ok() ? new_sql : old_sql).status().message();
      continue;
    }
    p.old_sql = *old_sql;
    p.new_sql = *new_sql;
    for (const std::string& id : old_rw->tables) {
      const size_t s = old_slot.at(id);
      for (const std::string& col : old_rw->columns_needed[id]) slots[s].columns.insert(col);
      slots[s].last_use = k;
      p.old_tables.push_back(s);
    }
    for (const std::string& id : new_rw->tables) {
      const size_t s = new_slot.at(id);
      const auto& cols = c.rules->migrated.count(id) ? new_rw->new_columns_needed[id] : new_rw->columns_needed[id];
      for (const std::string& col : cols) slots[s].columns.insert(col);
      slots[s].last_use = k;
      p.new_tables.push_back(s);
    }
  }

  // The scratch database: private, temporary, spilling to disk past its cache.
  sqlite3* raw = nullptr;
  if (sqlite3_open("", &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::IOError("cannot open a temporary SQLite database for verification");
  }
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  (void)sqlite3_exec(db.get(),
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
                     "PRAGMA case_sensitive_like = ON;",
                     nullptr, nullptr, nullptr);
  GAGGLE_RETURN_IF_ERROR(RegisterVerificationFunctions(db.get()));
  Clock::time_point deadline;
  sqlite3_progress_handler(
      db.get(), 100000, [](void* d) { return Clock::now() > *static_cast<Clock::time_point*>(d) ? 1 : 0; }, &deadline);

  auto load = [&](TableSlot& s) -> Status {
    if (s.loaded) return Status::OK();
    TableLoadRequest req;
    req.table = s.name;
    req.columns.assign(s.columns.begin(), s.columns.end());
    if (s.side == TableSlot::Side::kCurrent) {
      auto n = catalog_.Find(s.dataset);
      GAGGLE_ASSIGN_OR_RETURN(req.root, LocalPathFromUri(catalog_.entity(*n).uri));
    } else {
      const VerifiedDataset& d = *by_id.at(s.dataset);
      req.root = s.side == TableSlot::Side::kOld ? d.old_root : d.new_root;
      if (s.side == TableSlot::Side::kOld) {
        req.through = &spec_;
        req.text_schema = spec_.transform.source_schema;
      }
    }
    deadline = Clock::now() + kQueryTimeLimit;
    auto stats = LoadSqliteTable(db.get(), req);
    if (!stats.ok()) {
      (void)sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      return stats.status().WithContext("loading " + s.dataset + " (" + req.root + ")");
    }
    s.excluded = stats->rows_excluded;
    s.loaded = true;
    return Status::OK();
  };
  auto run = [&](const std::string& sql) {
    deadline = Clock::now() + kQueryTimeLimit;
    auto r = RunSqliteQuery(db.get(), sql, options_.max_result_rows);
    if (!r.ok() && Clock::now() > deadline) {
      return Result<QueryResult>(
          Status::Timeout("the query ran longer than " + std::to_string(kQueryTimeLimit.count()) + " s"));
    }
    return r;
  };

  for (size_t k = 0; k < order.size(); ++k) {
    const Candidate& c = candidates[order[k]];
    const Prepared& p = prepared[k];
    const auto t0 = Clock::now();
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
      Status st;
      for (size_t s : p.old_tables) {
        if (st.ok()) st = load(slots[s]);
        if (slots[s].side == TableSlot::Side::kOld) check.old_rows_excluded += slots[s].excluded;
      }
      for (size_t s : p.new_tables) {
        if (st.ok()) st = load(slots[s]);
      }
      std::optional<Result<QueryResult>> old_answer, new_answer;
      if (st.ok()) {
        old_answer.emplace(run(p.old_sql));
        new_answer.emplace(run(p.new_sql));
      }
      if (!st.ok()) {
        check.outcome = QueryCheck::Outcome::kError;
        check.reason = st.ToString();
      } else if (!old_answer->ok()) {
        check.outcome = QueryCheck::Outcome::kError;
        check.reason = "on the old data: " + old_answer->status().message();
      } else if (!new_answer->ok()) {
        check.outcome = QueryCheck::Outcome::kMismatched;
        check.reason = "runs on the old data but fails on the new: " + new_answer->status().message();
      } else {
        check.rows_old = static_cast<int64_t>((*old_answer)->rows.size());
        check.rows_new = static_cast<int64_t>((*new_answer)->rows.size());
        ResultDiff diff =
            CompareQueryResults(**old_answer, **new_answer, options_.float_tolerance, options_.max_examples);
        if (!diff.same) {
          check.outcome = QueryCheck::Outcome::kMismatched;
          check.reason = diff.reason;
          for (const SqlRow& r : diff.examples_old) check.examples_old.push_back(RowToString(r));
          for (const SqlRow& r : diff.examples_new) check.examples_new.push_back(RowToString(r));
        }
      }
    }
    // Tables no later query reads are dropped now, to bound the scratch database.
    for (TableSlot& s : slots) {
      if (s.loaded && s.last_use <= k) {
        (void)sqlite3_exec(db.get(), ("DROP TABLE " + QuoteSqlIdentifier(s.name)).c_str(), nullptr, nullptr, nullptr);
        s.loaded = false;
        s.last_use = SIZE_MAX;  // never reloaded
      }
    }
    check.seconds = SecondsSince(t0);
    if (options_.progress) {
      options_.progress(std::string(OutcomeName(check.outcome)) + "  " + check.consumer + " #" +
                        std::to_string(check.query_index + 1) + " (" + std::to_string(check.rows_old) + " rows, " +
                        std::to_string(static_cast<int64_t>(check.seconds * 1000)) + " ms)" +
                        (check.reason.empty() ? "" : ": " + check.reason));
    }
    report.checks.push_back(std::move(check));
  }
  report.seconds = SecondsSince(started);
  return report;
}

}  // namespace gaggle
