#include "fleet/run_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/clock.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class RunLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gaggle-run-log-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::vector<std::string> Lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  fs::path dir_;
};

TEST_F(RunLogTest, TaskLinesGoToRunJsonlAndOneSharedSegmentNotAFilePerTask) {
  {
    auto log = RunLog::Open(dir_.string(), "m");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Run("info", "run_started");
    for (int i = 0; i < 100; ++i) (*log)->Task("d" + std::to_string(i), "info", "attempt_started", {{"attempt", 1}});
  }
  EXPECT_EQ(Lines(RunLog::RunLogPathFor(dir_.string(), "m")).size(), 101u);
  const std::string seg_dir = RunLog::TaskLogDirFor(dir_.string(), "m");
  auto seg = Lines(TaskLogSegmentPath(seg_dir, 1));
  ASSERT_EQ(seg.size(), 100u);
  auto j = nlohmann::json::parse(seg[7]);
  EXPECT_EQ(j["dataset"], "d7");
  EXPECT_EQ(j["attempt"], 1);
  EXPECT_EQ(Lines(TaskLogIndexPath(seg_dir, 1)).size(), 100u);  // closed with the log
  EXPECT_FALSE(fs::exists(TaskLogSegmentPath(seg_dir, 2)));
  // tasks/ stays for external agents' own output, and holds no task file.
  EXPECT_TRUE(fs::is_directory(dir_ / "m" / "tasks"));
  EXPECT_TRUE(fs::is_empty(dir_ / "m" / "tasks"));
}

TEST_F(RunLogTest, AFailingSegmentIsReportedOnceAndTheRunLogGoesOn) {
  auto log = RunLog::Open(dir_.string(), "m");
  ASSERT_TRUE(log.ok());
  fs::remove_all(RunLog::TaskLogDirFor(dir_.string(), "m"));
  ::testing::internal::CaptureStderr();
  (*log)->Task("d0", "info", "a");
  (*log)->Task("d0", "info", "b");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cannot create task log segment"), std::string::npos) << err;
  EXPECT_EQ(err.find("warning", err.find("warning") + 1), std::string::npos) << "reported twice: " << err;
  EXPECT_EQ(Lines(RunLog::RunLogPathFor(dir_.string(), "m")).size(), 2u);
}

TEST_F(RunLogTest, TheNotificationsLogCommandIsQuotedForAShell) {
  auto log = RunLog::Open(dir_.string(), "m");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->TaskLogCommand("team/ds-1"), "gaggle logs m team/ds-1 --logs " + dir_.string());
  EXPECT_EQ((*log)->TaskLogCommand("it's odd"), "gaggle logs m 'it'\\''s odd' --logs " + dir_.string());
}

