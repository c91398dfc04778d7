// PostgresBackend: the StoreBackend of a state kept in PostgreSQL ("postgres://user@host/db"
// or "postgresql://...", libpq's URI syntax; the tables live in the connection's current
// schema), over one libpqxx connection per backend. The schema is created and migrated at
// open (store/postgres_schema.h). Write bodies run in SERIALIZABLE transactions; a
// transaction that fails with a serialization failure or a deadlock (SQLSTATE 40001,
// 40P01) is rolled back and its body run again, up to kMaxWriteAttempts times with a
// growing, jittered backoff (bodies are written to be re-run: store/store_backend.h).
// Read bodies run in REPEATABLE READ READ ONLY transactions: one snapshot. A lost
// connection fails the call (retryable IOError) and the next call reconnects; a
// connection lost during COMMIT is reported as possibly committed and never retried.
// Every message names the store by its URL without the password (store/postgres_url.h).
// The records themselves are PostgresRecords (store/postgres_records.h).
// Thread-safety: Read and Write are serialized by an internal mutex, held while a body
// runs: a body must not call the backend again. Several backends (processes) may share
// one database.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "common/clock.h"
#include "common/mutex.h"
#include "store/postgres_records.h"
#include "store/store_backend.h"

namespace gaggle {

class PostgresBackend final : public StoreBackend {
 public:
  // How many times a Write runs its body before it gives up on serialization conflicts.
  static constexpr int kMaxWriteAttempts = 25;

  struct Options {
    // How long a statement waits for a row lock before failing (retryable): lock_timeout.
    int busy_timeout_ms = 5000;
    // When false, a database without a gaggle store is NotFound naming it, and nothing is created.
    bool create_if_missing = true;
    // The clock of the time recorded with applied schema migrations; the system clock when null.
    Clock* clock = Clock::System();
  };

  static Result<std::unique_ptr<PostgresBackend>> Open(const std::string& url, const Options& options);
  ~PostgresBackend() override;

  // The URL without its password.
  const std::string& location() const override { return location_; }
  int schema_version() const override { return schema_version_; }

  Status Read(const std::function<Status(StoreReader&)>& body) override;
  Status Write(const std::function<Status(StoreTransaction&)>& body, const StoreWriteOptions& options = {}) override;

  // How many Write bodies were run again after a conflict, since open (for tests and
  // diagnostics).
  int64_t write_retries() const;

 private:
  PostgresBackend(std::string url, const Options& options);
  // Connects when not connected (after open, or after a lost connection).
  Status Connect() REQUIRES(mu_);
  void Disconnect() REQUIRES(mu_);
  // Runs `body` once in one SERIALIZABLE transaction and commits it when it succeeds.
  Status WriteOnce(const std::function<Status(StoreTransaction&)>& body) REQUIRES(mu_);

  const std::string url_;       // as given: holds the password, never shown
  const std::string location_;  // without the password
  const Options options_;
  int schema_version_ = 0;
  mutable Mutex mu_;
  std::unique_ptr<pqxx::connection> conn_ GUARDED_BY(mu_);
  PostgresRecords records_ GUARDED_BY(mu_);
  int64_t write_retries_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaggle
