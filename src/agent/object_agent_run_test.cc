// RunAgent with object-store sources and outputs on a real S3 server (s3rver): a local
// source to an s3:// output and back, a rerun that changes nothing, and a rerun after a
// killed attempt that leaves no trace of it. The rows are read back through gaggle's
// Parquet reader on the object store and compared with the local run's.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "agent/agent_runner.h"
#include "agent/object_output_committer.h"
#include "agent/transform_agent.h"
#include "dataset/format_table.h"
#include "storage/object_uri.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

const char* kSpec = R"(
name: people-v2
version: 2
transform:
  rename: {id: person_id}
  cast: {age: int32}
  filter: "age >= 0"
target: {format: parquet, compression: snappy}
dead_letter: {max_fraction: 0.5}
)";

class ObjectAgentRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gaggle-objrun-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "in" / "part=a");
    fs::create_directories(root_ / "in" / "part=b");
    ASSERT_TRUE(Write("in/part=a/data.csv", "id,age\n1,30\n2,abc\n3,41\n").ok());
    ASSERT_TRUE(Write("in/part=b/data.csv", "id,age\n5,-1\n6,7\n").ok());
    auto spec = ParseMigrationSpec(kSpec, (root_ / "spec.yaml").string());
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    spec_ = std::move(spec).value();
    auto server = s3test::StartS3Server("s3rver", (root_ / "server").string());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    resolver_ = s3test::ResolverFor(*server_, root_.string());
    auto store = resolver_->ObjectStore("s3");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = *store;
    ASSERT_TRUE(store_->client()->CreateBucket("lake").ok());
  }
  void TearDown() override {
    resolver_.reset();
    server_.reset();
    fs::remove_all(root_);
  }
  Status Write(const std::string& rel, const std::string& text) {
    return WriteFileAtomically(FileSystem::Default(), (root_ / rel).string(), text);
  }
  Result<AgentRunResult> Run(const std::string& in, const std::string& out) {
    TransformAgent agent(spec_);
    CancellationToken token;
    AgentTask t;
    t.migration = spec_.name;
    t.dataset_id = "people";
    t.input_path = in;
    t.output_path = out;
    return RunAgent(&agent, spec_, t, &token, nullptr, FileSystem::Default(), resolver_.get());
  }
  // Every row of a dataset's data files, as text, sorted.
  std::vector<std::string> Rows(FileSystem* fs, const std::string& root, const Manifest& m) {
    std::vector<std::string> rows;
    for (const OutputFile& f : m.outputs) {
      auto reader = OpenReader(root + "/" + f.path, Format::kParquet, ReadOptions(), fs);
      EXPECT_TRUE(reader.ok()) << reader.status().ToString();
      if (!reader.ok()) continue;
      RecordBatch b;
      while ((*reader)->Next(&b).ValueOr(false)) {
        for (size_t r = 0; r < b.num_rows(); ++r) {
          std::string line = f.path + ":";
          for (const Column& c : b.columns) line += c.ValueToString(r) + ",";
          rows.push_back(line);
        }
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  fs::path root_;
  MigrationSpec spec_;
  std::unique_ptr<s3test::ServerProcess> server_;
  std::unique_ptr<FileSystemResolver> resolver_;
  ObjectStoreFileSystem* store_ = nullptr;
};

TEST_F(ObjectAgentRunTest, LocalToObjectAndBackGiveTheSameRowsAndRerunsChangeNothing) {
  auto local = Run((root_ / "in").string(), (root_ / "out").string());
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  auto up = Run((root_ / "in").string(), "s3://lake/v2/people/");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_FALSE(up->skipped);
  EXPECT_EQ(up->manifest.counts.rows_out, 3);
  EXPECT_EQ(up->manifest.counts.dead_lettered, 1);
  EXPECT_EQ(up->manifest.content_checksum, local->manifest.content_checksum);
  auto committed = LoadCommittedObjectOutput(store_, "s3://lake/v2/people", /*verify_sha256=*/true);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(up->output_root, committed->root);
  EXPECT_EQ(Rows(store_, committed->root, committed->manifest),
            Rows(FileSystem::Default(), (root_ / "out").string(), local->manifest));
  EXPECT_EQ(Rows(store_, committed->root, committed->manifest).size(), 3u);

  auto again = Run((root_ / "in").string(), "s3://lake/v2/people");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->skipped);
  auto same = LoadCommittedObjectOutput(store_, "s3://lake/v2/people");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->attempt, committed->attempt);

  // An object-store source (the same CSV files): the same rows, locally and on the store.
  for (const char* rel : {"part=a/data.csv", "part=b/data.csv"}) {
    auto text = ReadFileToString(FileSystem::Default(), (root_ / "in" / rel).string());
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(store_->client()->PutObject("lake", std::string("raw/people/") + rel, *text).ok());
  }
  auto down = Run("s3://lake/raw/people", (root_ / "back").string());
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->manifest.counts.rows_in, 5);
  EXPECT_EQ(down->manifest.input.files.size(), 2u);
  EXPECT_EQ(down->manifest.content_checksum, local->manifest.content_checksum);
  EXPECT_EQ(Rows(FileSystem::Default(), (root_ / "back").string(), down->manifest),
            Rows(FileSystem::Default(), (root_ / "out").string(), local->manifest));
  auto across = Run("s3://lake/raw/people", "s3://lake/v3/people");
  ASSERT_TRUE(across.ok()) << across.status().ToString();
  EXPECT_EQ(across->manifest.content_checksum, local->manifest.content_checksum);
  // The local staging area is gone after each commit.
  EXPECT_FALSE(fs::exists((root_ / "out.gaggle-work")));
}

