// StateStore: gaggle's durable state — the catalog (entities, lineage, import
// history), saved plans, and the append-only event log — behind domain-level
// methods, so that a PostgreSQL implementation (many hosts) can slot in next to
// the embedded SQLite one. No SQL crosses this interface.
//
// Contract for every implementation:
//  - every write method is one transaction: it happens entirely or not at all;
//  - a store that cannot be used (corrupt, locked, not a gaggle state file,
//    written by a newer gaggle) yields a Status naming its location, never a crash;
//    "locked" is retryable;
//  - the event log is append-only: nothing rewrites or deletes an event.
// Thread-safety: implementations are safe to call from several threads; several
// processes may open the same store (writes are serialized by the database).
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
#include "cutover/cutover_record.h"
#include "fleet/task.h"
#include "plan/plan.h"
#include "verify/verification_record.h"

namespace gaggle {

// What one catalog import changed. Ids are entity ids, sorted.
struct CatalogChangeSet {
  int64_t import_id = 0;
  std::string time;  // ISO 8601 UTC
  std::string actor;
  std::string source;  // what was imported (a path)
  std::vector<std::string> added, updated, removed;
  int64_t num_added = 0, num_updated = 0, num_removed = 0;  // == sizes above when ids are loaded
  int64_t edges_added = 0, edges_removed = 0;
  int64_t entities = 0, edges = 0;  // totals after the import

  bool changed() const { return num_added + num_updated + num_removed + edges_added + edges_removed > 0; }
};

struct ImportOptions {
  std::string source;
  std::string actor = "gaggle";
};

struct LoadCatalogOptions {
  // The planner needs neither; skipping them makes loading a large catalog cheaper.
  bool with_queries = true;
  bool with_annotations = true;
};

struct CatalogStats {
  int64_t datasets = 0;
  int64_t consumers = 0;
  int64_t edges = 0;
  int64_t imports = 0;
  std::string last_import_time;
};

enum class Direction { kUpstream, kDownstream };

// One entry of the audit trail.
struct Event {
  int64_t seq = 0;    // assigned by the store, increasing
  std::string time;   // ISO 8601 UTC; the store fills it when empty
  std::string actor;  // a user name or "gaggle"
  std::string migration;
  std::string dataset;
  std::string from_state;
  std::string to_state;
  std::string detail;     // free text or JSON
  std::string prev_hash;  // the previous event's hash (store/event_chain.h); set by the store
  std::string hash;       // this event's hash; set by the store
};

// What VerifyEventChain found (store/event_chain.h describes the chain).
struct EventChainReport {
  int64_t events = 0;     // events read
  int64_t chained = 0;    // events carrying a hash
  int64_t unchained = 0;  // events from before the chain began (older state files)
  bool intact = true;
  int64_t first_broken_seq = 0;  // the first event whose link or hash does not match
  std::string problem;           // what does not match there
  std::string head;              // hash of the last event
};

struct EventFilter {
  std::string migration;  // empty: any
  std::string dataset;    // empty: any
  int64_t after_seq = 0;  // only events with seq > after_seq
  size_t limit = 1000;
};

struct PlanSummary {
  std::string hash;
  std::string migration;
  std::string spec_hash;
  std::string created_at;
  int64_t datasets = 0;
  int waves = 0;
  int stages = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Where the state lives ("./gaggle.db"); used in messages.
  virtual const std::string& location() const = 0;
  // The store's schema version after opening (migrations applied).
  virtual int schema_version() const = 0;

