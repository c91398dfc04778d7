// DuckDbEngine: the downstream verifier's SQL engine, DuckDB's C API in process (the
// library pinned in third_party/duckdb.lock, loaded on first use: verify/duckdb_api.h).
//
// One in-memory database per verification, bounded by `memory_limit` (DuckDB spills
// to `temp_directory` past it), with the session time zone fixed (UTC by default) so an
// answer never depends on the machine it runs on. Connections are opened per thread:
// the old and new sides of a check run on two connections at once.
// Query results are materialized as verify/query_result.h rows in DuckDB's own types:
// integers (and booleans as 0/1) as integers, floating point, decimals and 128-bit
// integers as reals, dates as "YYYY-MM-DD", timestamps (naive or UTC-adjusted) as ISO 8601
// text of their microseconds, blobs as bytes, everything else (intervals, lists, ...) as
// DuckDB's text rendering.
// Thread-safety: DuckDbEngine may be shared; a DuckDbConnection is used by one thread at a
// time, except Interrupt, which any thread may call.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "verify/duckdb_api.h"
#include "verify/query_result.h"

namespace gaggle {

struct DuckDbOptions {
  std::string memory_limit = "2GB";  // DuckDB's syntax: "512MB", "4GB", "75%"
  std::string temp_directory;        // where DuckDB spills; empty: DuckDB's default
  int threads = 0;                   // 0: DuckDB's default (the machine's cores)
  std::string time_zone = "UTC";
};

class DuckDbConnection {
 public:
  explicit DuckDbConnection(duckdb_connection c) : conn_(c) {}
  DuckDbConnection(const DuckDbConnection&) = delete;
  DuckDbConnection& operator=(const DuckDbConnection&) = delete;
  ~DuckDbConnection() { DuckDb().duckdb_disconnect(&conn_); }

  // Runs statements whose results are not needed (DDL, SET, ...).
  Status Execute(const std::string& sql);
  // Runs one query and collects its rows; more than `max_rows` rows is an error naming the
  // limit, and a query running past `time_limit` is interrupted (Timeout).
  Result<QueryResult> Query(const std::string& sql, size_t max_rows,
                            std::chrono::milliseconds time_limit = std::chrono::minutes(5));
  void Interrupt() { DuckDb().duckdb_interrupt(conn_); }
  duckdb_connection raw() const { return conn_; }

 private:
  duckdb_connection conn_ = nullptr;
};

class DuckDbEngine {
 public:
  static Result<std::unique_ptr<DuckDbEngine>> Open(const DuckDbOptions& options);
  DuckDbEngine(const DuckDbEngine&) = delete;
  DuckDbEngine& operator=(const DuckDbEngine&) = delete;
  ~DuckDbEngine() { DuckDb().duckdb_close(&db_); }

  Result<std::unique_ptr<DuckDbConnection>> Connect();
  // The loaded library's version ("v1.4.4"), or why it cannot be loaded.
  static std::string LibraryVersion();

 private:
  explicit DuckDbEngine(duckdb_database db) : db_(db) {}
  duckdb_database db_ = nullptr;
};

// `name` double-quoted for SQL ("a""b" for a"b); `text` single-quoted ('it''s').
std::string QuoteSqlIdentifier(const std::string& name);
std::string QuoteSqlString(const std::string& text);

}  // namespace gaggle
