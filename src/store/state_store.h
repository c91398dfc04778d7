// StateStore: gaggle's durable state — the catalog (entities, lineage, import
// history), saved plans, the fleet's runs and tasks, the gates' records, cut-overs,
// and the append-only, hash-chained event log — behind domain-level methods.
//
// StateStore holds the rules once, above a StoreBackend (store/store_backend.h) that
// keeps only records, transactions and compare-and-set: the catalog diff
// (store/catalog_diff.h), the cut-over lag and cut-over record rules
// (store/cutover_rules.h), plan/task reconciliation (store/task_reconcile.h), the task
// state machine (store/task_state.h), the run lease (store/run_lease.h) and the wording
// of every event (store/event_vocabulary.h). A new backend (PostgreSQL) maps records
// and passes the conformance suite (store/store_conformance_test_util.h); it copies no rule.
//
// Contract:
//  - every write method is one backend transaction: it happens entirely or not at all;
//  - a store that cannot be used (corrupt, locked, not a gaggle state file, written by
//    a newer gaggle) yields a Status naming its location, never a crash; "locked" is
//    retryable;
//  - the event log is append-only and chained per migration (store/event_chain.h):
//    nothing rewrites or deletes an event.
// Thread-safety: safe to call from several threads (the backend serializes); several
// processes may open the same store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/backstage_export.h"
#include "catalog/catalog.h"
#include "catalog/entity.h"
#include "common/clock.h"
#include "common/status.h"
#include "plan/plan.h"
#include "store/cutover_record.h"
#include "store/fleet_records.h"
#include "store/store_backend.h"
#include "store/store_records.h"
#include "store/verification_record.h"

namespace gaggle {

struct StateStoreOptions {
  // How long a write waits for another process's lock before failing (retryable).
  int busy_timeout_ms = 5000;
  // Clock for event and import times (ISO 8601 UTC); the system clock when null.
  Clock* clock = Clock::System();
  // Create the store when `location` does not exist. Read-only commands pass false, so a
  // mistyped --state is NotFound naming the path instead of a new, empty state file.
  bool create_if_missing = true;
  // Connections that serve reads concurrently with each other and with writes (SQLite:
  // a pool of read-only connections, opened on first need); 0 reads on the writer's.
  size_t read_connections = 4;
};

class StateStore {
 public:
  StateStore(std::unique_ptr<StoreBackend> backend, StateStoreOptions options);

  // Where the state lives ("./gaggle.db"); used in messages.
  const std::string& location() const { return backend_->location(); }
  // The store's schema version after opening (migrations applied).
  int schema_version() const { return backend_->schema_version(); }
  StoreBackend* backend() { return backend_.get(); }

