#include "fleet/task_log_segments.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fleet/run_log.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

class TaskLogSegmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-segments-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    dir_ = (root_ / "task-log").string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string Line(const std::string& dataset, int i, const std::string& pad = "") {
    return nlohmann::json{{"dataset", dataset}, {"event", "e" + std::to_string(i)}, {"pad", pad}}.dump() + "\n";
  }
  std::vector<std::string> Read(const std::string& dataset, size_t max = 1 << 20) {
    std::vector<std::string> out;
    auto n = ForEachTaskLogLine(dir_, (root_ / "tasks" / (dataset + ".jsonl")).string(), dataset, max,
                                [&](const std::string& l) { out.push_back(l); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (n.ok()) {
      EXPECT_EQ(*n, static_cast<int64_t>(out.size()));
    }
    return out;
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(TaskLogSegmentsTest, RotatesBySizeAndFindsEveryDatasetsLinesInOrder) {
  std::map<std::string, std::vector<std::string>> want;
  {
    TaskLogSegmentWriter w(dir_, 2000);
    for (int i = 0; i < 600; ++i) {
      const std::string ds = "ds." + std::to_string((i * 7) % 97);
      std::string line = Line(ds, i);
      ASSERT_TRUE(w.Append(ds, line).ok());
      want[ds].push_back(line.substr(0, line.size() - 1));
    }
  }
  int segments = 0;
  for (uint64_t n = 1; fs::exists(TaskLogSegmentPath(dir_, n)); ++n) {
    ++segments;
    EXPECT_TRUE(fs::exists(TaskLogIndexPath(dir_, n))) << n;
    EXPECT_LE(fs::file_size(TaskLogSegmentPath(dir_, n)), 2000u + 100u);
  }
  EXPECT_GT(segments, 10);
  EXPECT_FALSE(fs::exists(TaskLogIndexPath(dir_, 1) + ".tmp"));
  for (const auto& [ds, lines] : want) EXPECT_EQ(Read(ds), lines) << ds;
  EXPECT_TRUE(Read("ds.97").empty());
  EXPECT_TRUE(Read("").empty());
}

TEST_F(TaskLogSegmentsTest, BinarySearchFindsFirstMiddleAndLastKeysOfALargeIndex) {
  {
    TaskLogSegmentWriter w(dir_, uint64_t{1} << 30);
    for (int i = 0; i < 5000; ++i)
      ASSERT_TRUE(w.Append("k" + std::to_string(i), Line("k" + std::to_string(i), i)).ok());
    ASSERT_TRUE(w.Append("k0", Line("k0", 5000)).ok());
  }
  std::string index = Slurp(TaskLogIndexPath(dir_, 1));
  EXPECT_EQ(index.substr(0, 3), "k0 ");  // sorted by key
  EXPECT_EQ(Read("k0").size(), 2u);
  for (const char* ds : {"k1", "k10", "k2500", "k4999", "k9999", "a", "z"}) {
    auto got = Read(ds);
    EXPECT_EQ(got.size(), std::string(ds) == "k9999" || ds[1] == 0 ? 0u : 1u) << ds;
    for (const auto& l : got) EXPECT_EQ(nlohmann::json::parse(l)["dataset"], ds);
  }
}

TEST_F(TaskLogSegmentsTest, ReadsTheSegmentBeingWrittenAndOneWhoseWriterDied) {
  TaskLogSegmentWriter w(dir_, 1 << 20);
  ASSERT_TRUE(w.Append("a", Line("a", 1)).ok());
  ASSERT_TRUE(w.Append("b", Line("b", 2)).ok());
  EXPECT_FALSE(fs::exists(TaskLogIndexPath(dir_, 1)));  // still open: found by a scan
  EXPECT_EQ(Read("a"), std::vector<std::string>{Line("a", 1).substr(0, Line("a", 1).size() - 1)});
  // A second writer (another process) claims the next number, never the open segment.
  TaskLogSegmentWriter other(dir_, 1 << 20);
  ASSERT_TRUE(other.Append("a", Line("a", 3)).ok());
  EXPECT_EQ(other.current_segment(), 2u);
  ASSERT_TRUE(other.Close().ok());
  // A torn last line (a crash mid-write) of the unindexed segment is shown as text.
  {
    std::ofstream torn(TaskLogSegmentPath(dir_, 1), std::ios::app);
    torn << R"({"dataset":"a","event":"cut)";
  }
  auto got = Read("a");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(got[0])["event"], "e1");
  EXPECT_EQ(got[1], R"({"dataset":"a","event":"cut)");
  EXPECT_EQ(nlohmann::json::parse(got[2])["event"], "e3");
  EXPECT_EQ(Read("b").size(), 1u);
}

TEST_F(TaskLogSegmentsTest, ACorruptIndexFallsBackToAScan) {
  {
    TaskLogSegmentWriter w(dir_, 1 << 20);
    for (int i = 0; i < 50; ++i)
      ASSERT_TRUE(w.Append("d" + std::to_string(i % 5), Line("d" + std::to_string(i % 5), i)).ok());
  }
  for (const std::string& garbage :
       {std::string(1000, 'x'), std::string("d1 notanumber 3\n"), std::string("d1 0 0\n")}) {
    std::ofstream(TaskLogIndexPath(dir_, 1), std::ios::trunc) << garbage;
    EXPECT_EQ(Read("d1").size(), 10u) << garbage.substr(0, 20);
  }
  // An index that lies about a location cannot show another dataset's line.
  std::ofstream(TaskLogIndexPath(dir_, 1), std::ios::trunc) << "d1 0 " << Line("d0", 0).size() << "\n";
  EXPECT_TRUE(Read("d1").empty());
}

TEST_F(TaskLogSegmentsTest, IdsSharingAFileNameKeyStaySeparate) {
  const std::string spaced = "a b";
  const std::string lookalike = RunLog::SafeFileName(spaced);  // a plain id equal to the other's key
  ASSERT_EQ(RunLog::SafeFileName(lookalike), lookalike);
  {
    TaskLogSegmentWriter w(dir_, 1 << 20);
    ASSERT_TRUE(w.Append(spaced, Line(spaced, 1)).ok());
    ASSERT_TRUE(w.Append(lookalike, Line(lookalike, 2)).ok());
  }
  ASSERT_EQ(Read(spaced).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Read(spaced)[0])["event"], "e1");
  ASSERT_EQ(Read(lookalike).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Read(lookalike)[0])["event"], "e2");
}

