// SqliteBackend: the embedded StoreBackend — one SQLite file (./gaggle.db by default) in
// WAL mode, with a busy timeout, foreign keys on, and a versioned schema migrated at open
// (store/sqlite_schema.h). Write bodies run in BEGIN IMMEDIATE transactions: the write
// lock is taken up front, so bodies are serialized and never run twice; Read bodies run
// in deferred (snapshot) transactions on a pool of read-only connections
// (store/sqlite_reader_pool.h), so readers on several threads neither wait for each other
// nor for a write in progress; a Read sees every Write that returned before it began.
// WAL with synchronous=NORMAL loses nothing when the process is killed; set `sync_full`
// to also survive power loss. The records themselves are SqliteRecords
// (store/sqlite_records.h).
// Thread-safety: Writes are serialized by an internal mutex, held while a body runs;
// Reads run concurrently, up to `read_connections` at a time. A body must not call the
// backend again.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/mutex.h"
#include "store/sqlite_db.h"
#include "store/sqlite_reader_pool.h"
#include "store/sqlite_records.h"
#include "store/store_backend.h"

namespace gaggle {

class SqliteBackend final : public StoreBackend {
 public:
  struct Options {
    int busy_timeout_ms = 5000;
    bool sync_full = false;
    // When false, a missing file is NotFound naming it instead of a new state file.
    bool create_if_missing = true;
    // The clock of the time recorded with applied schema migrations; the system clock when null.
    Clock* clock = Clock::System();
    // Read connections, opened on first need; 0 runs Reads on the writer connection,
    // under the writer's mutex.
    size_t read_connections = 4;
  };

  static Result<std::unique_ptr<SqliteBackend>> Open(const std::string& path, const Options& options);
  ~SqliteBackend() override;

  const std::string& location() const override { return path_; }
  int schema_version() const override { return schema_version_; }

  Status Read(const std::function<Status(StoreReader&)>& body) override;
  Status Write(const std::function<Status(StoreTransaction&)>& body, const StoreWriteOptions& options = {}) override;

 private:
  SqliteBackend(std::unique_ptr<SqliteDb> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)), records_(db_.get(), path_) {}
  // A Read on the writer connection (no pool).
  Status ReadOnWriter(const std::function<Status(StoreReader&)>& body) EXCLUDES(mu_);
  // Runs one of the cached transaction-control statements (BEGIN, COMMIT, ROLLBACK).
  Status Control(const std::string& sql) REQUIRES(mu_);
  // Sets the page cache for a write of `working_set_bytes`; returns the size to restore (0: none).
  int64_t GrowCache(int64_t working_set_bytes) REQUIRES(mu_);

  Mutex mu_;
  std::unique_ptr<SqliteDb> db_ GUARDED_BY(mu_);
  std::string path_;
  int schema_version_ = 0;
  // Declared after db_ so its statements are finalized before the database closes.
  SqliteRecords records_ GUARDED_BY(mu_);
  std::unique_ptr<SqliteReaderPool> readers_;  // null: Reads on the writer connection
};

}  // namespace gaggle
