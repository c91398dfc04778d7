// SqliteStateStore: the fleet — run records, task records, the run lease and
// task transitions (schema migration 2); UpsertRun is in sqlite_fleet_upsert.cc.
// The hot paths (one transaction per task transition) run on statements prepared
// once and cached by SQL text.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "store/sqlite_fleet_internal.h"
#include "store/sqlite_state_store.h"

namespace gaggle {

using namespace sqlite_fleet;  // NOLINT: this store's own helpers

namespace {

constexpr const char* kTaskColumns =
    "migration, dataset_id, ordinal, stage, wave, priority, source_uri, source_format, target_uri, size_bytes, "
    "state, attempts, next_attempt_ms, runner, lease_expires_ms, started_at, finished_at, last_error, skipped, "
    "rows_in, rows_out, dead_lettered, filtered, bytes_out, duration_ms";

constexpr const char* kRunColumns =
    "migration, plan_hash, spec_hash, spec_path, state, state_reason, concurrency, requeue_seq, requeue_applied_seq, "
    "runner, runner_expires_ms, created_at, updated_at";

// "2024-05-01T12:00:00.123Z" for milliseconds since the epoch.
std::string MillisToIso8601(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  if (::gmtime_r(&secs, &tm) == nullptr) return std::to_string(ms) + " ms";
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

// Reads the kTaskColumns of the current row.
Result<TaskRecord> ReadTask(const SqliteStatement& q, const std::string& path) {
  TaskRecord t;
  t.migration = q.Text(0);
  t.dataset_id = q.Text(1);
  t.ordinal = q.Int(2);
  t.stage = static_cast<int>(q.Int(3));
  t.wave = static_cast<int>(q.Int(4));
  t.priority = static_cast<int>(q.Int(5));
  t.source_uri = q.Text(6);
  t.source_format = q.Text(7);
  t.target_uri = q.Text(8);
  t.size_bytes = q.Int(9);
  auto state = ParseTaskState(q.Text(10));
  if (!state.ok()) {
    return Status::Corruption(StateFile(path) + ": task '" + t.dataset_id + "' of migration '" + t.migration +
                              "': " + state.status().message());
  }
  t.state = *state;
  t.attempts = static_cast<int>(q.Int(11));
  t.next_attempt_ms = q.Int(12);
  t.runner = q.Text(13);
  t.lease_expires_ms = q.Int(14);
  t.started_at = q.Text(15);
  t.finished_at = q.Text(16);
  t.last_error = q.Text(17);
  t.skipped = q.Int(18) != 0;
  t.rows_in = q.Int(19);
  t.rows_out = q.Int(20);
  t.dead_lettered = q.Int(21);
  t.filtered = q.Int(22);
  t.bytes_out = q.Int(23);
  t.duration_ms = q.Int(24);
  return t;
}

// Reads the kRunColumns of the current row.
Result<MigrationRun> ReadRunRow(const SqliteStatement& q, const std::string& path) {
  MigrationRun r;
  r.migration = q.Text(0);
  r.plan_hash = q.Text(1);
  r.spec_hash = q.Text(2);
  r.spec_path = q.Text(3);
  auto state = ParseRunState(q.Text(4));
  if (!state.ok())
    return Status::Corruption(StateFile(path) + ": run of migration '" + r.migration +
                              "': " + state.status().message());
  r.state = *state;
  r.state_reason = q.Text(5);
  r.concurrency = static_cast<int>(q.Int(6));
  r.requeue_seq = q.Int(7);
  r.requeue_applied_seq = q.Int(8);
  r.runner = q.Text(9);
  r.runner_expires_ms = q.Int(10);
  r.created_at = q.Text(11);
  r.updated_at = q.Text(12);
  return r;
}

// Plan order is (stage, ordinal); longest-running first puts the earliest start first.
bool TaskBefore(const TaskRecord& a, const TaskRecord& b, bool oldest_started_first) {
  if (oldest_started_first && a.started_at != b.started_at) return a.started_at < b.started_at;
  return std::tie(a.stage, a.ordinal, a.dataset_id) < std::tie(b.stage, b.ordinal, b.dataset_id);
}

Status NoRun(const std::string& path) {
  return Status::NotFound(StateFile(path) + " has no run record for it (start one with `gaggle run`)");
}

}  // namespace

// ---------------------------------------------------------------- helpers

Result<SqliteStatement*> SqliteStateStore::Cached(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(sql));
  auto owned = std::make_unique<SqliteStatement>(std::move(st));
  SqliteStatement* p = owned.get();
  statements_.emplace(sql, std::move(owned));
  return p;
}

Status SqliteStateStore::InsertFleetEvent(const std::string& time, const std::string& actor,
                                          const std::string& migration, const std::string& dataset,
                                          const std::string& from_state, const std::string& to_state,
                                          const std::string& detail) {
  Event e;
  e.time = time;
  e.actor = actor;
  e.migration = migration;
  e.dataset = dataset;
  e.from_state = from_state;
  e.to_state = to_state;
  e.detail = detail;
  return InsertEvent(e).status();
}

Result<std::optional<MigrationRun>> SqliteStateStore::ReadRun(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kRunColumns + " FROM runs WHERE migration = ?"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<MigrationRun>();
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun run, ReadRunRow(*q, path_));
  return std::optional<MigrationRun>(std::move(run));
}

