// PostgresRecords: the PostgreSQL backend's records — every StoreReader and
// StoreTransaction method as SQL over the schema of store/postgres_schema.cc, mirroring
// SqliteRecords. PostgresBackend hands it to Read and Write bodies inside a transaction
// it began (Begin) and ended; the methods never begin or end one. Statements are prepared
// once per connection and cached by their text; whole-table scans read through a cursor
// in batches, so a million events are never one result in memory. A failed statement
// becomes a Status naming the store's location (its URL without the password) and
// records whether it was a serialization failure or deadlock (the backend retries the
// transaction then) or a lost connection (the backend reconnects). Split by domain:
// postgres_catalog_records.cc, postgres_plan_records.cc, postgres_event_records.cc,
// postgres_fleet_records.cc, postgres_after_records.cc. Private to src/store.
// Thread-safety: none; PostgresBackend serializes access.
#pragma once

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction_base>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "store/store_backend.h"

namespace gaggle {

class PostgresRecords final : public StoreTransaction {
 public:
  explicit PostgresRecords(std::string location) : location_(std::move(location)) {}
  ~PostgresRecords() override;

  // Transaction boundaries, called by PostgresBackend. Begin points the records at the
  // transaction `tx` on `conn` and forgets what the last transaction cached and
  // whether it failed; BeforeCommit writes what is only cached (the chains' heads); End
  // forgets the transaction.
  void Begin(pqxx::connection* conn, pqxx::transaction_base* tx);
  Status BeforeCommit();
  void End();
  // The connection changed: statements prepared on the old one are gone.
  void ForgetStatements() { statements_.clear(); }

  // What the last failed statement of this transaction was: a serialization failure or
  // deadlock (the transaction may succeed when run again), or a lost connection.
  bool conflicted() const { return conflicted_; }
  bool disconnected() const { return disconnected_; }
  // The Status for an exception thrown by libpqxx while doing `what`; sets the flags above.
  Status Error(const std::exception& e, const std::string& what);

