#include "store/postgres_control_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <tuple>

#include "common/clock.h"
#include "common/iso8601.h"
#include "store/postgres_records.h"
#include "store/postgres_schema.h"
#include "store/postgres_url.h"
#include "store/task_columns.h"

namespace gaggle {

using postgres_records::Int;
using postgres_records::OneLine;
using postgres_records::Text;

namespace {

constexpr const char* kTokenColumns = "token_id, name, role, hash, created_at, created_by, revoked_at, revoked_by";
constexpr const char* kLinkColumns =
    "link_id, migration, stage, role, gate_reason, created_at, expires_ms, used_at, used_by, use_reason";
// A task page's columns: the task's, then its dataset's owner and tier (LEFT JOIN: a
// dataset may have left the catalog).
const std::string& TaskRowColumns() {
  static const std::string columns = TaskColumnsOf("t") + ", COALESCE(e.owner, ''), COALESCE(e.tier, '')";
  return columns;
}
// Tasks examined per statement when filters beyond the indexes apply (owner, tier, text):
// enough that a sparse filter costs a few round trips, not one per task.
constexpr size_t kScanBatch = 1000;

std::string Where(const std::string& location) { return "state '" + location + "'"; }

Result<ApiToken> ReadToken(const pqxx::row& q, const std::string& location) {
  ApiToken t;
  t.id = Text(q[0]);
  t.name = Text(q[1]);
  auto role = ParseRole(Text(q[2]));
  if (!role.ok()) return Status::Corruption(Where(location) + ": token '" + t.id + "': " + role.status().message());
  t.role = *role;
  t.hash = Text(q[3]);
  t.created_at = Text(q[4]);
  t.created_by = Text(q[5]);
  t.revoked_at = Text(q[6]);
  t.revoked_by = Text(q[7]);
  return t;
}

Result<ApprovalLink> ReadLink(const pqxx::row& q, const std::string& location) {
  ApprovalLink l;
  l.id = Text(q[0]);
  l.migration = Text(q[1]);
  l.stage = static_cast<int>(Int(q[2]));
  auto role = ParseRole(Text(q[3]));
  if (!role.ok()) return Status::Corruption(Where(location) + ": approval '" + l.id + "': " + role.status().message());
  l.role = *role;
  l.gate_reason = Text(q[4]);
  l.created_at = Text(q[5]);
  l.expires_ms = Int(q[6]);
  l.used_at = Text(q[7]);
  l.used_by = Text(q[8]);
  l.use_reason = Text(q[9]);
  return l;
}

Result<TaskRow> ReadTaskRow(const pqxx::row& q, const std::string& location) {
  TaskRow row;
  GAGGLE_ASSIGN_OR_RETURN(
      row.task, ReadTaskColumns([&](int i) { return Text(q[i]); }, [&](int i) { return Int(q[i]); }, Where(location)));
  row.owner = Text(q[kTaskColumnCount]);
  row.tier = Text(q[kTaskColumnCount + 1]);
  return row;
}

// Whether a scan's SQL filters by wave (when it is the only indexed filter: an index on
// (migration, wave, stage, ordinal) answers it in plan order), and whether any filter is
// is left that no index answers (the batch query matches those over numbered rows).
bool WaveInSql(const TaskPageQuery& q, bool has_state) { return q.wave >= 0 && !has_state && q.stage < 0; }
bool FiltersBeyondIndexes(const TaskPageQuery& q, bool has_state) {
  return !q.owner.empty() || !q.tier.empty() || !q.text.empty() || (q.wave >= 0 && !WaveInSql(q, has_state));
}

// Where one state's scan of a task page stopped.
struct ScanEnd {
  bool stopped_early = false;  // more tasks may match past (stage, ordinal)
  int stage = -1;
  int64_t ordinal = -1;
};

// Scans one state's tasks (every state's when `state` is null) with SqliteControlStore's
// semantics: the tasks after the cursor in plan order that the indexed columns select
// (migration, state, stage, and wave when it is the only indexed filter; the cursor as a
// row value, or an ordinal within the one stage asked for) are examined one by one, at
// most max_scan of them, until the page is full; the other filters (owner, tier, text, a
// wave next to a state or stage) decide which examined tasks match. They are read in
// batches after a moving cursor, and the other filters run in the batch's SQL over the
// tasks numbered in plan order, so only the matches cross the wire (and where the
// scan got to).
Result<ScanEnd> ScanTasks(pqxx::transaction_base& tx, const TaskPageQuery& q, const TaskState* state,
                          const std::string& location, std::vector<TaskRow>* rows, int64_t* scanned) {
  ScanEnd end;
  if (q.stage >= 0 && q.after_stage > q.stage) return end;
  const bool wave_in_sql = WaveInSql(q, state != nullptr);
  const bool filters_here = FiltersBeyondIndexes(q, state != nullptr);
  int cursor_stage = q.after_stage;
  int64_t cursor_ordinal = q.stage >= 0 && q.after_stage < q.stage ? -1 : q.after_ordinal;
  size_t examined = 0, matched = 0;
  while (matched < q.limit) {
    if (examined >= q.max_scan) {
      end.stopped_early = true;  // the scan bound: more may follow
      return end;
    }
    const size_t want =
        std::min(q.max_scan - examined, filters_here ? std::max(kScanBatch, q.limit - matched) : q.limit - matched);
    std::vector<std::string> params = {q.migration};
    auto param = [&](std::string v) {
      params.push_back(std::move(v));
      return "$" + std::to_string(params.size());
    };
    std::string where = " WHERE t.migration = $1";
    if (q.stage >= 0) {
      where += " AND t.stage = " + param(std::to_string(q.stage));
      where += " AND t.ordinal > " + param(std::to_string(cursor_ordinal));
    } else {
      const std::string s = param(std::to_string(cursor_stage));
      where += " AND (t.stage, t.ordinal) > (" + s + ", " + param(std::to_string(cursor_ordinal)) + ")";
    }
    if (state) where += " AND t.state = " + param(TaskStateName(*state));
    if (wave_in_sql) where += " AND t.wave = " + param(std::to_string(q.wave));
    const std::string limit = " ORDER BY t.stage, t.ordinal LIMIT " + param(std::to_string(want));
    std::string sql;
    if (!filters_here) {
      sql = "SELECT " + TaskRowColumns() + " FROM tasks t LEFT JOIN entities e ON e.id = t.dataset_id" + where + limit;
    } else {
      // The rest of the filters in SQL too, over the batch's tasks numbered in plan order
      // (n of total): only the matches and the batch's last task (where the scan got to)
      // come back, and a text filter is applied before the catalog is joined.
      std::string match = "TRUE";
      if (q.wave >= 0 && !wave_in_sql) match += " AND t.wave = " + param(std::to_string(q.wave));
      if (!q.owner.empty()) match += " AND COALESCE(e.owner, '') = " + param(q.owner);
      if (!q.tier.empty()) match += " AND COALESCE(e.tier, '') = " + param(q.tier);
      if (!q.text.empty()) match += " AND strpos(t.dataset_id, " + param(q.text) + ") > 0";
      sql = "SELECT " + TaskRowColumns() + ", t.n, t.total, (" + match +
            ") FROM (SELECT s.*, row_number() OVER (ORDER BY s.stage, s.ordinal) AS n, count(*) OVER () AS total "
            "FROM (SELECT * FROM tasks t" +
            where + limit + ") s) t LEFT JOIN entities e ON e.id = t.dataset_id WHERE (" + match +
            ") OR t.n = t.total ORDER BY t.n";
    }
    const pqxx::result batch = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    const size_t base = examined;
    size_t total = filters_here ? 0 : batch.size(), i = 0;
    for (const pqxx::row& r : batch) {
      GAGGLE_ASSIGN_OR_RETURN(TaskRow row, ReadTaskRow(r, location));
      ++i;
      examined = base + (filters_here ? static_cast<size_t>(Int(r[27])) : i);
      if (filters_here) total = static_cast<size_t>(Int(r[28]));
      end.stage = cursor_stage = row.task.stage;
      end.ordinal = cursor_ordinal = row.task.ordinal;
      if (!filters_here || r[29].as<bool>()) {
        rows->push_back(std::move(row));
        if (++matched >= q.limit) break;
      }
    }
    *scanned += static_cast<int64_t>(examined - base);
    if (matched < q.limit && total < want) return end;  // the end of the matching tasks
  }
  end.stopped_early = true;  // a full page: more may follow
  return end;
}

}  // namespace

PostgresControlStore::PostgresControlStore(std::string url, const Options& options)
    : url_(std::move(url)), location_(RedactPostgresUrl(url_)), options_(options) {}

PostgresControlStore::~PostgresControlStore() = default;

Result<std::unique_ptr<PostgresControlStore>> PostgresControlStore::Open(const std::string& url,
                                                                         const Options& options) {
  if (!IsPostgresUrl(url)) {
    return Status::InvalidArgument("state '" + RedactPostgresUrl(url) +
                                   "' is not a PostgreSQL URL (postgres://... or postgresql://...)");
  }
  std::unique_ptr<PostgresControlStore> store(new PostgresControlStore(url, options));
  GAGGLE_ASSIGN_OR_RETURN(auto conn, store->Connect());
  auto version = ApplyPostgresMigrations(*conn, store->location_, Iso8601Millis(Clock::System()->NowMicros()));
  if (!version.ok()) {
    const Status& st = version.status();
    return Status(st.code(), ScrubPostgresPasswords(st.message(), url), st.retryable());
  }
  {
    MutexLock lock(&store->mu_);
    ++store->open_;
  }
  store->Give(std::move(conn));
  return store;
}

Result<std::unique_ptr<pqxx::connection>> PostgresControlStore::Connect() const {
  try {
    auto conn = std::make_unique<pqxx::connection>(url_);
    pqxx::nontransaction session(*conn);
    session.exec("SET lock_timeout = " + std::to_string(std::max(options_.busy_timeout_ms, 1)));
    session.commit();
    return conn;
  } catch (const std::exception& e) {
    return Status::IOError("cannot connect to state '" + location_ +
                           "': " + ScrubPostgresPasswords(OneLine(e.what()), url_));
  }
}

Result<std::unique_ptr<pqxx::connection>> PostgresControlStore::Take() {
  {
    MutexLock lock(&mu_);
    const size_t max = std::max<size_t>(options_.max_connections, 1);
    while (idle_.empty() && open_ >= max) freed_.Wait(&mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;  // reserve the slot, then connect outside the lock
  }
  auto conn = Connect();
  if (!conn.ok()) Give(nullptr);
  return conn;
}

void PostgresControlStore::Give(std::unique_ptr<pqxx::connection> conn) {
  {
    MutexLock lock(&mu_);
    if (conn != nullptr && conn->is_open()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  freed_.Signal();
}

Status PostgresControlStore::Error(const std::exception& ex, const std::string& what, bool* broken,
                                   bool* retry_safe) const {
  const std::string where = Where(location_) + ": " + what;
  const std::string msg = ScrubPostgresPasswords(OneLine(ex.what()), url_);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&ex) != nullptr) {
    *broken = true;
    return Status::IOError(where + ": the connection broke during COMMIT; the change may or may not have been made (" +
                           msg + ")");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&ex) != nullptr) {
    *broken = *retry_safe = true;
    return Status::IOError(where + ": lost the connection to the server (" + msg + ")");
  }
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&ex);
  const std::string state = sql != nullptr ? sql->sqlstate() : "";
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
    *broken = *retry_safe = true;
    return Status::IOError(where + ": lost the connection to the server (" + msg + ")");
  }
  if (state == "55P03" || state == "57014") {
    return Status::IOError(where + ": waited too long for a lock held by another process (" + msg + ")");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&ex) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&ex) != nullptr || state == "40001" || state == "40P01") {
    return Status::IOError(where + ": conflicts with a concurrent transaction (" + msg + ")");
  }
  if (state.rfind("23", 0) == 0) return Status::Conflict(where + " violates a constraint (" + msg + ")");
  if (state.rfind("53", 0) == 0) return Status::IOError(where + ": the server is out of resources (" + msg + ")");
  return Status::Internal(where + " failed (" + msg + ")");
}

