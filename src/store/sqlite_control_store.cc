#include "store/sqlite_control_store.h"

#include <algorithm>
#include <tuple>

#include "store/sqlite_schema.h"
#include "store/state_store.h"
#include "store/task_columns.h"

namespace gaggle {

using sqlite_records::ResetOnExit;

namespace {

constexpr const char* kTokenColumns = "token_id, name, role, hash, created_at, created_by, revoked_at, revoked_by";
constexpr const char* kLinkColumns =
    "link_id, migration, stage, role, gate_reason, created_at, expires_ms, used_at, used_by, use_reason";
// Task columns plus the catalog's owner and tier (LEFT JOIN: a dataset may have left the catalog).
const std::string& TaskRowColumns() {
  static const std::string columns = TaskColumnsOf("t") + ", COALESCE(e.owner, ''), COALESCE(e.tier, '')";
  return columns;
}

std::string Where(const std::string& path) { return "state file '" + path + "'"; }

Result<ApiToken> ReadToken(const SqliteStatement& q, const std::string& path) {
  ApiToken t;
  t.id = q.Text(0);
  t.name = q.Text(1);
  auto role = ParseRole(q.Text(2));
  if (!role.ok()) return Status::Corruption(Where(path) + ": token '" + t.id + "': " + role.status().message());
  t.role = *role;
  t.hash = q.Text(3);
  t.created_at = q.Text(4);
  t.created_by = q.Text(5);
  t.revoked_at = q.Text(6);
  t.revoked_by = q.Text(7);
  return t;
}

Result<ApprovalLink> ReadLinkRow(const SqliteStatement& q, const std::string& path) {
  ApprovalLink l;
  l.id = q.Text(0);
  l.migration = q.Text(1);
  l.stage = static_cast<int>(q.Int(2));
  auto role = ParseRole(q.Text(3));
  if (!role.ok()) return Status::Corruption(Where(path) + ": approval '" + l.id + "': " + role.status().message());
  l.role = *role;
  l.gate_reason = q.Text(4);
  l.created_at = q.Text(5);
  l.expires_ms = q.Int(6);
  l.used_at = q.Text(7);
  l.used_by = q.Text(8);
  l.use_reason = q.Text(9);
  return l;
}

Result<TaskRow> ReadTaskRow(const SqliteStatement& q, const std::string& path) {
  TaskRow row;
  GAGGLE_ASSIGN_OR_RETURN(
      row.task, ReadTaskColumns([&](int i) { return q.Text(i); }, [&](int i) { return q.Int(i); }, Where(path)));
  row.owner = q.Text(kTaskColumnCount);
  row.tier = q.Text(kTaskColumnCount + 1);
  return row;
}

// The filters the SQL does not apply (they need the joined catalog row or a substring).
bool MatchesRest(const TaskPageQuery& q, const TaskRow& row) {
  if (q.wave >= 0 && row.task.wave != q.wave) return false;
  if (!q.owner.empty() && row.owner != q.owner) return false;
  if (!q.tier.empty() && row.tier != q.tier) return false;
  if (!q.text.empty() && row.task.dataset_id.find(q.text) == std::string::npos) return false;
  return true;
}

// The approval link `id` as `db` sees it (the writer's transaction or a reader's snapshot).
Result<std::optional<ApprovalLink>> ReadLink(SqliteDb* db, const std::string& id, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(
      auto q, db->Prepare(std::string("SELECT ") + kLinkColumns + " FROM approval_links WHERE link_id = ?"));
  q.Bind(1, id);
  GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<ApprovalLink>();
  GAGGLE_ASSIGN_OR_RETURN(ApprovalLink l, ReadLinkRow(q, path));
  return std::optional<ApprovalLink>(std::move(l));
}

}  // namespace

Result<std::unique_ptr<SqliteControlStore>> SqliteControlStore::Open(const std::string& path, int busy_timeout_ms,
                                                                     size_t read_connections) {
  if (path.empty()) return Status::InvalidArgument("state path is empty");
  GAGGLE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, busy_timeout_ms));
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL"));
  GAGGLE_RETURN_IF_ERROR(ApplySqliteMigrations(db.get(), NowIso8601()).status());
  SqliteReaderPool::Options pool;
  pool.max_connections = read_connections;
  pool.busy_timeout_ms = busy_timeout_ms;
  return std::unique_ptr<SqliteControlStore>(new SqliteControlStore(std::move(db), path, pool));
}

