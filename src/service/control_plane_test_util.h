// Shared by the control-plane service tests: the service test fixture plus the
// control store (tokens, approval links, task pages) on the same state.
// ControlPlaneTest keeps the state in a SQLite file; ControlPlaneBackendTest runs the same
// test on every backend of the state, as the store conformance suite does
// (store/store_conformance_test_util.h): TEST_P(Suite, ...) and then
// INSTANTIATE_CONTROL_PLANE_SUITE(Suite) runs it as Suite.Name/sqlite and
// Suite.Name/postgres, the latter in a database of its own on the private test server
// (store/postgres_test_server_test_util.h; skipped when PostgreSQL is not installed).
#pragma once

#include "service/service_test_util.h"
#include "store/control_store.h"
#include "store/postgres_test_server_test_util.h"

namespace gaggle::service_test {

class ControlPlaneTest : public ServiceTest {
 protected:
  // "sqlite" or "postgres".
  virtual std::string Backend() const { return "sqlite"; }

  void SetUp() override {
    if (Backend() == "postgres") {
      auto server = store_test::PostgresTestServer::Get();
      if (!server.ok() && server.status().code() == StatusCode::kUnsupported) {
        GTEST_SKIP() << server.status().message();
      }
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      server_ = *server;
      auto db = server_->CreateDatabase(::testing::UnitTest::GetInstance()->current_test_info()->name());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      db_ = *db;
    }
    ServiceTest::SetUp();
    if (store_ == nullptr) return;  // ServiceTest failed the test
    auto c = OpenControlStore(StateLocation());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    control_ = std::move(c).value();
    ctx_.control = control_.get();
  }
  void TearDown() override {
    control_.reset();
    ServiceTest::TearDown();
    if (server_ != nullptr && !db_.empty()) (void)server_->DropDatabase(db_);
  }
  std::string StateLocation() override { return server_ != nullptr ? server_->Url(db_) : ServiceTest::StateLocation(); }

  int64_t LastSeq() {
    auto s = control_->LastEventSeq();
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : -1;
  }
  Event LastEvent() {
    EventFilter f;
    f.after_seq = LastSeq() - 1;
    auto e = store_->ListEvents(f);
    EXPECT_TRUE(e.ok() && !e->empty());
    return e.ok() && !e->empty() ? e->back() : Event{};
  }
  std::unique_ptr<ControlStore> control_;
  store_test::PostgresTestServer* server_ = nullptr;
  std::string db_;
};

class ControlPlaneBackendTest : public ControlPlaneTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string Backend() const override { return GetParam(); }
};

inline std::string ControlPlaneBackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace gaggle::service_test

#define INSTANTIATE_CONTROL_PLANE_SUITE(suite)                                                              \
  INSTANTIATE_TEST_SUITE_P(store, suite, ::testing::Values(std::string("sqlite"), std::string("postgres")), \
                           ::gaggle::service_test::ControlPlaneBackendName)
