#include "store/sqlite_db.h"

#include <memory>

namespace gaggle {

SqliteStatement::~SqliteStatement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status st = db_->Error(rc, "statement '" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "'");
  sqlite3_reset(stmt_);
  return st;
}

Status SqliteStatement::Run() {
  while (true) {
    auto more = Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  Reset();
  return Status::OK();
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int busy_timeout_ms, bool create) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path, busy_timeout_ms));
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return Status::IOError("cannot open state file '" + path + "': out of memory");
    return db->Error(rc, "open");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, "'" + sql.substr(0, 60) + "'");
  return Status::OK();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (stmt != nullptr) sqlite3_finalize(stmt);
    return Error(rc, "preparing '" + std::string(sql.substr(0, 60)) + "'");
  }
  return SqliteStatement(this, stmt);
}

Status SqliteDb::Error(int rc, const std::string& what) const {
  std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const std::string file = "state file '" + path_ + "'";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IOError(file + " is locked by another process (waited " + std::to_string(busy_timeout_ms_) +
                             " ms; " + detail + ")");
    case SQLITE_NOTADB: return Status::Corruption(file + " is not a SQLite database (" + detail + ")");
    case SQLITE_CORRUPT: return Status::Corruption(file + " is corrupt (" + detail + ")");
    case SQLITE_CANTOPEN: return Status::IOError("cannot open " + file + " (" + detail + ")");
    case SQLITE_FULL: return Status::IOError(file + ": disk full (" + detail + ")");
    case SQLITE_READONLY: return Status::IOError(file + " is read-only (" + detail + ")");
    case SQLITE_IOERR: return Status::IOError(file + ": I/O error (" + detail + ")");
    case SQLITE_CONSTRAINT: return Status::Conflict(file + ": " + what + " violates a constraint (" + detail + ")");
    default: return Status::Internal(file + ": " + what + " failed (" + detail + ")");
  }
}

Result<std::unique_ptr<SqliteTransaction>> SqliteTransaction::Begin(SqliteDb* db) {
  GAGGLE_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<SqliteTransaction>(new SqliteTransaction(db));
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  GAGGLE_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  done_ = true;
  return Status::OK();
}

}  // namespace gaggle