TEST_F(TaskLogSegmentsTest, LongLinesAreCutWithANote) {
  {
    TaskLogSegmentWriter w(dir_, 1 << 20);
    ASSERT_TRUE(w.Append("big", Line("big", 1, std::string(5000, 'p'))).ok());
  }
  auto got = Read("big", 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].substr(0, 30), Line("big", 1, std::string(5000, 'p')).substr(0, 30));
  EXPECT_NE(got[0].find("more bytes of this line not shown"), std::string::npos);
}

TEST_F(TaskLogSegmentsTest, AnEarlierVersionsPerTaskFileComesFirst) {
  fs::create_directories(root_ / "tasks");
  std::ofstream(root_ / "tasks" / "old.jsonl") << R"({"event":"from-before"})"
                                               << "\n";
  EXPECT_EQ(Read("old"), std::vector<std::string>{R"({"event":"from-before"})"});
  {
    TaskLogSegmentWriter w(dir_, 1 << 20);
    ASSERT_TRUE(w.Append("old", Line("old", 7)).ok());
  }
  auto got = Read("old");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], R"({"event":"from-before"})");
  EXPECT_EQ(nlohmann::json::parse(got[1])["event"], "e7");
}

TEST_F(TaskLogSegmentsTest, AWriteErrorIsReportedAndTheNextLineOpensANewSegment) {
  TaskLogSegmentWriter w(dir_ + "/missing", 1 << 20);
  Status st = w.Append("a", Line("a", 1));
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_NE(st.message().find("missing/segment-000001.jsonl"), std::string::npos) << st.message();
  fs::create_directories(dir_ + "/missing");
  EXPECT_TRUE(w.Append("a", Line("a", 2)).ok());
}

