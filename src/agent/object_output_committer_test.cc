// ObjectOutputCommitter against real S3-protocol servers (s3rver, and moto when installed):
// the attempt becomes the dataset only when T's manifest names it; a reader trusts only an
// attempt whose listing matches the manifest; a rerun deletes abandoned attempts and aborts
// their uploads, and never anything it did not list under the dataset's attempt area.
#include "agent/object_output_committer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/digest.h"
#include "common/source_dir_test_util.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

constexpr const char* kBucket = "lake";
const std::string kOut = "s3://lake/sales/orders";

std::string Host() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof(buf) - 1);
  std::string out;
  for (const char* p = buf; *p; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out;
}

std::string Stamp(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

long DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

class ObjectCommitTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::filesystem::temp_directory_path() /
               ("gaggle-ocommit-" + GetParam() + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    auto server = s3test::StartS3Server(GetParam(), (scratch_ / "server").string());
    if (server.status().code() == StatusCode::kUnsupported) GTEST_SKIP() << GetParam() << " is not installed: skipped";
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto client = S3Client::Create(s3test::ClientOptionsFor(*server_, server_->port));
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::shared_ptr<S3Client>(std::move(*client));
    ASSERT_TRUE(client_->CreateBucket(kBucket).ok());
    ObjectStoreOptions io;
    io.write.part_size = 5 << 20;
    fs_ = std::make_unique<ObjectStoreFileSystem>(client_, "s3", io);
  }
  void TearDown() override {
    fs_.reset();
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }

  // A local staging directory with two data files (one larger than a part) and dead letters,
  // and a manifest listing the data files.
  // partition: the subdirectory of the second file ("region=eu"; s3rver cannot copy keys with
  // '=': it decodes x-amz-copy-source with decodeURI, which leaves %3D encoded).
  Manifest Stage(const std::string& dir, char fill, const std::string& partition = "region=eu") {
    std::filesystem::create_directories(dir + "/" + partition);
    const std::string big(6 << 20, fill), small = std::string("small-") + fill;
    std::ofstream(dir + "/part-0.parquet", std::ios::binary) << big;
    std::ofstream(dir + "/" + partition + "/part-1.parquet", std::ios::binary) << small;
    std::ofstream(dir + "/" + kDeadLetterFileName, std::ios::binary) << "{\"reason\":\"x\"}\n";
    Manifest m;
    m.migration = "m";
    m.spec_hash = std::string(1, fill);
    m.agent = {"gaggle-transform", "1", "sha256:x"};
    m.outputs.push_back({"part-0.parquet", big.size(), Sha256Hex(big), 3});
    m.outputs.push_back({partition + "/part-1.parquet", small.size(), Sha256Hex(small), 1});
    m.counts = {5, 4, 1, 0};
    return m;
  }

  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    EXPECT_TRUE(client_
                    ->ListObjects(kBucket, prefix, "",
                                  [&](const S3ListPage& page) {
                                    for (const auto& o : page.objects) keys.push_back(o.key);
                                    return Status::OK();
                                  })
                    .ok());
    return keys;
  }
  bool Has(const std::string& key) { return client_->Head(kBucket, key).ok(); }

  static inline int counter_ = 0;
  std::filesystem::path scratch_;
  std::unique_ptr<s3test::ServerProcess> server_;
  std::shared_ptr<S3Client> client_;
  std::unique_ptr<ObjectStoreFileSystem> fs_;
};

