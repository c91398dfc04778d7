// A run log's tail read from object storage (s3rver) from its end: the same lines as
// reading every part, for a small fraction of the bytes; and the lines split exactly as a
// forward reader splits them (empty lines, a last line without a newline, empty parts,
// long lines cut, a part only in the spool).
#include "service/mirrored_run_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "common/clock.h"
#include "common/mutex.h"
#include "fleet/run_log.h"
#include "service/log_operations.h"
#include "service/mirror_hosts_test_util.h"
#include "storage/object_store_file_system.h"

namespace gaggle::service {
namespace {

namespace fs = std::filesystem;

// The run-log lines ReadLog passes.
std::vector<std::string> RunLines(const ServiceContext& ctx, size_t tail) {
  std::vector<std::string> lines;
  Status st = ReadLog(ctx, LogRequest{"m", "", tail}, [&](LogSource source, const std::string& line) {
    EXPECT_EQ(source, LogSource::kRun);
    lines.push_back(line);
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return lines;
}

ServiceContext ContextOf(ArtifactMirror* mirror) {
  ServiceContext ctx;
  ctx.artifacts = mirror->spool();
  ctx.mirror = mirror;
  return ctx;
}

class MirroredRunLogTest : public MirrorHostsTest {
 protected:
  // A writer that publishes a part every 30 s of `clock`: `parts` parts of `lines` lines.
  void WriteParts(ArtifactMirror* host, const std::string& writer, int parts, int lines) {
    FakeClock clock(1700000000000000LL);
    Mutex mu;
    int published = 0;
    RunLogOptions o;
    o.clock = &clock;
    o.writer = writer;
    o.publish_every = std::chrono::seconds(30);
    o.on_file_closed = [&](const std::string& path) {
      if (path.find("/runs/") == std::string::npos) return;
      EXPECT_TRUE(host->Upload(path).ok()) << path;
      MutexLock lock(&mu);
      ++published;
    };
    auto count = [&] {
      MutexLock lock(&mu);
      return published;
    };
    auto log = RunLog::Open(host->spool(), "m", o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int p = 0; p < parts; ++p) {
      for (int i = 0; i < lines; ++i) {
        (*log)->Run("info", "step", {{"writer", writer}, {"part", p}, {"line", i}, {"pad", std::string(80, 'x')}});
      }
      if (p + 1 == parts) break;  // the last part is published when the log closes
      clock.Advance(std::chrono::seconds(30));
      for (int i = 0; i < 5000 && count() < p + 1; ++i) ::usleep(1000);
      ASSERT_EQ(count(), p + 1);
    }
    log->reset();
    ASSERT_EQ(count(), parts);
  }
};

TEST_F(MirroredRunLogTest, ATailOfALongMultiPartLogReadsOnlyItsEnd) {
  ArtifactMirror* earlier = NewMirror();
  ArtifactMirror* later = NewMirror();
  WriteParts(earlier, "20260101T000000-a-1", 5, 40);  // a coordinator that was replaced
  WriteParts(later, "20260101T010000-b-2", 40, 60);
  uint64_t total = 0, largest_part = 0;
  auto listed = NewMirror()->List("m/runs");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  for (const ArtifactObject& o : *listed) {
    total += o.size;
    largest_part = std::max(largest_part, o.size);
  }
  ASSERT_EQ(listed->size(), 45u);
  ASSERT_GT(total, 300000u);

  const std::vector<std::string> all = RunLines(ContextOf(NewMirror()), 0);  // every part fetched
  ASSERT_EQ(all.size(), 5u * 40 + 40u * 60);
  for (size_t tail : {size_t{1}, size_t{10}, size_t{50}, size_t{130}}) {
    SCOPED_TRACE(tail);
    ArtifactMirror* reader = NewMirror();
    const std::vector<std::string> got = RunLines(ContextOf(reader), tail);
    EXPECT_EQ(got, std::vector<std::string>(all.end() - static_cast<long>(tail), all.end()));
    // The parts holding the tail (60 lines each), not the log: under 10 % of its bytes.
    EXPECT_LE(reader->bytes_fetched(), (tail + 59) / 60 * largest_part);
    EXPECT_LT(reader->bytes_fetched(), total / 10) << "of " << total;
    if (tail <= 10) {
      EXPECT_LT(reader->bytes_fetched(), total / 50) << "of " << total;  // within the last part
    }
    EXPECT_GT(reader->bytes_fetched(), 0u);
    RecordProperty("tail_" + std::to_string(tail) + "_bytes_fetched_of_" + std::to_string(total),
                   std::to_string(reader->bytes_fetched()));
  }
  // A tail longer than the later writer's log reaches into the earlier one's.
  const size_t longer = 40 * 60 + 7;
  EXPECT_EQ(RunLines(ContextOf(NewMirror()), longer), std::vector<std::string>(all.end() - longer, all.end()));
  EXPECT_EQ(RunLines(ContextOf(NewMirror()), 100000), all);
}

// Files written by hand, some in object storage and one only in the reader's spool (its
// own part not uploaded yet), read by a tail of each length and compared with reading
// them all; a line longer than the limit is passed cut, with the bytes left out noted.
TEST_F(MirroredRunLogTest, ATailSplitsLinesAsAForwardReaderDoes) {
  const std::map<std::string, std::string> remote = {
      {"runs/w.jsonl", "a\n\nb"},
      {"runs/w.part-000002.jsonl", ""},
      {"runs/w.part-000003.jsonl", "\nc\n" + std::string(300000, 'L') + "\nd\n"},
  };
  ArtifactMirror* reader = NewMirror();
  const fs::path every = scratch_ / "every";  // all the files in one directory: the forward reader's view
  for (const auto& [name, text] : remote) {
    auto out = store_->OpenWritable(std::string(kRemote) + "/m/" + name);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE((*out)->Append(text).ok() && (*out)->Close().ok()) << name;
    fs::create_directories((every / "m" / name).parent_path());
    std::ofstream(every / "m" / name) << text;
  }
  fs::create_directories(fs::path(reader->spool()) / "m/runs");
  std::ofstream(fs::path(reader->spool()) / "m/runs/x.jsonl") << "e\nf";
  std::ofstream(every / "m/runs/x.jsonl") << "e\nf";
  ServiceContext forward;
  forward.artifacts = every.string();
  const std::vector<std::string> all = RunLines(forward, 0);
  ASSERT_EQ(all.size(), 9u);  // a, "", b, "", c, L..., d, e, f
  for (size_t tail = 1; tail <= all.size() + 1; ++tail) {
    SCOPED_TRACE(tail);
    EXPECT_EQ(RunLines(ContextOf(reader), tail), RunLines(forward, tail));
  }
  auto cut = TailMirroredRunLogs(reader, "m", 4, 100);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->found);
  EXPECT_EQ(cut->lines,
            (std::vector<std::string>{std::string(100, 'L') + " [gaggle: 299900 more bytes of this line not shown]",
                                      "d", "e", "f"}));
  auto none = TailMirroredRunLogs(reader, "other", 4, 100);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->found);
  std::vector<std::string> lines;
  Status missing = ReadLog(ContextOf(reader), LogRequest{"other", "", 5},
                           [&](LogSource, const std::string& line) { lines.push_back(line); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
}

}  // namespace
}  // namespace gaggle::service
