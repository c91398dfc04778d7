// ArtifactMirror: files written in a spool are published under the same relative keys,
// only changed files are uploaded again, and a second process's spool fetches them back;
// once on a local directory standing for the remote, once on a real S3 server (s3rver).
#include "storage/artifact_mirror.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "storage/object_store_file_system.h"
#include "storage/object_uri.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  auto s = ReadFileToString(FileSystem::Default(), path);
  return s.ok() ? *s : "<missing: " + s.status().ToString() + ">";
}

// Writes, publishes, re-publishes only what changed, and fetches into a second spool.
void CheckRoundTrip(FileSystem* remote_fs, const std::string& remote) {
  auto spool_a = ArtifactMirror::MakeSpoolDirectory();
  auto spool_b = ArtifactMirror::MakeSpoolDirectory();
  ASSERT_TRUE(spool_a.ok() && spool_b.ok());
  ArtifactMirror a(remote + "/", remote_fs, *spool_a);
  ArtifactMirror b(remote, remote_fs, *spool_b);

  WriteText(*spool_a + "/m1/runs/w1.jsonl", "{\"event\":\"run_started\"}\n");
  WriteText(*spool_a + "/m1/task-log/w1/segment-000001.jsonl", "{\"dataset\":\"d1\"}\n");
  WriteText(*spool_a + "/m1/patches/d1.patch", "--- a\n+++ b\n");
  WriteText(*spool_a + "/m2/runs/w1.jsonl", "other migration\n");
  // Temporary names of writes in progress stay local; a dataset whose name holds ".tmp" does not.
  WriteText(*spool_a + "/m1/task-log/w1/segment-000002.index.tmp", "half");
  WriteText(*spool_a + "/m1/specs/s.yaml.tmp-123", "half");
  WriteText(*spool_a + "/m1/tasks/x.tmp-a.agent.log", "agent says\n");
  ASSERT_TRUE(a.Upload(*spool_a + "/m1/task-log/w1/segment-000001.jsonl").ok());
  auto up = a.UploadChanged();
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(*up, 4);  // the segment was already uploaded and has not changed
  auto again = a.UploadChanged();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  WriteText(*spool_a + "/m1/runs/w1.jsonl", "{\"event\":\"run_started\"}\n{\"event\":\"run_finished\"}\n");
  auto changed = a.UploadChanged("m1");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 1);

  auto fetched = b.Fetch("m1");
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(*fetched, 4);
  EXPECT_EQ(ReadText(*spool_b + "/m1/tasks/x.tmp-a.agent.log"), "agent says\n");
  EXPECT_FALSE(fs::exists(*spool_b + "/m1/specs"));
  EXPECT_EQ(ReadText(*spool_b + "/m1/runs/w1.jsonl"), "{\"event\":\"run_started\"}\n{\"event\":\"run_finished\"}\n");
  EXPECT_EQ(ReadText(*spool_b + "/m1/task-log/w1/segment-000001.jsonl"), "{\"dataset\":\"d1\"}\n");
  EXPECT_EQ(ReadText(*spool_b + "/m1/patches/d1.patch"), "--- a\n+++ b\n");
  EXPECT_FALSE(fs::exists(*spool_b + "/m2"));  // only the prefix asked for
  // What b fetched is not published back by b (it could overwrite a newer object).
  auto none = b.UploadChanged();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto one = b.FetchFile("m2/runs/w1.jsonl");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_TRUE(*one);
  EXPECT_EQ(ReadText(*spool_b + "/m2/runs/w1.jsonl"), "other migration\n");
  auto absent = b.FetchFile("m2/runs/none.jsonl");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(*absent);
  auto empty = b.Fetch("no-such-migration");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, 0);

  EXPECT_FALSE(a.RemoteFor("/etc/passwd").ok());
  EXPECT_FALSE(a.RemoteFor(*spool_a + "/../x").ok());
  EXPECT_FALSE(b.Fetch("../x").ok());
  ASSERT_TRUE(a.RemoveSpool().ok());
  ASSERT_TRUE(b.RemoveSpool().ok());
  EXPECT_FALSE(fs::exists(*spool_a));
}

TEST(ArtifactMirror, RecognisesObjectStoreLocations) {
  EXPECT_TRUE(IsObjectStoreUri("s3://bucket/prefix"));
  EXPECT_TRUE(IsObjectStoreUri("gs://bucket"));
  EXPECT_FALSE(IsObjectStoreUri("gaggle-logs"));
  EXPECT_FALSE(IsObjectStoreUri("/var/gaggle/s3://x"));
}

TEST(ArtifactMirror, WriterIdsAreFileNameSafeAndStartWithTheTime) {
  const std::string id = ArtifactMirror::NewWriterId();
  ASSERT_GT(id.size(), 16u);
  EXPECT_EQ(id[8], 'T');
  for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == 'T') << id;
}

TEST(ArtifactMirror, RoundTripThroughALocalDirectory) {
  auto remote = ArtifactMirror::MakeSpoolDirectory();
  ASSERT_TRUE(remote.ok());
  CheckRoundTrip(FileSystem::Default(), *remote);
  fs::remove_all(*remote);
}

TEST(ArtifactMirror, RoundTripThroughS3) {
  const fs::path scratch = fs::temp_directory_path() / ("gaggle-artifact-mirror-" + std::to_string(::getpid()));
  auto server = s3test::StartS3Server("s3rver", scratch.string());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto client = S3Client::Create(s3test::ClientOptionsFor(**server, (*server)->port));
  ASSERT_TRUE(client.ok());
  std::shared_ptr<S3Client> s3(std::move(*client));
  ASSERT_TRUE(s3->CreateBucket("artefacts").ok());
  ObjectStoreFileSystem store(s3, "s3");
  CheckRoundTrip(&store, "s3://artefacts/shared/logs");
  fs::remove_all(scratch);
}

}  // namespace
}  // namespace gaggle