Status SqliteStateStore::ReadTasksInState(const std::string& migration, TaskState state, bool oldest_started_first,
                                          size_t limit, std::vector<TaskRecord>* out) {
  const std::string sql = std::string("SELECT ") + kTaskColumns +
                          " FROM tasks WHERE migration = ?1 AND state = ?2 ORDER BY " +
                          (oldest_started_first ? "started_at, " : "") + "stage, ordinal LIMIT ?3";
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(sql));
  ResetOnExit reset(q);
  q->Bind(1, migration).Bind(2, TaskStateName(state)).Bind(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, path_));
    out->push_back(std::move(t));
  }
  return Status::OK();
}

// ---------------------------------------------------------------- runs

Result<std::optional<MigrationRun>> SqliteStateStore::FindRun(const std::string& migration) {
  MutexLock lock(&mu_);
  return WithContext(ReadRun(migration), MigrationContext(migration));
}

Result<std::vector<MigrationRun>> SqliteStateStore::ListRuns() {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY migration"));
  ResetOnExit reset(q);
  std::vector<MigrationRun> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(MigrationRun r, ReadRunRow(*q, path_));
    out.push_back(std::move(r));
  }
  return out;
}

Result<MigrationRun> SqliteStateStore::UpdateRun(const std::string& migration, const MigrationRunUpdate& update,
                                                 const std::string& actor, const std::string& detail) {
  if (update.concurrency && *update.concurrency < 1) {
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile(path_) +
                                   ": concurrency must be at least 1 (got " + std::to_string(*update.concurrency) +
                                   ")");
  }
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<MigrationRun> {
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, ReadRun(migration));
    if (!found) return NoRun(path_);
    const RunState before = found->state;
    MigrationRun run = std::move(*found);
    if (update.state) run.state = *update.state;
    if (update.state_reason) run.state_reason = *update.state_reason;
    if (update.concurrency) run.concurrency = *update.concurrency;
    if (update.bump_requeue) ++run.requeue_seq;
    if (update.requeue_applied_seq) run.requeue_applied_seq = *update.requeue_applied_seq;
    run.updated_at = Now();
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up,
                            Cached("UPDATE runs SET state = ?2, state_reason = ?3, concurrency = ?4, requeue_seq = ?5, "
                                   "requeue_applied_seq = ?6, updated_at = ?7 WHERE migration = ?1"));
    {
      ResetOnExit reset(up);
      up->Bind(1, migration)
          .Bind(2, RunStateName(run.state))
          .Bind(3, run.state_reason)
          .Bind(4, static_cast<int64_t>(run.concurrency))
          .Bind(5, run.requeue_seq)
          .Bind(6, run.requeue_applied_seq)
          .Bind(7, run.updated_at);
      GAGGLE_RETURN_IF_ERROR(up->Run());
    }
    GAGGLE_RETURN_IF_ERROR(
        InsertFleetEvent(run.updated_at, actor, migration, "", RunStateName(before), RunStateName(run.state), detail));
    GAGGLE_RETURN_IF_ERROR(tx->Commit());
    return run;
  };
  return WithContext(body(), MigrationContext(migration));
}

// ---------------------------------------------------------------- the run lease