Status PostgresControlStore::RunOnce(Mode mode, const std::string& what, const Body& body, bool* again) {
  *again = false;
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> conn, Take());
  Status st;
  bool broken = false;
  try {
    // Reads what the server sent since the connection was last used (no round trip): a
    // connection the server ended is noticed here, before a statement runs on it.
    // libpqxx 6.4 leaks the result of a statement that finds its connection dead (it asks
    // the dead connection for its encoding before taking ownership of the result).
    conn->get_notifs();
    if (mode == Mode::kReadOne) {
      pqxx::nontransaction tx(*conn);  // one statement: its own snapshot, one round trip
      st = body(tx);
    } else if (mode == Mode::kRead) {
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn);
      st = body(tx);
      if (st.ok()) tx.commit();
    } else {
      pqxx::work tx(*conn);
      st = body(tx);
      if (st.ok()) tx.commit();
    }
  } catch (const std::exception& e) {
    st = Error(e, what, &broken, again);
  }
  if (broken) {
    // The server went away (a restart, a terminated backend): the idle connections most
    // likely went with it, so they are dropped too rather than failing one call each.
    conn.reset();
    {
      MutexLock lock(&mu_);
      open_ -= idle_.size();
      idle_.clear();
    }
    freed_.SignalAll();  // every freed slot may serve a waiting caller
  }
  Give(std::move(conn));
  return st;
}

