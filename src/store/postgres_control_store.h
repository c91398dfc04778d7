// PostgresControlStore: the ControlStore in the PostgreSQL database of a state
// ("postgres://..."), beside the state store's tables (schema migration 3,
// store/postgres_schema.cc), with the same semantics as SqliteControlStore: the same
// uniqueness of valid token names, the same compare-and-set on approval links, and the
// same task pages — the same filters, plan order, per-state scan bound and cursor.
// It keeps a small pool of connections of its own (opened on demand, at most
// Options::max_connections), so the server's token checks and task pages neither queue
// behind a runner's transactions nor behind each other. Writes run in READ COMMITTED
// transactions whose conflicts are settled by row locks and unique indexes (no retry
// loop is needed); a task page reads every state's scan in one REPEATABLE READ READ ONLY
// transaction (one snapshot); a read of one statement (a token check) runs alone. A connection lost before its
// transaction committed is dropped and the call runs once more on a new one; a connection lost during COMMIT is
// reported as possibly committed and never run again. Every message names the state by
// its URL without the password (store/postgres_url.h).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "store/control_store.h"

namespace gaggle {

class PostgresControlStore final : public ControlStore {
 public:
  struct Options {
    // How long a statement waits for a row lock before failing (retryable): lock_timeout.
    int busy_timeout_ms = 5000;
    // At most this many connections (at least 1); a caller waits for a free one beyond.
    size_t max_connections = 4;
  };

  // Connects to `url` and applies missing schema migrations (creating the store in an
  // empty database, as the state store does).
  static Result<std::unique_ptr<PostgresControlStore>> Open(const std::string& url, const Options& options);
  ~PostgresControlStore() override;

  // The URL without its password.
  const std::string& location() const { return location_; }

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
  // kReadOne: a read of one statement, outside a transaction (one round trip instead of
  // three); kRead: several statements in one snapshot; kWrite: a read-write transaction.
  enum class Mode { kReadOne, kRead, kWrite };
  using Body = std::function<Status(pqxx::transaction_base& tx)>;

  PostgresControlStore(std::string url, const Options& options);
  // Runs `body` in one transaction (READ COMMITTED for kWrite, REPEATABLE READ READ ONLY
  // for kRead, none for kReadOne) on a pooled connection and commits when it succeeds. `what` names the
  // operation in messages.
  Status Run(Mode mode, const std::string& what, const Body& body);
  // One attempt; `again` says whether it failed on a connection lost before COMMIT.
  Status RunOnce(Mode mode, const std::string& what, const Body& body, bool* again);
  // A connection from the pool, or a new one when none is idle and the pool has room;
  // waits otherwise.
  Result<std::unique_ptr<pqxx::connection>> Take();
  // Returns `conn` to the pool (nullptr: it broke; its slot is freed).
  void Give(std::unique_ptr<pqxx::connection> conn);
  Result<std::unique_ptr<pqxx::connection>> Connect() const;
  // The Status for an exception thrown while doing `what`; `broken` says whether the
  // connection is unusable (and the transaction certainly did not commit when
  // `retry_safe` is set too).
  Status Error(const std::exception& e, const std::string& what, bool* broken, bool* retry_safe) const;

  const std::string url_;       // as given: holds the password, never shown
  const std::string location_;  // without the password
  const Options options_;
  Mutex mu_;
  CondVar freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ GUARDED_BY(mu_);
  size_t open_ GUARDED_BY(mu_) = 0;  // idle and in use
};

}  // namespace gaggle
