// Conformance (every backend): the event log's chains — one per migration, each event
// linked to the newest earlier event of its migration, every chain verified and checked
// against its recorded head; events changed, removed or cut off the end are caught, and
// named by seq and chain.
#include <gtest/gtest.h>

#include "store/event_chain.h"
#include "store/store_conformance_test_util.h"

namespace gaggle {
namespace {

using namespace store_test;  // NOLINT

Event Make(const std::string& migration, const std::string& detail) {
  Event e;
  e.actor = "alice";
  e.migration = migration;
  e.dataset = "d";
  e.from_state = "a";
  e.to_state = "b";
  e.detail = detail;
  return e;
}

const EventChainStatus* ChainOf(const EventChainReport& report, const std::string& migration) {
  for (const EventChainStatus& c : report.chains) {
    if (c.migration == migration) return &c;
  }
  return nullptr;
}

TEST_P(StoreConformance, EveryEventLinksToThePreviousOneAndVerifies) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->AppendEvent(Make("m", "e" + std::to_string(i))).ok());
  auto events = store_->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0].prev_hash, "");
  for (size_t i = 1; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].prev_hash, (*events)[i - 1].hash);
    EXPECT_EQ((*events)[i].hash, EventHash((*events)[i].prev_hash, (*events)[i]));
  }
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->chained, 5);
  EXPECT_EQ(report->head, events->back().hash);
}

TEST_P(StoreConformance, EachMigrationHasItsOwnChain) {
  // Interleaved: the catalog, m and n.
  for (const char* m : {"", "m", "n", "m", "", "n", "m"}) ASSERT_TRUE(store_->AppendEvent(Make(m, "x")).ok());
  ASSERT_TRUE(store_->UpsertRun(MakePlan("n", {"a", "b"}), "", 1, "bob").ok());
  auto events = *store_->ListEvents({});
  std::map<std::string, std::string> last;  // migration -> newest hash
  for (const Event& e : events) {
    EXPECT_EQ(e.prev_hash, last[e.migration]) << "event " << e.seq;
    EXPECT_EQ(e.hash, EventHash(e.prev_hash, e));
    last[e.migration] = e.hash;
  }
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  ASSERT_EQ(report->chains.size(), 3u);
  EXPECT_EQ(report->chains[0].migration, "");
  EXPECT_EQ(report->chains[0].events, 2);
  EXPECT_EQ(report->chains[1].migration, "m");
  EXPECT_EQ(report->chains[1].events, 3);
  EXPECT_EQ(report->chains[1].head, last["m"]);
  EXPECT_EQ(report->chains[2].events, 2 + 3);  // 2 appended, 2 tasks created, 1 run created
  EXPECT_EQ(report->head, events.back().hash);
}

TEST_P(StoreConformance, AChangedEventIsDetected) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store_->AppendEvent(Make("m", "e" + std::to_string(i))).ok());
  ASSERT_TRUE(store_->AppendEvent(Make("n", "other chain")).ok());
  store_.reset();
  ASSERT_TRUE(factory().RewriteEventDetail(location_, 2, "approved by nobody").ok());
  store_ = Open();
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 2);
  EXPECT_NE(report->problem.find("content does not match"), std::string::npos) << report->problem;
  EXPECT_NE(report->problem.find("event 2 (migration 'm')"), std::string::npos) << report->problem;
  ASSERT_NE(ChainOf(*report, "n"), nullptr);
  EXPECT_TRUE(ChainOf(*report, "n")->intact);
  EXPECT_FALSE(ChainOf(*report, "m")->intact);
}

TEST_P(StoreConformance, ARemovedEventIsDetected) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store_->AppendEvent(Make("m", "e" + std::to_string(i))).ok());
  store_.reset();
  ASSERT_TRUE(factory().DeleteEvent(location_, 2).ok());
  store_ = Open();
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 3);
  EXPECT_NE(report->problem.find("link"), std::string::npos) << report->problem;
}

TEST_P(StoreConformance, RemovingAChainsNewestEventIsDetectedByItsHead) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->AppendEvent(Make("m", "e" + std::to_string(i))).ok());
  ASSERT_TRUE(store_->AppendEvent(Make("", "catalog")).ok());
  store_.reset();
  ASSERT_TRUE(factory().DeleteEvent(location_, 3).ok());  // m's newest: every link still matches
  store_ = Open();
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_NE(report->problem.find("recorded head"), std::string::npos) << report->problem;
  EXPECT_NE(report->problem.find("ends at event 2"), std::string::npos) << report->problem;
  EXPECT_TRUE(ChainOf(*report, "")->intact);
}

TEST_P(StoreConformance, AChainHeadMovedBackIsDetected) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->AppendEvent(Make("m", "e" + std::to_string(i))).ok());
  store_.reset();
  ASSERT_TRUE(factory().SetChainHead(location_, "m", 2).ok());
  store_ = Open();
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_NE(report->problem.find("recorded head"), std::string::npos) << report->problem;
}

TEST_P(StoreConformance, AFailedWriteLeavesTheChainAsItWas) {
  ASSERT_TRUE(store_->AppendEvent(Make("m", "first")).ok());
  // A compare-and-set that fails appends nothing and moves no head.
  ASSERT_TRUE(store_->UpsertRun(MakePlan("m", {"a"}), "", 1, "x").ok());
  TaskRecord stale = Task("a");
  stale.state = TaskState::kSucceeded;
  EXPECT_EQ(store_->TransitionTask(TaskState::kRunning, stale, "r", "").code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->AppendEvent(Make("m", "after")).ok());
  auto report = store_->VerifyEventChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->chained, 1 + 2 + 1);
}

}  // namespace
}  // namespace gaggle
