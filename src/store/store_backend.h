// StoreBackend: the narrow seam under StateStore. A backend keeps records, runs
// transactions and offers compare-and-set; it holds no migration policy (the catalog
// diff, the cut-over lag, plan reconciliation, the task state machine, the lease rule and
// the events' wording are StateStore's, store/state_store.h). The embedded backend is
// SQLite (store/sqlite_backend.h); a PostgreSQL one maps the same records onto its tables.
//
// Contract for every backend:
//  - Read(body) runs `body` on one consistent snapshot; Write(body) runs it in one
//    transaction that is serializable with respect to everything the body reads and
//    writes (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE with retry, or FOR UPDATE
//    on the single-record reads a body makes before it writes).
//  - A backend may run a body again after a serialization conflict, so a body has no
//    effect outside the transaction (it may fill the caller's variables, which it must
//    reset at its start).
//  - Nothing a body wrote survives a non-OK return from the body or from the commit;
//    Write returns the body's Status then.
//  - Events chain per migration: AppendEvent links the event to the newest event of its
//    migration ("" for catalog events) with EventHash (store/event_chain.h) and records
//    the new head in the same transaction, so two appends to one migration serialize on
//    its head while appends to different migrations need not.
//  - Entities have positive surrogate keys that stay fixed while the entity is stored;
//    ids order by their bytes (memcmp), as std::string compares.
//  - A store that cannot be used (corrupt, locked, not a gaggle store, written by a newer
//    gaggle) yields a Status naming its location; "locked" is retryable.
// Thread-safety: a backend may be called from several threads; it serializes its own
// access. A body runs on the calling thread and must not call the backend again.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/backstage_export.h"
#include "catalog/entity.h"
#include "common/status.h"
#include "plan/plan.h"
#include "store/cutover_record.h"
#include "store/fleet_records.h"
#include "store/store_records.h"
#include "store/verification_record.h"

namespace gaggle {

class StoreReader {
 public:
  virtual ~StoreReader() = default;

