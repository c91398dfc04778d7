#include "store/sqlite_backend.h"

#include <sys/stat.h>

#include <cerrno>

#include "common/iso8601.h"
#include "store/sqlite_schema.h"
#include "store/state_store.h"

namespace gaggle {

using sqlite_records::ResetOnExit;

Result<std::unique_ptr<SqliteBackend>> SqliteBackend::Open(const std::string& path, const Options& options) {
  if (path.empty()) return Status::InvalidArgument("state path is empty");
  if (!options.create_if_missing) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      return Status::NotFound("state file '" + path + "' does not exist");
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, options.busy_timeout_ms, options.create_if_missing));
  // journal_mode is the first statement that reads the file: a non-database fails here.
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  GAGGLE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  GAGGLE_RETURN_IF_ERROR(db->Exec(options.sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"));
  std::unique_ptr<SqliteBackend> backend(new SqliteBackend(std::move(db), path));
  const std::string now = Iso8601Millis((options.clock ? options.clock : Clock::System())->NowMicros());
  {
    MutexLock lock(&backend->mu_);  // not shared yet, but db_ is used under its mutex everywhere
    GAGGLE_ASSIGN_OR_RETURN(backend->schema_version_, ApplySqliteMigrations(backend->db_.get(), now));
  }
  // After the migrations: readers never see a schema older than the writer's.
  if (options.read_connections > 0) {
    SqliteReaderPool::Options pool;
    pool.max_connections = options.read_connections;
    pool.busy_timeout_ms = options.busy_timeout_ms;
    backend->readers_ = std::make_unique<SqliteReaderPool>(path, pool);
  }
  return backend;
}

SqliteBackend::~SqliteBackend() = default;

Status SqliteBackend::Control(const std::string& sql) {
  GAGGLE_ASSIGN_OR_RETURN(SqliteStatement * s, records_.Cached(sql));
  ResetOnExit reset(s);
  return s->Run();
}

int64_t SqliteBackend::GrowCache(int64_t working_set_bytes) {
  const int64_t want_kib = working_set_bytes / 1024;
  if (want_kib <= 0) return 0;
  auto q = db_->Prepare("PRAGMA cache_size");
  if (!q.ok() || !q->Step().ValueOr(false)) return 0;
  const int64_t current = q->Int(0);  // negative: KiB; positive: pages
  const int64_t current_kib = current < 0 ? -current : current * 4;
  if (current_kib >= want_kib) return 0;
  if (!db_->Exec("PRAGMA cache_size = -" + std::to_string(want_kib)).ok()) return 0;  // only slower
  return current;
}

Status SqliteBackend::Read(const std::function<Status(StoreReader&)>& body) {
  if (!readers_) return ReadOnWriter(body);
  return readers_->Read([&](SqliteReaderPool::Connection& c) { return body(c.records()); });
}

Status SqliteBackend::ReadOnWriter(const std::function<Status(StoreReader&)>& body) {
  MutexLock lock(&mu_);
  // One read transaction: every statement of the body sees the same snapshot.
  GAGGLE_RETURN_IF_ERROR(Control("BEGIN"));
  records_.Begin();
  Status st = body(records_);
  Status end = Control(st.ok() ? "COMMIT" : "ROLLBACK");
  if (!st.ok()) return st;
  return end;
}

Status SqliteBackend::Write(const std::function<Status(StoreTransaction&)>& body, const StoreWriteOptions& options) {
  MutexLock lock(&mu_);
  const int64_t restore_cache = GrowCache(options.working_set_bytes);
  Status st = Control("BEGIN IMMEDIATE");
  if (st.ok()) {
    records_.Begin();
    st = body(records_);
    if (st.ok()) st = records_.BeforeCommit();
    if (st.ok()) st = Control("COMMIT");
    if (!st.ok()) (void)Control("ROLLBACK");
    records_.Begin();  // forget what the transaction cached, committed or not
  }
  if (restore_cache != 0) (void)db_->Exec("PRAGMA cache_size = " + std::to_string(restore_cache));
  return st;
}

}  // namespace gaggle