Status PostgresControlStore::Run(Mode mode, const std::string& what, const Body& body) {
  bool again = false;
  Status st = RunOnce(mode, what, body, &again);
  if (st.ok() || !again) return st;
  // The connection was lost before COMMIT (nothing was written): once more, on a new one.
  return RunOnce(mode, what, body, &again);
}

// ---------------------------------------------------------------- tokens

Status PostgresControlStore::InsertToken(const ApiToken& t) {
  auto exists = [&t](const std::string& id) {
    return Status::AlreadyExists("a valid token named '" + t.name + "' exists" + (id.empty() ? "" : " (" + id + ")") +
                                 "; revoke it first or choose another name");
  };
  Status st = Run(Mode::kWrite, "creating token '" + t.name + "'", [&](pqxx::transaction_base& tx) -> Status {
    const pqxx::result dup =
        tx.exec_params("SELECT token_id FROM api_tokens WHERE name = $1 AND revoked_at = ''", t.name);
    if (!dup.empty()) return exists(Text(dup[0][0]));
    tx.exec_params(
        std::string("INSERT INTO api_tokens (") + kTokenColumns + ") VALUES ($1, $2, $3, $4, $5, $6, '', '')", t.id,
        t.name, std::string(RoleName(t.role)), t.hash, t.created_at, t.created_by);
    return Status::OK();
  });
  // Two creates of one name at once: the partial unique index refuses the second.
  if (st.code() == StatusCode::kConflict) return exists("");
  return st;
}

