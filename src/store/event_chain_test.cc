#include "store/event_chain.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class EventChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-chain-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "gaggle.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Changes the file behind the store's back, as an attacker with the file would.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    std::string all =
        "DROP TRIGGER IF EXISTS events_are_append_only_update; "
        "DROP TRIGGER IF EXISTS events_are_append_only_delete; " +
        sql;
    EXPECT_EQ(sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

Event Make(const std::string& detail) {
  Event e;
  e.actor = "alice";
  e.migration = "m";
  e.dataset = "d";
  e.from_state = "a";
  e.to_state = "b";
  e.detail = detail;
  return e;
}

TEST_F(EventChainTest, EveryEventLinksToThePreviousOneAndVerifies) {
  auto store = OpenStateStore(path_);
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*store)->AppendEvent(Make("e" + std::to_string(i))).ok());
  auto events = (*store)->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0].prev_hash, "");
  for (size_t i = 1; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].prev_hash, (*events)[i - 1].hash);
    EXPECT_EQ((*events)[i].hash, EventHash((*events)[i].prev_hash, (*events)[i]));
  }
  auto report = (*store)->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->chained, 5);
  EXPECT_EQ(report->head, events->back().hash);
}

TEST_F(EventChainTest, AChangedEventIsDetected) {
  {
    auto store = OpenStateStore(path_);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*store)->AppendEvent(Make("e" + std::to_string(i))).ok());
  }
  Tamper("UPDATE events SET detail = 'approved by nobody' WHERE seq = 2;");
  auto store = OpenStateStore(path_);
  ASSERT_TRUE(store.ok());
  auto report = (*store)->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 2);
  EXPECT_NE(report->problem.find("content does not match"), std::string::npos) << report->problem;
}

TEST_F(EventChainTest, ARemovedEventIsDetected) {
  {
    auto store = OpenStateStore(path_);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*store)->AppendEvent(Make("e" + std::to_string(i))).ok());
  }
  Tamper("DELETE FROM events WHERE seq = 2;");
  auto store = OpenStateStore(path_);
  ASSERT_TRUE(store.ok());
  auto report = (*store)->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 3);
  EXPECT_NE(report->problem.find("link"), std::string::npos) << report->problem;
}

}  // namespace
}  // namespace gaggle