  // --- Catalog -------------------------------------------------------------
  // Makes `catalog` (finalized) the current catalog: adds, updates and removes entities
  // and edges so the store equals it, records the import with what changed and appends
  // a "catalog imported" event. Re-importing the same catalog changes nothing (and
  // still records the import, with empty changes). One exception to "equals": a dataset
  // cut over by a migration (CutOver) whose imported entity still names the location it
  // was moved from keeps its new location, format, schema and version.
  virtual Result<CatalogChangeSet> ReplaceCatalog(const Catalog& catalog, const ImportOptions& options) = 0;
  virtual Result<Catalog> LoadCatalog(const LoadCatalogOptions& options = {}) = 0;
  virtual Result<std::optional<Entity>> FindEntity(const std::string& id) = 0;
  // Direct neighbours of `id`, sorted by id: kind, name, type, owner, dataset facts and
  // queries, but not labels, annotations, schema text or description (FindEntity has
  // those). NotFound when `id` is unknown.
  virtual Result<std::vector<Entity>> Neighbors(const std::string& id, Direction direction) = 0;
  // Calls `fn` for every entity in id order (without queries) until it returns false.
  // `fn` must not call the store.
  virtual Status ForEachEntity(const std::function<bool(const Entity&)>& fn) = 0;
  virtual Result<CatalogStats> GetCatalogStats() = 0;
  // Newest first; ids are loaded only when `with_ids`.
  virtual Result<std::vector<CatalogChangeSet>> ListImports(size_t limit, bool with_ids) = 0;

  // --- Plans ---------------------------------------------------------------
  // Saves a plan under its hash; saving a plan whose hash is already stored is a no-op.
  // Fills nothing in `plan`; the stored created_at is the first save's time.
  virtual Status SavePlan(const Plan& plan) = 0;
  virtual Result<std::optional<Plan>> LoadPlan(const std::string& hash) = 0;
  // Newest first; empty `migration` lists every migration's plans.
  virtual Result<std::vector<PlanSummary>> ListPlans(const std::string& migration) = 0;
  // For each dataset in the newest plan of each migration: its target. Sorted by dataset.
  virtual Result<std::vector<MigrationTarget>> ListMigrationTargets() = 0;

  // --- Events (append-only) ------------------------------------------------
  virtual Result<int64_t> AppendEvent(const Event& event) = 0;
  virtual Result<std::vector<Event>> ListEvents(const EventFilter& filter) = 0;
  // Recomputes the hash chain over the whole event log (store/event_chain.h).
  virtual Result<EventChainReport> VerifyEventChain() = 0;

  // --- Fleet: run records, tasks, leases ---------------------------------
  // Creates or refreshes the run of `plan` for its migration in one transaction:
  //  - the run record (state running, `concurrency`) when missing; an existing one keeps
  //    its state, concurrency and lease but takes the new plan and spec hashes;
  //  - a pending task per plan row; a task that already exists keeps its state, attempts
  //    and results, and takes the row's new stage, wave, priority, source and target;
  //  - tasks of the migration that are no longer in the plan and not settled become
  //    cancelled ("dropped from the plan").
  // Appends one event per created or cancelled task and one for the run.
  virtual Result<MigrationRun> UpsertRun(const Plan& plan, const std::string& spec_path, int concurrency,
                                         const std::string& actor) = 0;
  virtual Result<std::optional<MigrationRun>> FindRun(const std::string& migration) = 0;
  virtual Result<std::vector<MigrationRun>> ListRuns() = 0;
  // Operator change to a run record, with an event (from/to = run states) carrying `detail`.
  virtual Result<MigrationRun> UpdateRun(const std::string& migration, const MigrationRunUpdate& update,
                                         const std::string& actor, const std::string& detail) = 0;

  // The run lease: at most one runner per migration. Takes the lease for `owner` until
  // now_ms + ttl_ms when it is free, expired, already `owner`'s, or held by an owner
  // `is_dead` says is gone (a crashed process on this host). Otherwise FailedPrecondition
  // naming the holder. Renewing is claiming again; ReleaseRunner frees it if `owner` holds it.
  virtual Result<MigrationRun> ClaimRunner(const std::string& migration, const std::string& owner, int64_t now_ms,
                                           int64_t ttl_ms,
                                           const std::function<bool(const std::string& holder)>& is_dead) = 0;
  virtual Status ReleaseRunner(const std::string& migration, const std::string& owner) = 0;