  // --- Catalog ---------------------------------------------------------------
  // With labels, annotations and queries; nullopt when unknown.
  virtual Result<std::optional<Entity>> FindEntity(const std::string& id) = 0;
  // Entities in id order with their keys, without queries, until `fn` returns false.
  virtual Status ScanEntities(const EntityScanOptions& options,
                              const std::function<bool(int64_t key, Entity&& entity)>& fn) = 0;
  // Every entity's digest, in id order.
  virtual Status ScanEntityDigests(const std::function<void(EntityDigest&& digest)>& fn) = 0;
  // Every entity query as (entity key, sql), ordered by key then position.
  virtual Status ScanEntityQueries(const std::function<void(int64_t key, std::string&& sql)>& fn) = 0;
  // Every lineage edge as (upstream key, downstream key), in that order.
  virtual Status ScanEdges(const std::function<void(int64_t upstream, int64_t downstream)>& fn) = 0;
  // Direct neighbours of `id` in id order: kind, name, namespace, type, owner, uri, format,
  // schema version, tier, size and queries. NotFound when `id` is unknown.
  virtual Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction) = 0;
  virtual Result<CatalogStats> GetCatalogStats() = 0;
  // How many entities are stored (cheaper than GetCatalogStats; sizes a load).
  virtual Result<int64_t> CountEntities() = 0;
  // Newest first; ids are loaded only when `with_ids`.
  virtual Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids) = 0;

  // --- Plans -----------------------------------------------------------------
  virtual Result<std::optional<Plan>> LoadPlan(const std::string& hash) = 0;
  // Newest first; empty `migration`: every migration's.
  virtual Result<std::vector<PlanSummary>> ListPlans(const std::string& migration) = 0;
  // For each dataset in the newest plan of each migration: its target, by dataset then migration.
  virtual Result<std::vector<MigrationTarget>> ListMigrationTargets() = 0;

  // --- Events ----------------------------------------------------------------
  virtual Result<std::vector<Event>> ListEvents(const EventFilter& filter) = 0;
  // Every event in seq order until `fn` returns false.
  virtual Status ScanEvents(const std::function<bool(const Event& event)>& fn) = 0;
  // The recorded head of every chain, by migration.
  virtual Result<std::vector<EventChainHead>> ListEventChainHeads() = 0;

  // --- Runs and tasks --------------------------------------------------------
  virtual Result<std::optional<MigrationRun>> FindRun(const std::string& migration) = 0;
  // By migration.
  virtual Result<std::vector<MigrationRun>> ListRuns() = 0;
  virtual Result<std::optional<TaskRecord>> FindTask(const std::string& migration, const std::string& dataset) = 0;
  // Every task of the migration in plan order (stage, ordinal).
  virtual Result<std::vector<TaskRecord>> LoadTasks(const std::string& migration) = 0;
  // LoadTasks one task at a time, for callers that keep them in their own form: a
  // backend may stream them (PostgreSQL does) instead of holding them all twice.
  virtual Status ScanTasks(const std::string& migration, const std::function<void(TaskRecord&& task)>& fn) {
    auto all = LoadTasks(migration);
    if (!all.ok()) return all.status();
    for (TaskRecord& t : *all) fn(std::move(t));
    return Status::OK();
  }
  virtual Result<std::vector<TaskRecord>> QueryTasks(const TaskQuery& query) = 0;
  // One entry per (stage, state) that has tasks, in no particular order.
  virtual Result<std::vector<TaskStateCount>> CountTaskStates(const std::string& migration) = 0;

  // --- Gates and after the migration -----------------------------------------
  // The newest validation of the dataset.
  virtual Result<std::optional<ValidationRecord>> LatestValidation(const std::string& migration,
                                                                   const std::string& dataset) = 0;
  // Every validation of every migration in the order they were appended, until `fn`
  // returns false (copying a store).
  virtual Status ScanValidations(const std::function<bool(const ValidationRecord& record)>& fn) = 0;
  // Oldest first.
  virtual Result<std::vector<StageApproval>> ListApprovals(const std::string& migration) = 0;
  // The newest `limit` (0: all), oldest first.
  virtual Result<std::vector<VerificationRecord>> ListVerifications(const std::string& migration, size_t limit) = 0;
  virtual Result<std::optional<CutoverRecord>> FindCutover(const std::string& migration,
                                                           const std::string& dataset) = 0;
  virtual Result<std::vector<CutoverRecord>> ListCutovers(const CutoverQuery& query) = 0;
};

class StoreTransaction : public StoreReader {
 public:
  // --- Catalog ---------------------------------------------------------------
  // Inserts an entity with its queries; returns its key.
  virtual Result<int64_t> InsertEntity(const Entity& entity, uint64_t content_hash, int64_t import_id) = 0;
  // Replaces every field and the queries of the entity with `key`.
  virtual Status UpdateEntity(int64_t key, const Entity& entity, uint64_t content_hash, int64_t import_id) = 0;
  // Deletes the entity, its queries and its edges.
  virtual Status DeleteEntity(int64_t key) = 0;
  virtual Status InsertEdge(int64_t upstream, int64_t downstream) = 0;
  virtual Status DeleteEdge(int64_t upstream, int64_t downstream) = 0;
  // Records an import (time, actor, source) and returns its id; FinishImport stores what
  // it changed: the counts and the added, updated and removed ids.
  virtual Result<int64_t> BeginImport(const CatalogChangeSet& import) = 0;
  virtual Status FinishImport(const CatalogChangeSet& changes) = 0;
  // Points dataset `id` at `location` (uri, format, schema, version); false when the
  // catalog has no dataset `id`.
  virtual Result<bool> PointDataset(const std::string& id, const DatasetLocation& location) = 0;

  // --- Plans -----------------------------------------------------------------
  // Inserts the plan with its rows; false (nothing written) when its hash is stored.
  virtual Result<bool> InsertPlan(const Plan& plan, const std::string& created_at) = 0;

