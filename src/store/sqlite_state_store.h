// SqliteStateStore: the embedded StateStore — one SQLite file (./gaggle.db by
// default) in WAL mode, with a busy timeout, foreign keys on, and a versioned
// schema migrated at open (store/sqlite_schema.h). Each write method runs in one
// BEGIN IMMEDIATE transaction. WAL with synchronous=NORMAL loses nothing when the
// process is killed; set `sync_full` to also survive power loss. The fleet methods
// (sqlite_fleet_store.cc, sqlite_fleet_upsert.cc) reuse prepared statements, since
// a runner makes one transaction per task transition.
// Thread-safety: all methods are serialized by an internal mutex; ClaimRunner calls
// `is_dead` with it held, so `is_dead` must not call the store.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "common/mutex.h"
#include "store/sqlite_db.h"
#include "store/state_store.h"

namespace gaggle {

class SqliteStateStore final : public StateStore {
 public:
  struct Options : StateStoreOptions {
    bool sync_full = false;
  };

  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path, const Options& options);

  const std::string& location() const override { return path_; }
  int schema_version() const override { return schema_version_; }

  Result<CatalogChangeSet> ReplaceCatalog(const Catalog& catalog, const ImportOptions& options) override;
  Result<Catalog> LoadCatalog(const LoadCatalogOptions& options) override;
  Result<std::optional<Entity>> FindEntity(const std::string& id) override;
  Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction) override;
  Status ForEachEntity(const std::function<bool(const Entity&)>& fn) override;
  Result<CatalogStats> GetCatalogStats() override;
  Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids) override;

  Status SavePlan(const Plan& plan) override;
  Result<std::optional<Plan>> LoadPlan(const std::string& hash) override;
  Result<std::vector<PlanSummary>> ListPlans(const std::string& migration) override;
  Result<std::vector<MigrationTarget>> ListMigrationTargets() override;

  Result<int64_t> AppendEvent(const Event& event) override;
  Result<std::vector<Event>> ListEvents(const EventFilter& filter) override;
  Result<EventChainReport> VerifyEventChain() override;

  Result<MigrationRun> UpsertRun(const Plan& plan, const std::string& spec_path, int concurrency,
                                 const std::string& actor) override;
  Result<std::optional<MigrationRun>> FindRun(const std::string& migration) override;
  Result<std::vector<MigrationRun>> ListRuns() override;
  Result<MigrationRun> UpdateRun(const std::string& migration, const MigrationRunUpdate& update,
                                 const std::string& actor, const std::string& detail) override;
  Result<MigrationRun> ClaimRunner(const std::string& migration, const std::string& owner, int64_t now_ms,
                                   int64_t ttl_ms,
                                   const std::function<bool(const std::string& holder)>& is_dead) override;
  Status ReleaseRunner(const std::string& migration, const std::string& owner) override;
  Result<std::vector<TaskRecord>> LoadTasks(const std::string& migration) override;
  Result<std::optional<TaskRecord>> FindTask(const std::string& migration, const std::string& dataset) override;
  Result<std::vector<TaskRecord>> ListTasks(const std::string& migration, const std::vector<TaskState>& states,
                                            bool oldest_started_first, size_t limit) override;
  Result<std::vector<StageCounts>> CountTasks(const std::string& migration) override;
  Status TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor,
                        const std::string& detail) override;
  Result<int64_t> TransitionTasks(const std::string& migration, const std::vector<TaskState>& from, TaskState to,
                                  const std::vector<std::string>& datasets, bool reset_attempts,
                                  const std::string& actor, const std::string& detail) override;

  Status SaveValidation(const ValidationRecord& record) override;
  Result<std::optional<ValidationRecord>> LatestValidation(const std::string& migration,
                                                           const std::string& dataset) override;
  Status ApproveStage(const StageApproval& approval) override;
  Result<std::vector<StageApproval>> ListApprovals(const std::string& migration) override;

  Status SaveVerification(const VerificationRecord& record) override;
  Result<std::vector<VerificationRecord>> ListVerifications(const std::string& migration, size_t limit) override;
  Result<int64_t> CutOver(const std::vector<CutoverRecord>& records, const std::string& actor) override;
  Result<std::vector<CutoverRecord>> ListCutovers(const std::string& migration,
                                                  const std::string& dataset = "") override;
  Result<int64_t> RestoreCutovers(const std::string& migration, const std::vector<std::string>& datasets,
                                  const std::string& actor, const std::string& detail) override;
  Status MarkCollected(const std::string& migration, const std::string& dataset, const std::string& actor,
                       const std::string& detail) override;

 private:
  SqliteStateStore(std::unique_ptr<SqliteDb> db, std::string path, Options options)
      : db_(std::move(db)), path_(std::move(path)), options_(std::move(options)) {}
  std::string Now() const;
  // REQUIRES: mu_ held. Inserts one event inside the caller's transaction, chained to the
  // newest one (store/event_chain.h).
  Result<int64_t> InsertEvent(const Event& event) REQUIRES(mu_);
  Status ReplaceCatalogLocked(const Catalog& catalog, const ImportOptions& options, CatalogChangeSet* out)
      REQUIRES(mu_);
  Status LoadImportIds(CatalogChangeSet* set) REQUIRES(mu_);

  // REQUIRES: mu_ held. The statement for `sql`, prepared on first use and kept until
  // the store closes. The caller must Reset() it before its transaction ends.
  Result<SqliteStatement*> Cached(const std::string& sql) REQUIRES(mu_);
  // REQUIRES: mu_ held, inside a transaction. Inserts one event with a cached statement.
  Status InsertFleetEvent(const std::string& time, const std::string& actor, const std::string& migration,
                          const std::string& dataset, const std::string& from_state, const std::string& to_state,
                          const std::string& detail) REQUIRES(mu_);
  // REQUIRES: mu_ held. The run record, or nullopt.
  Result<std::optional<MigrationRun>> ReadRun(const std::string& migration) REQUIRES(mu_);
  // REQUIRES: mu_ held. Tasks of `migration` in `state`, sorted like ListTasks.
  Status ReadTasksInState(const std::string& migration, TaskState state, bool oldest_started_first, size_t limit,
                          std::vector<TaskRecord>* out) REQUIRES(mu_);

  Mutex mu_;
  std::unique_ptr<SqliteDb> db_ GUARDED_BY(mu_);
  std::string path_;
  Options options_;
  int schema_version_ = 0;
  // Declared after db_ so the statements are finalized before the database closes.
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_ GUARDED_BY(mu_);
};

}  // namespace gaggle
