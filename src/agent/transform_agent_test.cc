#include "agent/transform_agent.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/agent_runner.h"
#include "dataset/content_checksum.h"
#include "dataset/format_table.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

const char* kTransformSpec = R"(
name: people-v2
version: 2
transform:
  rename: {id: person_id}
  cast: {age: int32}
  drop: [legacy]
  add: {source: {type: string, default: "crm"}}
  derive: {age_next_year: "age + 1"}
  filter: "age >= 0"
target: {format: parquet, compression: snappy, row_group_rows: 3}
dead_letter: {max_fraction: 0.5}
)";

class TransformAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-agent-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "in" / "part=a");
    fs::create_directories(root_ / "in" / "part=b");
    // part=a: 4 rows, one bad age (dead letter), one null age (filtered);
    // part=b: 3 rows, one negative age (filtered).
    WriteCsv("in/part=a/data.csv", "id,age,legacy\n1,30,x\n2,abc,y\n3,41,z\n4,,w\n");
    WriteCsv("in/part=b/data.csv", "id,age,legacy\n5,-1,x\n6,7,y\n7,8,z\n");
    auto spec = ParseMigrationSpec(kTransformSpec, (root_ / "spec.yaml").string());
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = std::move(spec).value();
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteCsv(const std::string& rel, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomically(FileSystem::Default(), (root_ / rel).string(), text).ok());
  }
  AgentTask Task(const std::string& out) {
    AgentTask t;
    t.migration = spec_.name;
    t.dataset_id = "people";
    t.input_path = (root_ / "in").string();
    t.output_path = (root_ / out).string();
    return t;
  }
  Result<AgentRunResult> Run(const AgentTask& task) {
    TransformAgent agent(spec_);
    agent.set_batch_rows(2);  // several batches per file
    CancellationToken token;
    return RunAgent(&agent, spec_, task, &token, nullptr);
  }
  std::vector<std::string> ReadRows(const std::string& path) {
    auto reader = OpenReader(path, Format::kParquet, ReadOptions());
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<std::string> rows;
    RecordBatch b;
    while (reader.ok() && *(*reader)->Next(&b)) {
      for (size_t r = 0; r < b.num_rows(); ++r) {
        std::string line;
        for (const Column& c : b.columns) line += c.ValueToString(r) + ",";
        rows.push_back(line);
      }
    }
    return rows;
  }
  std::string Bytes(const fs::path& p) { return ReadFileToString(FileSystem::Default(), p.string()).ValueOr(""); }

  fs::path root_;
  MigrationSpec spec_;
};

TEST_F(TransformAgentTest, MigratesPartitionsAccountsForEveryRowAndDeadLetters) {
  auto r = Run(Task("out"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->skipped);
  const Manifest& m = r->manifest;
  EXPECT_EQ(m.counts.rows_in, 7);
  EXPECT_EQ(m.counts.rows_out, 4);
  EXPECT_EQ(m.counts.dead_lettered, 1);
  EXPECT_EQ(m.counts.filtered, 2);  // age -1, and age null (a null filter result filters)
  ASSERT_EQ(m.outputs.size(), 2u);
  EXPECT_EQ(m.outputs[0].path, "part=a/data.parquet");
  EXPECT_EQ(m.outputs[0].sha256.size(), 64u);
  EXPECT_EQ(ReadRows((root_ / "out/part=a/data.parquet").string()),
            (std::vector<std::string>{"1,30,crm,31,", "3,41,crm,42,"}));
  EXPECT_EQ(ReadRows((root_ / "out/part=b/data.parquet").string()),
            (std::vector<std::string>{"6,7,crm,8,", "7,8,crm,9,"}));
  // The dead letter names file, row and reason and keeps the original record.
  std::string dlq = Bytes(root_ / "out" / kDeadLetterFileName);
  EXPECT_NE(dlq.find("\"file\":\"part=a/data.csv\",\"row\":1,"), std::string::npos) << dlq;
  EXPECT_NE(dlq.find("cannot parse 'abc'"), std::string::npos) << dlq;
  EXPECT_NE(dlq.find("\"legacy\":\"y\""), std::string::npos) << dlq;
  // The manifest's checksum is the checksum of the rows on disk.
  ContentChecksum disk;
  for (const char* p : {"out/part=a/data.parquet", "out/part=b/data.parquet"}) {
    auto reader = OpenReader((root_ / p).string(), Format::kParquet, ReadOptions());
    ASSERT_TRUE(reader.ok());
    RecordBatch b;
    while (*(*reader)->Next(&b)) disk.Update(b);
  }
  EXPECT_EQ(m.content_checksum, disk.ToHex());
  // Nothing but the dataset directory is left beside it.
  std::vector<std::string> entries;
  for (auto& e : fs::directory_iterator(root_)) entries.push_back(e.path().filename().string());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"in", "out"}));
}

TEST_F(TransformAgentTest, RerunIsANoOpAndSameInputGivesByteIdenticalOutput) {
  ASSERT_TRUE(Run(Task("out")).ok());
  std::string first = Bytes(root_ / "out/part=a/data.parquet");
  auto again = Run(Task("out"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->skipped);
  auto elsewhere = Run(Task("out2"));
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->skipped);
  EXPECT_EQ(Bytes(root_ / "out2/part=a/data.parquet"), first);
  EXPECT_EQ(Bytes(root_ / "out2/part=b/data.parquet"), Bytes(root_ / "out/part=b/data.parquet"));
}