  // --- StoreReader
  Result<std::optional<Entity>> FindEntity(const std::string& id) override;
  Status ScanEntities(const EntityScanOptions& options,
                      const std::function<bool(int64_t key, Entity&& entity)>& fn) override;
  Status ScanEntityDigests(const std::function<void(EntityDigest&& digest)>& fn) override;
  Status ScanEntityQueries(const std::function<void(int64_t key, std::string&& sql)>& fn) override;
  Status ScanEdges(const std::function<void(int64_t upstream, int64_t downstream)>& fn) override;
  Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction) override;
  Result<CatalogStats> GetCatalogStats() override;
  Result<int64_t> CountEntities() override;
  Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids) override;
  Result<std::optional<Plan>> LoadPlan(const std::string& hash) override;
  Result<std::vector<PlanSummary>> ListPlans(const std::string& migration) override;
  Result<std::vector<MigrationTarget>> ListMigrationTargets() override;
  Result<std::vector<Event>> ListEvents(const EventFilter& filter) override;
  Status ScanEvents(const std::function<bool(const Event& event)>& fn) override;
  Result<std::vector<EventChainHead>> ListEventChainHeads() override;
  Result<std::optional<MigrationRun>> FindRun(const std::string& migration) override;
  Result<std::vector<MigrationRun>> ListRuns() override;
  Result<std::optional<TaskRecord>> FindTask(const std::string& migration, const std::string& dataset) override;
  Result<std::vector<TaskRecord>> LoadTasks(const std::string& migration) override;
  Status ScanTasks(const std::string& migration, const std::function<void(TaskRecord&& task)>& fn) override;
  Result<std::vector<TaskRecord>> QueryTasks(const TaskQuery& query) override;
  Result<std::vector<TaskStateCount>> CountTaskStates(const std::string& migration) override;
  Result<std::optional<ValidationRecord>> LatestValidation(const std::string& migration,
                                                           const std::string& dataset) override;
  Status ScanValidations(const std::function<bool(const ValidationRecord& record)>& fn) override;
  Result<std::vector<StageApproval>> ListApprovals(const std::string& migration) override;
  Result<std::vector<VerificationRecord>> ListVerifications(const std::string& migration, size_t limit) override;
  Result<std::optional<CutoverRecord>> FindCutover(const std::string& migration, const std::string& dataset) override;
  Result<std::vector<CutoverRecord>> ListCutovers(const CutoverQuery& query) override;

  // --- StoreTransaction
  Result<int64_t> InsertEntity(const Entity& entity, uint64_t content_hash, int64_t import_id) override;
  Status UpdateEntity(int64_t key, const Entity& entity, uint64_t content_hash, int64_t import_id) override;
  Status DeleteEntity(int64_t key) override;
  Status InsertEdge(int64_t upstream, int64_t downstream) override;
  Status DeleteEdge(int64_t upstream, int64_t downstream) override;
  Result<int64_t> BeginImport(const CatalogChangeSet& import) override;
  Status FinishImport(const CatalogChangeSet& changes) override;
  Result<bool> PointDataset(const std::string& id, const DatasetLocation& location) override;
  Result<bool> InsertPlan(const Plan& plan, const std::string& created_at) override;
  Result<int64_t> AppendEvent(const Event& event) override;
  Status AppendEvents(const std::vector<Event>& events) override;
  Status PutRun(const MigrationRun& run) override;
  Result<bool> InsertTask(const TaskRecord& task) override;
  Result<std::vector<bool>> InsertTasks(const std::vector<TaskRecord>& tasks) override;
  Status RefreshTaskPlan(const TaskRecord& task) override;
  Result<bool> UpdateTask(const TaskRecord& task, TaskState expected) override;
  Result<std::vector<bool>> UpdateTasks(const std::vector<std::pair<TaskRecord, TaskState>>& updates,
                                        const std::string& lease_holder) override;
  Status AppendValidation(const ValidationRecord& record) override;
  Status AppendApproval(const StageApproval& approval) override;
  Result<int64_t> AppendVerification(const VerificationRecord& record) override;
  Status PutCutover(const CutoverRecord& record) override;

  // Statement parameters, as text (PostgreSQL infers each one's type from its use).
  using Params = std::vector<std::string>;
  static std::string Param(const std::string& v) { return v; }
  static std::string Param(const char* v) { return v; }
  template <typename T>
  requires std::is_integral_v<T>
  static std::string Param(T v) { return std::to_string(v); }

 private:
  struct ChainHead {
    int64_t seq = 0;
    std::string hash;
    bool dirty = false;  // moved by this transaction, not written yet
  };
  // "state 'postgres://u@h/db'", the prefix of messages.
  std::string StateName() const { return "state '" + location_ + "'"; }
  // Runs `sql` (prepared on first use) with `params`.
  Result<pqxx::result> Exec(const std::string& sql, const Params& params);
  template <typename... A>
  Result<pqxx::result> Q(const std::string& sql, const A&... args) {
    return Exec(sql, Params{Param(args)...});
  }
  // Runs the parameterless query `sql` through a cursor and calls `fn` for each row until
  // it returns false.
  Status Scan(const std::string& sql, const std::function<bool(const pqxx::row& row)>& fn);
  Status FlushChainHeads();
  // The head of `migration`'s chain, read (FOR UPDATE) once per transaction.
  Result<ChainHead*> Head(const std::string& migration);
  Status LoadImportIds(CatalogChangeSet* set);
  Status WriteQueries(int64_t key, const Entity& entity);
  Status QueryTasksInState(const TaskQuery& query, const TaskState* state, std::vector<TaskRecord>* out);

  std::string location_;
  pqxx::connection* conn_ = nullptr;
  pqxx::transaction_base* tx_ = nullptr;
  bool conflicted_ = false;
  bool disconnected_ = false;
  int64_t scans_ = 0;                                        // cursors declared, for their names
  std::unordered_map<std::string, std::string> statements_;  // sql -> prepared statement name
  std::unordered_map<std::string, ChainHead> chain_heads_;   // of this transaction
};

namespace postgres_records {

// An exception's message on one line (libpq ends its messages with newlines).
inline std::string OneLine(const char* what) {
  std::string s(what);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// A column as text / as an integer (columns are NOT NULL unless the caller checks).
inline std::string Text(const pqxx::field& f) { return std::string(f.c_str(), f.size()); }
inline int64_t Int(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }

// An array parameter's text, for statements that take a whole batch in one round trip
// (`unnest($1::text[], ...)`): {"a","b"}, every element quoted with quotes and
// backslashes escaped, so no value reads as NULL or splits.
inline std::string TextArray(const std::vector<std::string>& values) {
  std::string s = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ',';
    s += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  return s + "}";
}

// {1,2,3}: a bigint[] parameter.
inline std::string IdArray(const std::vector<int64_t>& ids) {
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "}";
}

}  // namespace postgres_records
}  // namespace gaggle
