#include "store/postgres_backend.h"

#include <chrono>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "common/iso8601.h"
#include "store/postgres_schema.h"
#include "store/postgres_url.h"

namespace gaggle {

namespace {

// The backoff before attempt `attempt` (2, 3, ...) of a conflicting write: doubling from
// 1 ms up to 100 ms, times a random factor in [0.5, 1.5) so that writers that collided
// do not collide again in step.
std::chrono::microseconds Backoff(int attempt) {
  thread_local std::minstd_rand rng(
      static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id()) ^
                            static_cast<size_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
  const int64_t base_us = std::min<int64_t>(int64_t{1000} << std::min(attempt - 2, 10), 100000);
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  return std::chrono::microseconds(static_cast<int64_t>(static_cast<double>(base_us) * factor(rng)));
}

}  // namespace

PostgresBackend::PostgresBackend(std::string url, const Options& options)
    : url_(std::move(url)), location_(RedactPostgresUrl(url_)), options_(options), records_(location_) {}

PostgresBackend::~PostgresBackend() = default;

Result<std::unique_ptr<PostgresBackend>> PostgresBackend::Open(const std::string& url, const Options& options) {
  if (!IsPostgresUrl(url)) {
    return Status::InvalidArgument("state '" + RedactPostgresUrl(url) +
                                   "' is not a PostgreSQL URL (postgres://... or postgresql://...)");
  }
  std::unique_ptr<PostgresBackend> backend(new PostgresBackend(url, options));
  MutexLock lock(&backend->mu_);  // not shared yet, but conn_ is used under its mutex everywhere
  GAGGLE_RETURN_IF_ERROR(backend->Connect());
  const std::string& where = backend->location_;
  if (!options.create_if_missing) {
    try {
      pqxx::nontransaction probe(*backend->conn_);
      if (probe.exec("SELECT to_regclass('schema_version')")[0][0].is_null()) {
        return Status::NotFound("state '" + where + "' holds no gaggle state store (no schema_version table in " +
                                "its schema)");
      }
    } catch (const std::exception& e) {
      return Status::IOError("state '" + where +
                             "': " + ScrubPostgresPasswords(postgres_records::OneLine(e.what()), url));
    }
  }
  const std::string now = Iso8601Millis((options.clock ? options.clock : Clock::System())->NowMicros());
  auto version = ApplyPostgresMigrations(*backend->conn_, where, now);
  if (!version.ok()) {
    const Status& st = version.status();
    return Status(st.code(), ScrubPostgresPasswords(st.message(), url), st.retryable());
  }
  backend->schema_version_ = *version;
  return backend;
}

int64_t PostgresBackend::write_retries() const {
  MutexLock lock(&mu_);
  return write_retries_;
}

Status PostgresBackend::Connect() {
  if (conn_ != nullptr && conn_->is_open()) return Status::OK();
  conn_.reset();
  records_.ForgetStatements();
  try {
    auto conn = std::make_unique<pqxx::connection>(url_);
    pqxx::nontransaction session(*conn);
    session.exec("SET lock_timeout = " + std::to_string(std::max(options_.busy_timeout_ms, 1)));
    session.commit();
    conn_ = std::move(conn);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::IOError("cannot connect to state '" + location_ +
                           "': " + ScrubPostgresPasswords(postgres_records::OneLine(e.what()), url_));
  }
}

void PostgresBackend::Disconnect() {
  conn_.reset();
  records_.ForgetStatements();
}

Status PostgresBackend::Read(const std::function<Status(StoreReader&)>& body) {
  MutexLock lock(&mu_);
  GAGGLE_RETURN_IF_ERROR(Connect());
  Status st;
  records_.Begin(conn_.get(), nullptr);
  try {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn_);
    records_.Begin(conn_.get(), &tx);
    st = body(records_);
    if (st.ok()) tx.commit();
  } catch (const std::exception& e) {
    st = records_.Error(e, "read");
  }
  records_.End();
  if (records_.disconnected()) Disconnect();
  return st;
}

Status PostgresBackend::WriteOnce(const std::function<Status(StoreTransaction&)>& body) {
  GAGGLE_RETURN_IF_ERROR(Connect());
  Status st;
  records_.Begin(conn_.get(), nullptr);
  try {
    pqxx::transaction<pqxx::serializable> tx(*conn_);
    records_.Begin(conn_.get(), &tx);
    st = body(records_);
    if (st.ok()) st = records_.BeforeCommit();
    if (st.ok()) tx.commit();  // a serialization failure may surface here
    // Otherwise tx rolls back as it goes out of scope.
  } catch (const std::exception& e) {
    st = records_.Error(e, "write");
  }
  records_.End();
  if (records_.disconnected()) Disconnect();
  return st;
}

Status PostgresBackend::Write(const std::function<Status(StoreTransaction&)>& body, const StoreWriteOptions& options) {
  MutexLock lock(&mu_);
  Status st;
  for (int attempt = 1; attempt <= kMaxWriteAttempts; ++attempt) {
    if (attempt > 1) {
      ++write_retries_;
      std::this_thread::sleep_for(Backoff(attempt));
    }
    st = WriteOnce(body);
    // Only a conflict is retried: the transaction rolled back, and running it again is
    // what SERIALIZABLE asks of its clients.
    if (st.ok() || !records_.conflicted()) return st;
  }
  return Status::IOError(st.message() + " (gave up after " + std::to_string(kMaxWriteAttempts) + " attempts)");
}

}  // namespace gaggle