Result<MigrationRun> SqliteStateStore::ClaimRunner(const std::string& migration, const std::string& owner,
                                                   int64_t now_ms, int64_t ttl_ms,
                                                   const std::function<bool(const std::string& holder)>& is_dead) {
  if (owner.empty())
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile(path_) +
                                   ": a runner needs an identity");
  if (ttl_ms <= 0)
    return Status::InvalidArgument(MigrationContext(migration) + ": " + StateFile(path_) +
                                   ": the lease time must be positive");
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<MigrationRun> {
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, ReadRun(migration));
    if (!found) return NoRun(path_);
    MigrationRun run = std::move(*found);
    const std::string holder = run.runner;
    std::string how;  // why the lease changes hands; empty for a renewal
    if (holder == owner) {
    } else if (holder.empty()) {
      how = "runner " + owner + " took the lease";
    } else if (run.runner_expires_ms <= now_ms) {
      how = "runner " + owner + " took over from " + holder + " (its lease expired at " +
            MillisToIso8601(run.runner_expires_ms) + ")";
    } else if (is_dead && is_dead(holder)) {
      how = "runner " + owner + " took over from " + holder + " (that process is gone)";
    } else {
      return Status::Conflict(StateFile(path_) + ": migration " + migration + " is being run by " + holder +
                              " (lease valid until " + MillisToIso8601(run.runner_expires_ms) + ")");
    }
    run.runner = owner;
    run.runner_expires_ms = now_ms + ttl_ms;
    const bool changed = !how.empty();
    if (changed) run.updated_at = Now();
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up, Cached("UPDATE runs SET runner = ?2, runner_expires_ms = ?3, "
                                                         "updated_at = ?4 WHERE migration = ?1"));
    {
      ResetOnExit reset(up);
      up->Bind(1, migration).Bind(2, owner).Bind(3, run.runner_expires_ms).Bind(4, run.updated_at);
      GAGGLE_RETURN_IF_ERROR(up->Run());
    }
    if (changed) {
      const char* state = RunStateName(run.state);
      GAGGLE_RETURN_IF_ERROR(InsertFleetEvent(run.updated_at, "gaggle", migration, "", state, state, how));
    }
    GAGGLE_RETURN_IF_ERROR(tx->Commit());
    return run;
  };
  return WithContext(body(), MigrationContext(migration));
}

Status SqliteStateStore::ReleaseRunner(const std::string& migration, const std::string& owner) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> found, ReadRun(migration));
    if (!found) return NoRun(path_);
    if (found->runner != owner || owner.empty()) return Status::OK();  // not ours (any more): nothing to free
    const std::string now = Now();
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up, Cached("UPDATE runs SET runner = '', runner_expires_ms = 0, "
                                                         "updated_at = ?2 WHERE migration = ?1"));
    {
      ResetOnExit reset(up);
      up->Bind(1, migration).Bind(2, now);
      GAGGLE_RETURN_IF_ERROR(up->Run());
    }
    const char* state = RunStateName(found->state);
    GAGGLE_RETURN_IF_ERROR(
        InsertFleetEvent(now, "gaggle", migration, "", state, state, "runner " + owner + " released the lease"));
    return tx->Commit();
  };
  return body().WithContext(MigrationContext(migration));
}

// ---------------------------------------------------------------- reading tasks

Result<std::vector<TaskRecord>> SqliteStateStore::LoadTasks(const std::string& migration) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<std::vector<TaskRecord>> {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(std::string("SELECT ") + kTaskColumns +
                                                        " FROM tasks WHERE migration = ? ORDER BY stage, ordinal"));
    ResetOnExit reset(q);
    q->Bind(1, migration);
    std::vector<TaskRecord> out;
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, path_));
      out.push_back(std::move(t));
    }
    return out;
  };
  return WithContext(body(), MigrationContext(migration));
}

Result<std::optional<TaskRecord>> SqliteStateStore::FindTask(const std::string& migration, const std::string& dataset) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<std::optional<TaskRecord>> {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(std::string("SELECT ") + kTaskColumns +
                                                        " FROM tasks WHERE migration = ? AND dataset_id = ?"));
    ResetOnExit reset(q);
    q->Bind(1, migration).Bind(2, dataset);
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return std::optional<TaskRecord>();
    GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, path_));
    return std::optional<TaskRecord>(std::move(t));
  };
  return WithContext(body(), TaskContext(migration, dataset));
}