  // --- Events ----------------------------------------------------------------
  // Appends `event` (time and actor as given) to its migration's chain: sets prev_hash
  // and hash, moves the chain's head. Returns its seq.
  virtual Result<int64_t> AppendEvent(const Event& event) = 0;
  // AppendEvent of each event, in order; a backend whose statements are round trips
  // (PostgreSQL) writes them in one.
  virtual Status AppendEvents(const std::vector<Event>& events) {
    for (const Event& e : events) {
      if (auto seq = AppendEvent(e); !seq.ok()) return seq.status();
    }
    return Status::OK();
  }

  // --- Runs and tasks --------------------------------------------------------
  // Inserts or replaces the run record of run.migration.
  virtual Status PutRun(const MigrationRun& run) = 0;
  // Inserts the task; false (nothing written) when the migration has it already.
  virtual Result<bool> InsertTask(const TaskRecord& task) = 0;
  // InsertTask of each task, in order; inserted[i] as InsertTask would return (a task
  // named twice is inserted by its first row). A round-trip backend writes them in one.
  virtual Result<std::vector<bool>> InsertTasks(const std::vector<TaskRecord>& tasks) {
    std::vector<bool> inserted;
    for (const TaskRecord& t : tasks) {
      auto one = InsertTask(t);
      if (!one.ok()) return one.status();
      inserted.push_back(*one);
    }
    return inserted;
  }
  // Stores the task's plan fields (ordinal, stage, wave, priority, source, target, size).
  virtual Status RefreshTaskPlan(const TaskRecord& task) = 0;
  // Compare-and-set: when the stored task is in state `expected`, stores every progress
  // field of `task` (state, attempts, lease, times, error, results) and returns true;
  // otherwise (another state, or no such task) writes nothing and returns false.
  virtual Result<bool> UpdateTask(const TaskRecord& task, TaskState expected) = 0;
  // UpdateTask of several distinct tasks (no task twice); moved[i] as UpdateTask would
  // return for updates[i]. With `lease_holder` set, nothing moves unless that runner holds
  // the run lease of every task's migration (the caller then finds out which it was). A
  // round-trip backend writes them in one statement, the lease's condition included.
  virtual Result<std::vector<bool>> UpdateTasks(const std::vector<std::pair<TaskRecord, TaskState>>& updates,
                                                const std::string& lease_holder) {
    std::vector<bool> moved;
    std::string checked;  // the migration whose lease was checked last (batches are of one)
    for (const auto& [task, expected] : updates) {
      if (!lease_holder.empty() && task.migration != checked) {
        auto run = FindRun(task.migration);
        if (!run.ok()) return run.status();
        if (!*run || (*run)->runner != lease_holder) return std::vector<bool>(updates.size(), false);
        checked = task.migration;
      }
      auto one = UpdateTask(task, expected);
      if (!one.ok()) return one.status();
      moved.push_back(*one);
    }
    return moved;
  }

  // --- Gates and after the migration (validations, approvals and verifications are
  // append-only) --------------------------------------------------------------
  virtual Status AppendValidation(const ValidationRecord& record) = 0;
  virtual Status AppendApproval(const StageApproval& approval) = 0;
  // Returns the verification's seq.
  virtual Result<int64_t> AppendVerification(const VerificationRecord& record) = 0;
  // Inserts or replaces the record of (migration, dataset).
  virtual Status PutCutover(const CutoverRecord& record) = 0;
};

// A hint for a large write: the backend may prepare for it (SQLite enlarges its page cache).
struct StoreWriteOptions {
  int64_t working_set_bytes = 0;
};

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Where the records live ("./gaggle.db", "postgres://host/db"); used in messages.
  virtual const std::string& location() const = 0;
  // The schema version after opening (migrations applied).
  virtual int schema_version() const = 0;

  virtual Status Read(const std::function<Status(StoreReader&)>& body) = 0;
  virtual Status Write(const std::function<Status(StoreTransaction&)>& body, const StoreWriteOptions& options = {}) = 0;
};

}  // namespace gaggle
