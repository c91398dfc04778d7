// The PostgreSQL backend: its factory for the conformance suite (instantiated here as
// "postgres", on a private server: store/postgres_test_server_test_util.h), and what only
// a shared database server can get wrong — two backends on one database, conflicting
// writes retried until each lands exactly once, messages that never show the password,
// a foreign or newer database, the append-only triggers, and the choice of backend by
// the --state URL.
#include "store/postgres_backend.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/control_store.h"
#include "store/postgres_schema.h"
#include "store/postgres_test_server_test_util.h"
#include "store/state_store.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT
using S = TaskState;

std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The database of a test URL: what follows its last '/'.
std::string DatabaseOf(const std::string& url) { return url.substr(url.rfind('/') + 1); }

// Why the server cannot run here ("" when it can); an error other than missing binaries fails.
std::string ServerSkipReason() {
  auto server = PostgresTestServer::Get();
  if (server.ok() || server.status().code() != StatusCode::kUnsupported) return "";
  return server.status().message();
}

class PostgresFactory : public StoreFactory {
 public:
  std::string name() const override { return "postgres"; }
  std::string SkipReason() override { return ServerSkipReason(); }
  Result<std::string> NewLocation(const std::string& test) override {
    GAGGLE_ASSIGN_OR_RETURN(PostgresTestServer * server, PostgresTestServer::Get());
    GAGGLE_ASSIGN_OR_RETURN(std::string db, server->CreateDatabase(test));
    return server->Url(db);
  }
  void DropLocation(const std::string& location) override {
    auto server = PostgresTestServer::Get();
    if (server.ok()) (void)(*server)->DropDatabase(DatabaseOf(location));
  }
  Result<std::unique_ptr<StoreBackend>> OpenBackend(const std::string& location,
                                                    const StateStoreOptions& options) override {
    PostgresBackend::Options o;
    o.busy_timeout_ms = options.busy_timeout_ms;
    o.create_if_missing = options.create_if_missing;
    o.clock = options.clock;
    GAGGLE_ASSIGN_OR_RETURN(auto backend, PostgresBackend::Open(location, o));
    return std::unique_ptr<StoreBackend>(std::move(backend));
  }
  Status RewriteEventDetail(const std::string& location, int64_t seq, const std::string& detail) override {
    return Exec(location,
                "ALTER TABLE events DISABLE TRIGGER events_are_append_only_update; UPDATE events SET detail = " +
                    Quoted(detail) + " WHERE seq = " + std::to_string(seq));
  }
  Status DeleteEvent(const std::string& location, int64_t seq) override {
    return Exec(location,
                "ALTER TABLE events DISABLE TRIGGER events_are_append_only_delete; DELETE FROM events WHERE "
                "seq = " +
                    std::to_string(seq));
  }
  Status SetChainHead(const std::string& location, const std::string& migration, int64_t seq) override {
    return Exec(location, "UPDATE event_chains SET head_seq = " + std::to_string(seq) +
                              ", head_hash = (SELECT hash FROM events WHERE seq = " + std::to_string(seq) +
                              ") WHERE migration = " + Quoted(migration));
  }

 private:
  static Status Exec(const std::string& location, const std::string& sql) {
    GAGGLE_ASSIGN_OR_RETURN(PostgresTestServer * server, PostgresTestServer::Get());
    return server->Exec(DatabaseOf(location), sql);
  }
};

INSTANTIATE_TEST_SUITE_P(postgres, StoreConformance, ::testing::Values(std::make_shared<PostgresFactory>()),
                         StoreFactoryName);

