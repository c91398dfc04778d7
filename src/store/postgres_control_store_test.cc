// The PostgreSQL control store: what only a shared database server can get wrong. The
// semantics every backend shares (tokens, approval links, task pages) are tested on both
// backends by the control-plane service tests (service/control_plane_test_util.h); here:
// two stores (two servers) racing for one approval link or one token name, the bound on
// connections, a connection terminated by the server, and messages that never show the
// password.
#include "store/postgres_control_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "store/postgres_schema.h"
#include "store/postgres_test_server_test_util.h"
#include "store/sqlite_db.h"
#include "store/state_store.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

using store_test::PostgresTestServer;

class PostgresControlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PostgresTestServer::Get();
    if (!server.ok() && server.status().code() == StatusCode::kUnsupported) GTEST_SKIP() << server.status().message();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *server;
    auto db = server_->CreateDatabase(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *db;
  }
  void TearDown() override {
    if (server_ != nullptr && !db_.empty()) (void)server_->DropDatabase(db_);
  }
  std::unique_ptr<PostgresControlStore> Open(size_t connections = 4) {
    PostgresControlStore::Options o;
    o.max_connections = connections;
    auto s = PostgresControlStore::Open(server_->Url(db_), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Runs `sql` returning one integer, on a connection of the test's own.
  int64_t Count(const std::string& sql) {
    pqxx::connection c(server_->Url(db_));
    pqxx::nontransaction n(c);
    return n.exec(sql)[0][0].as<int64_t>();
  }
  static ApprovalLink Link(const std::string& id) {
    ApprovalLink l;
    l.id = id;
    l.migration = "m";
    l.stage = 1;
    l.gate_reason = "stage 1 gate";
    l.created_at = "2024-01-01T00:00:00.000Z";
    l.expires_ms = 2000;
    return l;
  }
  static ApiToken Token(const std::string& id, const std::string& name) {
    ApiToken t;
    t.id = id;
    t.name = name;
    t.role = Role::kOperator;
    t.hash = "hash-" + id;
    t.created_at = "2024-01-01T00:00:00.000Z";
    t.created_by = "tester";
    return t;
  }

  PostgresTestServer* server_ = nullptr;
  std::string db_;
};

// Two servers on one database, eight requests at once: the link is used exactly once.
TEST_F(PostgresControlStoreTest, ALinkUsedFromTwoStoresAtOnceIsUsedOnce) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->InsertApprovalLink(Link("apr_1")).ok());
  std::atomic<int> used{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      PostgresControlStore* s = i % 2 == 0 ? a.get() : b.get();
      auto r = s->MarkApprovalUsed("apr_1", 1000, "t" + std::to_string(i), "user" + std::to_string(i), "go");
      if (r.ok()) {
        ++used;
      } else if (r.status().code() == StatusCode::kConflict) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(used.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(other.load(), 0);
  auto link = b->FindApprovalLink("apr_1");
  ASSERT_TRUE(link.ok() && link->has_value());
  EXPECT_TRUE((*link)->used());
  // Expired and unknown links, as SQLite reports them.
  ASSERT_TRUE(a->InsertApprovalLink(Link("apr_2")).ok());
  EXPECT_EQ(a->MarkApprovalUsed("apr_2", 2000, "t", "u", "late").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->MarkApprovalUsed("apr_x", 1000, "t", "u", "r").status().code(), StatusCode::kNotFound);
}

// One name, eight creators at once on two stores: one valid token; the others are told
// the name is taken. After a revocation, the name can be used again.
TEST_F(PostgresControlStoreTest, OneValidTokenPerNameUnderConcurrentCreates) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  std::atomic<int> created{0}, taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      PostgresControlStore* s = i % 2 == 0 ? a.get() : b.get();
      Status st = s->InsertToken(Token("tok_" + std::to_string(i), "ci"));
      if (st.ok()) ++created;
      if (st.code() == StatusCode::kAlreadyExists) {
        ++taken;
        EXPECT_NE(st.message().find("'ci'"), std::string::npos) << st.message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens"), 1);
  auto revoked = b->RevokeToken("ci", "t2", "tester");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->revoked_by, "tester");
  EXPECT_TRUE(a->InsertToken(Token("tok_new", "ci")).ok());
  EXPECT_EQ(a->RevokeToken("nobody", "t3", "tester").status().code(), StatusCode::kNotFound);
}