  // --- Catalog -------------------------------------------------------------
  // Makes `catalog` (finalized) the current catalog: adds, updates and removes entities
  // and edges so the store equals it, records the import with what changed and appends
  // a "catalog-imported" event. Re-importing the same catalog changes nothing (and
  // still records the import, with empty changes). One exception to "equals": a dataset
  // cut over by a migration (CutOver) whose imported entity still names the location it
  // was moved from keeps its new location, format, schema and version.
  Result<CatalogChangeSet> ReplaceCatalog(const Catalog& catalog, const ImportOptions& options);
  Result<Catalog> LoadCatalog(const LoadCatalogOptions& options = {});
  Result<std::optional<Entity>> FindEntity(const std::string& id);
  // Direct neighbours of `id`, sorted by id: kind, name, type, owner, dataset facts and
  // queries, but not labels, annotations, schema text or description (FindEntity has
  // those). NotFound when `id` is unknown.
  Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction);
  // Calls `fn` for every entity in id order (without queries) until it returns false.
  // `fn` must not call the store.
  Status ForEachEntity(const std::function<bool(const Entity&)>& fn);
  Result<CatalogStats> GetCatalogStats();
  // Newest first; ids are loaded only when `with_ids`.
  Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids);

  // --- Plans ---------------------------------------------------------------
  // Saves a plan under its hash, with a "planned" event; saving a plan whose hash is
  // already stored is a no-op. Fills nothing in `plan`; the stored created_at is the
  // first save's time.
  Status SavePlan(const Plan& plan);
  Result<std::optional<Plan>> LoadPlan(const std::string& hash);
  // Newest first; empty `migration` lists every migration's plans.
  Result<std::vector<PlanSummary>> ListPlans(const std::string& migration);
  // For each dataset in the newest plan of each migration: its target. Sorted by dataset.
  Result<std::vector<MigrationTarget>> ListMigrationTargets();

  // --- Events (append-only) ------------------------------------------------
  // Appends to the event's migration's chain; fills an empty time and actor.
  Result<int64_t> AppendEvent(const Event& event);
  Result<std::vector<Event>> ListEvents(const EventFilter& filter);
  // Recomputes every chain of the event log and checks each against its recorded head
  // (store/event_chain.h).
  Result<EventChainReport> VerifyEventChain();

  // --- Fleet: run records, tasks, leases ---------------------------------
  // Creates or refreshes the run of `plan` for its migration in one transaction:
  //  - the run record (state running, `concurrency`) when missing; an existing one keeps
  //    its state, concurrency and lease but takes the new plan and spec hashes;
  //  - a pending task per plan row; a task that already exists keeps its state, attempts
  //    and results, and takes the row's new stage, wave, priority, source and target;
  //  - tasks of the migration that are no longer in the plan and not settled become
  //    cancelled ("dropped from the plan").
  // Appends one event per created or cancelled task and one for the run.
  Result<MigrationRun> UpsertRun(const Plan& plan, const std::string& spec_path, int concurrency,
                                 const std::string& actor);
  Result<std::optional<MigrationRun>> FindRun(const std::string& migration);
  Result<std::vector<MigrationRun>> ListRuns();
  // Operator change to a run record, with an event (from/to = run states) carrying `detail`.
  Result<MigrationRun> UpdateRun(const std::string& migration, const MigrationRunUpdate& update,
                                 const std::string& actor, const std::string& detail);

  // The run lease (store/run_lease.h): at most one runner per migration. Takes the lease
  // for `owner` until now_ms + ttl_ms when it is free, expired, already `owner`'s, or held
  // by an owner `is_dead` says is gone (a crashed process on this host). Otherwise
  // Conflict naming the holder. Renewing is claiming again; ReleaseRunner frees it if
  // `owner` holds it. `is_dead` runs inside the store's transaction: it must not call the
  // store.
  Result<MigrationRun> ClaimRunner(const std::string& migration, const std::string& owner, int64_t now_ms,
                                   int64_t ttl_ms, const std::function<bool(const std::string& holder)>& is_dead);
  Status ReleaseRunner(const std::string& migration, const std::string& owner);

  // Every task of the migration in plan order.
  Result<std::vector<TaskRecord>> LoadTasks(const std::string& migration);
  // The same tasks one at a time (streamed where the backend can), in one read.
  Status ScanTasks(const std::string& migration, const std::function<void(TaskRecord&& task)>& fn);
  Result<std::optional<TaskRecord>> FindTask(const std::string& migration, const std::string& dataset);
  // Tasks in one of `states`, in plan order (or longest-running first when
  // `oldest_started_first`), at most `limit`.
  Result<std::vector<TaskRecord>> ListTasks(const std::string& migration, const std::vector<TaskState>& states,
                                            bool oldest_started_first, size_t limit);
  // A filtered page of tasks (store/store_records.h); the next page is after the last one.
  Result<std::vector<TaskRecord>> QueryTasks(const TaskQuery& query);
  // Counts per stage and state (stages in order), without loading the tasks.
  Result<std::vector<StageCounts>> CountTasks(const std::string& migration);

  // Moves one task from `from` to `record.state` and stores its progress fields
  // (compare-and-set: Conflict when the stored state is not `from`, or the edge is not in
  // the state machine), appending an event with `detail`. One transaction, which also
  // appends `options.validation` when set (a validation is recorded exactly when its
  // verdict moves the task) and, when `options.lease_holder` is set, refuses (Conflict)
  // unless that runner holds the migration's run lease: a runner that lost its lease (a
  // paused coordinator a standby replaced) cannot move a task.
  struct TransitionOptions {
    std::string lease_holder;
    const ValidationRecord* validation = nullptr;
  };
  Status TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor, const std::string& detail,
                        const TransitionOptions& options);
  Status TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor, const std::string& detail) {
    return TransitionTask(from, record, actor, detail, TransitionOptions{});
  }
  // One move of MoveTasksTogether: as TransitionTask's arguments. A task may move more
  // than once in a batch (an attempt's end, then its validation).
  struct TaskMove {
    TaskState from = TaskState::kPending;
    TaskRecord record;
    std::string detail;
    const ValidationRecord* validation = nullptr;
  };
  // The group commit of a runner's turn: every move as TransitionTask makes it, all in
  // one transaction, all or none (the moves are of one migration; events in their order).
  // Conflict naming the first task not in its `from` state, or when `lease_holder` (if
  // set) does not hold the run lease; nothing is written then.
  Status MoveTasksTogether(const std::vector<TaskMove>& moves, const std::string& actor,
                           const std::string& lease_holder);
  // Moves every task of `migration` whose state is in `from` (restricted to `datasets`
  // when not empty) to `to`, one event each, in one transaction. Running tasks moved
  // out of running lose their lease. `reset_attempts` starts their retry budget over
  // (an operator re-queue); the last error is kept for the record. Returns how many moved.
  Result<int64_t> TransitionTasks(const std::string& migration, const std::vector<TaskState>& from, TaskState to,
                                  const std::vector<std::string>& datasets, bool reset_attempts,
                                  const std::string& actor, const std::string& detail);

  // --- Gates: validations and approvals (append-only) -----------------------
  Status SaveValidation(const ValidationRecord& record);
  // The newest validation of `dataset`, or nullopt.
  Result<std::optional<ValidationRecord>> LatestValidation(const std::string& migration, const std::string& dataset);
  // Records an operator's approval of `stage`'s failed gate, with an event
  // (to_state "gate-approved"). One transaction.
  Status ApproveStage(const StageApproval& approval);
  Result<std::vector<StageApproval>> ListApprovals(const std::string& migration);

  // --- After the migration: verification, cut-over, retention ----------------
  // Appends a verification with an event (to_state "verified" or "verification-failed").
  Status SaveVerification(const VerificationRecord& record);
  // Oldest first; `limit` 0: all.
  Result<std::vector<VerificationRecord>> ListVerifications(const std::string& migration, size_t limit);
  // In one transaction, for each record: points the dataset's catalog entry at
  // record.next and stores the record as current, with a "cut-over" event. A dataset
  // whose record is already current is left alone (not counted); a rolled-back or
  // collected record is replaced. NotFound when a dataset is not in the catalog.
  // Returns how many datasets were cut over.
  Result<int64_t> CutOver(const std::vector<CutoverRecord>& records, const std::string& actor);
  // Every record of `migration` (all migrations when empty), by migration then dataset;
  // only `dataset`'s when it is set.
  Result<std::vector<CutoverRecord>> ListCutovers(const std::string& migration, const std::string& dataset = "");
  // current -> rolled-back for `datasets` of `migration` (all when empty): their catalog
  // entries point at `previous` again. One transaction, one event each. Returns how many.
  // Conflict (nothing changed) when a named dataset's collection by gc has begun: gc and
  // rollback exclude each other through the record's state, never through timing.
  Result<int64_t> RestoreCutovers(const std::string& migration, const std::vector<std::string>& datasets,
                                  const std::string& actor, const std::string& detail);
  // current -> collecting, compared and set in one transaction, with an event carrying
  // `detail`, before gc deletes anything: from then on rollback refuses the dataset and
  // the next gc resumes it. Conflict when the record is not current (a rollback won).
  Status BeginCollection(const std::string& migration, const std::string& dataset, const std::string& actor,
                         const std::string& detail);
  // collecting (or current) -> collected, after gc deleted the previous data (Conflict otherwise).
  Status MarkCollected(const std::string& migration, const std::string& dataset, const std::string& actor,
                       const std::string& detail);

 private:
  std::string Now() const;
  // "state file 'X'", the prefix of the store's messages.
  std::string StateFile() const;
  // Runs `read` on one snapshot and returns what it produced.
  template <typename T>
  Result<T> ReadValue(const std::function<Result<T>(StoreReader&)>& read);
  Status ReplaceCatalogIn(StoreTransaction& tx, const Catalog& catalog, const ImportOptions& options,
                          CatalogChangeSet* out);
  Status CheckLeaseHolder(StoreTransaction& tx, const std::string& migration, const std::string& holder);
  // The moves [begin, end), as `chains`: per task, the indexes of its moves, each from
  // the state the one before it left (one update of the task, an event per move), while
  // `lease_holder` (if set) holds the run lease. *failed names the first move of a chain
  // that did not apply.
  Status MoveTasks(StoreTransaction& tx, const std::vector<TaskMove>& moves, size_t begin, size_t end,
                   const std::vector<std::vector<size_t>>& chains, const std::string& now, const std::string& actor,
                   const std::string& lease_holder, const TaskMove** failed);
  Status ReconcileTasks(StoreTransaction& tx, const Plan& plan, const std::string& now, const std::string& actor,
                        int64_t* created, int64_t* cancelled);

  std::unique_ptr<StoreBackend> backend_;
  StateStoreOptions options_;
};

template <typename T>
Result<T> StateStore::ReadValue(const std::function<Result<T>(StoreReader&)>& read) {
  std::optional<T> out;
  Status st = backend_->Read([&](StoreReader& r) -> Status {
    Result<T> v = read(r);
    if (!v.ok()) return v.status();
    out = std::move(v).value();
    return Status::OK();
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

// The default state location: ./gaggle.db
inline constexpr const char* kDefaultStatePath = "./gaggle.db";

// Opens the store at `location`: a file path for SQLite (created when missing unless
// options.create_if_missing is false: then NotFound naming the path); "postgres://..." or
// "postgresql://..." for PostgreSQL (store/postgres_backend.h: the database must exist;
// the store's tables are created in it unless options.create_if_missing is false).
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location, const StateStoreOptions& options = {});

// Current UTC time as "2024-05-01T12:00:00.123Z".
std::string NowIso8601();

}  // namespace gaggle
