// SqliteDb / SqliteStatement: a thin RAII layer over the SQLite C API that turns
// every SQLite failure into a Status naming the database file (locked -> retryable
// IOError, not-a-database / corrupt -> Corruption).
// Thread-safety: a SqliteDb and its statements are used by one thread at a time
// (the store serializes access).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle {

class SqliteDb;

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& o) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Bind by 1-based index. Text is copied by SQLite.
  SqliteStatement& Bind(int i, int64_t v);
  SqliteStatement& Bind(int i, std::string_view v);
  SqliteStatement& BindNull(int i);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Runs to completion (for statements without results) and resets.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  SqliteDb* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (or, with `create`, creates) the file and sets busy_timeout; the file is not
  // read until the first statement.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int busy_timeout_ms, bool create = true);

  Status Exec(const std::string& sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Status for SQLite result code `rc` in the context of `what`.
  Status Error(int rc, const std::string& what) const;
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }
  int busy_timeout_ms() const { return busy_timeout_ms_; }

 private:
  SqliteDb(sqlite3* db, std::string path, int busy_timeout_ms)
      : db_(db), path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}
  sqlite3* db_;
  std::string path_;
  int busy_timeout_ms_;
};

// BEGIN IMMEDIATE on construction (taking the write lock up front, so a busy store
// fails before any work), ROLLBACK on destruction unless Commit() succeeded.
class SqliteTransaction {
 public:
  static Result<std::unique_ptr<SqliteTransaction>> Begin(SqliteDb* db);
  ~SqliteTransaction();
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
  bool done_ = false;
};

}  // namespace gaggle
