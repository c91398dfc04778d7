#include "fleet/run_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

}  // namespace
}  // namespace gaggle
