#include "store/sqlite_reader_pool.h"

#include <algorithm>

namespace gaggle {

using sqlite_records::ResetOnExit;

namespace {

// Runs one of the cached transaction-control statements (BEGIN, COMMIT, ROLLBACK).
Status Control(SqliteReaderPool::Connection& c, const std::string& sql) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * s, c.records().Cached(sql));
  ResetOnExit reset(s);
  return s->Run();
}

}  // namespace

SqliteReaderPool::SqliteReaderPool(std::string path, Options options) : path_(std::move(path)), options_(options) {}

SqliteReaderPool::~SqliteReaderPool() = default;

Result<std::unique_ptr<SqliteReaderPool::Connection>> SqliteReaderPool::OpenConnection() const {
  // Never creates: the writer made the file and its schema.
  GAGGLE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path_, options_.busy_timeout_ms, /*create=*/false));
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON"));
  return std::unique_ptr<Connection>(new Connection(std::move(db), path_));
}

Result<SqliteReaderPool::Connection*> SqliteReaderPool::Acquire() {
  const size_t max = std::max<size_t>(options_.max_connections, 1);
  {
    MutexLock lock(&mu_);
    while (idle_.empty() && all_.size() + opening_ >= max) released_.Wait(&mu_);
    if (!idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++opening_;
  }
  // Opening reads the file's header and schema: not under the lock, so readers that
  // find an idle connection meanwhile need not wait for it.
  auto opened = OpenConnection();
  MutexLock lock(&mu_);
  --opening_;
  if (!opened.ok()) {
    released_.Signal();  // the slot this open reserved is free again
    return opened.status();
  }
  Connection* c = opened->get();
  all_.push_back(std::move(*opened));
  return c;
}

void SqliteReaderPool::Release(Connection* c) {
  {
    MutexLock lock(&mu_);
    idle_.push_back(c);
  }
  released_.Signal();
}

Status SqliteReaderPool::Read(const std::function<Status(Connection&)>& body) {
  GAGGLE_ASSIGN_OR_RETURN(Connection * c, Acquire());
  // BEGIN is deferred: the snapshot is taken at the body's first read and kept until COMMIT.
  Status st = Control(*c, "BEGIN");
  if (st.ok()) {
    c->records().Begin();
    st = body(*c);
    Status end = Control(*c, st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok()) st = end;
  }
  Release(c);
  return st;
}

size_t SqliteReaderPool::open_connections() {
  MutexLock lock(&mu_);
  return all_.size();
}

}  // namespace gaggle
