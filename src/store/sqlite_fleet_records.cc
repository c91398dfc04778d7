// SqliteRecords: the fleet — run records and task records (schema migration 2). The
// task statements are the hot path (one transaction per task transition).
// tasks_by_state (migration, state, stage, ordinal, ...) serves a state's tasks in plan
// order and the counts; tasks_by_plan_order serves every task in plan order.
#include <algorithm>
#include <set>
#include <tuple>

#include "store/sqlite_records.h"
#include "store/task_columns.h"

namespace gaggle {

using sqlite_records::ResetOnExit;
using sqlite_records::StepAll;

namespace {

constexpr const char* kRunColumns =
    "migration, plan_hash, spec_hash, spec_path, state, state_reason, concurrency, requeue_seq, requeue_applied_seq, "
    "runner, runner_expires_ms, created_at, updated_at";

// Reads the kTaskColumns of the current row.
Result<TaskRecord> ReadTask(const SqliteStatement& q, const std::string& state_file) {
  return ReadTaskColumns([&](int i) { return q.Text(i); }, [&](int i) { return q.Int(i); }, state_file);
}

// Binds the progress fields (state .. duration_ms) at ?11..?25, the plan fields at ?3..?10.
void BindTask(SqliteStatement* s, const TaskRecord& r) {
  s->Bind(1, r.migration)
      .Bind(2, r.dataset_id)
      .Bind(3, r.ordinal)
      .Bind(4, static_cast<int64_t>(r.stage))
      .Bind(5, static_cast<int64_t>(r.wave))
      .Bind(6, static_cast<int64_t>(r.priority))
      .Bind(7, r.source_uri)
      .Bind(8, r.source_format)
      .Bind(9, r.target_uri)
      .Bind(10, r.size_bytes)
      .Bind(11, TaskStateName(r.state))
      .Bind(12, static_cast<int64_t>(r.attempts))
      .Bind(13, r.next_attempt_ms)
      .Bind(14, r.runner)
      .Bind(15, r.lease_expires_ms)
      .Bind(16, r.started_at)
      .Bind(17, r.finished_at)
      .Bind(18, r.last_error)
      .Bind(19, static_cast<int64_t>(r.skipped ? 1 : 0))
      .Bind(20, r.rows_in)
      .Bind(21, r.rows_out)
      .Bind(22, r.dead_lettered)
      .Bind(23, r.filtered)
      .Bind(24, r.bytes_out)
      .Bind(25, r.duration_ms);
}

// Reads the kRunColumns of the current row.
Result<MigrationRun> ReadRun(const SqliteStatement& q, const std::string& state_file) {
  MigrationRun r;
  r.migration = q.Text(0);
  r.plan_hash = q.Text(1);
  r.spec_hash = q.Text(2);
  r.spec_path = q.Text(3);
  auto state = ParseRunState(q.Text(4));
  if (!state.ok()) {
    return Status::Corruption(state_file + ": run of migration '" + r.migration + "': " + state.status().message());
  }
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

// The SQL of a task query; parameters: ?1 migration, ?2 state, ?3 stage, ?4 wave, ?5 text
// in the dataset id, ?6 ?7 ?8 the cursor (stage, ordinal, started_at), ?9 limit.
std::string TaskQuerySql(const TaskQuery& q, bool with_state) {
  std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE migration = ?1";
  if (with_state) sql += " AND state = ?2";
  if (q.stage) sql += " AND stage = ?3";
  if (q.wave) sql += " AND wave = ?4";
  if (!q.dataset_contains.empty()) sql += " AND instr(dataset_id, ?5) > 0";
  if (q.after)
    sql += q.oldest_started_first ? " AND (started_at, stage, ordinal) > (?8, ?6, ?7)"
                                  : " AND (stage, ordinal) > (?6, ?7)";
  sql += q.oldest_started_first ? " ORDER BY started_at, stage, ordinal" : " ORDER BY stage, ordinal";
  return sql + " LIMIT ?9";
}

}  // namespace

// ---------------------------------------------------------------- runs

Result<std::optional<MigrationRun>> SqliteRecords::FindRun(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kRunColumns + " FROM runs WHERE migration = ?"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<MigrationRun>();
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun r, ReadRun(*q, StateFile()));
  return std::optional<MigrationRun>(std::move(r));
}

Result<std::vector<MigrationRun>> SqliteRecords::ListRuns() {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached(std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY migration"));
  ResetOnExit reset(q);
  std::vector<MigrationRun> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(MigrationRun r, ReadRun(*q, StateFile()));
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteRecords::PutRun(const MigrationRun& r) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * up,
      Cached(std::string("INSERT INTO runs (") + kRunColumns +
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (migration) DO UPDATE SET "
             "plan_hash = ?2, spec_hash = ?3, spec_path = ?4, state = ?5, state_reason = ?6, concurrency = ?7, "
             "requeue_seq = ?8, requeue_applied_seq = ?9, runner = ?10, runner_expires_ms = ?11, created_at = ?12, "
             "updated_at = ?13"));
  ResetOnExit reset(up);
  up->Bind(1, r.migration)
      .Bind(2, r.plan_hash)
      .Bind(3, r.spec_hash)
      .Bind(4, r.spec_path)
      .Bind(5, RunStateName(r.state))
      .Bind(6, r.state_reason)
      .Bind(7, static_cast<int64_t>(r.concurrency))
      .Bind(8, r.requeue_seq)
      .Bind(9, r.requeue_applied_seq)
      .Bind(10, r.runner)
      .Bind(11, r.runner_expires_ms)
      .Bind(12, r.created_at)
      .Bind(13, r.updated_at);
  return up->Run();
}

// ---------------------------------------------------------------- reading tasks

Result<std::optional<TaskRecord>> SqliteRecords::FindTask(const std::string& migration, const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(std::string("SELECT ") + kTaskColumns +
                                                      " FROM tasks WHERE migration = ? AND dataset_id = ?"));
  ResetOnExit reset(q);
  q->Bind(1, migration).Bind(2, dataset);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<TaskRecord>();
  GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, StateFile()));
  return std::optional<TaskRecord>(std::move(t));
}

