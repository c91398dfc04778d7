// The PostgreSQL control store: what only a shared database server can get wrong. The
// semantics every backend shares (tokens, approval links, task pages) are tested on both
// backends by the control-plane service tests (service/control_plane_test_util.h); here:
// two stores (two servers) racing for one approval link or one token name, the bound on
// connections, a connection terminated by the server, and messages that never show the
// password.
#include "store/postgres_control_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "store/postgres_schema.h"
#include "store/postgres_test_server_test_util.h"

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
