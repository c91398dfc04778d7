// The SQLite backend: its factory for the conformance suite (instantiated here as
// "sqlite"), and what only a SQLite file can get wrong — a corrupt, damaged, foreign or
// newer file, a directory, a locked file, an old schema migrated (event chains
// included), the append-only triggers, and a missing file for read-only commands.
#include "store/sqlite_backend.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/clock.h"
#include "store/event_chain.h"
#include "store/sqlite_schema.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;
using namespace store_test;  // NOLINT
using S = TaskState;

// Runs `sql` on the file directly, behind the store's back.
Status ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::IOError("cannot open " + path);
  }
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  Status st = rc == SQLITE_OK ? Status::OK() : Status::Internal(err != nullptr ? err : "sqlite3_exec failed");
  sqlite3_free(err);
  sqlite3_close(db);
  return st;
}

std::string SqlQuoted(const std::string& text) {
  char* q = sqlite3_mprintf("%Q", text.c_str());
  std::string out = q;
  sqlite3_free(q);
  return out;
}

// `read_connections` 0: Reads on the writer connection; otherwise on a reader pool.
class SqliteFactory : public StoreFactory {
 public:
  explicit SqliteFactory(size_t read_connections = 4) : read_connections_(read_connections) {}
  std::string name() const override { return read_connections_ == 0 ? "sqlite_one_connection" : "sqlite"; }
  Result<std::string> NewLocation(const std::string& test) override {
    const fs::path dir = fs::temp_directory_path() / ("gaggle-conformance-" + std::to_string(::getpid()) + "-" + test);
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
    return (dir / "gaggle.db").string();
  }
  void DropLocation(const std::string& location) override {
    std::error_code ec;
    fs::remove_all(fs::path(location).parent_path(), ec);
  }
  Result<std::unique_ptr<StoreBackend>> OpenBackend(const std::string& location,
                                                    const StateStoreOptions& options) override {
    SqliteBackend::Options o;
    o.busy_timeout_ms = options.busy_timeout_ms;
    o.create_if_missing = options.create_if_missing;
    o.clock = options.clock;
    o.read_connections = read_connections_;
    GAGGLE_ASSIGN_OR_RETURN(auto backend, SqliteBackend::Open(location, o));
    return std::unique_ptr<StoreBackend>(std::move(backend));
  }
  Status RewriteEventDetail(const std::string& location, int64_t seq, const std::string& detail) override {
    return ExecRaw(location, "DROP TRIGGER IF EXISTS events_are_append_only_update; UPDATE events SET detail = " +
                                 SqlQuoted(detail) + " WHERE seq = " + std::to_string(seq) + ";");
  }
  Status DeleteEvent(const std::string& location, int64_t seq) override {
    return ExecRaw(location, "DROP TRIGGER IF EXISTS events_are_append_only_delete; DELETE FROM events WHERE seq = " +
                                 std::to_string(seq) + ";");
  }
  Status SetChainHead(const std::string& location, const std::string& migration, int64_t seq) override {
    return ExecRaw(location, "UPDATE event_chains SET head_seq = " + std::to_string(seq) +
                                 ", head_hash = (SELECT hash FROM events WHERE seq = " + std::to_string(seq) +
                                 ") WHERE migration = " + SqlQuoted(migration) + ";");
  }

 private:
  size_t read_connections_;
};

INSTANTIATE_TEST_SUITE_P(sqlite, StoreConformance,
                         ::testing::Values(std::make_shared<SqliteFactory>(),
                                           std::make_shared<SqliteFactory>(/*read_connections=*/0)),
                         StoreFactoryName);

// A fresh directory per test with a state file path in it; stores are opened by the test.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-sqlite-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "gaggle.db").string();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<StateStore> Open(int busy_ms = 5000) {
    StateStoreOptions o;
    o.busy_timeout_ms = busy_ms;
    o.clock = &clock_;
    auto s = OpenStateStore(path_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  TaskRecord Task(const std::string& dataset) {
    auto t = store_->FindTask("m", dataset);
    EXPECT_TRUE(t.ok() && t->has_value()) << dataset;
    return t.ok() && t->has_value() ? **t : TaskRecord{};
  }

  fs::path dir_;
  std::string path_;
  FakeClock clock_{1704067200100000LL, std::chrono::milliseconds(1)};  // 2024-01-01T00:00:00.100Z, 1 ms a reading
  std::unique_ptr<StateStore> store_;
};

