#include "audit/event_jsonl.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "store/event_chain.h"

namespace gaggle {
namespace {

bool SameEvent(const Event& a, const Event& b) {
  return a.seq == b.seq && a.time == b.time && a.actor == b.actor && a.migration == b.migration &&
         a.dataset == b.dataset && a.from_state == b.from_state && a.to_state == b.to_state && a.detail == b.detail &&
         a.prev_hash == b.prev_hash && a.hash == b.hash;
}

TEST(AuditArchiveEvents, LineFormatIsFixedAndRoundTrips) {
  Event e;
  e.seq = 42;
  e.time = "2024-05-01T12:00:00Z";
  e.actor = "alice";
  e.migration = "events-v2";
  e.dataset = "ds1";
  e.from_state = "pending";
  e.to_state = "running";
  e.detail = "say \"hi\"\n\ttab";
  e.prev_hash = "p";
  e.hash = "h";
  std::string line = EventToJsonLine(e);
  EXPECT_EQ(line, R"({"seq":42,"time":"2024-05-01T12:00:00Z","actor":"alice","migration":"events-v2","dataset":"ds1",)"
                  R"("from":"pending","to":"running","detail":"say \"hi\"\n\ttab","prev_hash":"p","hash":"h"})");
  auto back = EventFromJsonLine(line);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameEvent(*back, e));
  back = EventFromJsonLine(line + "\r\n");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(SameEvent(*back, e));

  auto events = audit_test::ChainedEvents(3);
  std::string jsonl = EventsToJsonl(events);
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 3);
  EXPECT_EQ(jsonl.substr(0, jsonl.find('\n')), EventToJsonLine(events[0]));
}

TEST(AuditArchiveEvents, InvalidUtf8IsReplacedTheWayTheHashSeesIt) {
  Event e = audit_test::ChainedEvents(1)[0];
  e.detail = "bad \xff\xfe bytes";
  e.hash = EventHash(e.prev_hash, e);
  auto back = EventFromJsonLine(EventToJsonLine(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_NE(back->detail, e.detail);
  EXPECT_EQ(EventHash(back->prev_hash, *back), e.hash);  // still verifies
}

TEST(AuditArchiveEvents, ErrorsNameTheField) {
  std::string good = EventToJsonLine(audit_test::ChainedEvents(1)[0]);
  auto without = [&](const std::string& field) {
    auto j = nlohmann::json::parse(good);
    j.erase(field);
    return j.dump();
  };
  for (std::string field :
       {"seq", "time", "actor", "migration", "dataset", "from", "to", "detail", "prev_hash", "hash"}) {
    auto r = EventFromJsonLine(without(field));
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("'" + field + "'"), std::string::npos) << r.status().ToString();
  }
  auto j = nlohmann::json::parse(good);
  j["seq"] = "1";
  EXPECT_NE(EventFromJsonLine(j.dump()).status().message().find("'seq' must be an integer"), std::string::npos);
  j = nlohmann::json::parse(good);
  j["seq"] = 1.5;
  EXPECT_FALSE(EventFromJsonLine(j.dump()).ok());
  j = nlohmann::json::parse(good);
  j["detail"] = nlohmann::json::object();
  EXPECT_NE(EventFromJsonLine(j.dump()).status().message().find("'detail' must be a string"), std::string::npos);
  j = nlohmann::json::parse(good);
  j["extra"] = 1;
  EXPECT_NE(EventFromJsonLine(j.dump()).status().message().find("unknown field 'extra'"), std::string::npos);
  j = nlohmann::json::parse(good);
  j["seq"] = 18446744073709551615ull;
  EXPECT_FALSE(EventFromJsonLine(j.dump()).ok());
  for (std::string bad : {"", "{", "[1,2]", "null", "{\"seq\":1,", "\xff"}) {
    EXPECT_EQ(EventFromJsonLine(bad).status().code(), StatusCode::kCorruption) << bad;
  }
}

}  // namespace
}  // namespace gaggle
