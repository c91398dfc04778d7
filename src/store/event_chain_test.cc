// The chain rules alone (store/event_chain.h): the hash, and following a log of
// per-migration chains, of an older whole-log chain, and of both one after the other.
// The stores' chains are tested through every backend in store_event_conformance_test.cc.
#include "store/event_chain.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace gaggle {
namespace {

// Builds a log: each event linked per migration, or to the newest event of the log.
class LogBuilder {
 public:
  LogBuilder& Add(const std::string& migration, bool whole_log = false) {
    Event e;
    e.seq = ++seq_;
    e.time = "t" + std::to_string(seq_);
    e.actor = "a";
    e.migration = migration;
    e.to_state = "s";
    e.prev_hash = whole_log ? newest_ : last_[migration];
    e.hash = EventHash(e.prev_hash, e);
    last_[migration] = newest_ = e.hash;
    events_.push_back(e);
    return *this;
  }
  LogBuilder& Unchained(const std::string& migration) {
    Event e;
    e.seq = ++seq_;
    e.migration = migration;
    events_.push_back(e);
    return *this;
  }
  std::vector<Event>& events() { return events_; }

 private:
  int64_t seq_ = 0;
  std::string newest_;
  std::map<std::string, std::string> last_;
  std::vector<Event> events_;
};

// The seqs of the events whose link or hash does not hold.
std::vector<int64_t> Broken(const std::vector<Event>& events) {
  EventChainFollower f;
  std::vector<int64_t> out;
  for (const Event& e : events) {
    auto c = f.Next(e);
    if (c.after_chained || !c.link_ok || !c.hash_ok) out.push_back(e.seq);
  }
  return out;
}

TEST(EventHash, CoversTheLinkAndEveryField) {
  Event e{7, "2024-01-01T00:00:00Z", "alice", "m", "d", "pending", "running", "{\"x\":1}", "", ""};
  const std::string h = EventHash("prev", e);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(EventHash("prev", e), h);
  EXPECT_NE(EventHash("other", e), h);
  for (std::string Event::*field : {&Event::time, &Event::actor, &Event::migration, &Event::dataset, &Event::from_state,
                                    &Event::to_state, &Event::detail}) {
    Event changed = e;
    changed.*field += "!";
    EXPECT_NE(EventHash("prev", changed), h);
  }
  Event other_seq = e;
  other_seq.seq = 8;  // the seq is the store's, not part of the hash
  EXPECT_EQ(EventHash("prev", other_seq), h);
}

TEST(EventChainFollower, InterleavedChainsPerMigrationHold) {
  LogBuilder log;
  log.Add("").Add("m").Add("n").Add("m").Add("").Add("n").Add("m");
  EXPECT_TRUE(Broken(log.events()).empty());
  EventChainFollower f;
  for (const Event& e : log.events()) f.Next(e);
  ASSERT_EQ(f.chains().size(), 3u);
  EXPECT_EQ(f.chains().at("m").events, 3);
  EXPECT_EQ(f.chains().at("m").head_seq, 7);
  EXPECT_EQ(f.chains().at("").head, log.events()[4].hash);
  EXPECT_EQ(f.newest_seq(), 7);
  EXPECT_EQ(f.newest_hash(), log.events().back().hash);
}

TEST(EventChainFollower, AnOlderWholeLogChainThenPerMigrationChainsHold) {
  LogBuilder log;
  log.Unchained("m").Unchained("");
  log.Add("", true).Add("m", true).Add("n", true).Add("m", true);  // schema versions 4-5
  log.Add("n").Add("m").Add("").Add("n");                          // version 6 continues per migration
  EXPECT_TRUE(Broken(log.events()).empty());
}

TEST(EventChainFollower, WholeLogLinksEndWithTheFirstPerMigrationLink) {
  LogBuilder log;
  log.Add("m").Add("n").Add("m", true);  // n linked per migration; m then links to the log
  EXPECT_EQ(Broken(log.events()), std::vector<int64_t>{3});
}

TEST(EventChainFollower, ChangedRemovedAndReorderedEventsBreakTheirChain) {
  {
    LogBuilder log;
    log.Add("m").Add("n").Add("m").Add("m");
    log.events()[2].detail = "edited";  // hash left alone
    EXPECT_EQ(Broken(log.events()), std::vector<int64_t>{3});
  }
  {
    LogBuilder log;
    log.Add("m").Add("n").Add("m").Add("m");
    log.events().erase(log.events().begin() + 2);  // m's second event
    EXPECT_EQ(Broken(log.events()), std::vector<int64_t>{4});
    EventChainFollower f;
    auto events = log.events();
    f.Next(events[0]);
    f.Next(events[1]);
    auto check = f.Next(events[2]);
    EXPECT_FALSE(check.link_ok);
    EXPECT_EQ(check.expected_seq, 1);  // the newest m event before it
  }
  {
    LogBuilder log;
    log.Add("m").Add("m").Add("m");
    std::swap(log.events()[1], log.events()[2]);
    EXPECT_FALSE(Broken(log.events()).empty());
  }
  {
    LogBuilder log;
    log.Add("m").Add("m");
    log.events().erase(log.events().begin());  // the chain does not start at its beginning
    EXPECT_EQ(Broken(log.events()), std::vector<int64_t>{2});
  }
}

TEST(EventChainFollower, AnUnchainedEventAfterChainedOnesIsNoted) {
  LogBuilder log;
  log.Unchained("m").Add("m").Unchained("m");
  EventChainFollower f;
  auto first = f.Next(log.events()[0]);
  EXPECT_FALSE(first.chained);
  EXPECT_FALSE(first.after_chained);
  f.Next(log.events()[1]);
  auto last = f.Next(log.events()[2]);
  EXPECT_FALSE(last.chained);
  EXPECT_TRUE(last.after_chained);
}

TEST(EventChainFollower, AfterAnUnreadableEventEachChainsNextLinkIsNotJudged) {
  LogBuilder log;
  log.Add("m").Add("n").Add("m").Add("n").Add("m");
  EventChainFollower f;
  const auto& e = log.events();
  EXPECT_TRUE(f.Next(e[0]).link_ok);
  EXPECT_TRUE(f.Next(e[1]).link_ok);
  f.Unreadable();  // e[2] (m) could not be read
  EXPECT_TRUE(f.Next(e[3]).link_ok);
  auto m = f.Next(e[4]);  // links to the unreadable event: not judged
  EXPECT_TRUE(m.link_ok);
  EXPECT_TRUE(m.hash_ok);
}

}  // namespace
}  // namespace gaggle