TEST_P(ObjectCommitTest, AttemptBecomesTheDatasetOnlyWhenTheTopManifestNamesIt) {
  const std::string local = (scratch_ / "stage1").string();
  Manifest m = Stage(local, 'a');
  auto committer = ObjectOutputCommitter::Begin(fs_.get(), kOut);
  ASSERT_TRUE(committer.ok()) << committer.status().ToString();
  EXPECT_EQ(LoadCommittedObjectOutput(fs_.get(), kOut).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(committer->Commit(FileSystem::Default(), local, m).ok());

  auto loaded = LoadCommittedObjectOutput(fs_.get(), kOut, /*verify_sha256=*/true);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->attempt, committer->attempt());
  EXPECT_EQ(loaded->root, kOut + "/_gaggle_attempts/" + committer->attempt());
  EXPECT_EQ(loaded->manifest.outputs.size(), 2u);
  EXPECT_EQ(loaded->objects.size(), 4u);  // two data files, dead letters, the attempt's manifest
  auto back = ReadFileToString(fs_.get(), loaded->root + "/region=eu/part-1.parquet");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "small-a");
  auto big = fs_->Stat(loaded->root + "/part-0.parquet");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size, 6u << 20);

  // An object the manifest does not list makes the attempt untrusted, and so does a changed one.
  const std::string attempt_key = "sales/orders/_gaggle_attempts/" + loaded->attempt;
  ASSERT_TRUE(client_->PutObject(kBucket, attempt_key + "/stray.parquet", "x").ok());
  EXPECT_EQ(LoadCommittedObjectOutput(fs_.get(), kOut).status().code(), StatusCode::kCorruption);
  ASSERT_TRUE(client_->DeleteObject(kBucket, attempt_key + "/stray.parquet").ok());
  ASSERT_TRUE(LoadCommittedObjectOutput(fs_.get(), kOut).ok());
  ASSERT_TRUE(client_->PutObject(kBucket, attempt_key + "/region=eu/part-1.parquet", "small-b").ok());
  auto changed = LoadCommittedObjectOutput(fs_.get(), kOut);
  EXPECT_EQ(changed.status().code(), StatusCode::kCorruption);
  EXPECT_NE(changed.status().message().find("part-1.parquet"), std::string::npos) << changed.status().ToString();
  ASSERT_TRUE(client_->DeleteObject(kBucket, attempt_key + "/region=eu/part-1.parquet").ok());
  EXPECT_EQ(LoadCommittedObjectOutput(fs_.get(), kOut).status().code(), StatusCode::kCorruption);
}

TEST_P(ObjectCommitTest, RerunRemovesAbandonedAttemptsAndNothingItDidNotList) {
  const std::string local1 = (scratch_ / "stage1").string(), local2 = (scratch_ / "stage2").string();
  auto first = ObjectOutputCommitter::Begin(fs_.get(), kOut);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->Commit(FileSystem::Default(), local1, Stage(local1, 'a')).ok());
  const std::string first_prefix = "sales/orders/_gaggle_attempts/" + first->attempt() + "/";

  // Foreign objects beside the dataset, inside it, and inside its attempt area under names
  // that are not attempts: none of them is gaggle's.
  const std::vector<std::string> foreign = {"sales/orders-old/part-0.parquet",
                                            "sales/orders_x",
                                            "sales/orders/README.md",
                                            "sales/orders/_gaggle_attempts-x/y",
                                            "sales/orders/_gaggle_attempts/notes.txt",
                                            "sales/orders/_gaggle_attempts/not-an-attempt/part-0.parquet",
                                            "sales/part-0.parquet"};
  for (const std::string& k : foreign) ASSERT_TRUE(client_->PutObject(kBucket, k, "foreign " + k).ok());
  // Attempts of writers that are gone (a dead pid here; another host, long ago), and of
  // writers that may still be at work (a live pid here; another host, just now).
  const std::string area = "sales/orders/_gaggle_attempts/";
  const std::string dead_here =
      Stamp(std::time(nullptr)) + "-" + Host() + "-" + std::to_string(DeadPid()) + "-0000dead";
  const std::string old_there = "20200101T000000Z-elsewhere-42-0000beef";
  const std::string live_here = Stamp(std::time(nullptr)) + "-" + Host() + "-" + std::to_string(::getppid()) + "-1111";
  const std::string now_there = Stamp(std::time(nullptr)) + "-elsewhere-42-2222";
  for (const std::string& id : {dead_here, old_there, live_here, now_there}) {
    ASSERT_TRUE(client_->PutObject(kBucket, area + id + "/part-0.parquet", "partial").ok());
  }
  std::string upload_id;
  if (GetParam() == "moto") {  // s3rver lists no multipart uploads
    auto up = client_->CreateMultipartUpload(kBucket, area + dead_here + "/part-9.parquet");
    ASSERT_TRUE(up.ok());
    upload_id = *up;
    ASSERT_TRUE(client_->UploadPart(kBucket, area + dead_here + "/part-9.parquet", upload_id, 1, "part").ok());
  }

  auto report = RecoverObjectOutputLeftovers(fs_.get(), kOut);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->removed_attempts, 2);
  EXPECT_EQ(report->removed_objects, 2);
  EXPECT_FALSE(Has(area + dead_here + "/part-0.parquet"));
  EXPECT_FALSE(Has(area + old_there + "/part-0.parquet"));
  EXPECT_TRUE(Has(area + live_here + "/part-0.parquet"));
  EXPECT_TRUE(Has(area + now_there + "/part-0.parquet"));
  if (!upload_id.empty()) {
    EXPECT_EQ(report->aborted_uploads, 1);
    auto uploads = client_->ListMultipartUploads(kBucket, area);
    ASSERT_TRUE(uploads.ok());
    EXPECT_TRUE(uploads->empty());
  }
  EXPECT_EQ(Keys(first_prefix).size(), 4u) << "the current attempt is kept";

  // A second commit supersedes the first, whose objects go; the foreign ones stay.
  auto second = ObjectOutputCommitter::Begin(fs_.get(), kOut);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->Commit(FileSystem::Default(), local2, Stage(local2, 'b')).ok());
  EXPECT_TRUE(Keys(first_prefix).empty());
  auto loaded = LoadCommittedObjectOutput(fs_.get(), kOut, true);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->attempt, second->attempt());
  for (const std::string& k : foreign) {
    auto text = client_->GetObject(kBucket, k);
    ASSERT_TRUE(text.ok()) << k << " was deleted";
    EXPECT_EQ(*text, "foreign " + k);
  }
}