// ---------------------------------------------------------------- tokens

Status SqliteControlStore::InsertToken(const ApiToken& t) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(auto dup, db_->Prepare("SELECT token_id FROM api_tokens WHERE name = ? AND revoked_at = ''"));
  dup.Bind(1, t.name);
  GAGGLE_ASSIGN_OR_RETURN(bool exists, dup.Step());
  if (exists) {
    return Status::AlreadyExists("a valid token named '" + t.name + "' exists (" + dup.Text(0) +
                                 "); revoke it first or choose another name");
  }
  dup.Reset();
  GAGGLE_ASSIGN_OR_RETURN(auto ins, db_->Prepare(std::string("INSERT INTO api_tokens (") + kTokenColumns +
                                                 ") VALUES (?, ?, ?, ?, ?, ?, '', '')"));
  ins.Bind(1, t.id)
      .Bind(2, t.name)
      .Bind(3, RoleName(t.role))
      .Bind(4, t.hash)
      .Bind(5, t.created_at)
      .Bind(6, t.created_by);
  GAGGLE_RETURN_IF_ERROR(ins.Run());
  return tx->Commit();
}

Result<std::optional<ApiToken>> SqliteControlStore::FindTokenByHash(const std::string& hash) {
  std::optional<ApiToken> found;
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    found.reset();
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, c.records().Cached(std::string("SELECT ") + kTokenColumns +
                                                                    " FROM api_tokens WHERE hash = ?"));
    ResetOnExit reset(q);
    q->Bind(1, hash);
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return Status::OK();
    GAGGLE_ASSIGN_OR_RETURN(ApiToken t, ReadToken(*q, path_));
    found = std::move(t);
    return Status::OK();
  }));
  return found;
}

Result<std::vector<ApiToken>> SqliteControlStore::ListTokens() {
  std::vector<ApiToken> out;
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    out.clear();
    GAGGLE_ASSIGN_OR_RETURN(auto q, c.db()->Prepare(std::string("SELECT ") + kTokenColumns +
                                                    " FROM api_tokens ORDER BY created_at, token_id"));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      GAGGLE_ASSIGN_OR_RETURN(ApiToken t, ReadToken(q, path_));
      out.push_back(std::move(t));
    }
    return Status::OK();
  }));
  return out;
}

Result<ApiToken> SqliteControlStore::RevokeToken(const std::string& id_or_name, const std::string& time,
                                                 const std::string& actor) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(auto upd, db_->Prepare(std::string("UPDATE api_tokens SET revoked_at = ?1, revoked_by = ?2 "
                                                             "WHERE (token_id = ?3 OR name = ?3) AND revoked_at = '' "
                                                             "RETURNING ") +
                                                 kTokenColumns));
  upd.Bind(1, time).Bind(2, actor).Bind(3, id_or_name);
  GAGGLE_ASSIGN_OR_RETURN(bool row, upd.Step());
  if (!row) return Status::NotFound("no valid token with id or name '" + id_or_name + "' in " + Where(path_));
  GAGGLE_ASSIGN_OR_RETURN(ApiToken t, ReadToken(upd, path_));
  upd.Reset();
  GAGGLE_RETURN_IF_ERROR(tx->Commit());
  return t;
}

// ---------------------------------------------------------------- approval links