// Sixteen concurrent page requests through a pool of two: every one answers, and the
// store never holds more than two connections.
TEST_F(PostgresControlStoreTest, ConnectionsStayWithinThePool) {
  auto s = Open(2);
  ASSERT_TRUE(s);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        TaskPageQuery q;
        q.migration = "m";
        if (!s->QueryTasks(q).ok() || !s->LastEventSeq().ok()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_LE(Count("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                  "pg_backend_pid()"),
            2);
}

// The server ends every connection of the store (pg_terminate_backend, as an operator or a
// restart would): the next calls reconnect instead of failing.
TEST_F(PostgresControlStoreTest, ATerminatedConnectionIsReplaced) {
  auto s = Open(3);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->InsertToken(Token("tok_1", "ops")).ok());
  std::vector<std::thread> threads;  // several connections in the pool
  for (int i = 0; i < 3; ++i) threads.emplace_back([&] { (void)s->ListTokens(); });
  for (auto& t : threads) t.join();
  EXPECT_GE(Count("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
                  "current_database() AND pid <> pg_backend_pid()"),
            1);
  // Until the server has closed them (up to 10 s): the store finds them closed, as after a restart.
  for (int i = 0; i < 200; ++i) {
    if (Count("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
              "pg_backend_pid()") == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto found = s->FindTokenByHash("hash-tok_1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "ops");
  EXPECT_TRUE(s->InsertApprovalLink(Link("apr_after")).ok());
}

// A state created before the control plane's migration (version 1 only, as main's
// PostgreSQL stores were) gets its tables when the control store opens it, and keeps its
// records.
TEST_F(PostgresControlStoreTest, AStateFromBeforeTheControlPlaneGetsItsTablesAtOpen) {
  auto first = Open();
  ASSERT_TRUE(first);
  first.reset();
  ASSERT_TRUE(server_
                  ->Exec(db_,
                         "DROP TABLE api_tokens, approval_links; DELETE FROM schema_version WHERE version = 3; "
                         "INSERT INTO runs (migration, plan_hash, spec_hash, state, concurrency, created_at, "
                         "updated_at) VALUES ('m', 'p', 's', 'running', 1, 't', 't')")
                  .ok());
  ASSERT_EQ(Count("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'api_tokens'"), 0);
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_version WHERE version = 3"), 1);
  EXPECT_TRUE(again->InsertToken(Token("tok_1", "ops")).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM runs"), 1);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"), LatestPostgresSchemaVersion());
}

// The same tasks and catalog in a SQLite state and a PostgreSQL one answer 300 random
// task-page queries (states, stage, wave, owner, tier, text, cursor, limit, scan bound)
// and the pages after them identically: rows, owners and tiers, `more`, the cursor and
// the count of tasks examined.
TEST_F(PostgresControlStoreTest, TaskPagesAreSqlitesForRandomQueries) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gaggle-pgcontrol-" + std::to_string(::getpid()) + "-differential");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string sqlite_path = (dir / "gaggle.db").string();
  const int n = 300;
  std::string states =
      "UPDATE tasks SET state = CASE WHEN ordinal % 7 = 0 THEN 'needs-attention' WHEN ordinal % 5 = 0 "
      "THEN 'failed' WHEN ordinal % 3 = 0 THEN 'validated' ELSE 'pending' END";
  std::string entities =
      "INSERT INTO entities (id, kind, name, namespace, owner, tier, content_hash, import_id) VALUES ";
  const std::vector<std::string> ids = store_test::Ids(n);
  for (int i = 0, first = 1; i < n; ++i) {
    if (i % 3 == 2) continue;  // a third of the datasets left the catalog: owner and tier ''
    const char* tier = i % 3 == 0 ? "critical" : "low";
    entities += std::string(first ? "" : ", ") + "('" + ids[i] + "', 'dataset', '" + ids[i] + "', 'default', 'team-" +
                std::to_string(i % 4) + "', '" + tier + "', 0, 1)";
    first = 0;
  }
  const Plan plan = store_test::MakePlan("m", ids, 3);
  for (const std::string& location : {sqlite_path, server_->Url(db_)}) {
    auto store = OpenStateStore(location);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->SavePlan(plan).ok());
    ASSERT_TRUE((*store)->UpsertRun(plan, "m.yaml", 2, "tester").ok());
  }
  {
    auto db = SqliteDb::Open(sqlite_path, 5000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec(states).ok());
    ASSERT_TRUE((*db)->Exec(entities).ok());
  }
  ASSERT_TRUE(server_->Exec(db_, states + "; " + entities).ok());
  auto sqlite = OpenControlStore(sqlite_path);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  auto pg = Open();
  ASSERT_TRUE(pg);

  std::mt19937 rng(42);
  auto pick = [&](int bound) { return static_cast<int>(rng() % static_cast<unsigned>(bound)); };
  const std::vector<TaskState> all = {TaskState::kPending, TaskState::kNeedsAttention, TaskState::kFailed,
                                      TaskState::kValidated, TaskState::kRunning};
  int64_t rows_compared = 0;
  for (int round = 0; round < 300; ++round) {
    TaskPageQuery q;
    q.migration = "m";
    for (int k = pick(4); k > 0; --k) q.states.push_back(all[pick(5)]);
    q.stage = pick(3) == 0 ? pick(4) : -1;
    q.wave = pick(3) == 0 ? pick(3) : -1;
    q.owner = pick(4) == 0 ? (pick(5) == 0 ? "nobody" : "team-" + std::to_string(pick(4))) : "";
    q.tier = pick(4) == 0 ? std::vector<std::string>{"critical", "standard", "low"}[pick(3)] : "";
    q.text = pick(4) == 0 ? std::to_string(pick(100)) : "";
    q.limit = 1 + pick(50);
    q.max_scan = std::vector<size_t>{5, 20, 20000}[pick(3)];
    if (pick(2) == 0) {
      q.after_stage = pick(3);
      q.after_ordinal = pick(n);
    }
    for (int page = 0; page < 3; ++page) {
      SCOPED_TRACE("round " + std::to_string(round) + " page " + std::to_string(page));
      auto a = (*sqlite)->QueryTasks(q);
      auto b = pg->QueryTasks(q);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      ASSERT_EQ(a->rows.size(), b->rows.size());
      for (size_t i = 0; i < a->rows.size(); ++i) {
        EXPECT_EQ(a->rows[i].task.dataset_id, b->rows[i].task.dataset_id);
        EXPECT_EQ(a->rows[i].task.state, b->rows[i].task.state);
        EXPECT_EQ(a->rows[i].task.wave, b->rows[i].task.wave);
        EXPECT_EQ(a->rows[i].owner, b->rows[i].owner);
        EXPECT_EQ(a->rows[i].tier, b->rows[i].tier);
        ++rows_compared;
      }
      EXPECT_EQ(a->more, b->more);
      EXPECT_EQ(a->next_stage, b->next_stage);
      EXPECT_EQ(a->next_ordinal, b->next_ordinal);
      EXPECT_EQ(a->scanned, b->scanned);
      if (!a->more || HasFailure()) break;
      q.after_stage = a->next_stage;
      q.after_ordinal = a->next_ordinal;
    }
    if (HasFailure()) break;
  }
  EXPECT_GT(rows_compared, 1000);  // the queries found something to compare
  sqlite->reset();
  std::filesystem::remove_all(dir);
}

// Messages name the state by its URL without the password.
TEST_F(PostgresControlStoreTest, MessagesNeverShowThePassword) {
  const std::string port = std::to_string(server_->port());
  for (const std::string& url : {"postgresql://gaggle:hunter2@127.0.0.1:" + port + "/nosuchdb",
                                 "postgresql://gaggle@127.0.0.1:" + port + "/nosuchdb?password=hunter2"}) {
    auto s = OpenControlStore(url);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find("nosuchdb"), std::string::npos) << s.status().message();
  }
  auto s = PostgresControlStore::Open("postgresql://gaggle:hunter2@127.0.0.1:" + port + "/" + db_, {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->location().find("hunter2"), std::string::npos);
  EXPECT_EQ((*s)->MarkApprovalUsed("apr_none", 0, "t", "u", "r").status().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace gaggle