TEST_F(SqliteStoreTest, CorruptFileIsAClearError) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(path_), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not a SQLite database"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStoreTest, DamagedDatabaseIsAClearError) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    std::vector<Entity> many;
    for (int i = 0; i < 2000; ++i) many.push_back(Dataset("d" + std::to_string(100000 + i)));
    ASSERT_TRUE(store->ReplaceCatalog(Build(many, {}), {}).ok());
  }
  // Checkpointed by the close; now overwrite the middle of the file.
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8192);
    std::string junk(16384, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  StateStoreOptions o;
  auto s = OpenStateStore(path_, o);
  Status st = s.ok() ? (*s)->LoadCatalog().status() : s.status();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();
}

TEST_F(SqliteStoreTest, ForeignSqliteFileIsRefused) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE stuff (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not a gaggle state file"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  { ASSERT_TRUE(Open()); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO schema_version VALUES (99, 'x', 'future')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto s = OpenStateStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().message().find("schema version 99"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStoreTest, LockedFileIsARetryableError) {
  auto store = Open(/*busy_ms=*/100);
  ASSERT_TRUE(store);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = store->ReplaceCatalog(Build({Dataset("a")}, {}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("is locked"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(path_), std::string::npos);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  // Once the lock is gone the same call succeeds: nothing was half-written.
  auto again = store->ReplaceCatalog(Build({Dataset("a")}, {}), {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->added, std::vector<std::string>{"a"});
}

TEST_F(SqliteStoreTest, DirectoryAsStateIsAClearError) {
  auto s = OpenStateStore(dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(dir_.string()), std::string::npos) << s.status().message();
  // A PostgreSQL URL is never taken for a file path: nothing listens there, and the error names it.
  auto pg = OpenStateStore("postgres://127.0.0.1:1/gaggle?connect_timeout=5");
  EXPECT_EQ(pg.status().code(), StatusCode::kIOError);
  EXPECT_NE(pg.status().message().find("cannot connect to state 'postgres://127.0.0.1:1/gaggle"), std::string::npos)
      << pg.status().message();
  EXPECT_FALSE(fs::exists("postgres:"));
}

TEST_F(SqliteStoreTest, VersionOneStateFileMigratesAndKeepsItsData) {
  { ASSERT_TRUE(Open()); }
  // Turn the fresh file back into a version 1 file with data in it: drop every table
  // a later migration added (with its indexes and triggers) and forget those versions.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  std::vector<std::string> later;
  {
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw,
                                 "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('entities', "
                                 "'entity_queries', 'lineage_edges', 'catalog_imports', 'catalog_import_changes', "
                                 "'plans', 'plan_rows', 'events', 'schema_version', 'sqlite_sequence')",
                                 -1, &q, nullptr),
              SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) later.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
  }
  EXPECT_GE(later.size(), 2u);  // at least runs and tasks
  std::string sql =
      "DELETE FROM schema_version WHERE version >= 2; "
      "ALTER TABLE events DROP COLUMN hash; ALTER TABLE events DROP COLUMN prev_hash; "  // migration 4
      "INSERT INTO events (time, actor, to_state) VALUES ('t', 'old', 'planned');";
  for (const std::string& t : later) sql += " DROP TABLE \"" + t + "\";";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);

  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->schema_version(), LatestSqliteSchemaVersion());
  EXPECT_GE(store_->schema_version(), 2);
  EventFilter f;
  auto events = store_->ListEvents(f);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].actor, "old");
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a"}), "", 1, "x").ok());
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->schema_version(), LatestSqliteSchemaVersion());
  EXPECT_EQ(Task("a").state, S::kPending);
}