// The threads change nothing but the speed: the same Parquet bytes (row groups ending inside
// batches), dead letters, filtered rows and content checksum with 1, 2 and 4 threads.
TEST_F(TransformAgentTest, ThreadsWriteTheSameBytesDeadLettersAndChecksum) {
  std::string big = "id,age,legacy\n";
  for (int i = 0; i < 200; ++i) {
    std::string age = i % 17 == 0 ? "old" : i % 13 == 0 ? "" : std::to_string(i % 11 == 0 ? -i : i);
    big += std::to_string(100 + i) + "," + age + ",l" + std::to_string(i % 5) + "\n";
  }
  fs::create_directories(root_ / "in" / "part=c");
  WriteCsv("in/part=c/data.csv", big);
  spec_.dead_letter.max_fraction = 0.9;
  std::vector<Manifest> manifests;
  for (int threads : {1, 2, 4}) {
    AgentTask task = Task("out" + std::to_string(threads));
    task.threads = threads;
    auto r = Run(task);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    manifests.push_back(r->manifest);
  }
  const Manifest& one = manifests[0];
  EXPECT_EQ(one.counts.rows_in, 207);
  EXPECT_GT(one.counts.dead_lettered, 10);
  EXPECT_GT(one.counts.filtered, 10);
  for (size_t k = 1; k < manifests.size(); ++k) {
    const Manifest& m = manifests[k];
    EXPECT_EQ(m.content_checksum, one.content_checksum);
    EXPECT_EQ(m.counts.rows_out, one.counts.rows_out);
    EXPECT_EQ(m.counts.dead_lettered, one.counts.dead_lettered);
    EXPECT_EQ(m.counts.filtered, one.counts.filtered);
    ASSERT_EQ(m.outputs.size(), 3u);
    for (size_t f = 0; f < m.outputs.size(); ++f) EXPECT_EQ(m.outputs[f].sha256, one.outputs[f].sha256);
  }
  for (const char* rel : {"part=a/data.parquet", "part=b/data.parquet", "part=c/data.parquet", kDeadLetterFileName}) {
    const std::string bytes = Bytes(root_ / "out1" / rel);
    EXPECT_FALSE(bytes.empty()) << rel;
    EXPECT_TRUE(Bytes(root_ / "out2" / rel) == bytes) << rel;
    EXPECT_TRUE(Bytes(root_ / "out4" / rel) == bytes) << rel;
  }
}

TEST_F(TransformAgentTest, ChangedInputOrSpecRedoesTheWork) {
  ASSERT_TRUE(Run(Task("out")).ok());
  WriteCsv("in/part=b/data.csv", "id,age,legacy\n5,1,x\n");
  auto r = Run(Task("out"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->skipped);
  EXPECT_EQ(r->manifest.counts.rows_in, 5);
  // Sections that do not shape the output (gates, rollout, fleet) do not re-run it...
  spec_.gates.ks_max = 0.5;
  spec_.fleet.concurrency = 9;
  auto same = Run(Task("out"));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->skipped);
  // ...a change to the target does.
  spec_.target.compression = Compression::kZstd;
  auto s = Run(Task("out"));
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->skipped);
}

TEST_F(TransformAgentTest, DeadLetterBudgetFailsTypedAndKeepsThePreviousOutput) {
  ASSERT_TRUE(Run(Task("out")).ok());
  std::string before = Bytes(root_ / "out/part=a/data.parquet");
  WriteCsv("in/part=b/data.csv", "id,age,legacy\n5,x,x\n6,y,y\n7,z,z\n8,w,w\n");
  auto r = Run(Task("out"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadLetterLimit);
  EXPECT_FALSE(r.status().retryable());
  EXPECT_EQ(Bytes(root_ / "out/part=a/data.parquet"), before);
  EXPECT_TRUE(fs::exists(root_ / "out.rejected-dead-letter.jsonl"));
}

TEST_F(TransformAgentTest, DeadLetterMinCountLetsAFewBadRowsOfASmallDatasetThrough) {
  WriteCsv("in/part=b/data.csv", "id,age,legacy\n5,x,x\n6,y,y\n7,z,z\n8,w,w\n");
  spec_.dead_letter.min_count = 4;  // 5 bad rows (one in part=a, four here): still over
  auto over = Run(Task("out"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kDeadLetterLimit);
  spec_.dead_letter.min_count = 5;  // 5 bad rows of 8: within, whatever the fraction
  auto within = Run(Task("out"));
  ASSERT_TRUE(within.ok()) << within.status().ToString();
  EXPECT_EQ(within->manifest.counts.dead_lettered, 5);
}

TEST_F(TransformAgentTest, SchemaMismatchIsTypedAndWritesNothing) {
  spec_.transform.source_schema = Schema({{"id", DataType::Int64()}, {"age", DataType::String()}});
  auto r = Run(Task("out"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(r.status().message().find("legacy"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(root_ / "out"));
}

TEST_F(TransformAgentTest, ExpiredDeadlineIsARetryableTimeoutAndLeavesNothing) {
  AgentTask t = Task("out");
  t.timeout = std::chrono::milliseconds(0);
  auto r = Run(t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_TRUE(r.status().retryable());
  std::vector<std::string> entries;
  for (auto& e : fs::directory_iterator(root_)) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"in"});
}

}  // namespace
}  // namespace gaggle
