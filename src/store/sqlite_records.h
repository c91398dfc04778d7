// SqliteRecords: the SQLite backend's records — every StoreReader and StoreTransaction
// method as SQL over the schema of store/sqlite_schema.cc. SqliteBackend hands it to
// Read and Write bodies inside a transaction it began; the methods never begin or end
// one. Statements are prepared once and cached by their text (the fleet makes one
// transaction per task transition). Split by domain: sqlite_catalog_records.cc,
// sqlite_plan_records.cc, sqlite_event_records.cc, sqlite_fleet_records.cc,
// sqlite_after_records.cc. Private to src/store.
// Thread-safety: none; SqliteBackend serializes access.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sqlite_db.h"
#include "store/store_backend.h"

namespace gaggle {

class SqliteRecords final : public StoreTransaction {
 public:
  SqliteRecords(SqliteDb* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteRecords() override;

  // Transaction boundaries, called by SqliteBackend. Begin forgets what the last
  // transaction cached; BeforeCommit writes what is only cached (the chains' heads).
  void Begin();
  Status BeforeCommit();

  // The statement for `sql`, prepared on first use and kept until the backend closes.
  // The caller resets it (ResetOnExit) before its transaction ends.
  Result<SqliteStatement*> Cached(const std::string& sql);

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
  Status PutRun(const MigrationRun& run) override;
  Result<bool> InsertTask(const TaskRecord& task) override;
  Status RefreshTaskPlan(const TaskRecord& task) override;
  Result<bool> UpdateTask(const TaskRecord& task, TaskState expected) override;
  Status AppendValidation(const ValidationRecord& record) override;
  Status AppendApproval(const StageApproval& approval) override;
  Result<int64_t> AppendVerification(const VerificationRecord& record) override;
  Status PutCutover(const CutoverRecord& record) override;

 private:
  struct ChainHead {
    int64_t seq = 0;
    std::string hash;
    bool dirty = false;  // moved by this transaction, not written yet
  };
  // "state file 'X'", the prefix of messages.
  std::string StateFile() const { return "state file '" + path_ + "'"; }
  Status FlushChainHeads();
  Status LoadImportIds(CatalogChangeSet* set);
  Status WriteQueries(int64_t key, const Entity& entity);
  Status QueryTasksInState(const TaskQuery& query, const TaskState* state, std::vector<TaskRecord>* out);

  SqliteDb* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
  std::unordered_map<std::string, ChainHead> chain_heads_;  // of this transaction
};

namespace sqlite_records {

// Resets a cached statement when the scope ends, so no statement stays active (holding a
// read snapshot or blocking COMMIT) between calls.
class ResetOnExit {
 public:
  explicit ResetOnExit(SqliteStatement* s) : s_(s) {}
  ~ResetOnExit() { s_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SqliteStatement* s_;
};

// Steps a statement whose rows are not of interest (an INSERT/UPDATE ... RETURNING) to
// completion; true when it returned at least one row.
inline Result<bool> StepAll(SqliteStatement* s) {
  bool any = false;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return any;
    any = true;
  }
}

}  // namespace sqlite_records
}  // namespace gaggle
