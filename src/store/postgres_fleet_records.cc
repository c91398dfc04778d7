// PostgresRecords: the fleet — run records and task records. The task statements are the
// hot path (one transaction per task transition): each is one prepared statement.
#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <tuple>

#include "store/postgres_records.h"
#include "store/task_columns.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::Text;

namespace {

constexpr const char* kRunColumns =
    "migration, plan_hash, spec_hash, spec_path, state, state_reason, concurrency, requeue_seq, requeue_applied_seq, "
    "runner, runner_expires_ms, created_at, updated_at";

Result<TaskRecord> ReadTask(const pqxx::row& q, const std::string& state_name) {
  return ReadTaskColumns([&](int i) { return Text(q[i]); }, [&](int i) { return Int(q[i]); }, state_name);
}

Result<std::vector<TaskRecord>> ReadTasks(const pqxx::result& rows, const std::string& state_name) {
  std::vector<TaskRecord> out;
  out.reserve(rows.size());
  for (const pqxx::row& r : rows) {
    GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(r, state_name));
    out.push_back(std::move(t));
  }
  return out;
}

// The progress fields, $3..$17 of UpdateTask and $11..$25 of InsertTask.
void AppendProgress(const TaskRecord& r, PostgresRecords::Params* p) {
  using P = PostgresRecords;
  for (std::string v :
       {std::string(TaskStateName(r.state)), P::Param(r.attempts), P::Param(r.next_attempt_ms), r.runner,
        P::Param(r.lease_expires_ms), r.started_at, r.finished_at, r.last_error, P::Param(r.skipped ? 1 : 0),
        P::Param(r.rows_in), P::Param(r.rows_out), P::Param(r.dead_lettered), P::Param(r.filtered),
        P::Param(r.bytes_out), P::Param(r.duration_ms)}) {
    p->push_back(std::move(v));
  }
}

Result<MigrationRun> ReadRun(const pqxx::row& q, const std::string& state_name) {
  MigrationRun r;
  r.migration = Text(q[0]);
  r.plan_hash = Text(q[1]);
  r.spec_hash = Text(q[2]);
  r.spec_path = Text(q[3]);
  auto state = ParseRunState(Text(q[4]));
  if (!state.ok()) {
    return Status::Corruption(state_name + ": run of migration '" + r.migration + "': " + state.status().message());
  }
  r.state = *state;
  r.state_reason = Text(q[5]);
  r.concurrency = static_cast<int>(Int(q[6]));
  r.requeue_seq = Int(q[7]);
  r.requeue_applied_seq = Int(q[8]);
  r.runner = Text(q[9]);
  r.runner_expires_ms = Int(q[10]);
  r.created_at = Text(q[11]);
  r.updated_at = Text(q[12]);
  return r;
}

// Plan order is (stage, ordinal); longest-running first puts the earliest start first.
bool TaskBefore(const TaskRecord& a, const TaskRecord& b, bool oldest_started_first) {
  if (oldest_started_first && a.started_at != b.started_at) return a.started_at < b.started_at;
  return std::tie(a.stage, a.ordinal, a.dataset_id) < std::tie(b.stage, b.ordinal, b.dataset_id);
}

}  // namespace

// ---------------------------------------------------------------- runs

Result<std::optional<MigrationRun>> PostgresRecords::FindRun(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Q(std::string("SELECT ") + kRunColumns + " FROM runs WHERE migration = $1", migration));
  if (rows.empty()) return std::optional<MigrationRun>();
  GAGGLE_ASSIGN_OR_RETURN(MigrationRun r, ReadRun(rows[0], StateName()));
  return std::optional<MigrationRun>(std::move(r));
}

