// ReadLog over the logs RunLog writes (task lines in shared segments) and over an artefact
// area an earlier gaggle wrote with one file per task (testdata/legacy_logs, as written).
#include "service/log_operations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/source_dir_test_util.h"
#include "fleet/run_log.h"
#include "service/service_test_util.h"

namespace gaggle::service {
namespace {

using service_test::ServiceTest;
namespace fs = std::filesystem;

struct Read {
  Status status;
  std::vector<std::pair<LogSource, std::string>> lines;
  std::vector<std::string> Events(LogSource source) const {
    std::vector<std::string> out;
    for (const auto& [s, l] : lines) {
      if (s != source) continue;
      auto j = nlohmann::json::parse(l, nullptr, false);
      out.push_back(j.is_object() ? j.value("event", "") : l);
    }
    return out;
  }
};

Read ReadOf(const ServiceContext& ctx, const std::string& migration, const std::string& dataset, size_t tail) {
  Read r;
  r.status = ReadLog(ctx, LogRequest{migration, dataset, tail},
                     [&](LogSource s, const std::string& line) { r.lines.emplace_back(s, line); });
  return r;
}

std::string LegacyArea() { return gaggle::testing::SourceRoot() + "/src/service/testdata/legacy_logs"; }

class LogOperationsTest : public ServiceTest {};

TEST_F(LogOperationsTest, ADatasetsTaskLinesComeFromTheSegmentsThenItsAgentLog) {
  {
    auto log = RunLog::Open(ctx_.artifacts, "m", Clock::System(), 300);  // a few lines per segment
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 40; ++i) (*log)->Task("d" + std::to_string(i % 4), "info", "e" + std::to_string(i));
    std::ofstream((*log)->AgentLogPath("d1")) << "agent line 1\nagent line 2\n";
  }
  EXPECT_GT(fs::file_size(RunLog::RunLogPathFor(ctx_.artifacts, "m")), 0u);
  EXPECT_TRUE(fs::exists(TaskLogSegmentPath(RunLog::TaskLogDirFor(ctx_.artifacts, "m"), 3)));
  EXPECT_FALSE(fs::exists(fs::path(ctx_.artifacts) / "m" / "tasks" / "d1.jsonl"));  // no file per task

  Read all = ReadOf(ctx_, "m", "d1", 0);
  ASSERT_TRUE(all.status.ok()) << all.status.ToString();
  std::vector<std::string> want;
  for (int i = 1; i < 40; i += 4) want.push_back("e" + std::to_string(i));
  EXPECT_EQ(all.Events(LogSource::kTask), want);
  EXPECT_EQ(all.Events(LogSource::kAgent), (std::vector<std::string>{"agent line 1", "agent line 2"}));
  EXPECT_EQ(all.lines.front().first, LogSource::kTask);

  Read tail = ReadOf(ctx_, "m", "d1", 2);
  ASSERT_TRUE(tail.status.ok());
  EXPECT_EQ(tail.Events(LogSource::kTask), (std::vector<std::string>{"e33", "e37"}));
  EXPECT_EQ(tail.Events(LogSource::kAgent), (std::vector<std::string>{"agent line 1", "agent line 2"}));

  Read none = ReadOf(ctx_, "m", "d9", 0);
  EXPECT_EQ(none.status.code(), StatusCode::kNotFound) << none.status.ToString();
  EXPECT_NE(none.status.message().find("'d9'"), std::string::npos) << none.status.message();
}

TEST_F(LogOperationsTest, LogsAnEarlierVersionWroteStillRead) {
  ServiceContext old = ctx_;
  old.artifacts = LegacyArea();
  Read ds = ReadOf(old, "legacy", "team/ds2", 0);
  ASSERT_TRUE(ds.status.ok()) << ds.status.ToString();
  EXPECT_EQ(ds.Events(LogSource::kTask),
            (std::vector<std::string>{"attempt_started", "attempt_succeeded", "validated"}));
  EXPECT_EQ(nlohmann::json::parse(ds.lines[0].second)["dataset"], "team/ds2");
  Read run = ReadOf(old, "legacy", "", 0);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_GT(run.lines.size(), 9u);
  EXPECT_EQ(ReadOf(old, "legacy", "ds1", 1).Events(LogSource::kTask), std::vector<std::string>{"validated"});
}

TEST_F(LogOperationsTest, ARunResumedByThisVersionAppendsToAnOldArea) {
  fs::create_directories(ctx_.artifacts);
  fs::copy(LegacyArea() + "/legacy", fs::path(ctx_.artifacts) / "legacy", fs::copy_options::recursive);
  {
    auto log = RunLog::Open(ctx_.artifacts, "legacy");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Task("ds0", "info", "rolled_back");
  }
  Read ds = ReadOf(ctx_, "legacy", "ds0", 0);
  ASSERT_TRUE(ds.status.ok()) << ds.status.ToString();
  EXPECT_EQ(ds.Events(LogSource::kTask),
            (std::vector<std::string>{"attempt_started", "attempt_succeeded", "validated", "rolled_back"}));
  EXPECT_EQ(ReadOf(ctx_, "legacy", "ds0", 2).Events(LogSource::kTask),
            (std::vector<std::string>{"validated", "rolled_back"}));
}

}  // namespace
}  // namespace gaggle::service