// A live run in object storage publishes its open segment each period: the index of the
// lines so far, marked with the bytes it covers, only when the segment grew; a reader
// takes the lines the index names and scans the ones written after it.
TEST_F(TaskLogSegmentsTest, PublishOpenWritesALiveIndexOnlyWhenTheSegmentGrew) {
  std::vector<std::string> closed;
  TaskLogSegmentWriter w(dir_, uint64_t{1} << 20);
  w.set_on_closed([&](const std::string& segment, const std::string&) { closed.push_back(segment); });
  auto none = w.PublishOpen(1 << 20);
  ASSERT_TRUE(none.ok() && none->empty());  // nothing open yet
  const std::string a0 = Line("d1", 0), b1 = Line("d2", 1), a2 = Line("d1", 2), b3 = Line("d2", 3);
  ASSERT_TRUE(w.Append("d1", a0).ok() && w.Append("d2", b1).ok() && w.Append("d1", a2).ok());
  auto first = w.PublishOpen(1 << 20);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, (std::vector<std::string>{TaskLogSegmentPath(dir_, 1), TaskLogIndexPath(dir_, 1)}));
  const std::string covered = std::to_string(a0.size() + b1.size() + a2.size());
  EXPECT_EQ(Slurp(TaskLogIndexPath(dir_, 1)).substr(0, 9 + covered.size()), "#covers " + covered + "\n");
  auto again = w.PublishOpen(1 << 20);
  ASSERT_TRUE(again.ok() && again->empty());  // nothing new: nothing to upload
  ASSERT_TRUE(w.Append("d2", b3).ok());
  // The index names b1; b3 comes from the bytes after what it covers.
  auto chop = [](const std::string& l) { return l.substr(0, l.size() - 1); };
  EXPECT_EQ(Read("d2"), (std::vector<std::string>{chop(b1), chop(b3)}));
  EXPECT_EQ(Read("d1"), (std::vector<std::string>{chop(a0), chop(a2)}));
  auto second = w.PublishOpen(1 << 20);
  ASSERT_TRUE(second.ok() && second->size() == 2u);
  EXPECT_EQ(Read("d2"), (std::vector<std::string>{chop(b1), chop(b3)}));
  // Past `close_at` a publish closes the segment: its final index has no mark.
  ASSERT_TRUE(w.Append("d1", Line("d1", 4)).ok());
  auto full = w.PublishOpen(64);
  ASSERT_TRUE(full.ok() && full->empty());
  EXPECT_EQ(w.current_segment(), 0u);
  EXPECT_EQ(closed, (std::vector<std::string>{TaskLogSegmentPath(dir_, 1)}));
  EXPECT_EQ(Slurp(TaskLogIndexPath(dir_, 1)).substr(0, 3), "d1 ");
  EXPECT_EQ(Read("d1").size(), 3u);
}

// What another host may see of a live segment: an index older than the segment (the lines
// after it are scanned, but for an unfinished last line), or one newer than it (lines the
// segment does not hold yet are left out, never passed cut).
TEST_F(TaskLogSegmentsTest, ALiveIndexIsReadWithTheWholeLinesAfterIt) {
  const std::string a0 = Line("d1", 0), b1 = Line("d2", 1), a2 = Line("d1", 2), a3 = Line("d1", 3);
  const std::string unfinished = a3.substr(0, a3.size() / 2);
  {
    std::ofstream seg(TaskLogSegmentPath(dir_, 1));
    seg << a0 << b1 << a2 << unfinished;
    std::ofstream index(TaskLogIndexPath(dir_, 1));
    index << "#covers " << a0.size() + b1.size() << "\n"
          << "d1 0 " << a0.size() << "\n"
          << "d2 " << a0.size() << " " << b1.size() << "\n";
  }
  auto chop = [](const std::string& l) { return l.substr(0, l.size() - 1); };
  EXPECT_EQ(Read("d1"), (std::vector<std::string>{chop(a0), chop(a2)}));
  EXPECT_EQ(Read("d2"), (std::vector<std::string>{chop(b1)}));
  {
    std::ofstream seg(TaskLogSegmentPath(dir_, 2));
    seg << a0 << b1.substr(0, 5);
    std::ofstream index(TaskLogIndexPath(dir_, 2));
    index << "#covers " << a0.size() + b1.size() + a2.size() << "\n"
          << "d1 0 " << a0.size() << "\n"
          << "d1 " << a0.size() + b1.size() << " " << a2.size() << "\n"
          << "d2 " << a0.size() << " " << b1.size() << "\n";
  }
  EXPECT_EQ(Read("d1"), (std::vector<std::string>{chop(a0), chop(a2), chop(a0)}));
  EXPECT_EQ(Read("d2"), (std::vector<std::string>{chop(b1)}));
}

}  // namespace
}  // namespace gaggle