Result<std::vector<MigrationRun>> PostgresRecords::ListRuns() {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q(std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY migration"));
  std::vector<MigrationRun> out;
  for (const pqxx::row& q : rows) {
    GAGGLE_ASSIGN_OR_RETURN(MigrationRun r, ReadRun(q, StateName()));
    out.push_back(std::move(r));
  }
  return out;
}

Status PostgresRecords::PutRun(const MigrationRun& r) {
  return Q(std::string("INSERT INTO runs (") + kRunColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (migration) DO UPDATE "
               "SET plan_hash = $2, spec_hash = $3, spec_path = $4, state = $5, state_reason = $6, concurrency = $7, "
               "requeue_seq = $8, requeue_applied_seq = $9, runner = $10, runner_expires_ms = $11, created_at = $12, "
               "updated_at = $13",
           r.migration, r.plan_hash, r.spec_hash, r.spec_path, RunStateName(r.state), r.state_reason, r.concurrency,
           r.requeue_seq, r.requeue_applied_seq, r.runner, r.runner_expires_ms, r.created_at, r.updated_at)
      .status();
}

// ---------------------------------------------------------------- reading tasks

Result<std::optional<TaskRecord>> PostgresRecords::FindTask(const std::string& migration, const std::string& dataset) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Q(std::string("SELECT ") + kTaskColumns +
                                                   " FROM tasks WHERE migration = $1 AND dataset_id = $2",
                                               migration, dataset));
  if (rows.empty()) return std::optional<TaskRecord>();
  GAGGLE_ASSIGN_OR_RETURN(TaskRecord t, ReadTask(rows[0], StateName()));
  return std::optional<TaskRecord>(std::move(t));
}

Result<std::vector<TaskRecord>> PostgresRecords::LoadTasks(const std::string& migration) {
  std::vector<TaskRecord> out;
  GAGGLE_RETURN_IF_ERROR(ScanTasks(migration, [&](TaskRecord&& t) { out.push_back(std::move(t)); }));
  return out;
}

// Through a cursor, a batch at a time: a million tasks as one result would hold every
// row's text in libpq's memory beside the records made from it.
Status PostgresRecords::ScanTasks(const std::string& migration, const std::function<void(TaskRecord&& task)>& fn) {
  if (tx_ == nullptr) return Status::Internal(StateName() + ": reading tasks outside a transaction");
  Status bad;
  GAGGLE_RETURN_IF_ERROR(Scan(std::string("SELECT ") + kTaskColumns +
                                  " FROM tasks WHERE migration = " + tx_->quote(migration) + " ORDER BY stage, ordinal",
                              [&](const pqxx::row& r) {
                                auto t = ReadTask(r, StateName());
                                if (!t.ok()) {
                                  bad = t.status();
                                  return false;
                                }
                                fn(std::move(t).value());
                                return true;
                              }));
  return bad;
}

Status PostgresRecords::QueryTasksInState(const TaskQuery& query, const TaskState* state,
                                          std::vector<TaskRecord>* out) {
  // Parameters are numbered as they are added, so every one the SQL names is bound.
  Params params = {query.migration};
  std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE migration = $1";
  auto add = [&](std::string value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  if (state != nullptr) sql += " AND state = " + add(TaskStateName(*state));
  if (query.stage) sql += " AND stage = " + add(Param(*query.stage));
  if (query.wave) sql += " AND wave = " + add(Param(*query.wave));
  if (!query.dataset_contains.empty()) sql += " AND strpos(dataset_id, " + add(query.dataset_contains) + ") > 0";
  if (query.after) {
    if (query.oldest_started_first) {
      const std::string started = add(query.after->started_at);
      const std::string stage = add(Param(query.after->stage));
      sql += " AND (started_at, stage, ordinal) > (" + started + ", " + stage + ", " +
             add(Param(query.after->ordinal)) + ")";
    } else {
      const std::string stage = add(Param(query.after->stage));
      sql += " AND (stage, ordinal) > (" + stage + ", " + add(Param(query.after->ordinal)) + ")";
    }
  }
  sql += query.oldest_started_first ? " ORDER BY started_at, stage, ordinal" : " ORDER BY stage, ordinal";
  sql += " LIMIT " + add(Param(static_cast<int64_t>(std::min<size_t>(query.limit, INT64_MAX))));
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows, Exec(sql, params));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, ReadTasks(rows, StateName()));
  for (TaskRecord& t : tasks) out->push_back(std::move(t));
  return Status::OK();
}