Result<std::vector<TaskRecord>> SqliteStateStore::ListTasks(const std::string& migration,
                                                            const std::vector<TaskState>& states,
                                                            bool oldest_started_first, size_t limit) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<std::vector<TaskRecord>> {
    // One ordered, limited index scan per state, then a merge: never more than
    // states x limit rows, however many tasks match.
    std::vector<TaskRecord> out;
    if (limit == 0) return out;
    const std::set<TaskState> unique(states.begin(), states.end());
    for (TaskState s : unique)
      GAGGLE_RETURN_IF_ERROR(ReadTasksInState(migration, s, oldest_started_first, limit, &out));
    if (unique.size() > 1) {
      std::sort(out.begin(), out.end(), [oldest_started_first](const TaskRecord& a, const TaskRecord& b) {
        return TaskBefore(a, b, oldest_started_first);
      });
      if (out.size() > limit) out.resize(limit);
    }
    return out;
  };
  return WithContext(body(), MigrationContext(migration));
}

Result<std::vector<StageCounts>> SqliteStateStore::CountTasks(const std::string& migration) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<std::vector<StageCounts>> {
    // Answered from the tasks_by_state index alone (it holds every summed column).
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                            Cached("SELECT stage, state, COUNT(*), SUM(size_bytes), SUM(rows_in), SUM(rows_out), "
                                   "SUM(dead_lettered), SUM(filtered) FROM tasks WHERE migration = ? "
                                   "GROUP BY state, stage"));
    ResetOnExit reset(q);
    q->Bind(1, migration);
    std::map<int, StageCounts> stages;
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      const int stage = static_cast<int>(q->Int(0));
      auto state = ParseTaskState(q->Text(1));
      if (!state.ok()) return Status::Corruption(StateFile(path_) + ": " + state.status().message());
      StageCounts& c = stages[stage];
      c.stage = stage;
      c.by_state[static_cast<int>(*state)] += q->Int(2);
      c.size_bytes += q->Int(3);
      if (IsDone(*state)) {
        c.done_bytes += q->Int(3);
        c.rows_in += q->Int(4);
        c.rows_out += q->Int(5);
        c.dead_lettered += q->Int(6);
        c.filtered += q->Int(7);
      }
    }
    // Stages without tasks still get an entry, so that out[i].stage == i for a planner's stages.
    if (!stages.empty()) {
      for (int s = 0; s < stages.rbegin()->first; ++s) stages[s].stage = s;
    }
    std::vector<StageCounts> out;
    out.reserve(stages.size());
    for (auto& [stage, c] : stages) out.push_back(c);
    return out;
  };
  return WithContext(body(), MigrationContext(migration));
}

// ---------------------------------------------------------------- transitions

Status SqliteStateStore::TransitionTask(TaskState from, const TaskRecord& record, const std::string& actor,
                                        const std::string& detail) {
  const std::string context = TaskContext(record.migration, record.dataset_id);
  if (!IsAllowedTransition(from, record.state)) {
    return Status::Conflict(context + ": " + StateFile(path_) + ": a task cannot move from " + TaskStateName(from) +
                            " to " + TaskStateName(record.state) + " (not an edge of the task state machine)");
  }
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up,
                            Cached("UPDATE tasks SET state = ?3, attempts = ?4, next_attempt_ms = ?5, runner = ?6, "
                                   "lease_expires_ms = ?7, started_at = ?8, finished_at = ?9, last_error = ?10, "
                                   "skipped = ?11, rows_in = ?12, rows_out = ?13, dead_lettered = ?14, filtered = ?15, "
                                   "bytes_out = ?16, duration_ms = ?17 "
                                   "WHERE migration = ?1 AND dataset_id = ?2 AND state = ?18 RETURNING 1"));
    bool moved = false;
    {
      ResetOnExit reset(up);
      const TaskRecord& r = record;
      up->Bind(1, r.migration)
          .Bind(2, r.dataset_id)
          .Bind(3, TaskStateName(r.state))
          .Bind(4, static_cast<int64_t>(r.attempts))
          .Bind(5, r.next_attempt_ms)
          .Bind(6, r.runner)
          .Bind(7, r.lease_expires_ms)
          .Bind(8, r.started_at)
          .Bind(9, r.finished_at)
          .Bind(10, r.last_error)
          .Bind(11, static_cast<int64_t>(r.skipped ? 1 : 0))
          .Bind(12, r.rows_in)
          .Bind(13, r.rows_out)
          .Bind(14, r.dead_lettered)
          .Bind(15, r.filtered)
          .Bind(16, r.bytes_out)
          .Bind(17, r.duration_ms)
          .Bind(18, TaskStateName(from));
      GAGGLE_ASSIGN_OR_RETURN(moved, StepAll(up));
    }
    if (!moved) {
      GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                              Cached("SELECT state FROM tasks WHERE migration = ? AND dataset_id = ?"));
      ResetOnExit reset(q);
      q->Bind(1, record.migration).Bind(2, record.dataset_id);
      GAGGLE_ASSIGN_OR_RETURN(bool found, q->Step());
      if (!found) return Status::NotFound(StateFile(path_) + " has no such task");
      return Status::Conflict(StateFile(path_) + ": the task is " + q->Text(0) + ", not " + TaskStateName(from) +
                              ", so it was not moved to " + TaskStateName(record.state));
    }
    GAGGLE_RETURN_IF_ERROR(InsertFleetEvent(Now(), actor, record.migration, record.dataset_id, TaskStateName(from),
                                            TaskStateName(record.state), detail));
    return tx->Commit();
  };
  return body().WithContext(context);
}