TEST_P(ObjectCommitTest, AbortAndOwnershipRules) {
  {
    auto committer = ObjectOutputCommitter::Begin(fs_.get(), kOut);
    ASSERT_TRUE(committer.ok());
    ASSERT_TRUE(client_->PutObject(kBucket, "sales/orders/_gaggle_attempts/" + committer->attempt() + "/p", "x").ok());
    // Another process's view: this attempt is alive while its committer is.
    auto report = RecoverObjectOutputLeftovers(fs_.get(), kOut);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->removed_attempts, 0);
  }  // destroyed without Commit: aborted
  EXPECT_TRUE(Keys("sales/orders/").empty());

  EXPECT_TRUE(CheckObjectOutputOwnership(fs_.get(), kOut, "/data/orders").ok());
  EXPECT_EQ(CheckObjectOutputOwnership(fs_.get(), "s3://lake", "/x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckObjectOutputOwnership(fs_.get(), kOut, "s3://lake/sales").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckObjectOutputOwnership(fs_.get(), kOut, kOut + "/in").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckObjectOutputOwnership(fs_.get(), kOut, "s3://lake/sales/orders-v1").ok());
  ASSERT_TRUE(client_->PutObject(kBucket, "sales/orders/theirs.csv", "a,b\n").ok());
  Status st = CheckObjectOutputOwnership(fs_.get(), kOut, "/data/orders");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("theirs.csv"), std::string::npos) << st.ToString();
  ASSERT_TRUE(client_->PutObject(kBucket, "sales/file", "x").ok());
  EXPECT_EQ(CheckObjectOutputOwnership(fs_.get(), "s3://lake/sales/file", "/x").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has("sales/orders/theirs.csv"));
}

