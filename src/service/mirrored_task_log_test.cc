// One dataset's task log read from object storage (s3rver): two writers publish their
// segments as they close (one segment without its index, as when that upload failed);
// a reader on another spool gets exactly the lines a reader that fetched every segment
// gets, byte for byte and in the same order, while reading a fraction of the bytes.
#include "service/mirrored_task_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/mutex.h"
#include "fleet/run_log.h"
#include "service/log_operations.h"
#include "service/mirror_hosts_test_util.h"
#include "storage/object_store_file_system.h"

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxLine = size_t{1} << 20;

class MirroredTaskLogTest : public MirrorHostsTest {
 protected:
  // A writer's run log of small segments, published as they close, except the index of
  // segment `skip_index` (0: none).
  std::unique_ptr<RunLog> Writer(ArtifactMirror* mirror, const std::string& id, uint64_t skip_index) {
    RunLogOptions o;
    o.clock = &clock_;
    o.segment_bytes = 4096;
    o.writer = id;
    o.on_file_closed = [mirror, skip_index](const std::string& path) {
      if (skip_index > 0 && path.ends_with(fs::path(TaskLogIndexPath(".", skip_index)).filename().string())) return;
      if (fs::exists(path)) {
        EXPECT_TRUE(mirror->Upload(path).ok()) << path;
      }
    };
    auto log = RunLog::Open(mirror->spool(), "m", o);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  // The lines as read before this reader existed: the whole task-log prefix fetched.
  std::vector<std::string> ReadFetchingEverything(const std::string& dataset) {
    ArtifactMirror* m = NewMirror();
    EXPECT_TRUE(m->Fetch("m/task-log").ok());
    std::vector<std::string> lines;
    auto n = ForEachTaskLogLineOfAllWriters(m->spool() + "/m/task-log", "", dataset, kMaxLine,
                                            [&](const std::string& l) { lines.push_back(l); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return lines;
  }

  static std::vector<std::string> ReadThroughLogs(ArtifactMirror* mirror, const std::string& dataset) {
    ServiceContext ctx;
    ctx.artifacts = mirror->spool();
    ctx.mirror = mirror;
    std::vector<std::string> lines;
    Status st = ReadLog(ctx, LogRequest{"m", dataset, 0}, [&](LogSource source, const std::string& line) {
      if (source == LogSource::kTask) lines.push_back(line);
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return lines;
  }

  uint64_t TaskLogBytes() {
    ArtifactMirror* m = NewMirror();
    auto listed = m->List("m/task-log");
    EXPECT_TRUE(listed.ok());
    uint64_t total = 0;
    for (const ArtifactObject& o : *listed) total += o.size;
    return total;
  }

  FakeClock clock_{1700000000000000LL, std::chrono::milliseconds(1)};
};

// 120 datasets of three lines each, a task at a time as a fleet writes them; ds-7 failed
// on host A and was retried on host B, ds-90 only ever ran on B.
void WriteFleet(RunLog* a, RunLog* b) {
  for (int i = 0; i < 120; ++i) {
    const std::string ds = "ds-" + std::to_string(i);
    RunLog* log = i % 2 == 0 ? a : b;
    if (i == 7) log = a;
    log->Task(ds, "info", "attempt_started", {{"attempt", 1}, {"pad", std::string(40, 'x')}});
    log->Task(ds, i == 7 ? "error" : "info", i == 7 ? "attempt_failed" : "attempt_succeeded", {{"attempt", 1}});
    if (i == 7) {
      b->Task(ds, "info", "attempt_started", {{"attempt", 2}});
      b->Task(ds, "info", "attempt_succeeded", {{"attempt", 2}});
    }
    (i == 7 ? b : log)->Task(ds, "info", "validated");
  }
}

TEST_F(MirroredTaskLogTest, ReadsOnlyIndexesAndRangesAndPassesTheSameLines) {
  ArtifactMirror* host_a = NewMirror();
  ArtifactMirror* host_b = NewMirror();
  {
    auto a = Writer(host_a, "20260101T000000-a-1", 0);
    auto b = Writer(host_b, "20260101T000000-b-2", 2);  // its segment 2 has no index object
    ASSERT_TRUE(a && b);
    WriteFleet(a.get(), b.get());
  }
  const uint64_t total = TaskLogBytes();
  ASSERT_GT(total, 8u * 4096u);

  for (const std::string ds : {"ds-7", "ds-90", "ds-3"}) {
    SCOPED_TRACE(ds);
    const std::vector<std::string> before = ReadFetchingEverything(ds);
    ArtifactMirror* reader = NewMirror();
    const std::vector<std::string> got = ReadThroughLogs(reader, ds);
    EXPECT_EQ(got, before);
    EXPECT_EQ(got.size(), ds == "ds-7" ? 5u : 3u);
    for (const std::string& line : got) EXPECT_EQ(nlohmann::json::parse(line)["dataset"], ds) << line;
    // Every index, the unindexed segment whole, and a few ranges: well under the whole.
    EXPECT_LT(reader->bytes_fetched(), total / 2) << "of " << total;
    // A second read reuses the indexes it copied: only the ranges again.
    const uint64_t first = reader->bytes_fetched();
    EXPECT_EQ(ReadThroughLogs(reader, ds), before);
    EXPECT_LT(reader->bytes_fetched() - first, first / 4);
  }
  // The retried dataset's lines merge the two hosts in time order.
  std::vector<std::string> events;
  for (const std::string& l : ReadFetchingEverything("ds-7")) events.push_back(nlohmann::json::parse(l)["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"attempt_started", "attempt_failed", "attempt_started",
                                              "attempt_succeeded", "validated"}));
}

TEST_F(MirroredTaskLogTest, EachRangeAloneReadsOnlyTheDatasetsLines) {
  ArtifactMirror* host = NewMirror();
  uint64_t want = 0;
  {
    auto log = Writer(host, "w", 0);
    ASSERT_TRUE(log);
    for (int i = 0; i < 300; ++i) log->Task("d" + std::to_string(i % 5), "info", "e" + std::to_string(i));
  }
  ArtifactMirror* reader = NewMirror();
  auto listed = reader->List("m/task-log");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  uint64_t indexes = 0;
  for (const ArtifactObject& o : *listed) indexes += o.path.ends_with(".index") ? o.size : 0;
  auto writers = MirroredTaskLogWriters(reader, "m/task-log", 0);
  ASSERT_TRUE(writers.ok()) << writers.status().ToString();
  ASSERT_EQ(writers->size(), 2u);  // the folder itself and writer "w"
  std::vector<std::string> lines;
  auto n = ForEachTaskLogLineOfWriters(*writers, "", "d3", kMaxLine, [&](const std::string& l) {
    lines.push_back(l);
    want += l.size();
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(lines.size(), 60u);
  EXPECT_EQ(lines, ReadFetchingEverything("d3"));
  EXPECT_EQ(reader->bytes_fetched(), indexes + want);  // the indexes, then exactly the lines
}

TEST_F(MirroredTaskLogTest, LinesThisProcessHasNotUploadedYetAreReadFromItsSpool) {
  ArtifactMirror* host = NewMirror();
  auto published = Writer(host, "published", 0);
  ASSERT_TRUE(published);
  published->Task("d", "info", "attempt_started");
  published.reset();  // closes and uploads its segment
  RunLogOptions o;
  o.clock = &clock_;
  o.writer = "local";
  auto open = RunLog::Open(host->spool(), "m", o);  // its segment stays open, in the spool
  ASSERT_TRUE(open.ok());
  (*open)->Task("d", "info", "attempt_succeeded");
  std::vector<std::string> events;
  for (const std::string& l : ReadThroughLogs(host, "d")) events.push_back(nlohmann::json::parse(l)["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"attempt_started", "attempt_succeeded"}));
}

// A live writer publishes its open segment on the run log's clock: a reader on another
// host (its own spool and mirror) reads the lines written so far within one period, while
// the writer is still open; a period without a new line uploads nothing; a segment
// republished after the reader listed it is read from its new version.
TEST_F(MirroredTaskLogTest, AnOpenSegmentIsReadFromAnotherHostWithinOnePublishPeriod) {
  FakeClock clock(1700000000000000LL);
  ArtifactMirror* host = NewMirror();
  Mutex mu;
  std::vector<std::string> uploads;
  RunLogOptions o;
  o.clock = &clock;
  o.writer = "live";
  o.publish_every = std::chrono::seconds(30);
  o.on_file_closed = [&](const std::string& path) {
    if (fs::exists(path)) {
      EXPECT_TRUE(host->Upload(path).ok()) << path;
    }
    MutexLock lock(&mu);
    uploads.push_back(fs::path(path).filename().string());
  };
  auto count = [&](const std::string& name) {
    MutexLock lock(&mu);
    return std::count(uploads.begin(), uploads.end(), name);
  };
  // A period on, then up to 5 s for the `want`th upload of the open segment.
  auto period = [&](long want) {
    clock.Advance(std::chrono::seconds(30));
    for (int i = 0; i < 5000 && count("segment-000001.index") < want; ++i) ::usleep(1000);
  };
  auto read = [&](const std::string& ds) {
    std::vector<std::string> events;
    ArtifactMirror* reader = NewMirror();  // another host each time
    auto writers = MirroredTaskLogWriters(reader, "m/task-log");
    EXPECT_TRUE(writers.ok()) << writers.status().ToString();
    if (!writers.ok()) return events;
    auto n = ForEachTaskLogLineOfWriters(
        *writers, "", ds, kMaxLine, [&](const std::string& l) { events.push_back(nlohmann::json::parse(l)["event"]); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return events;
  };
  auto open = RunLog::Open(host->spool(), "m", o);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  RunLog& log = **open;
  for (int i = 0; i < 40; ++i) log.Task("ds-" + std::to_string(i % 4), "info", "attempt_started");
  log.Task("ds-1", "info", "attempt_succeeded");
  EXPECT_TRUE(read("ds-1").empty());  // nothing published yet
  period(1);
  ASSERT_EQ(count("segment-000001.index"), 1);
  EXPECT_EQ(count("segment-000001.jsonl"), 1);
  std::vector<std::string> want(10, "attempt_started");
  want.push_back("attempt_succeeded");
  EXPECT_EQ(read("ds-1"), want);
  EXPECT_EQ(read("ds-2").size(), 10u);

  clock.Advance(std::chrono::seconds(30));  // no line in this period: no upload (counted at the end)

  // A reader that listed before the next publish reads the republished segment.
  ArtifactMirror* early = NewMirror();
  auto listed = MirroredTaskLogWriters(early, "m/task-log");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  log.Task("ds-1", "info", "validated", {{"pad", std::string(3000, 'v')}});
  period(2);
  ASSERT_EQ(count("segment-000001.index"), 2);
  std::vector<std::string> got;
  auto n = ForEachTaskLogLineOfWriters(*listed, "", "ds-1", kMaxLine,
                                       [&](const std::string& l) { got.push_back(nlohmann::json::parse(l)["event"]); });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(got, want);  // the lines its listing knew of, read from the new version
  want.push_back("validated");
  EXPECT_EQ(read("ds-1"), want);
  EXPECT_EQ(ReadFetchingEverything("ds-1").size(), want.size());
  open->reset();  // closes the segment: its final index replaces the live one
  EXPECT_EQ(read("ds-1"), want);
  // Two live publishes (none in the quiet period) and the final one, each once.
  EXPECT_EQ(count("segment-000001.jsonl"), 3);
  EXPECT_EQ(count("segment-000001.index"), 3);
}

// kill -9 of a live writer loses only what it wrote after its last publish: another host
// reads every task line and run-log line published before, and nothing torn or half. The
// remote is a directory here (the same mirror code; the s3rver tests above cover S3).
TEST(MirroredTaskLogKillTest, AKilledWriterLosesOnlyTheLinesSinceItsLastPublish) {
  const fs::path root = fs::temp_directory_path() / ("gaggle-live-kill-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "remote");
  auto writer_spool = ArtifactMirror::MakeSpoolDirectory();
  auto reader_spool = ArtifactMirror::MakeSpoolDirectory();
  ASSERT_TRUE(writer_spool.ok() && reader_spool.ok());
  const std::string remote = (root / "remote").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // the writer: exits only by SIGKILL, or with a code saying what failed
    ArtifactMirror mirror(remote, FileSystem::Default(), *writer_spool);
    FakeClock clock(1700000000000000LL);
    std::atomic<int> uploads{0};
    RunLogOptions o;
    o.clock = &clock;
    o.writer = "doomed";
    o.publish_every = std::chrono::seconds(30);
    o.on_file_closed = [&](const std::string& path) {
      if (!mirror.Upload(path).ok()) ::_exit(3);
      ++uploads;
    };
    auto log = RunLog::Open(*writer_spool, "m", o);
    if (!log.ok()) ::_exit(2);
    (*log)->Run("info", "run_started");
    for (int i = 0; i < 20; ++i) (*log)->Task("d" + std::to_string(i % 2), "info", "published", {{"i", i}});
    clock.Advance(std::chrono::seconds(30));
    for (int i = 0; i < 5000 && uploads.load() < 3; ++i) ::usleep(1000);  // part, segment, index
    if (uploads.load() != 3) ::_exit(4);
    for (int i = 0; i < 20; ++i) (*log)->Task("d" + std::to_string(i % 2), "info", "lost", {{"i", i}});
    (*log)->Run("info", "lost");
    ::kill(::getpid(), SIGKILL);
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exit code " << WEXITSTATUS(status);

  ArtifactMirror reader(remote, FileSystem::Default(), *reader_spool);
  ServiceContext ctx;
  ctx.artifacts = *reader_spool;
  ctx.mirror = &reader;
  auto events = [&](const std::string& dataset, size_t tail) {
    std::vector<std::string> out;
    Status st = ReadLog(ctx, LogRequest{"m", dataset, tail}, [&](LogSource source, const std::string& line) {
      if (source != LogSource::kAgent) out.push_back(nlohmann::json::parse(line)["event"]);
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  };
  EXPECT_EQ(events("d1", 0), std::vector<std::string>(10, "published"));
  EXPECT_EQ(events("", 3), std::vector<std::string>(3, "published"));
  std::vector<std::string> run = events("", 0);
  ASSERT_EQ(run.size(), 21u);
  EXPECT_EQ(run.front(), "run_started");
  fs::remove_all(*writer_spool);
  fs::remove_all(*reader_spool);
  fs::remove_all(root);
}

}  // namespace
}  // namespace gaggle::service
