#include "verify/query_verifier.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "agent/readable_location.h"
#include "catalog/annotations.h"
#include "common/dataset_location.h"
#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/text_typing_policy.h"
#include "formats/format.h"
#include "transform/row_keeping.h"
#include "verify/consumer_file_patch.h"
#include "verify/consumer_rules.h"
#include "verify/duckdb_engine.h"
#include "verify/duckdb_table_loader.h"
#include "verify/query_patch.h"
#include "verify/query_result.h"
#include "verify/query_rewriter.h"
#include "verify/sql_dialect.h"

namespace gaggle {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t) { return std::chrono::duration<double>(SteadyClock::now() - t).count(); }

// A query longer than this is interrupted and reported.
constexpr std::chrono::seconds kQueryTimeLimit{300};

FileSystem* OrLocal(FileSystem* fs) { return fs ? fs : FileSystem::Default(); }

// A private directory DuckDB spills to, removed with everything in it at the end.
class ScratchDirectory {
 public:
  static Result<std::unique_ptr<ScratchDirectory>> Make() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gaggle-verify-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return Status::IOError("cannot create a scratch directory for verification: " + tmpl);
    return std::unique_ptr<ScratchDirectory>(new ScratchDirectory(tmpl));
  }
  ~ScratchDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDirectory(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

// The consumer's declared SQL dialect (gaggle.dev/sql-dialect; DuckDB's when absent).
Result<SqlDialect> ConsumerDialect(const Entity& consumer) {
  auto it = consumer.annotations.find(std::string(kSqlDialectAnnotation));
  if (it == consumer.annotations.end() || it->second.empty()) return SqlDialect::kDuckDb;
  return ParseSqlDialect(it->second);
}

// Timestamps whose meaning the migration changes (naive <-> UTC-adjusted) without the spec
// casting them on purpose: a schema change the gate reports.
std::vector<std::string> UndeclaredSchemaChanges(const MigrationSpec& spec, const VerifiedDataset& d) {
  std::vector<std::string> out;
  auto old_schema = DataSchema(d.old_root, spec.transform.source_schema, OrLocal(d.old_fs));
  auto new_schema = DataSchema(d.new_root, std::nullopt, OrLocal(d.new_fs));
  if (!old_schema.ok() || !new_schema.ok()) return out;
  for (const Field& f : old_schema->fields()) {
    if (f.type.id != TypeId::kTimestamp) continue;
    std::string now = f.name;
    for (const auto& [from, to] : spec.transform.rename) {
      if (from == f.name) now = to;
    }
    const int idx = new_schema->FindField(now);
    if (idx < 0) continue;
    const DataType& t = new_schema->field(static_cast<size_t>(idx)).type;
    if (t.id != TypeId::kTimestamp || t.utc == f.type.utc) continue;
    bool declared = false;
    for (const auto& [name, type] : spec.transform.cast) declared |= name == now && type == t;
    if (declared) continue;
    out.push_back(d.id + "." + f.name + (now != f.name ? " (now " + now + ")" : "") + " changes from " +
                  f.type.ToString() + " to " + t.ToString() + " (" +
                  (t.utc ? "a wall-clock reading becomes an instant" : "an instant becomes a wall-clock reading") +
                  ", which moves date_trunc, EXTRACT and comparisons in a non-UTC session); declare it with "
                  "transform.cast: {" +
                  now + ": " + t.ToString() + "}");
  }
  return out;
}

// One table of the engine: a dataset on one side.
struct TableSlot {
  enum class Side { kOld, kNew, kCurrent } side;
  std::string dataset;
  std::string name;  // in the engine
  std::set<std::string> columns;
  size_t last_use = 0;  // index of the last sampled query that reads it
  bool loaded = false;
  bool is_view = false;  // Parquet read in place
  int64_t excluded = 0;
  // A consumer whose output the rename changes (propagation): a view of its query on
  // this side, over the slots in `deps` (loaded first, in order).
  bool derived = false;
  std::string view_sql;
  std::vector<size_t> deps;
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

// A query mapped onto one side of the engine: its SQL (DuckDB's dialect, the engine's
// table names) and the slots it reads, in load order (a derived view after its inputs).
struct Mapped {
  std::string sql;
  std::vector<size_t> tables;
};

// A sampled query's SQL for the engine and the tables it reads there.
struct Prepared {
  std::string old_sql, new_sql;                // DuckDB's dialect, the engine's table names
  std::vector<size_t> old_tables, new_tables;  // slots
  std::string error;
};

// One Verify call in named steps, in the order Verify runs them: the candidate queries and
// every affected consumer's patch, the seeded sample, the scratch tables each sampled query
// needs, the engine, then one check per sampled query.
// Not copyable: it owns the engine and its connections.
class VerificationRun {
 public:
  VerificationRun(const MigrationSpec& spec, const Catalog& catalog, const QueryVerifierOptions& options,
                  const std::vector<VerifiedDataset>& migrated)
      : spec_(spec),
        catalog_(catalog),
        options_(options),
        rules_(spec, catalog, migrated,
               /*preserve_output_names=*/!options.propagate_renames &&
                   spec.verify.output_names != VerifySpec::OutputNames::kPropagate,
               options.resolver) {
    report_.migration = spec_.name;
    report_.seed = static_cast<int64_t>(options_.seed);
  }
  VerificationRun(const VerificationRun&) = delete;
  VerificationRun& operator=(const VerificationRun&) = delete;

  // Every query of every consumer that reads a migrated dataset, rewritten for the consumer;
  // when renames propagate, in lineage order, each consumer's changed output recorded for
  // its readers (ConsumerRules::RecordOutputs). Candidates and patches end in catalog order.
  Status CollectCandidates() {
    GAGGLE_ASSIGN_OR_RETURN(std::vector<NodeId> order, rules_.Order());
    for (NodeId n : order) CollectConsumer(n);
    const Entity* first = catalog_.entities().data();
    std::stable_sort(candidates_.begin(), candidates_.end(), [first](const Candidate& a, const Candidate& b) {
      return std::make_pair(a.consumer - first, a.index) < std::make_pair(b.consumer - first, b.index);
    });
    std::stable_sort(report_.patches.begin(), report_.patches.end(),
                     [](const ConsumerPatch& a, const ConsumerPatch& b) { return a.consumer < b.consumer; });
    report_.candidates = static_cast<int64_t>(candidates_.size());
    return Status::OK();
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

  // Timestamp columns whose meaning changed without the spec declaring it.
  void FindSchemaChanges() {
    for (const auto& [id, d] : rules_.migrated()) {
      for (std::string& change : UndeclaredSchemaChanges(spec_, *d))
        report_.schema_changes.push_back(std::move(change));
    }
  }

  // The engine: DuckDB in memory, bounded by memory_limit, spilling to a private folder;
  // one connection per side.
  Status OpenEngine() {
    GAGGLE_ASSIGN_OR_RETURN(scratch_, ScratchDirectory::Make());
    DuckDbOptions o;
    o.memory_limit = options_.memory_limit;
    o.threads = options_.threads;
    o.temp_directory = scratch_->path();
    GAGGLE_ASSIGN_OR_RETURN(engine_, DuckDbEngine::Open(o));
    GAGGLE_ASSIGN_OR_RETURN(old_conn_, engine_->Connect());
    GAGGLE_ASSIGN_OR_RETURN(new_conn_, engine_->Connect());
    return Status::OK();
  }

  // One check per sampled query, in sample order; tables no later query reads are dropped
  // after each, to bound the engine's memory.
  void CheckSample() {
    for (size_t k = 0; k < order_.size(); ++k) {
      const auto t0 = SteadyClock::now();
      QueryCheck check = Check(k);
      DropTablesDoneAt(k);
      check.seconds = SecondsSince(t0);
      ReportProgress(check);
      report_.checks.push_back(std::move(check));
    }
  }

  VerificationReport TakeReport() { return std::move(report_); }

 private:
  // Consumer n's queries that read a migrated dataset become candidates; the patch of all
  // its queries goes into the report.
  void CollectConsumer(NodeId n) {
    const Entity& consumer = catalog_.entity(n);
    if (consumer.queries.empty()) return;
    std::vector<std::string> reads_migrated;
    std::string problem;
    RewriteRules rules = rules_.RulesFor(n, &reads_migrated, &problem);
    if (reads_migrated.empty() && problem.empty()) return;
    auto shared_rules = std::make_shared<const RewriteRules>(std::move(rules));
    rules_.RecordOutputs(n, *shared_rules, problem);
    if (rules_.ChangedOutput(consumer.id)) consumer_rules_[consumer.id] = shared_rules;
    ConsumerPatch patch;
    patch.consumer = consumer.id;
    patch.owner = consumer.owner;
    std::vector<QueryPatchEntry> entries;
    for (size_t q = 0; q < consumer.queries.size(); ++q) {
      Candidate c;
      c.consumer = &consumer;
      c.index = static_cast<int>(q);
      c.rules = shared_rules;
      auto rw = problem.empty() ? RewriteQuery(consumer.queries[q], *shared_rules)
                                : Result<RewrittenQuery>(Status::SchemaMismatch(problem));
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
      if (!c.migrated_read.empty() || !problem.empty()) candidates_.push_back(std::move(c));
    }
    for (const std::string& d : reads_migrated) patch.datasets.push_back(d);
    patch.patch = RenderQueryPatch(consumer.id, entries);
    // A consumer that names its own SQL files gets the patch of those files, which `git
    // apply` takes at its repository's root (consumer_file_patch.h).
    if (consumer.annotations.count(std::string(annotations::kQueriesPath))) {
      if (auto real = MakeConsumerFilePatch(consumer, *shared_rules, &patch.files_note)) {
        patch.patch = real->patch;
        patch.repo_root = real->root;
      }
    }
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

  // The k-th sampled query mapped onto the engine's tables (old and new side), translated
  // from the consumer's dialect into DuckDB's, and the columns it needs of each table.
  void Prepare(size_t k) {
    const Candidate& c = candidates_[order_[k]];
    Prepared& p = prepared_[k];
    if (!c.refused.empty()) return;
    const std::string& sql = c.consumer->queries[static_cast<size_t>(c.index)];
    auto old_side = MapOnto(true, *c.consumer, sql, *c.rules, k);
    auto new_side = old_side.ok() ? MapOnto(false, *c.consumer, sql, *c.rules, k) : old_side;
    if (!old_side.ok() || !new_side.ok()) {
      p.error = (old_side.ok() ? new_side : old_side).status().message();
      return;
    }
    p.old_sql = std::move(old_side->sql);
    p.new_sql = std::move(new_side->sql);
    p.old_tables = std::move(old_side->tables);
    p.new_tables = std::move(new_side->tables);
  }

  // A consumer's query on one side: table names become the side's slots (migrated data
  // old or new; a consumer whose output the rename changes, its view on that side;
  // untouched data shared), the query rewritten for the new side with the consumer's rules,
  // then translated into DuckDB's dialect. Marks what each slot must hold and its last use.
  Result<Mapped> MapOnto(bool old, const Entity& consumer, const std::string& sql, const RewriteRules& rules,
                         size_t k) {
    RewriteRules side;
    side.preserve_output_names = rules.preserve_output_names;
    std::map<std::string, size_t> slot;
    for (const auto& [id, change] : rules.migrated) {
      if (rules_.ChangedOutput(id) && !rules_.IsMigrated(id)) {
        GAGGLE_ASSIGN_OR_RETURN(slot[id], DerivedSlot(old, id, k));
      } else {
        slot[id] = SlotFor(old ? TableSlot::Side::kOld : TableSlot::Side::kNew, id);
      }
      TableChange t = old ? TableChange{"", change.columns, {}, {}} : change;
      t.new_table = slots_[slot[id]].name;
      t.keep_name = false;
      side.migrated[id] = std::move(t);
    }
    for (const auto& [id, cols] : rules.other_tables) {
      slot[id] = SlotFor(TableSlot::Side::kCurrent, id);
      side.migrated[id] = {slots_[slot[id]].name, cols, {}, {}};
    }
    auto rw = RewriteQuery(sql, side);
    if (!rw.ok()) return Status::SchemaMismatch("cannot map it onto the loaded tables: " + rw.status().message());
    // Consumers' SQL is rewritten in its own dialect; DuckDB runs a translation of it.
    auto dialect = ConsumerDialect(consumer);
    auto translated = dialect.ok() ? ToDuckDbDialect(rw->sql, *dialect) : Result<std::string>(dialect.status());
    if (!translated.ok()) {
      return Status::Unsupported("cannot translate it for verification: " + translated.status().message());
    }
    Mapped out;
    out.sql = std::move(*translated);
    auto add = [&out](size_t s) {
      if (std::find(out.tables.begin(), out.tables.end(), s) == out.tables.end()) out.tables.push_back(s);
    };
    for (const std::string& id : rw->tables) {
      const size_t s = slot.at(id);
      TableSlot& t = slots_[s];
      t.last_use = k;
      if (t.derived) {
        for (size_t d : t.deps) slots_[d].last_use = k;
        for (size_t d : t.deps) add(d);
      } else {
        const bool renamed = !old && rules.migrated.count(id);
        for (const std::string& col : renamed ? rw->new_columns_needed[id] : rw->columns_needed[id])
          t.columns.insert(col);
      }
      add(s);
    }
    return out;
  }

  // The view, on one side, of a consumer whose output the rename changes: its query
  // (the original on the old side, its rewrite on the new) over that side's slots.
  Result<size_t> DerivedSlot(bool old, const std::string& id, size_t k) {
    auto key = std::make_pair(old ? 10 : 11, id);
    if (auto it = slot_of_.find(key); it != slot_of_.end()) return it->second;
    const ConsumerRules::OutputChange* change = rules_.ChangedOutput(id);
    auto consumer = catalog_.Find(id);
    auto rules = consumer_rules_.find(id);
    if (!change || !consumer || rules == consumer_rules_.end()) {
      return Status::NotFound("no rewrite of consumer " + id + " to read it through");
    }
    const Entity& e = catalog_.entity(*consumer);
    auto mapped = MapOnto(old, e, e.queries[change->query], *rules->second, k);
    if (!mapped.ok()) return mapped.status().WithContext("reading " + id + " through its query");
    TableSlot s;
    s.side = old ? TableSlot::Side::kOld : TableSlot::Side::kNew;
    s.dataset = id;
    s.name = std::string(old ? "old_v" : "new_v") + std::to_string(slots_.size());
    s.derived = true;
    s.view_sql = std::move(mapped->sql);
    s.deps = std::move(mapped->tables);
    s.last_use = k;
    slots_.push_back(std::move(s));
    slot_of_[key] = slots_.size() - 1;
    return slots_.size() - 1;
  }

  // The old data is Parquet and the migration provably keeps every one of its rows
  // (transform/row_keeping.h): the old side can read it in place, as the new side does,
  // instead of loading it through the transformer and the appender.
  bool OldDataReadsInPlace(const std::string& root) const {
    if (!IsParquetDataset(root)) return false;
    auto schema = DataSchema(root, std::nullopt);
    // The transform as the loader applies it to this dataset (TransformForSchema): a cast or
    // rename of a column it does not have (a fleet-wide spec) says nothing about its rows.
    return schema.ok() && TransformKeepsEveryRow(TransformForSchema(spec_.transform, *schema), *schema);
  }

  // Loads an engine table once, on `on`: old data through the appender and the migration's
  // transformation (rows it filters or dead-letters left out), or read in place when it is
  // local Parquet and the migration keeps every row (OldDataReadsInPlace); new and untouched
  // Parquet data on the local disk as views read in place; other formats, and data in object
  // storage, through the appender as written (Parquet for the needed columns only).
  Status Load(TableSlot& s, DuckDbConnection* on) {
    if (s.loaded) return Status::OK();
    if (s.derived) {
      GAGGLE_RETURN_IF_ERROR(on->Execute("CREATE VIEW " + QuoteSqlIdentifier(s.name) + " AS " + s.view_sql)
                                 .WithContext("reading " + s.dataset + " through its query"));
      s.is_view = s.loaded = true;
      return Status::OK();
    }
    TableLoadRequest req;
    req.table = s.name;
    req.columns.assign(s.columns.begin(), s.columns.end());
    FileSystem* fs = FileSystem::Default();
    if (s.side == TableSlot::Side::kCurrent) {
      auto n = catalog_.Find(s.dataset);
      GAGGLE_ASSIGN_OR_RETURN(ReadableLocation where,
                              ResolveReadableLocation(options_.resolver, catalog_.entity(*n).uri));
      fs = where.fs;
      req.root = where.root;
    } else {
      const VerifiedDataset& d = rules_.Migrated(s.dataset);
      req.root = s.side == TableSlot::Side::kOld ? d.old_root : d.new_root;
      fs = OrLocal(s.side == TableSlot::Side::kOld ? d.old_fs : d.new_fs);
      if (s.side == TableSlot::Side::kOld) {
        req.through = &spec_;
        req.text_schema = spec_.transform.source_schema;
      }
    }
    if (s.side != TableSlot::Side::kOld && fs == FileSystem::Default() && IsParquetDataset(req.root)) {
      GAGGLE_RETURN_IF_ERROR(CreateParquetView(on, s.name, req.root).WithContext("loading " + s.dataset));
      s.is_view = true;
    } else if (s.side == TableSlot::Side::kOld && fs == FileSystem::Default() && OldDataReadsInPlace(req.root) &&
               CreateParquetView(on, s.name, req.root).ok()) {
      s.is_view = true;  // the migration keeps every row: the old Parquet as it is
    } else {
      auto stats = LoadDuckDbTable(on, req, fs);
      if (!stats.ok()) return stats.status().WithContext("loading " + s.dataset + " (" + req.root + ")");
      s.excluded = stats->rows_excluded;
    }
    s.loaded = true;
    return Status::OK();
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
  // the new, and compares the answers as multisets. Datasets both sides read are loaded
  // first; then each side loads its own tables and runs its query on its own connection,
  // the two at once.
  void RunOnBothSides(const Prepared& p, QueryCheck* check) {
    Status st;
    for (const std::vector<size_t>* tables : {&p.old_tables, &p.new_tables}) {
      for (size_t s : *tables) {
        if (st.ok() && slots_[s].side == TableSlot::Side::kCurrent) st = Load(slots_[s], old_conn_.get());
      }
    }
    std::optional<Result<QueryResult>> old_answer, new_answer;
    Status new_st;
    std::thread new_side;
    if (st.ok()) {
      new_side = std::thread([&] {
        for (size_t s : p.new_tables) {
          if (new_st.ok()) new_st = Load(slots_[s], new_conn_.get());
        }
        if (new_st.ok()) new_answer.emplace(new_conn_->Query(p.new_sql, options_.max_result_rows, kQueryTimeLimit));
      });
    }
    for (size_t s : p.old_tables) {
      if (st.ok()) st = Load(slots_[s], old_conn_.get());
      if (slots_[s].side == TableSlot::Side::kOld) check->old_rows_excluded += slots_[s].excluded;
    }
    if (st.ok()) old_answer.emplace(old_conn_->Query(p.old_sql, options_.max_result_rows, kQueryTimeLimit));
    if (new_side.joinable()) new_side.join();
    if (st.ok()) st = new_st;
    if (!st.ok()) {
      check->outcome = QueryCheck::Outcome::kError;
      check->reason = st.ToString();
    } else if (!old_answer->ok()) {
      check->outcome = QueryCheck::Outcome::kError;
      check->reason = "on the old data: " + old_answer->status().message();
    } else if (!new_answer->ok()) {
      check->outcome = QueryCheck::Outcome::kMismatched;
      check->reason = "runs on the old data but fails on the new: " + new_answer->status().message();
    } else {
      Compare(**old_answer, **new_answer, check);
    }
  }

  void Compare(const QueryResult& old_answer, const QueryResult& new_answer, QueryCheck* check) const {
    check->rows_old = static_cast<int64_t>(old_answer.rows.size());
    check->rows_new = static_cast<int64_t>(new_answer.rows.size());
    ResultDiff diff = CompareQueryResults(old_answer, new_answer, options_.float_tolerance, options_.max_examples);
    if (!diff.same) {
      check->outcome = QueryCheck::Outcome::kMismatched;
      check->reason = diff.reason;
      for (const SqlRow& r : diff.examples_old) check->examples_old.push_back(RowToString(r));
      for (const SqlRow& r : diff.examples_new) check->examples_new.push_back(RowToString(r));
    }
  }

  void DropTablesDoneAt(size_t k) {
    for (TableSlot& s : slots_) {
      if (s.loaded && s.last_use <= k) {
        (void)old_conn_->Execute(std::string(s.is_view ? "DROP VIEW " : "DROP TABLE ") + QuoteSqlIdentifier(s.name));
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
  ConsumerRules rules_;
  std::vector<Candidate> candidates_;
  std::vector<size_t> order_;       // the sample: indexes into candidates_, in catalog order
  std::vector<Prepared> prepared_;  // per sampled query
  std::vector<TableSlot> slots_;
  std::map<std::pair<int, std::string>, size_t> slot_of_;
  // Consumers whose output the rename changes: the rules their query is rewritten with.
  std::map<std::string, std::shared_ptr<const RewriteRules>> consumer_rules_;
  // Destroyed in reverse: the connections, the engine, then its spill folder.
  std::unique_ptr<ScratchDirectory> scratch_;
  std::unique_ptr<DuckDbEngine> engine_;
  std::unique_ptr<DuckDbConnection> old_conn_, new_conn_;
};

}  // namespace

Result<VerificationReport> QueryVerifier::Verify(const std::vector<VerifiedDataset>& migrated) const {
  const auto started = SteadyClock::now();
  VerificationRun run(spec_, catalog_, options_, migrated);
  GAGGLE_RETURN_IF_ERROR(run.CollectCandidates());
  run.DrawSample();
  run.FindSchemaChanges();
  run.PlanScratchTables();
  GAGGLE_RETURN_IF_ERROR(run.OpenEngine());
  run.CheckSample();
  VerificationReport report = run.TakeReport();
  report.seconds = SecondsSince(started);
  return report;
}

}  // namespace gaggle