Result<std::vector<TaskRecord>> PostgresRecords::QueryTasks(const TaskQuery& query) {
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

// From the counts the tasks' triggers keep (schema version 4), not a scan of the tasks.
Result<std::vector<TaskStateCount>> PostgresRecords::CountTaskStates(const std::string& migration) {
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Q("SELECT stage, state, tasks, size_bytes, rows_in, rows_out, dead_lettered, filtered "
                            "FROM task_counts WHERE migration = $1 AND tasks <> 0 ORDER BY stage, state",
                            migration));
  std::vector<TaskStateCount> out;
  for (const pqxx::row& q : rows) {
    auto state = ParseTaskState(Text(q[1]));
    if (!state.ok()) return Status::Corruption(StateName() + ": " + state.status().message());
    out.push_back(TaskStateCount{static_cast<int>(Int(q[0])), *state, Int(q[2]), Int(q[3]), Int(q[4]), Int(q[5]),
                                 Int(q[6]), Int(q[7])});
  }
  return out;
}

// ---------------------------------------------------------------- writing tasks

Result<bool> PostgresRecords::InsertTask(const TaskRecord& t) {
  Params p = {t.migration,       t.dataset_id, Param(t.ordinal), Param(t.stage), Param(t.wave),
              Param(t.priority), t.source_uri, t.source_format,  t.target_uri,   Param(t.size_bytes)};
  AppendProgress(t, &p);
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Exec(std::string("INSERT INTO tasks (") + kTaskColumns +
               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
               "$21, $22, $23, $24, $25) ON CONFLICT (migration, dataset_id) DO NOTHING RETURNING 1",
           p));
  return !rows.empty();
}

// One statement for the batch, as UpdateTasks: each column as a text array, cast back.
Result<std::vector<bool>> PostgresRecords::InsertTasks(const std::vector<TaskRecord>& tasks) {
  if (tasks.empty()) return std::vector<bool>{};
  constexpr int kTextColumns[] = {0, 1, 6, 7, 8, 10, 13, 15, 16, 17};  // the rest are BIGINT
  std::vector<std::vector<std::string>> cols(25);
  for (const TaskRecord& t : tasks) {
    Params p = {t.migration,       t.dataset_id, Param(t.ordinal), Param(t.stage), Param(t.wave),
                Param(t.priority), t.source_uri, t.source_format,  t.target_uri,   Param(t.size_bytes)};
    AppendProgress(t, &p);
    for (size_t k = 0; k < p.size(); ++k) cols[k].push_back(std::move(p[k]));
  }
  Params arrays;
  std::string unnest, select;
  for (size_t k = 0; k < cols.size(); ++k) {
    arrays.push_back(postgres_records::TextArray(cols[k]));
    const std::string n = std::to_string(k + 1);
    unnest += (k ? ", $" : "$") + n + "::text[]";
    const bool text =
        std::find(std::begin(kTextColumns), std::end(kTextColumns), static_cast<int>(k)) != std::end(kTextColumns);
    select += (k ? ", c" : "c") + n + (text ? "" : "::bigint");
  }
  std::string names;
  for (size_t k = 0; k < cols.size(); ++k) names += (k ? ", c" : "c") + std::to_string(k + 1);
  GAGGLE_ASSIGN_OR_RETURN(pqxx::result rows,
                          Exec(std::string("INSERT INTO tasks (") + kTaskColumns + ") SELECT " + select +
                                   " FROM unnest(" + unnest + ") WITH ORDINALITY AS u(" + names +
                                   ", n) ORDER BY n ON CONFLICT (migration, dataset_id) DO NOTHING "
                                   "RETURNING migration, dataset_id",
                               arrays));
  std::map<std::pair<std::string, std::string>, size_t> first;
  for (size_t i = 0; i < tasks.size(); ++i) first.emplace(std::make_pair(tasks[i].migration, tasks[i].dataset_id), i);
  std::vector<bool> inserted(tasks.size(), false);
  for (const pqxx::row& row : rows) inserted[first.at({Text(row[0]), Text(row[1])})] = true;
  return inserted;
}

Status PostgresRecords::RefreshTaskPlan(const TaskRecord& t) {
  // An unchanged plan writes nothing.
  return Q("UPDATE tasks SET ordinal = $3, stage = $4, wave = $5, priority = $6, source_uri = $7, "
           "source_format = $8, target_uri = $9, size_bytes = $10 WHERE migration = $1 AND dataset_id = $2 AND "
           "NOT (ordinal = $3 AND stage = $4 AND wave = $5 AND priority = $6 AND source_uri = $7 AND "
           "source_format = $8 AND target_uri = $9 AND size_bytes = $10)",
           t.migration, t.dataset_id, t.ordinal, t.stage, t.wave, t.priority, t.source_uri, t.source_format,
           t.target_uri, t.size_bytes)
      .status();
}