Result<int64_t> SqliteStateStore::TransitionTasks(const std::string& migration, const std::vector<TaskState>& from,
                                                  TaskState to, const std::vector<std::string>& datasets,
                                                  bool reset_attempts, const std::string& actor,
                                                  const std::string& detail) {
  MutexLock lock(&mu_);
  auto body = [&]() REQUIRES(mu_) -> Result<int64_t> {
    const std::string now = Now();
    GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
    const std::string head =
        "UPDATE tasks SET state = ?1, runner = CASE WHEN ?2 THEN '' ELSE runner END, "
        "lease_expires_ms = CASE WHEN ?2 THEN 0 ELSE lease_expires_ms END, "
        "attempts = CASE WHEN ?3 THEN 0 ELSE attempts END, "
        "next_attempt_ms = CASE WHEN ?3 THEN 0 ELSE next_attempt_ms END WHERE migration = ?4 AND state = ?5";
    const std::string tail = " RETURNING stage, ordinal, dataset_id";
    // With named datasets, look them up by key (`+state` keeps SQLite from scanning
    // every task in the state instead: operators name few datasets).
    std::string sql = head + tail;
    if (!datasets.empty()) {
      sql = head + " AND dataset_id IN (SELECT value FROM json_each(?6))" + tail;
      sql.replace(sql.find("AND state = ?5"), 14, "AND +state = ?5");
    }
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up, Cached(sql));
    const std::string ids = datasets.empty() ? std::string() : nlohmann::json(datasets).dump();
    struct Moved {
      int64_t stage, ordinal;
      std::string dataset;
      TaskState from;
    };
    std::vector<Moved> moved;
    for (TaskState f : std::set<TaskState>(from.begin(), from.end())) {
      if (!IsAllowedTransition(f, to)) continue;
      ResetOnExit reset(up);
      const bool clear_lease = f == TaskState::kRunning && to != TaskState::kRunning;
      up->Bind(1, TaskStateName(to))
          .Bind(2, static_cast<int64_t>(clear_lease ? 1 : 0))
          .Bind(3, static_cast<int64_t>(reset_attempts ? 1 : 0))
          .Bind(4, migration)
          .Bind(5, TaskStateName(f));
      if (!datasets.empty()) up->Bind(6, ids);
      while (true) {
        GAGGLE_ASSIGN_OR_RETURN(bool row, up->Step());
        if (!row) break;
        moved.push_back(Moved{up->Int(0), up->Int(1), up->Text(2), f});
      }
    }
    std::sort(moved.begin(), moved.end(), [](const Moved& a, const Moved& b) {
      return std::tie(a.stage, a.ordinal, a.dataset) < std::tie(b.stage, b.ordinal, b.dataset);
    });
    for (const Moved& mv : moved) {
      GAGGLE_RETURN_IF_ERROR(
          InsertFleetEvent(now, actor, migration, mv.dataset, TaskStateName(mv.from), TaskStateName(to), detail));
    }
    GAGGLE_RETURN_IF_ERROR(tx->Commit());
    return static_cast<int64_t>(moved.size());
  };
  return WithContext(body(), MigrationContext(migration));
}

}  // namespace gaggle