// Two processes sharing an artefact location in object storage (a coordinator that took
// over from another): each writes its own run log and segments, publishes each file once
// complete, and the readers see both, a retried task's attempts in time order.
TEST_F(RunLogTest, WritersKeepTheirOwnFilesAndReadersMergeThemInTimeOrder) {
  FakeClock early(1700000000000000LL), late(1700000100000000LL);
  std::vector<std::string> published;
  auto options = [&](Clock* clock, const std::string& writer) {
    RunLogOptions o;
    o.clock = clock;
    o.segment_bytes = 1;  // every line closes its segment
    o.writer = writer;
    o.shown_location = "s3://bucket/logs";
    o.on_file_closed = [&published](const std::string& path) { published.push_back(path); };
    return o;
  };
  {
    // The later writer's id sorts first: the readers order by the lines' time, not by name.
    auto b = RunLog::Open(dir_.string(), "m", options(&late, "a-second"));
    auto a = RunLog::Open(dir_.string(), "m", options(&early, "b-first"));
    ASSERT_TRUE(a.ok() && b.ok());
    (*a)->Run("info", "run_started");
    (*a)->Task("d1", "info", "attempt_started", {{"attempt", 1}});
    (*b)->Task("d1", "info", "attempt_started", {{"attempt", 2}});
    (*b)->Task("d2", "info", "attempt_started", {{"attempt", 1}});
    EXPECT_EQ((*a)->TaskLogCommand("d1"), "gaggle logs m d1 --logs s3://bucket/logs");
  }
  EXPECT_FALSE(fs::exists(RunLog::RunLogPathFor(dir_.string(), "m")));
  const std::vector<std::string> runs = RunLog::RunLogFilesFor(dir_.string(), "m");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0], RunLog::RunLogPathFor(dir_.string(), "m", "a-second"));
  EXPECT_EQ(Lines(runs[1]).size(), 2u);
  // Three segments and their indexes, then both run logs, each published once.
  EXPECT_EQ(published.size(), 8u);
  for (const std::string& p : published) EXPECT_TRUE(fs::is_regular_file(p)) << p;
  EXPECT_TRUE(fs::exists(RunLog::TaskLogDirFor(dir_.string(), "m") + "/a-second/segment-000002.index"));

  std::vector<int> attempts;
  auto n = ForEachTaskLogLineOfAllWriters(
      RunLog::TaskLogDirFor(dir_.string(), "m"), "", "d1", 1 << 20,
      [&](const std::string& line) { attempts.push_back(nlohmann::json::parse(line).at("attempt").get<int>()); });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(attempts, (std::vector<int>{1, 2}));
}

// A live run's log is closed into parts on the clock, each handed over once (to be
// uploaded), so another host sees it grow without any byte uploaded twice.
TEST_F(RunLogTest, APublishingWriterClosesItsRunLogIntoPartsOnTheClock) {
  FakeClock clock(1700000000000000LL);
  Mutex mu;
  std::vector<std::string> published;
  RunLogOptions o;
  o.clock = &clock;
  o.writer = "w";
  o.publish_every = std::chrono::seconds(30);
  o.on_file_closed = [&](const std::string& path) {
    if (path.find("/runs/") == std::string::npos) return;  // segments and indexes
    MutexLock lock(&mu);
    published.push_back(path);
  };
  auto count = [&] {
    MutexLock lock(&mu);
    return published.size();
  };
  // Moves the clock a period on, then waits (up to 5 s) for `want` parts. Periods are
  // counted from Open, so a publisher that wakes late still takes each line once.
  auto period = [&](size_t want) {
    clock.Advance(std::chrono::seconds(30));
    for (int i = 0; i < 5000 && count() < want; ++i) ::usleep(1000);
  };
  {
    auto log = RunLog::Open(dir_.string(), "m", o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Run("info", "run_started");
    (*log)->Task("d1", "info", "attempt_started");
    period(1);
    ASSERT_EQ(count(), 1u);
    EXPECT_EQ(published[0], RunLog::RunLogPathFor(dir_.string(), "m", "w"));
    EXPECT_EQ(Lines(published[0]).size(), 2u);
    period(1);  // no line in this period: no part (else four in all, one of them empty)
    (*log)->Task("d1", "info", "attempt_succeeded");
    period(2);
    ASSERT_EQ(count(), 2u);
    EXPECT_EQ(published[1], RunLog::RunLogPathFor(dir_.string(), "m", "w", 2));
    EXPECT_EQ(Lines(published[1]).size(), 1u);
    (*log)->Run("info", "run_finished");
  }
  ASSERT_EQ(count(), 3u);  // the last part, when the log closes
  EXPECT_EQ(published[2], RunLog::RunLogPathFor(dir_.string(), "m", "w", 3));
  const std::vector<std::string> files = RunLog::RunLogFilesFor(dir_.string(), "m");
  EXPECT_EQ(files, published);  // readers take the parts in the order they were written
  std::vector<std::string> events;
  for (const std::string& f : files) {
    for (const std::string& l : Lines(f)) events.push_back(nlohmann::json::parse(l).at("event"));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"run_started", "attempt_started", "attempt_succeeded", "run_finished"}));
}

}  // namespace
}  // namespace gaggle