// A fresh database per test on the shared server; backends are opened by the test.
class PostgresBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = ServerSkipReason(); !why.empty()) GTEST_SKIP() << why;
    auto server = PostgresTestServer::Get();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *server;
    auto db = server_->CreateDatabase(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *db;
    url_ = server_->Url(db_);
  }
  void TearDown() override {
    if (server_ != nullptr && !db_.empty()) (void)server_->DropDatabase(db_);
  }

  std::unique_ptr<PostgresBackend> Open(PostgresBackend::Options options = {}) {
    options.clock = &clock_;
    auto b = PostgresBackend::Open(url_, options);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(b).value() : nullptr;
  }
  static MigrationRun Run(int concurrency) {
    MigrationRun r;
    r.migration = "m";
    r.plan_hash = "p";
    r.spec_hash = "s";
    r.concurrency = concurrency;
    r.created_at = r.updated_at = "t";
    return r;
  }
  static Event Note(const std::string& detail) {
    Event e;
    e.time = "t";
    e.actor = "tester";
    e.migration = "m";
    e.to_state = "x";
    e.detail = detail;
    return e;
  }
  // Adds one to the run's concurrency and appends an event saying so: a read-modify-write
  // that conflicts with any concurrent one.
  static Status Increment(StoreBackend* b, const std::string& who, int* runs = nullptr) {
    return b->Write([&](StoreTransaction& tx) -> Status {
      if (runs != nullptr) ++*runs;
      GAGGLE_ASSIGN_OR_RETURN(auto run, tx.FindRun("m"));
      if (!run) return Status::NotFound("no run");
      MigrationRun next = *run;
      ++next.concurrency;
      GAGGLE_RETURN_IF_ERROR(tx.PutRun(next));
      return tx.AppendEvent(Note(who + " -> " + std::to_string(next.concurrency))).status();
    });
  }
  int Concurrency(StoreBackend* b) {
    int c = 0;
    EXPECT_TRUE(b->Read([&](StoreReader& r) -> Status {
                   GAGGLE_ASSIGN_OR_RETURN(auto run, r.FindRun("m"));
                   c = run ? run->concurrency : 0;
                   return Status::OK();
                 }).ok());
    return c;
  }

  PostgresTestServer* server_ = nullptr;
  std::string db_, url_;
  FakeClock clock_{1704067200100000LL, std::chrono::milliseconds(1)};
};

TEST_F(PostgresBackendTest, TwoBackendsOnOneDatabaseSeeEachOthersWrites) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Write([](StoreTransaction& tx) -> Status {
                 GAGGLE_RETURN_IF_ERROR(tx.PutRun(Run(3)));
                 return tx.AppendEvent(Note("from a")).status();
               }).ok());
  EXPECT_EQ(Concurrency(b.get()), 3);
  ASSERT_TRUE(Increment(b.get(), "b").ok());
  EXPECT_EQ(Concurrency(a.get()), 4);
  std::vector<Event> events;
  ASSERT_TRUE(a->Read([&](StoreReader& r) -> Status {
                 GAGGLE_ASSIGN_OR_RETURN(events, r.ListEvents({}));
                 return Status::OK();
               }).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].detail, "from a");
  EXPECT_EQ(events[1].detail, "b -> 4");
  EXPECT_EQ(events[1].prev_hash, events[0].hash);  // b's append continued a's chain
}

