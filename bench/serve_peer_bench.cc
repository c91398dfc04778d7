// The peer of `gaggle serve` in bench/run-serve.sh: the floor under the control plane's
// two hot requests, built from the same parts with none of gaggle's layers.
//
//   serve_peer_bench STATE PORT THREADS STATUS_BODY_FILE
//
// It is cpp-httplib (the same library, thread count, keep-alive and TCP_NODELAY as
// `gaggle serve`) with:
//   GET /tasks?migration=M&state=S&stage=N&after=S:O&limit=L
//       the same SQL as gaggle's task page (same columns, same join with the catalog for
//       owner and tier, same index order), run on a read-only SQLite connection per
//       server thread, each row rendered as a JSON object;
//   GET /status
//       the bytes of STATUS_BODY_FILE (gaggle's own status document for the migration)
//       from memory: what a perfect cache would serve.
// No authentication, no routing table, no role checks, no cursor merging, no metrics:
// the ratio gaggle/peer is what those cost. Runs until killed. Listens on 127.0.0.1.
#include <httplib.h>
#include <sqlite3.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

constexpr const char* kColumns[] = {"migration",  "dataset_id",    "ordinal",         "stage",      "wave",
                                    "priority",   "source_uri",    "source_format",   "target_uri", "size_bytes",
                                    "state",      "attempts",      "next_attempt_ms", "runner",     "lease_expires_ms",
                                    "started_at", "finished_at",   "last_error",      "skipped",    "rows_in",
                                    "rows_out",   "dead_lettered", "filtered",        "bytes_out",  "duration_ms",
                                    "owner",      "tier"};

std::string Sql(bool with_state, bool with_stage) {
  std::string sql =
      "SELECT t.migration, t.dataset_id, t.ordinal, t.stage, t.wave, t.priority, t.source_uri, t.source_format, "
      "t.target_uri, t.size_bytes, t.state, t.attempts, t.next_attempt_ms, t.runner, t.lease_expires_ms, "
      "t.started_at, t.finished_at, t.last_error, t.skipped, t.rows_in, t.rows_out, t.dead_lettered, t.filtered, "
      "t.bytes_out, t.duration_ms, COALESCE(e.owner, ''), COALESCE(e.tier, '') "
      "FROM tasks t LEFT JOIN entities e ON e.id = t.dataset_id WHERE t.migration = ?1";
  // As gaggle's: with one stage, the cursor is an ordinal within it.
  sql += with_stage ? " AND t.stage = ?5 AND t.ordinal > ?3" : " AND (t.stage, t.ordinal) > (?2, ?3)";
  if (with_state) sql += " AND t.state = ?4";
  return sql + " ORDER BY t.stage, t.ordinal LIMIT ?6";
}

// One read-only connection and its prepared statements, per server thread.
struct Connection {
  sqlite3* db = nullptr;
  std::map<std::string, sqlite3_stmt*> statements;
  ~Connection() {
    for (auto& [sql, s] : statements) sqlite3_finalize(s);
    if (db) sqlite3_close(db);
  }
};

std::string g_state;

sqlite3_stmt* Statement(const std::string& sql) {
  thread_local Connection c;
  if (!c.db) {
    if (sqlite3_open_v2(g_state.c_str(), &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      return nullptr;
    }
    sqlite3_busy_timeout(c.db, 5000);
  }
  auto it = c.statements.find(sql);
  if (it != c.statements.end()) return it->second;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(c.db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) return nullptr;
  return c.statements[sql] = s;
}

void Tasks(const httplib::Request& req, httplib::Response& res) {
  const std::string state = req.get_param_value("state");
  const std::string stage = req.get_param_value("stage");
  const std::string after = req.get_param_value("after");
  int64_t after_stage = -1, after_ordinal = -1;
  if (!after.empty()) {
    const size_t colon = after.find(':');
    after_stage = std::stoll(after.substr(0, colon));
    after_ordinal = std::stoll(after.substr(colon + 1));
  }
  const int64_t limit = req.has_param("limit") ? std::stoll(req.get_param_value("limit")) : 100;
  sqlite3_stmt* s = Statement(Sql(!state.empty(), !stage.empty()));
  if (!s) return res.status = 500, void();
  const std::string migration = req.get_param_value("migration");
  sqlite3_bind_text(s, 1, migration.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, after_stage);
  const int64_t want_stage = stage.empty() ? -1 : std::stoll(stage);
  sqlite3_bind_int64(s, 3, want_stage >= 0 && after_stage < want_stage ? -1 : after_ordinal);
  if (!state.empty()) sqlite3_bind_text(s, 4, state.c_str(), -1, SQLITE_TRANSIENT);
  if (want_stage >= 0) sqlite3_bind_int64(s, 5, want_stage);
  sqlite3_bind_int64(s, 6, limit);
  nlohmann::json items = nlohmann::json::array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    nlohmann::json row;
    for (int i = 0; i < static_cast<int>(std::size(kColumns)); ++i) {
      if (sqlite3_column_type(s, i) == SQLITE_INTEGER) {
        row[kColumns[i]] = sqlite3_column_int64(s, i);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        row[kColumns[i]] = text ? text : "";
      }
    }
    items.push_back(std::move(row));
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  res.set_content(nlohmann::json{{"items", std::move(items)}}.dump(), "application/json");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: serve_peer_bench STATE PORT THREADS STATUS_BODY_FILE\n";
    return 2;
  }
  g_state = argv[1];
  const int port = std::stoi(argv[2]);
  const size_t threads = std::stoul(argv[3]);
  std::ifstream in(argv[4], std::ios::binary);
  std::stringstream status_body;
  status_body << in.rdbuf();
  const std::string status = status_body.str();
  if (status.empty()) return std::cerr << "serve_peer_bench: empty status body file " << argv[4] << "\n", 2;

  httplib::Server http;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(1000);
  http.set_keep_alive_timeout(5);
  http.set_tcp_nodelay(true);
  http.Get("/tasks", Tasks);
  http.Get("/status",
           [&](const httplib::Request&, httplib::Response& res) { res.set_content(status, "application/json"); });
  std::cout << "serve_peer_bench: listening on http://127.0.0.1:" << port << std::endl;
  return http.listen("127.0.0.1", port) ? 0 : 1;
}