TEST_F(SqliteStoreTest, LockedStoreIsARetryableErrorNamingTheFile) {
  store_ = Open();
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a"}), "", 1, "x").ok());
  auto locked = Open(/*busy_ms=*/50);
  ASSERT_TRUE(locked);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  TaskRecord a = Task("a");
  a.state = S::kRunning;
  Status st = locked->TransitionTask(S::kPending, a, "r", "");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_TRUE(st.retryable());
  EXPECT_NE(st.message().find("is locked"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("dataset 'a'"), std::string::npos) << st.message();
  auto claim = locked->ClaimRunner("m", "r", 1, 1, nullptr);
  EXPECT_TRUE(claim.status().retryable()) << claim.status().ToString();
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  // Nothing was half-done: the same call now succeeds.
  ASSERT_TRUE(locked->TransitionTask(S::kPending, a, "r", "").ok());
  EXPECT_EQ(Task("a").state, S::kRunning);
}

TEST_F(SqliteStoreTest, EventsAreAppendOnlyInTheDatabase) {
  store_ = Open();
  ASSERT_TRUE(store_->AppendEvent({0, "", "alice", "m", "a", "pending", "running", "go", "", ""}).ok());
  // Rewriting history through SQL is refused by the database itself.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE events SET actor = 'mallory'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM events", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto all = store_->ListEvents({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].actor, "alice");
}

TEST_F(SqliteStoreTest, AMissingFileIsNotFoundWhenNotToBeCreated) {
  StateStoreOptions o;
  o.create_if_missing = false;
  auto missing = OpenStateStore(path_, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path_), std::string::npos) << missing.status().message();
  EXPECT_FALSE(fs::exists(path_));
  // Once it exists (a write command made it), the same options open it.
  { ASSERT_TRUE(Open()); }
  auto existing = OpenStateStore(path_, o);
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  EXPECT_EQ((*existing)->schema_version(), LatestSqliteSchemaVersion());
}

// A state file of schema version 5 chained every event to the newest of the whole log.
// Migration 6 keeps that chain verifiable and continues each migration's chain from its
// newest older event.
TEST_F(SqliteStoreTest, AWholeLogChainOfVersionFiveStillVerifiesAndContinuesPerMigration) {
  { ASSERT_TRUE(Open()); }
  std::string sql =
      "DROP TABLE event_chains; DELETE FROM schema_version WHERE version >= 6; "
      "INSERT INTO events (time, actor, migration, to_state) VALUES ('t0', 'old', 'm', 'before-the-chain');";
  std::string prev;
  for (int i = 0; i < 6; ++i) {
    Event e;
    e.time = "t" + std::to_string(i + 1);
    e.actor = "old";
    e.migration = i % 3 == 0 ? "" : (i % 3 == 1 ? "m" : "n");
    e.to_state = "s" + std::to_string(i);
    e.prev_hash = prev;
    e.hash = EventHash(prev, e);
    prev = e.hash;
    sql += "INSERT INTO events (time, actor, migration, to_state, prev_hash, hash) VALUES (" + SqlQuoted(e.time) +
           ", " + SqlQuoted(e.actor) + ", " + SqlQuoted(e.migration) + ", " + SqlQuoted(e.to_state) + ", " +
           SqlQuoted(e.prev_hash) + ", " + SqlQuoted(e.hash) + ");";
  }
  ASSERT_TRUE(ExecRaw(path_, sql).ok());

  store_ = Open();
  ASSERT_TRUE(store_);
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->unchained, 1);
  EXPECT_EQ(report->chained, 6);
  auto old = *store_->ListEvents({});
  ASSERT_EQ(old.size(), 7u);

  // New events continue each migration's own chain from its newest older event.
  auto seq_m = store_->AppendEvent({0, "", "bob", "m", "", "a", "b", "new", "", ""});
  auto seq_n = store_->AppendEvent({0, "", "bob", "n", "", "a", "b", "new", "", ""});
  ASSERT_TRUE(seq_m.ok() && seq_n.ok());
  auto all = *store_->ListEvents({});
  ASSERT_EQ(all.size(), 9u);
  EXPECT_EQ(all[7].prev_hash, old[5].hash);  // m's newest older event (seq 6)
  EXPECT_EQ(all[8].prev_hash, old[6].hash);  // n's (seq 7)
  report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->chains.size(), 3u);

  // An older event changed is still caught.
  ASSERT_TRUE(ExecRaw(path_,
                      "DROP TRIGGER events_are_append_only_update; UPDATE events SET actor = 'mallory' "
                      "WHERE seq = 3;")
                  .ok());
  report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 3);
}

}  // namespace
}  // namespace gaggle