Result<bool> PostgresRecords::UpdateTask(const TaskRecord& r, TaskState expected) {
  Params p = {r.migration, r.dataset_id};
  AppendProgress(r, &p);
  p.push_back(TaskStateName(expected));
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Exec("UPDATE tasks SET state = $3, attempts = $4, next_attempt_ms = $5, runner = $6, lease_expires_ms = $7, "
           "started_at = $8, finished_at = $9, last_error = $10, skipped = $11, rows_in = $12, rows_out = $13, "
           "dead_lettered = $14, filtered = $15, bytes_out = $16, duration_ms = $17 "
           "WHERE migration = $1 AND dataset_id = $2 AND state = $18 RETURNING 1",
           p));
  return !rows.empty();
}

// One statement for the batch: the progress columns travel as text arrays, one element
// per task, and each row is cast back to its column's type; the run lease is a condition
// of the same statement. The expected state is compared with IS NOT DISTINCT FROM, which
// no index serves: with `=` the planner may walk tasks_by_state (migration, state) and
// filter every pending task by dataset, for each row of the batch (5 ms per batch of 20
// at 10,000 tasks, growing with the estate), instead of one primary-key lookup per row.
Result<std::vector<bool>> PostgresRecords::UpdateTasks(const std::vector<std::pair<TaskRecord, TaskState>>& updates,
                                                       const std::string& lease_holder) {
  if (updates.size() <= 1 && lease_holder.empty()) {
    if (updates.empty()) return std::vector<bool>{};
    GAGGLE_ASSIGN_OR_RETURN(bool moved, UpdateTask(updates[0].first, updates[0].second));
    return std::vector<bool>{moved};
  }
  // An UPDATE ... FROM writes a row once even when two batch rows name it: refused.
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < updates.size(); ++i) index[{updates[i].first.migration, updates[i].first.dataset_id}] = i;
  if (index.size() != updates.size()) {
    return Status::InvalidArgument(StateName() + ": a batch of task updates names one task twice");
  }
  std::vector<std::vector<std::string>> cols(18);
  for (const auto& [r, expected] : updates) {
    Params p = {r.migration, r.dataset_id};
    AppendProgress(r, &p);
    p.push_back(TaskStateName(expected));
    for (size_t k = 0; k < p.size(); ++k) cols[k].push_back(std::move(p[k]));
  }
  Params arrays;
  for (const auto& c : cols) arrays.push_back(postgres_records::TextArray(c));
  arrays.push_back(lease_holder);
  GAGGLE_ASSIGN_OR_RETURN(
      pqxx::result rows,
      Exec("UPDATE tasks t SET state = u.s, attempts = u.a::bigint, next_attempt_ms = u.na::bigint, runner = u.r, "
           "lease_expires_ms = u.le::bigint, started_at = u.st, finished_at = u.fi, last_error = u.er, "
           "skipped = u.sk::bigint, rows_in = u.ri::bigint, rows_out = u.ro::bigint, dead_lettered = u.dl::bigint, "
           "filtered = u.fl::bigint, bytes_out = u.bo::bigint, duration_ms = u.du::bigint "
           "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
           "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
           "$16::text[], $17::text[], $18::text[]) AS u(m, d, s, a, na, r, le, st, fi, er, sk, ri, ro, dl, fl, bo, du, "
           "ex) WHERE t.migration = u.m AND t.dataset_id = u.d AND t.state IS NOT DISTINCT FROM u.ex "
           "AND ($19 = '' OR EXISTS (SELECT 1 FROM runs r WHERE r.migration = t.migration AND r.runner = $19)) "
           "RETURNING t.migration, t.dataset_id",
           arrays));
  std::vector<bool> moved(updates.size(), false);
  for (const pqxx::row& row : rows) moved[index.at({Text(row[0]), Text(row[1])})] = true;
  return moved;
}

}  // namespace gaggle