TEST_P(ObjectCommitTest, QuarantineMovesGaggleObjectsOnlyAndTheCommitStaysReadable) {
  const std::string local = (scratch_ / "stage").string();
  auto committer = ObjectOutputCommitter::Begin(fs_.get(), kOut);
  ASSERT_TRUE(committer.ok());
  const std::string partition = GetParam() == "s3rver" ? "region-eu" : "region=eu";
  ASSERT_TRUE(committer->Commit(FileSystem::Default(), local, Stage(local, 'q', partition)).ok());
  ASSERT_TRUE(client_->PutObject(kBucket, "sales/orders/README.md", "theirs").ok());
  ASSERT_TRUE(client_->PutObject(kBucket, "sales/orders/_gaggle_attempts/notes.txt", "theirs").ok());
  const std::string dest = "s3://lake/sales/_gaggle_quarantine/m/20260101T000000Z/orders";

  auto moved = QuarantineObjectOutput(fs_.get(), kOut, dest);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 5);  // T's manifest, and the attempt's four objects
  EXPECT_EQ(LoadCommittedObjectOutput(fs_.get(), kOut).status().code(), StatusCode::kNotFound);
  std::vector<std::string> left = Keys("sales/orders/");
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"sales/orders/README.md", "sales/orders/_gaggle_attempts/notes.txt"}));
  auto there = LoadCommittedObjectOutput(fs_.get(), dest, /*verify_sha256=*/true);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  EXPECT_EQ(there->attempt, committer->attempt());
  auto again = QuarantineObjectOutput(fs_.get(), kOut, dest);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(ObjectCommitTest, QuarantineCopiesAnObjectAboveTheThresholdInParts) {
  // S3 copies at most 5 GiB in one request; the threshold lowered, the 6 MiB data file is
  // copied in two parts (5 MiB + 1 MiB) with UploadPartCopy, and the moved output checks out,
  // its data read back against the sha256s.
  S3ClientOptions o = s3test::ClientOptionsFor(*server_, server_->port);
  o.multipart_copy_threshold = 1 << 20;
  o.copy_part_bytes = 5 << 20;
  auto client = S3Client::Create(o);
  ASSERT_TRUE(client.ok());
  ObjectStoreOptions io;
  io.write.part_size = 5 << 20;
  ObjectStoreFileSystem parted(std::shared_ptr<S3Client>(std::move(*client)), "s3", io);
  const std::string local = (scratch_ / "stage").string();
  auto committer = ObjectOutputCommitter::Begin(&parted, kOut);
  ASSERT_TRUE(committer.ok());
  ASSERT_TRUE(committer->Commit(FileSystem::Default(), local, Stage(local, 'p', "region-eu")).ok());
  const std::string dest = "s3://lake/sales/_gaggle_quarantine/m/20260101T000000Z/orders";
  auto moved = QuarantineObjectOutput(&parted, kOut, dest);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 5);
  auto there = LoadCommittedObjectOutput(&parted, dest, /*verify_sha256=*/true);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  bool parts = false;
  for (const CommittedObject& c : there->objects) {
    // moto's ETag of a multipart object names its parts; s3rver's is an MD5 of the bytes.
    if (c.path == "part-0.parquet") parts = (GetParam() != "moto" || c.etag.ends_with("-2")) && c.bytes == (6u << 20);
  }
  EXPECT_TRUE(parts) << "part-0.parquet was not copied in two parts";
  EXPECT_EQ(LoadCommittedObjectOutput(&parted, kOut).status().code(), StatusCode::kNotFound);
}

// The commit record's parser on the fuzz seeds (a record gaggle wrote, one whose object
// path escapes the attempt, one whose attempt is not an ID) and on edits of the good one.
TEST(ObjectCommitRecord, ParsesWhatTheCommitterWritesAndRefusesTheRest) {
  const std::string dir = gaggle::testing::SourceRoot() + "/fuzz/corpus/object_commit_record_fuzz/";
  auto good_text = ReadFileToString(FileSystem::Default(), dir + "committed.json");
  ASSERT_TRUE(good_text.ok()) << good_text.status().ToString();
  auto good = ParseCommitRecord(*good_text, "committed.json");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->attempt.substr(0, 16), "20261205T121206Z");
  EXPECT_EQ(good->objects.size(), 2u);
  EXPECT_EQ(good->manifest.counts.rows_in, 600000);
  for (const char* bad : {"escaping_path.json", "bad_attempt.json"}) {
    auto text = ReadFileToString(FileSystem::Default(), dir + bad);
    ASSERT_TRUE(text.ok());
    auto parsed = ParseCommitRecord(*text, bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << bad;
    EXPECT_NE(parsed.status().message().find(bad), std::string::npos) << parsed.status().ToString();
  }
  nlohmann::json j = nlohmann::json::parse(*good_text);
  const nlohmann::json first = j["objects"][0];
  struct Edit {
    const char* name;
    std::function<void(nlohmann::json&)> apply;
  };
  const Edit edits[] = {
      {"repeated path", [&](nlohmann::json& r) { r["objects"].push_back(first); }},
      {"no etag", [](nlohmann::json& r) { r["objects"][0].erase("etag"); }},
      {"negative size", [](nlohmann::json& r) { r["objects"][0]["bytes"] = -1; }},
      {"empty segment", [](nlohmann::json& r) { r["objects"][0]["path"] = "a//b"; }},
      {"absolute path", [](nlohmann::json& r) { r["objects"][0]["path"] = "/etc/passwd"; }},
      {"no objects", [](nlohmann::json& r) { r.erase("objects"); }},
      {"not a manifest", [](nlohmann::json& r) { r.erase("spec_hash"); }},
  };
  for (const Edit& e : edits) {
    nlohmann::json r = j;
    e.apply(r);
    EXPECT_FALSE(ParseCommitRecord(r.dump(), "x").ok()) << e.name;
  }
  EXPECT_FALSE(ParseCommitRecord("not json", "x").ok());
}

INSTANTIATE_TEST_SUITE_P(Servers, ObjectCommitTest, ::testing::Values("s3rver", "moto"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gaggle