// A write whose snapshot another backend's commit made stale fails to serialize; the
// backend runs its body again on a fresh snapshot, and both increments land.
TEST_F(PostgresBackendTest, AConflictingWriteIsRunAgainAndLandsOnce) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Write([](StoreTransaction& tx) { return tx.PutRun(Run(1)); }).ok());
  int runs = 0;
  Status interloper;
  Status st = a->Write([&](StoreTransaction& tx) -> Status {
    ++runs;
    GAGGLE_ASSIGN_OR_RETURN(auto run, tx.FindRun("m"));   // a's snapshot
    if (runs == 1) interloper = Increment(b.get(), "b");  // b commits in between
    MigrationRun next = *run;
    ++next.concurrency;
    GAGGLE_RETURN_IF_ERROR(tx.PutRun(next));
    return tx.AppendEvent(Note("a -> " + std::to_string(next.concurrency))).status();
  });
  ASSERT_TRUE(interloper.ok()) << interloper.ToString();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(a->write_retries(), 1);
  EXPECT_EQ(Concurrency(a.get()), 3);
  StateStore store(Open(), {});
  auto events = store.ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].detail, "b -> 2");
  EXPECT_EQ((*events)[1].detail, "a -> 3");
  auto report = store.VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST_F(PostgresBackendTest, ConcurrentConflictingWritesAllLandExactlyOnce) {
  constexpr int kWriters = 4, kEach = 25;
  {
    auto setup = Open();
    ASSERT_TRUE(setup);
    ASSERT_TRUE(setup->Write([](StoreTransaction& tx) { return tx.PutRun(Run(1)); }).ok());
  }
  std::vector<std::unique_ptr<PostgresBackend>> backends;
  for (int w = 0; w < kWriters; ++w) backends.push_back(Open());
  for (const auto& b : backends) ASSERT_TRUE(b);
  std::vector<Status> failures(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach && failures[w].ok(); ++i) {
        failures[w] = Increment(backends[w].get(), "w" + std::to_string(w) + "." + std::to_string(i));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  int64_t retries = 0;
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_TRUE(failures[w].ok()) << failures[w].ToString();
    retries += backends[w]->write_retries();
  }
  EXPECT_EQ(Concurrency(backends[0].get()), 1 + kWriters * kEach);
  EXPECT_GT(retries, 0) << "the writers never conflicted";
  StateStore store(Open(), {});
  auto events = store.ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(kWriters * kEach));
  std::set<std::string> details;
  for (const Event& e : *events) details.insert(e.detail);
  EXPECT_EQ(details.size(), static_cast<size_t>(kWriters * kEach));  // each increment once
  auto report = store.VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST_F(PostgresBackendTest, MessagesNameTheUrlWithoutThePassword) {
  // No server on the port: the connection fails.
  const std::string closed = "postgres://alice:hunter2@127.0.0.1:1/gaggle?password=hunter2&connect_timeout=5";
  auto refused = PostgresBackend::Open(closed, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kIOError);
  EXPECT_NE(refused.status().message().find("postgres://alice@127.0.0.1:1/gaggle?connect_timeout=5"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("hunter2"), std::string::npos) << refused.status().message();
  // The server is there but the database is not.
  const std::string missing = "postgresql://gaggle:hunter2@127.0.0.1:" + std::to_string(server_->port()) + "/nosuchdb";
  auto absent = OpenStateStore(missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("nosuchdb"), std::string::npos) << absent.status().message();
  EXPECT_EQ(absent.status().message().find("hunter2"), std::string::npos) << absent.status().message();
}

TEST_F(PostgresBackendTest, RefusesAForeignOrNewerDatabaseAndCreatesNothingWhenAskedNot) {
  PostgresBackend::Options read_only;
  read_only.create_if_missing = false;
  auto none = PostgresBackend::Open(url_, read_only);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound) << none.status().ToString();
  ASSERT_TRUE(server_->Exec(db_, "CREATE TABLE customers (id INT)").ok());
  auto foreign = PostgresBackend::Open(url_, {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), StatusCode::kCorruption) << foreign.status().ToString();
  EXPECT_NE(foreign.status().message().find("not a gaggle state store"), std::string::npos);
  ASSERT_TRUE(server_->Exec(db_, "DROP TABLE customers").ok());
  // A new store, then a newer gaggle's version recorded in it.
  auto fresh = Open();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->schema_version(), LatestPostgresSchemaVersion());
  fresh.reset();
  auto again = Open(read_only);  // exists now: opens without creating
  ASSERT_TRUE(again);
  EXPECT_EQ(again->schema_version(), LatestPostgresSchemaVersion());
  again.reset();
  ASSERT_TRUE(server_->Exec(db_, "INSERT INTO schema_version VALUES (99, 't', 'from the future')").ok());
  auto newer = PostgresBackend::Open(url_, {});
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kUnsupported) << newer.status().ToString();
  EXPECT_NE(newer.status().message().find("schema version 99"), std::string::npos);
}

TEST_F(PostgresBackendTest, EventsAndGateRecordsAreAppendOnly) {
  auto b = Open();
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->Write([](StoreTransaction& tx) -> Status {
                 GAGGLE_RETURN_IF_ERROR(tx.AppendEvent(Note("kept")).status());
                 ValidationRecord v;
                 v.migration = "m";
                 v.dataset_id = "a";
                 v.time = "t";
                 return tx.AppendValidation(v);
               }).ok());
  for (const char* sql :
       {"UPDATE events SET detail = 'changed'", "DELETE FROM events", "UPDATE validations SET passed = 1"}) {
    Status st = server_->Exec(db_, sql);
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_NE(st.message().find("append-only"), std::string::npos) << st.message();
  }
}

TEST_F(PostgresBackendTest, TheStateUrlChoosesTheBackend) {
  const std::string with_password =
      "postgresql://gaggle:secret@127.0.0.1:" + std::to_string(server_->port()) + "/" + db_;
  auto store = OpenStateStore(with_password);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->location(), "postgresql://gaggle@127.0.0.1:" + std::to_string(server_->port()) + "/" + db_);
  EXPECT_EQ((*store)->schema_version(), LatestPostgresSchemaVersion());
  ASSERT_TRUE((*store)->UpsertRun(MakePlan("m", {"a", "b"}), "", 2, "x").ok());
  auto other = OpenStateStore("postgres" + with_password.substr(10));  // postgres:// too
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto tasks = (*other)->CountTasks("m");
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)[0].count(S::kPending), 2);
  // The control plane's store follows the same URL, into the same database.
  auto control = OpenControlStore(with_password);
  ASSERT_TRUE(control.ok()) << control.status().ToString();
  auto seq = (*control)->LastEventSeq();
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_GT(*seq, 0);  // the run's creation, written through the state store
}

}  // namespace
}  // namespace gaggle