Status SqliteControlStore::InsertApprovalLink(const ApprovalLink& l) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto ins, db_->Prepare(std::string("INSERT INTO approval_links (") + kLinkColumns +
                                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, '', '', '')"));
  ins.Bind(1, l.id)
      .Bind(2, l.migration)
      .Bind(3, static_cast<int64_t>(l.stage))
      .Bind(4, RoleName(l.role))
      .Bind(5, l.gate_reason)
      .Bind(6, l.created_at)
      .Bind(7, l.expires_ms);
  return ins.Run();
}

Result<std::optional<ApprovalLink>> SqliteControlStore::FindApprovalLink(const std::string& id) {
  std::optional<ApprovalLink> found;
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(found, ReadLink(c.db(), id, path_));
    return Status::OK();
  }));
  return found;
}

Result<std::vector<ApprovalLink>> SqliteControlStore::ListApprovalLinks(const std::string& migration, size_t limit) {
  std::vector<ApprovalLink> out;
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    out.clear();
    GAGGLE_ASSIGN_OR_RETURN(auto q, c.db()->Prepare(std::string("SELECT ") + kLinkColumns +
                                                    " FROM approval_links WHERE ?1 = '' OR migration = ?1 "
                                                    "ORDER BY created_at DESC, link_id LIMIT ?2"));
    q.Bind(1, migration).Bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    while (true) {
      GAGGLE_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      GAGGLE_ASSIGN_OR_RETURN(ApprovalLink l, ReadLinkRow(q, path_));
      out.push_back(std::move(l));
    }
    return Status::OK();
  }));
  return out;
}

Result<ApprovalLink> SqliteControlStore::MarkApprovalUsed(const std::string& id, int64_t now_ms,
                                                          const std::string& time, const std::string& actor,
                                                          const std::string& reason) {
  MutexLock lock(&mu_);
  GAGGLE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_.get()));
  GAGGLE_ASSIGN_OR_RETURN(std::optional<ApprovalLink> link, ReadLink(db_.get(), id, path_));
  if (!link) return Status::NotFound("no approval '" + id + "' in " + Where(path_));
  if (link->used()) {
    return Status::Conflict("approval '" + id + "' was used by " + link->used_by + " at " + link->used_at);
  }
  if (now_ms >= link->expires_ms) return Status::InvalidArgument("approval '" + id + "' has expired");
  GAGGLE_ASSIGN_OR_RETURN(auto upd, db_->Prepare("UPDATE approval_links SET used_at = ?, used_by = ?, use_reason = ? "
                                                 "WHERE link_id = ? AND used_at = ''"));
  upd.Bind(1, time).Bind(2, actor).Bind(3, reason).Bind(4, id);
  GAGGLE_RETURN_IF_ERROR(upd.Run());
  GAGGLE_RETURN_IF_ERROR(tx->Commit());
  link->used_at = time;
  link->used_by = actor;
  link->use_reason = reason;
  return *link;
}

// ---------------------------------------------------------------- task pages