Result<std::optional<ApiToken>> PostgresControlStore::FindTokenByHash(const std::string& hash) {
  std::optional<ApiToken> found;
  GAGGLE_RETURN_IF_ERROR(Run(Mode::kReadOne, "finding a token", [&](pqxx::transaction_base& tx) -> Status {
    found.reset();
    const pqxx::result rows =
        tx.exec_params(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE hash = $1", hash);
    if (rows.empty()) return Status::OK();
    GAGGLE_ASSIGN_OR_RETURN(ApiToken t, ReadToken(rows[0], location_));
    found = std::move(t);
    return Status::OK();
  }));
  return found;
}

Result<std::vector<ApiToken>> PostgresControlStore::ListTokens() {
  std::vector<ApiToken> out;
  GAGGLE_RETURN_IF_ERROR(Run(Mode::kReadOne, "listing tokens", [&](pqxx::transaction_base& tx) -> Status {
    out.clear();
    const pqxx::result rows =
        tx.exec(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY created_at, token_id");
    for (const pqxx::row& r : rows) {
      GAGGLE_ASSIGN_OR_RETURN(ApiToken t, ReadToken(r, location_));
      out.push_back(std::move(t));
    }
    return Status::OK();
  }));
  return out;
}

Result<ApiToken> PostgresControlStore::RevokeToken(const std::string& id_or_name, const std::string& time,
                                                   const std::string& actor) {
  ApiToken revoked;
  GAGGLE_RETURN_IF_ERROR(
      Run(Mode::kWrite, "revoking token '" + id_or_name + "'", [&](pqxx::transaction_base& tx) -> Status {
        const pqxx::result rows = tx.exec_params(std::string("UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 "
                                                             "WHERE (token_id = $3 OR name = $3) AND revoked_at = '' "
                                                             "RETURNING ") +
                                                     kTokenColumns,
                                                 time, actor, id_or_name);
        if (rows.empty()) {
          return Status::NotFound("no valid token with id or name '" + id_or_name + "' in " + Where(location_));
        }
        GAGGLE_ASSIGN_OR_RETURN(revoked, ReadToken(rows[0], location_));
        return Status::OK();
      }));
  return revoked;
}

// ---------------------------------------------------------------- approval links

Status PostgresControlStore::InsertApprovalLink(const ApprovalLink& l) {
  return Run(Mode::kWrite, "recording approval '" + l.id + "'", [&](pqxx::transaction_base& tx) -> Status {
    tx.exec_params(std::string("INSERT INTO approval_links (") + kLinkColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', '')",
                   l.id, l.migration, static_cast<int64_t>(l.stage), std::string(RoleName(l.role)), l.gate_reason,
                   l.created_at, l.expires_ms);
    return Status::OK();
  });
}

Result<std::optional<ApprovalLink>> PostgresControlStore::FindApprovalLink(const std::string& id) {
  std::optional<ApprovalLink> found;
  GAGGLE_RETURN_IF_ERROR(
      Run(Mode::kReadOne, "reading approval '" + id + "'", [&](pqxx::transaction_base& tx) -> Status {
        found.reset();
        const pqxx::result rows =
            tx.exec_params(std::string("SELECT ") + kLinkColumns + " FROM approval_links WHERE link_id = $1", id);
        if (rows.empty()) return Status::OK();
        GAGGLE_ASSIGN_OR_RETURN(ApprovalLink l, ReadLink(rows[0], location_));
        found = std::move(l);
        return Status::OK();
      }));
  return found;
}

Result<std::vector<ApprovalLink>> PostgresControlStore::ListApprovalLinks(const std::string& migration, size_t limit) {
  std::vector<ApprovalLink> out;
  GAGGLE_RETURN_IF_ERROR(Run(Mode::kReadOne, "listing approvals", [&](pqxx::transaction_base& tx) -> Status {
    out.clear();
    const pqxx::result rows = tx.exec_params(std::string("SELECT ") + kLinkColumns +
                                                 " FROM approval_links WHERE $1 = '' OR migration = $1 "
                                                 "ORDER BY created_at DESC, link_id LIMIT $2",
                                             migration, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    for (const pqxx::row& r : rows) {
      GAGGLE_ASSIGN_OR_RETURN(ApprovalLink l, ReadLink(r, location_));
      out.push_back(std::move(l));
    }
    return Status::OK();
  }));
  return out;
}

Result<ApprovalLink> PostgresControlStore::MarkApprovalUsed(const std::string& id, int64_t now_ms,
                                                            const std::string& time, const std::string& actor,
                                                            const std::string& reason) {
  ApprovalLink link;
  GAGGLE_RETURN_IF_ERROR(Run(Mode::kWrite, "using approval '" + id + "'", [&](pqxx::transaction_base& tx) -> Status {
    // FOR UPDATE: a second use waits for the first to commit, then sees it used.
    const pqxx::result rows = tx.exec_params(
        std::string("SELECT ") + kLinkColumns + " FROM approval_links WHERE link_id = $1 FOR UPDATE", id);
    if (rows.empty()) return Status::NotFound("no approval '" + id + "' in " + Where(location_));
    GAGGLE_ASSIGN_OR_RETURN(link, ReadLink(rows[0], location_));
    if (link.used()) {
      return Status::Conflict("approval '" + id + "' was used by " + link.used_by + " at " + link.used_at);
    }
    if (now_ms >= link.expires_ms) return Status::InvalidArgument("approval '" + id + "' has expired");
    tx.exec_params("UPDATE approval_links SET used_at = $1, used_by = $2, use_reason = $3 WHERE link_id = $4", time,
                   actor, reason, id);
    link.used_at = time;
    link.used_by = actor;
    link.use_reason = reason;
    return Status::OK();
  }));
  return link;
}

// ---------------------------------------------------------------- task pages

Result<TaskQueryPage> PostgresControlStore::QueryTasks(const TaskPageQuery& query) {
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
  // Every state's scan in one read transaction: the merged page is one snapshot. A page
  // of at most one state with every filter in SQL is one statement, which needs no
  // transaction for that: two round trips fewer.
  const bool one_statement = states.size() <= 1 && !FiltersBeyondIndexes(query, !states.empty());
  GAGGLE_RETURN_IF_ERROR(
      Run(one_statement ? Mode::kReadOne : Mode::kRead, "reading a page of migration '" + query.migration + "'",
          [&](pqxx::transaction_base& tx) -> Status {
            rows.clear();
            page.scanned = 0;
            any_stopped = false;
            horizon = {INT32_MAX, INT64_MAX};
            auto scan = [&](const TaskState* state) -> Status {
              GAGGLE_ASSIGN_OR_RETURN(ScanEnd end, ScanTasks(tx, query, state, location_, &rows, &page.scanned));
              if (end.stopped_early) {
                any_stopped = true;
                horizon = std::min(horizon, std::make_tuple(end.stage, end.ordinal));
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

Result<int64_t> PostgresControlStore::LastEventSeq() {
  int64_t seq = 0;
  GAGGLE_RETURN_IF_ERROR(Run(Mode::kReadOne, "reading the last event", [&](pqxx::transaction_base& tx) -> Status {
    seq = Int(tx.exec("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0]);
    return Status::OK();
  }));
  return seq;
}

}  // namespace gaggle
