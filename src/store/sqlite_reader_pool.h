// SqliteReaderPool: a bounded set of read connections to one SQLite state file, so
// that concurrent readers (the HTTP server's request threads) each read on a connection
// of their own instead of queueing behind one connection's mutex. The file is in WAL
// mode (set by its writer, store/sqlite_backend.h): readers do not block each other or
// the writer, and a read transaction sees every transaction committed before its first
// read. Writes stay on the owner's single writer connection; every pooled connection is
// `PRAGMA query_only`, so a read path that tried to write fails instead of competing.
//
// Read(body) runs `body` inside one deferred transaction (BEGIN ... COMMIT) on a free
// connection: every statement of the body sees the same snapshot. Connections are
// opened on first need, up to `max_connections`, and kept until the pool is destroyed;
// when all are busy, Read waits for one. Each connection has its own SqliteRecords, so
// statements are prepared once per connection (SqliteRecords::Cached).
// Thread-safety: Read may be called from any thread. A body runs on the calling thread
// with the connection to itself; it must not call Read again (with every connection
// held it would wait for ever). The pool must outlive every Read.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "store/sqlite_db.h"
#include "store/sqlite_records.h"

namespace gaggle {

class SqliteReaderPool {
 public:
  struct Options {
    // Upper bound of open read connections (at least 1). Each holds its own page cache.
    size_t max_connections = 4;
    int busy_timeout_ms = 5000;
  };

  // One pooled connection, handed to a Read body.
  class Connection {
   public:
    SqliteDb* db() { return db_.get(); }
    // The connection's records and statement cache (Cached(sql) prepares once).
    SqliteRecords& records() { return *records_; }

   private:
    friend class SqliteReaderPool;
    Connection(std::unique_ptr<SqliteDb> db, const std::string& path)
        : db_(std::move(db)), records_(std::make_unique<SqliteRecords>(db_.get(), path)) {}
    std::unique_ptr<SqliteDb> db_;
    // Declared after db_ so its statements are finalized before the connection closes.
    std::unique_ptr<SqliteRecords> records_;
  };

  // Opens no connection yet: the first Read does. `path` must be an existing SQLite
  // file whose schema its writer has migrated.
  SqliteReaderPool(std::string path, Options options);
  ~SqliteReaderPool();
  SqliteReaderPool(const SqliteReaderPool&) = delete;
  SqliteReaderPool& operator=(const SqliteReaderPool&) = delete;

  // Runs `body` in one read transaction on a pooled connection; returns the body's
  // Status, or the error of opening a connection or ending the transaction.
  Status Read(const std::function<Status(Connection&)>& body) EXCLUDES(mu_);

  // How many connections are open now (at most Options::max_connections).
  size_t open_connections() EXCLUDES(mu_);

 private:
  Result<Connection*> Acquire() EXCLUDES(mu_);
  void Release(Connection* c) EXCLUDES(mu_);
  Result<std::unique_ptr<Connection>> OpenConnection() const;

  const std::string path_;
  const Options options_;
  Mutex mu_;
  CondVar released_;  // signalled when a connection becomes idle or an open fails
  std::vector<std::unique_ptr<Connection>> all_ GUARDED_BY(mu_);
  std::vector<Connection*> idle_ GUARDED_BY(mu_);
  size_t opening_ GUARDED_BY(mu_) = 0;  // connections being opened outside the lock
};

}  // namespace gaggle