Result<std::vector<TaskRecord>> SqliteRecords::LoadTasks(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(std::string("SELECT ") + kTaskColumns +
                                                      " FROM tasks WHERE migration = ? ORDER BY stage, ordinal"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  std::vector<TaskRecord> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, StateFile()));
    out.push_back(std::move(t));
  }
  return out;
}

Status SqliteRecords::QueryTasksInState(const TaskQuery& query, const TaskState* state, std::vector<TaskRecord>* out) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, Cached(TaskQuerySql(query, state != nullptr)));
  ResetOnExit reset(q);
  q->Bind(1, query.migration);
  if (state != nullptr) q->Bind(2, TaskStateName(*state));
  if (query.stage) q->Bind(3, static_cast<int64_t>(*query.stage));
  if (query.wave) q->Bind(4, static_cast<int64_t>(*query.wave));
  if (!query.dataset_contains.empty()) q->Bind(5, query.dataset_contains);
  if (query.after) {
    q->Bind(6, static_cast<int64_t>(query.after->stage)).Bind(7, query.after->ordinal);
    if (query.oldest_started_first) q->Bind(8, query.after->started_at);
  }
  q->Bind(9, static_cast<int64_t>(std::min<size_t>(query.limit, INT64_MAX)));
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(*q, StateFile()));
    out->push_back(std::move(t));
  }
  return Status::OK();
}