TEST_F(ObjectAgentRunTest, ChangedSourceRerunsAndAnAbandonedAttemptIsRemoved) {
  ASSERT_TRUE(Run((root_ / "in").string(), "s3://lake/v2/people").ok());
  auto first = LoadCommittedObjectOutput(store_, "s3://lake/v2/people");
  ASSERT_TRUE(first.ok());
  // What a writer killed mid-upload leaves: objects under an attempt whose process is gone.
  const std::string dead = "20200101T000000Z-gone-host-1-00000bad";
  ASSERT_TRUE(
      store_->client()->PutObject("lake", "v2/people/_gaggle_attempts/" + dead + "/part=a/data.parquet", "x").ok());
  ASSERT_TRUE(Write("in/part=b/data.csv", "id,age\n5,-1\n6,7\n8,9\n").ok());
  auto rerun = Run((root_ / "in").string(), "s3://lake/v2/people");
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_FALSE(rerun->skipped);
  EXPECT_EQ(rerun->manifest.counts.rows_out, 4);
  auto second = LoadCommittedObjectOutput(store_, "s3://lake/v2/people", true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->attempt, first->attempt);
  std::vector<std::string> keys;
  ASSERT_TRUE(store_->client()
                  ->ListObjects("lake", "v2/people/", "",
                                [&](const S3ListPage& p) {
                                  for (const auto& o : p.objects) keys.push_back(o.key);
                                  return Status::OK();
                                })
                  .ok());
  for (const std::string& k : keys) {
    EXPECT_TRUE(k == "v2/people/_gaggle_manifest.json" ||
                k.starts_with("v2/people/_gaggle_attempts/" + second->attempt + "/"))
        << "left behind: " << k;
  }
  // A prefix holding someone else's objects is refused before anything is written.
  ASSERT_TRUE(store_->client()->PutObject("lake", "theirs/orders.csv", "a\n1\n").ok());
  auto refused = Run((root_ / "in").string(), "s3://lake/theirs");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
}

TEST_F(ObjectAgentRunTest, ARerunThatFindsTheOutputCurrentStillClearsADeadRunsLocalStaging) {
  // A run killed after its upload and commit, before it removed its local staging area,
  // leaves the output current: the rerun stops at the skip, and must clear that area too.
  const std::string tmp = (root_ / "tmp").string();
  const char* saved = std::getenv("TMPDIR");
  const std::string saved_tmpdir = saved ? saved : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  ASSERT_TRUE(Run((root_ / "in").string(), "s3://lake/v2/people").ok());
  auto uri = ParseObjectUri("s3://lake/v2/people");
  ASSERT_TRUE(uri.ok());
  const std::string work = ObjectScratchDir(uri->ToString()) + ".gaggle-work";
  EXPECT_TRUE(work.starts_with(tmp + "/gaggle-object-staging/")) << work;
  pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  ::waitpid(pid, nullptr, 0);
  fs::create_directories(work + "/staging-" + std::to_string(pid) + "-1/part=a");
  ASSERT_TRUE(Write(fs::relative(work + "/staging-" + std::to_string(pid) + "-1/part=a/data.parquet", root_).string(),
                    "partial")
                  .ok());
  auto again = Run((root_ / "in").string(), "s3://lake/v2/people");
  if (saved) {
    ::setenv("TMPDIR", saved_tmpdir.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->skipped);
  EXPECT_FALSE(fs::exists(work)) << work;
}

}  // namespace
}  // namespace gaggle