  // Every task of the migration in plan order.
  virtual Result<std::vector<TaskRecord>> LoadTasks(const std::string& migration) = 0;
  virtual Result<std::optional<TaskRecord>> FindTask(const std::string& migration, const std::string& dataset) = 0;
  // Tasks in one of `states`, in plan order (or longest-running first when
  // `oldest_started_first`), at most `limit`.
  virtual Result<std::vector<TaskRecord>> ListTasks(const std::string& migration, const std::vector<TaskState>& states,
                                                    bool oldest_started_first, size_t limit) = 0;
  // Counts per stage and state (stages in order), without loading the tasks.
  virtual Result<std::vector<StageCounts>> CountTasks(const std::string& migration) = 0;

  // Moves one task from `from` to `record.state` and stores every field of `record`
  // (compare-and-set: FailedPrecondition when the stored state is not `from`, or the edge
  // is not in the state machine), appending an event with `detail`. One transaction.
  virtual Status TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor,
                                const std::string& detail) = 0;
  // Moves every task of `migration` whose state is in `from` (restricted to `datasets`
  // when not empty) to `to`, one event each, in one transaction. Running tasks moved
  // out of running lose their lease. `reset_attempts` starts their retry budget over
  // (an operator re-queue); the last error is kept for the record. Returns how many moved.
  virtual Result<int64_t> TransitionTasks(const std::string& migration, const std::vector<TaskState>& from,
                                          TaskState to, const std::vector<std::string>& datasets, bool reset_attempts,
                                          const std::string& actor, const std::string& detail) = 0;

  // --- Gates: validations and approvals (append-only) -----------------------
  virtual Status SaveValidation(const ValidationRecord& record) = 0;
  // The newest validation of `dataset`, or nullopt.
  virtual Result<std::optional<ValidationRecord>> LatestValidation(const std::string& migration,
                                                                   const std::string& dataset) = 0;
  // Records an operator's approval of `stage`'s failed gate, with an event
  // (to_state "gate-approved"). One transaction.
  virtual Status ApproveStage(const StageApproval& approval) = 0;
  virtual Result<std::vector<StageApproval>> ListApprovals(const std::string& migration) = 0;

  // --- After the migration: verification, cut-over, retention ----------------
  // Appends a verification with an event (to_state "verified" or "verification-failed").
  virtual Status SaveVerification(const VerificationRecord& record) = 0;
  // Oldest first; `limit` 0: all.
  virtual Result<std::vector<VerificationRecord>> ListVerifications(const std::string& migration, size_t limit) = 0;
  // In one transaction, for each record: points the dataset's catalog entry at
  // record.next and stores the record as current, with a "cut-over" event. A dataset
  // whose record is already current is left alone (not counted); a rolled-back or
  // collected record is replaced. NotFound when a dataset is not in the catalog.
  // Returns how many datasets were cut over.
  virtual Result<int64_t> CutOver(const std::vector<CutoverRecord>& records, const std::string& actor) = 0;
  // Every record of `migration` (all migrations when empty), by migration then dataset;
  // only `dataset`'s when it is set.
  virtual Result<std::vector<CutoverRecord>> ListCutovers(const std::string& migration,
                                                          const std::string& dataset = "") = 0;
  // current -> rolled-back for `datasets` of `migration` (all when empty): their catalog
  // entries point at `previous` again. One transaction, one event each. Returns how many.
  virtual Result<int64_t> RestoreCutovers(const std::string& migration, const std::vector<std::string>& datasets,
                                          const std::string& actor, const std::string& detail) = 0;
  // current -> collected, after gc deleted the previous data (Conflict when not current).
  virtual Status MarkCollected(const std::string& migration, const std::string& dataset, const std::string& actor,
                               const std::string& detail) = 0;
};

struct StateStoreOptions {
  // How long a write waits for another process's lock before failing (retryable).
  int busy_timeout_ms = 5000;
  // Clock for event and import times (ISO 8601 UTC); the system clock when null.
  Clock* clock = Clock::System();
};

// The default state location: ./gaggle.db
inline constexpr const char* kDefaultStatePath = "./gaggle.db";

// Opens (creating if missing) the store at `location`: a file path for SQLite.
// "postgres://..." is reserved for the PostgreSQL store (Unsupported for now).
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location, const StateStoreOptions& options = {});

// Current UTC time as "2024-05-01T12:00:00.123Z".
std::string NowIso8601();

}  // namespace gaggle
