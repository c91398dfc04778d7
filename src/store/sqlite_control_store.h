// SqliteControlStore: the ControlStore inside the SQLite state file (schema migration
// 7, store/sqlite_control_schema.h). It keeps a connection of its own, so the control
// plane's reads (token checks on every request, task pages) do not queue behind a
// runner's transactions on the StateStore's connection; WAL gives each read a snapshot.
// Thread-safety: all methods are serialized by an internal mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/control_store.h"
#include "store/sqlite_db.h"

namespace gaggle {

class SqliteControlStore final : public ControlStore {
 public:
  static Result<std::unique_ptr<SqliteControlStore>> Open(const std::string& path, int busy_timeout_ms = 5000);

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
  SqliteControlStore(std::unique_ptr<SqliteDb> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  // REQUIRES: mu_ held.
  Result<std::optional<ApprovalLink>> ReadLink(const std::string& id);
  // REQUIRES: mu_ held. Scans one state's tasks (every state's when `state` is null).
  Status ScanTasks(const TaskPageQuery& q, const TaskState* state, std::vector<TaskRow>* rows, bool* stopped_early,
                   int* last_stage, int64_t* last_ordinal, int64_t* scanned);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // GUARDED_BY(mu_)
  std::string path_;
};

}  // namespace gaggle
