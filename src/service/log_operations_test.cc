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
#include "storage/artifact_mirror.h"

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

// An artefact location in object storage, stood in for by a directory: a writer's spool
// publishes its logs as they close, and a reader with a spool of its own (another host)
// reads them, tail included, through FetchArtifacts; its spool then holds only copies.
TEST_F(LogOperationsTest, ALogPublishedThroughAMirrorIsReadFromAnotherSpool) {
  const fs::path root = fs::path(ctx_.artifacts).parent_path() / "remote";
  fs::create_directories(root);
  auto writer_spool = ArtifactMirror::MakeSpoolDirectory();
  auto reader_spool = ArtifactMirror::MakeSpoolDirectory();
  ASSERT_TRUE(writer_spool.ok() && reader_spool.ok());
  ArtifactMirror writer(root.string(), FileSystem::Default(), *writer_spool);
  ArtifactMirror reader(root.string(), FileSystem::Default(), *reader_spool);
  {
    RunLogOptions o;
    o.segment_bytes = 300;
    o.writer = "w1";
    o.on_file_closed = [&writer](const std::string& path) {
      if (fs::exists(path)) {
        EXPECT_TRUE(writer.Upload(path).ok()) << path;
      }
    };
    auto log = RunLog::Open(*writer_spool, "m", o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Run("info", "run_started");
    for (int i = 0; i < 20; ++i) (*log)->Task("d" + std::to_string(i % 2), "info", "e" + std::to_string(i));
  }
  ServiceContext remote_ctx = ctx_;
  remote_ctx.artifacts = *reader_spool;
  remote_ctx.mirror = &reader;
  Read run = ReadOf(remote_ctx, "m", "", 0);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.Events(LogSource::kRun).front(), "run_started");
  EXPECT_EQ(run.Events(LogSource::kRun).size(), 21u);
  Read d1 = ReadOf(remote_ctx, "m", "d1", 3);
  ASSERT_TRUE(d1.status.ok()) << d1.status.ToString();
  EXPECT_EQ(d1.Events(LogSource::kTask), (std::vector<std::string>{"e15", "e17", "e19"}));
  Read none = ReadOf(remote_ctx, "m", "d9", 0);
  EXPECT_EQ(none.status.code(), StatusCode::kNotFound) << none.status.ToString();
  fs::remove_all(*writer_spool);
  fs::remove_all(*reader_spool);
}

}  // namespace
}  // namespace gaggle::service
