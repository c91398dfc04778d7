// SqliteControlStore: the ControlStore inside the SQLite state file (schema migration
// 7, store/sqlite_control_schema.h). It keeps a connection of its own, so the control
// plane's reads (token checks on every request, task pages) do not queue behind a
// runner's transactions on the StateStore's connection. Writes run on one writer
// connection, serialized by an internal mutex; reads run on a pool of read-only
// connections (store/sqlite_reader_pool.h), each in one transaction, so a task page
// merged from several scans is read from one snapshot and concurrent requests do not
// wait for each other's pages.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/mutex.h"
#include "store/control_store.h"
#include "store/sqlite_db.h"
#include "store/sqlite_reader_pool.h"

namespace gaggle {

class SqliteControlStore final : public ControlStore {
 public:
  // `read_connections` bounds the pool of read connections (at least 1).
  static Result<std::unique_ptr<SqliteControlStore>> Open(const std::string& path, int busy_timeout_ms = 5000,
                                                          size_t read_connections = kDefaultReadConnections);
  // Enough for the server's concurrent page requests on a few cores; each connection
  // keeps its own page cache (SQLite's default, about 2 MB).
  static constexpr size_t kDefaultReadConnections = 8;

  Status InsertToken(const ApiToken& token) override;
  Result<std::optional<ApiToken>> FindTokenByHash(const std::string& hash) override;
  Result<std::vector<ApiToken>> ListTokens() override;
  Result<ApiToken> RevokeToken(const std::string& id_or_name, const std::string& time,
                               const std::string& actor) override;

  Status InsertApprovalLink(const ApprovalLink& link) override;
  Result<std::optional<ApprovalLink>> FindApprovalLink(const std::string& id) override;
  Result<std::vector<ApprovalLink>> ListApprovalLinks(const std::string& migration, size_t limit) override;
  Result<ApprovalLink> MarkApprovalUsed(const std::string& id, int64_t now_ms, const std::string& time,
                                        const std::string& actor, const std::string& reason) override;

  Result<TaskQueryPage> QueryTasks(const TaskPageQuery& query) override;
  Result<int64_t> LastEventSeq() override;

 private:
  SqliteControlStore(std::unique_ptr<SqliteDb> db, std::string path, SqliteReaderPool::Options pool)
      : db_(std::move(db)), path_(std::move(path)), readers_(path_, pool) {}
  // Scans one state's tasks (every state's when `state` is null) on a read connection,
  // inside its transaction.
  Status ScanTasks(SqliteReaderPool::Connection& c, const TaskPageQuery& q, const TaskState* state,
                   std::vector<TaskRow>* rows, bool* stopped_early, int* last_stage, int64_t* last_ordinal,
                   int64_t* scanned);

  Mutex mu_;  // serializes the writes
  std::unique_ptr<SqliteDb> db_ GUARDED_BY(mu_);
  std::string path_;
  SqliteReaderPool readers_;
};

}  // namespace gaggle