Result<std::vector<TaskRecord>> SqliteRecords::QueryTasks(const TaskQuery& query) {
  std::vector<TaskRecord> out;
  if (query.limit == 0) return out;
  if (query.states.empty()) {
    GAGGLE_RETURN_IF_ERROR(QueryTasksInState(query, nullptr, &out));
    return out;
  }
  // One ordered, limited index scan per state, then a merge: never more than states x
  // limit rows, however many tasks match.
  const std::set<TaskState> unique(query.states.begin(), query.states.end());
  for (TaskState s : unique) GAGGLE_RETURN_IF_ERROR(QueryTasksInState(query, &s, &out));
  if (unique.size() > 1) {
    std::sort(out.begin(), out.end(), [&query](const TaskRecord& a, const TaskRecord& b) {
      return TaskBefore(a, b, query.oldest_started_first);
    });
    if (out.size() > query.limit) out.resize(query.limit);
  }
  return out;
}

Result<std::vector<TaskStateCount>> SqliteRecords::CountTaskStates(const std::string& migration) {
  // Answered from the tasks_by_state index alone (it holds every summed column).
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q,
                          Cached("SELECT stage, state, COUNT(*), SUM(size_bytes), SUM(rows_in), SUM(rows_out), "
                                 "SUM(dead_lettered), SUM(filtered) FROM tasks WHERE migration = ? "
                                 "GROUP BY state, stage"));
  ResetOnExit reset(q);
  q->Bind(1, migration);
  std::vector<TaskStateCount> out;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    auto state = ParseTaskState(q->Text(1));
    if (!state.ok()) return Status::Corruption(StateFile() + ": " + state.status().message());
    out.push_back(TaskStateCount{static_cast<int>(q->Int(0)), *state, q->Int(2), q->Int(3), q->Int(4), q->Int(5),
                                 q->Int(6), q->Int(7)});
  }
  return out;
}

// ---------------------------------------------------------------- writing tasks

Result<bool> SqliteRecords::InsertTask(const TaskRecord& task) {
  GAGGLE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      Cached(std::string("INSERT INTO tasks (") + kTaskColumns +
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
             "?21, ?22, ?23, ?24, ?25) ON CONFLICT (migration, dataset_id) DO NOTHING RETURNING 1"));
  ResetOnExit reset(ins);
  BindTask(ins, task);
  return StepAll(ins);
}

Status SqliteRecords::RefreshTaskPlan(const TaskRecord& task) {
  // An unchanged plan writes nothing.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * refresh,
                          Cached("UPDATE tasks SET ordinal = ?3, stage = ?4, wave = ?5, priority = ?6, "
                                 "source_uri = ?7, source_format = ?8, target_uri = ?9, size_bytes = ?10 "
                                 "WHERE migration = ?1 AND dataset_id = ?2 AND NOT (ordinal = ?3 AND stage = ?4 "
                                 "AND wave = ?5 AND priority = ?6 AND source_uri = ?7 AND source_format = ?8 "
                                 "AND target_uri = ?9 AND size_bytes = ?10)"));
  ResetOnExit reset(refresh);
  refresh->Bind(1, task.migration)
      .Bind(2, task.dataset_id)
      .Bind(3, task.ordinal)
      .Bind(4, static_cast<int64_t>(task.stage))
      .Bind(5, static_cast<int64_t>(task.wave))
      .Bind(6, static_cast<int64_t>(task.priority))
      .Bind(7, task.source_uri)
      .Bind(8, task.source_format)
      .Bind(9, task.target_uri)
      .Bind(10, task.size_bytes);
  return refresh->Run();
}

Result<bool> SqliteRecords::UpdateTask(const TaskRecord& r, TaskState expected) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * up,
                          Cached("UPDATE tasks SET state = ?3, attempts = ?4, next_attempt_ms = ?5, runner = ?6, "
                                 "lease_expires_ms = ?7, started_at = ?8, finished_at = ?9, last_error = ?10, "
                                 "skipped = ?11, rows_in = ?12, rows_out = ?13, dead_lettered = ?14, filtered = ?15, "
                                 "bytes_out = ?16, duration_ms = ?17 "
                                 "WHERE migration = ?1 AND dataset_id = ?2 AND state = ?18 RETURNING 1"));
  ResetOnExit reset(up);
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
      .Bind(18, TaskStateName(expected));
  return StepAll(up);
}

}  // namespace gaggle
