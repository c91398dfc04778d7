// Shared by the server tests: a state (a SQLite file, or a PostgreSQL database for
// ApiServerBackendTest's postgres instance) with migration "m" (datasets d0..dN-1), a
// token per role, and an ApiServer on 127.0.0.1 (any free port), started and stopped by
// the test.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "server/api_server.h"
#include "service/service_test_util.h"
#include "service/token_operations.h"
#include "store/control_store.h"
#include "store/postgres_test_server_test_util.h"
#include "store/state_store.h"

namespace gaggle::server_test {

class ApiServerTest : public ::testing::Test {
 protected:
  // Where the state lives: "sqlite" (a file in the test's directory) or "postgres" (a
  // database of its own on the private test server; skipped when PostgreSQL is absent).
  virtual std::string Backend() const { return "sqlite"; }

  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& ch : test) {
      if (ch == '/') ch = '-';  // a parameterized test's name ("Name/postgres") is one directory
    }
    dir_ = std::filesystem::temp_directory_path() / ("gaggle-api-" + std::to_string(::getpid()) + "-" + test);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    state_ = (dir_ / "gaggle.db").string();
    if (Backend() == "postgres") {
      auto server = store_test::PostgresTestServer::Get();
      if (!server.ok() && server.status().code() == StatusCode::kUnsupported) {
        GTEST_SKIP() << server.status().message();
      }
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      pg_ = *server;
      auto db = pg_->CreateDatabase(test);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      pg_db_ = *db;
      state_ = pg_->Url(pg_db_);
    }
    auto s = OpenStateStore(state_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    if (pg_ != nullptr && !pg_db_.empty()) (void)pg_->DropDatabase(pg_db_);
  }

  // Migration "m" with `n` pending datasets in stage 0.
  void MakeMigration(int n) {
    Plan p = service_test::PendingPlan(n);
    ASSERT_TRUE(store_->SavePlan(p).ok());
    ASSERT_TRUE(store_->UpsertRun(p, (dir_ / "m.yaml").string(), 2, "setup").ok());
  }

  void StartServer(server::ServeOptions o = {}) {
    o.state = state_;
    o.port = 0;
    // Beside a SQLite state by default; a PostgreSQL state's default is the working directory.
    if (o.artifacts.empty()) o.artifacts = (dir_ / "gaggle-logs").string();
    if (o.threads == server::ServeOptions{}.threads) o.threads = 64;  // tests that hold no streams
    auto s = server::ApiServer::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    service::ServiceContext ctx = server_->BaseContext();
    ctx.actor = "setup";
    for (auto [name, role] : {std::pair{"viewer-vic", Role::kViewer}, std::pair{"operator-olga", Role::kOperator},
                              std::pair{"admin-ada", Role::kAdmin}}) {
      auto t = service::CreateApiToken(ctx, {name, role, false});
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      tokens_[role] = t->secret;
    }
    ASSERT_TRUE(server_->Start().ok());
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(10, 0);
    c.set_connection_timeout(5, 0);
    return c;
  }
  httplib::Headers Auth(Role r) { return {{"Authorization", "Bearer " + tokens_[r]}}; }

  int64_t LastSeq() {
    auto c = server_->control()->LastEventSeq();
    return c.ok() ? *c : -1;
  }

  std::filesystem::path dir_;
  std::string state_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<server::ApiServer> server_;
  std::map<Role, std::string> tokens_;
  store_test::PostgresTestServer* pg_ = nullptr;
  std::string pg_db_;
};

// The same test on both backends of the state: TEST_P(ApiServerBackendTest, ...), run as
// .../sqlite and .../postgres (INSTANTIATE_TEST_SUITE_P in the test file).
class ApiServerBackendTest : public ApiServerTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string Backend() const override { return GetParam(); }
};

}  // namespace gaggle::server_test