Status SqliteControlStore::ScanTasks(SqliteReaderPool::Connection& c, const TaskPageQuery& q, const TaskState* state,
                                     std::vector<TaskRow>* rows, bool* stopped_early, int* last_stage,
                                     int64_t* last_ordinal, int64_t* scanned) {
  // The SQL narrows by the indexed columns (migration, state, stage; the cursor as a row
  // value); the rest is filtered here, examining at most max_scan rows.
  // With one stage asked for, the cursor is an ordinal within it: a row-value range
  // next to `stage = ?` made SQLite sort every match past the cursor (2 s at 1,000,000
  // tasks) instead of walking the index in order.
  if (q.stage >= 0 && q.after_stage > q.stage) {
    *stopped_early = false;
    return Status::OK();
  }
  std::string sql =
      "SELECT " + TaskRowColumns() + " FROM tasks t LEFT JOIN entities e ON e.id = t.dataset_id WHERE t.migration = ?1";
  sql += q.stage >= 0 ? " AND t.stage = ?5 AND t.ordinal > ?3" : " AND (t.stage, t.ordinal) > (?2, ?3)";
  if (state) sql += " AND t.state = ?4";
  if (q.wave >= 0 && !state && q.stage < 0) sql += " AND t.wave = ?6";
  sql += " ORDER BY t.stage, t.ordinal LIMIT ?7";
  // At most eight shapes of the statement: prepared once per read connection.
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * stmt, c.records().Cached(sql));
  ResetOnExit reset(stmt);
  SqliteStatement& s = *stmt;
  const int64_t after_ordinal = q.stage >= 0 && q.after_stage < q.stage ? -1 : q.after_ordinal;
  s.Bind(1, q.migration).Bind(3, after_ordinal);
  if (q.stage < 0) s.Bind(2, static_cast<int64_t>(q.after_stage));
  if (state) s.Bind(4, TaskStateName(*state));
  if (q.stage >= 0) s.Bind(5, static_cast<int64_t>(q.stage));
  if (q.wave >= 0 && !state && q.stage < 0) s.Bind(6, static_cast<int64_t>(q.wave));
  s.Bind(7, static_cast<int64_t>(q.max_scan));
  size_t examined = 0, matched = 0;
  while (matched < q.limit) {
    GAGGLE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      // The end of the matching tasks, or the scan bound (more may follow).
      *stopped_early = examined >= q.max_scan;
      return Status::OK();
    }
    GAGGLE_ASSIGN_OR_RETURN(TaskRow r, ReadTaskRow(s, path_));
    ++examined;
    ++*scanned;
    *last_stage = r.task.stage;
    *last_ordinal = r.task.ordinal;
    if (MatchesRest(q, r)) {
      rows->push_back(std::move(r));
      ++matched;
    }
  }
  *stopped_early = true;  // a full page: more may follow
  return Status::OK();
}

Result<TaskQueryPage> SqliteControlStore::QueryTasks(const TaskPageQuery& query) {
  if (query.limit == 0) return Status::InvalidArgument("task page limit must be at least 1");
  TaskQueryPage page;
  std::vector<TaskRow> rows;
  // Each state's scan is complete up to where it stopped; the merged page is exact up
  // to the smallest such position (the horizon).
  bool any_stopped = false;
  std::tuple<int, int64_t> horizon{INT32_MAX, INT64_MAX};
  std::vector<TaskState> states = query.states;
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  // Every state's scan in one read transaction: the merged page is one snapshot.
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    rows.clear();
    page.scanned = 0;
    any_stopped = false;
    horizon = {INT32_MAX, INT64_MAX};
    auto scan = [&](const TaskState* state) -> Status {
      bool stopped = false;
      int last_stage = -1;
      int64_t last_ordinal = -1;
      GAGGLE_RETURN_IF_ERROR(ScanTasks(c, query, state, &rows, &stopped, &last_stage, &last_ordinal, &page.scanned));
      if (stopped) {
        any_stopped = true;
        horizon = std::min(horizon, std::make_tuple(last_stage, last_ordinal));
      }
      return Status::OK();
    };
    if (states.empty()) return scan(nullptr);
    for (TaskState s : states) GAGGLE_RETURN_IF_ERROR(scan(&s));
    return Status::OK();
  }));
  AssembleTaskPage(std::move(rows), query.limit, any_stopped, horizon, &page);
  return page;
}

Result<int64_t> SqliteControlStore::LastEventSeq() {
  int64_t seq = 0;
  GAGGLE_RETURN_IF_ERROR(readers_.Read([&](SqliteReaderPool::Connection& c) -> Status {
    GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * q, c.records().Cached("SELECT COALESCE(MAX(seq), 0) FROM events"));
    ResetOnExit reset(q);
    GAGGLE_ASSIGN_OR_RETURN(bool row, q->Step());
    seq = row ? q->Int(0) : 0;
    return Status::OK();
  }));
  return seq;
}

}  // namespace gaggle
