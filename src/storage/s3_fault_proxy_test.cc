// S3Client and ObjectStoreFileSystem behind a fault-injecting proxy of our own
// (tests/s3/fault_proxy.py) in front of a real S3 server: 503 storms, connection resets
// before, after and in the middle of a response, truncated bodies, slow and stalled
// responses, wrong ETags and damaged request bodies. Every case either recovers with the
// exact bytes or fails with a clear error; none returns wrong bytes or leaves a partial
// object visible.
#include <gtest/gtest.h>

#include <random>

#include "storage/aws_crypto.h"
#include "storage/object_store_file_system.h"
#include "storage/s3_test_servers_test_util.h"

namespace gaggle {
namespace {

using nlohmann::json;

constexpr const char* kBucket = "faults";

std::string Bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

class S3FaultTest : public ::testing::Test {
 protected:
  void Start(const std::string& kind) {
    scratch_ = std::filesystem::temp_directory_path() / ("gaggle-s3-faults-" + std::to_string(::getpid()));
    auto server = s3test::StartS3Server(kind, scratch_.string());
    if (server.status().code() == StatusCode::kUnsupported) GTEST_SKIP() << kind << " is not installed: skipped";
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto proxy = s3test::StartFaultProxy(server_->port);
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(*proxy);
    S3ClientOptions o = s3test::ClientOptionsFor(*server_, proxy_->port);
    o.http.low_speed_seconds = 2;  // a stalled body is abandoned after 2 s below 1 KB/s
    auto client = S3Client::Create(o);
    ASSERT_TRUE(client.ok());
    client_ = std::shared_ptr<S3Client>(std::move(*client));
    ASSERT_TRUE(client_->CreateBucket(kBucket).ok());
  }
  void SetUp() override { Start("s3rver"); }
  void TearDown() override {
    proxy_.reset();
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
  void Plan(const json& plan) { ASSERT_TRUE(s3test::SetFaultPlan(proxy_->port, plan).ok()); }
  int Faults(const std::string& action) {
    json stats = s3test::FaultStats(proxy_->port);
    return stats["by_action"].value(action, 0);
  }
  // A ranged read through the file system of the whole object.
  std::string ReadAll(const std::string& key, Status* status) {
    ObjectStoreFileSystem fs(client_, "s3");
    auto f = fs.OpenRandomAccess(std::string("s3://") + kBucket + "/" + key);
    if (!f.ok()) {
      *status = f.status();
      return "";
    }
    std::string out((*f)->size(), '\0');
    auto n = (*f)->ReadAt(0, out.size(), reinterpret_cast<uint8_t*>(out.data()));
    *status = n.status();
    return n.ok() ? out.substr(0, *n) : "";
  }

  std::filesystem::path scratch_;
  std::unique_ptr<s3test::ServerProcess> server_;
  std::unique_ptr<s3test::ServerProcess> proxy_;
  std::shared_ptr<S3Client> client_;
};

TEST_F(S3FaultTest, A503StormIsRiddenOutWithBackoff) {
  std::string data = Bytes(300000, 1);
  Plan(json::array({{{"action", "status"}, {"status", 503}, {"code", "SlowDown"}, {"count", 4}}}));
  ASSERT_TRUE(client_->PutObject(kBucket, "storm", data).ok());
  Plan(json::array(
      {{{"method", "GET"}, {"action", "status"}, {"status", 500}, {"code", "InternalError"}, {"count", 4}}}));
  Status st;
  EXPECT_TRUE(ReadAll("storm", &st) == data) << st.ToString();
  EXPECT_EQ(Faults("status"), 8);  // 4 on the PUT, 4 on the GET
}

TEST_F(S3FaultTest, AnEndless503StormFailsClearlyAfterTheLastAttempt) {
  Plan(json::array({{{"action", "status"}, {"status", 503}, {"code", "SlowDown"}}}));
  auto put = client_->PutObject(kBucket, "never", "x");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.status().message().find("PutObject s3://faults/never"), std::string::npos) << put.status().message();
  EXPECT_NE(put.status().message().find("SlowDown"), std::string::npos) << put.status().message();
  EXPECT_NE(put.status().message().find("gave up after 6 attempts"), std::string::npos) << put.status().message();
  EXPECT_TRUE(put.status().retryable()) << "the fleet may try the task again later";
  Plan(json::array());
  EXPECT_EQ(client_->Head(kBucket, "never").status().code(), StatusCode::kNotFound);
}

TEST_F(S3FaultTest, ResetsAndTruncatedBodiesAreRetriedNeverReturned) {
  std::string data = Bytes(500000, 2);
  Plan(json::array({{{"method", "PUT"}, {"action", "reset_before"}, {"count", 1}},
                    {{"method", "PUT"}, {"action", "reset_after"}, {"count", 1}}}));
  ASSERT_TRUE(client_->PutObject(kBucket, "reset", data).ok());
  EXPECT_EQ(Faults("reset_before"), 1);
  EXPECT_EQ(Faults("reset_after"), 1);
  for (const char* action : {"reset_mid_body", "truncate"}) {
    Plan(json::array({{{"method", "GET"}, {"action", action}, {"count", 2}}}));
    Status st;
    EXPECT_TRUE(ReadAll("reset", &st) == data) << action << ": " << st.ToString();
    EXPECT_EQ(Faults(action), 2) << action;
  }
  // Every GET truncated: an error naming the object, never a short or wrong read.
  Plan(json::array({{{"method", "GET"}, {"action", "truncate"}}}));
  Status st;
  std::string got = ReadAll("reset", &st);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(got.empty());
  EXPECT_NE(st.message().find("s3://faults/reset"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
}

TEST_F(S3FaultTest, SlowResponsesSucceedAndStalledOnesAreAbandonedAndRetried) {
  std::string data = Bytes(200000, 3);
  ASSERT_TRUE(client_->PutObject(kBucket, "slow", data).ok());
  Plan(json::array({{{"method", "GET"}, {"action", "slow"}, {"delay_ms", 700}, {"count", 1}}}));
  Status st;
  EXPECT_TRUE(ReadAll("slow", &st) == data) << st.ToString();
  // 16 bytes every 500 ms is below 1 KB/s: curl gives up after 2 s and the read is retried.
  Plan(json::array({{{"method", "GET"},
                     {"action", "slow_body"},
                     {"chunk", 16},
                     {"delay_ms", 500},
                     {"count", 1},
                     {"max_seconds", 10}}}));
  EXPECT_TRUE(ReadAll("slow", &st) == data) << st.ToString();
  EXPECT_EQ(Faults("slow_body"), 1);
}

TEST_F(S3FaultTest, WrongEtagsAreCaughtOnUploadAndOnRead) {
  std::string data = Bytes(100000, 4);
  Plan(json::array({{{"method", "PUT"}, {"action", "wrong_etag"}, {"count", 2}}}));
  auto etag = client_->PutObject(kBucket, "etag", data);
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(*etag, LowerHex(Md5Digest(data)));
  EXPECT_EQ(Faults("wrong_etag"), 2);

  Plan(json::array({{{"method", "PUT"}, {"action", "wrong_etag"}}}));
  auto bad = client_->PutObject(kBucket, "etag2", data);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("is not the MD5"), std::string::npos) << bad.status().message();

  Plan(json::array({{{"method", "GET"}, {"action", "wrong_etag"}, {"count", 1}}}));
  Status st;
  EXPECT_TRUE(ReadAll("etag", &st) == data) << st.ToString();
  Plan(json::array({{{"method", "GET"}, {"action", "wrong_etag"}}}));
  std::string got = ReadAll("etag", &st);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(got.empty());
  EXPECT_NE(st.message().find("ETag"), std::string::npos) << st.message();
}

TEST_F(S3FaultTest, MultipartUploadSurvivesFaultsOnEveryStepOrLeavesNothing) {
  ObjectStoreOptions opts;
  opts.write.part_size = 5 << 20;
  ObjectStoreFileSystem fs(client_, "s3", opts);
  std::string data = Bytes((11 << 20) + 7, 5);
  Plan(json::array({{{"method", "POST"}, {"query", "uploads"}, {"action", "status"}, {"count", 2}},
                    {{"method", "PUT"}, {"query", "partNumber=2"}, {"action", "reset_mid_body"}, {"count", 1}},
                    {{"method", "PUT"}, {"query", "partNumber"}, {"action", "status"}, {"count", 2}},
                    {{"method", "POST"},
                     {"query", "uploadId"},
                     {"action", "status"},
                     {"code", "InternalError"},
                     {"status", 500},
                     {"count", 1}}}));
  auto f = fs.OpenWritable("s3://faults/mp/object");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(data).ok());
  ASSERT_TRUE((*f)->Close().ok());
  Plan(json::array());
  Status st;
  EXPECT_TRUE(ReadAll("mp/object", &st) == data) << st.ToString();

  // Every part upload fails: Close reports it and no object appears.
  Plan(json::array({{{"method", "PUT"}, {"query", "partNumber"}, {"action", "status"}}}));
  auto g = fs.OpenWritable("s3://faults/mp/doomed");
  ASSERT_TRUE(g.ok());
  Status append = (*g)->Append(data);
  Status close = append.ok() ? (*g)->Close() : append;
  EXPECT_FALSE(close.ok());
  EXPECT_NE(close.message().find("UploadPart s3://faults/mp/doomed"), std::string::npos) << close.message();
  Plan(json::array());
  EXPECT_EQ(client_->Head(kBucket, "mp/doomed").status().code(), StatusCode::kNotFound);
}

class S3FaultMotoTest : public S3FaultTest {
 protected:
  void SetUp() override { Start("moto-auth"); }
};

TEST_F(S3FaultMotoTest, DamagedRequestBodiesAreRefusedNeverStored) {
  // The signed payload hash covers the body: a byte flipped on the way makes moto refuse the
  // request (403 SignatureDoesNotMatch, permanent; AWS answers 400 XAmzContentSHA256Mismatch,
  // which the client retries). Either way nothing damaged is stored.
  std::string data = Bytes(100000, 6);
  Plan(json::array({{{"method", "PUT"}, {"action", "corrupt_request"}, {"count", 1}}}));
  auto put = client_->PutObject(kBucket, "damaged", data);  // a plain key: moto-auth checks it
  EXPECT_EQ(Faults("corrupt_request"), 1);
  Plan(json::array());
  if (put.ok()) {
    EXPECT_EQ(*client_->GetObject(kBucket, "damaged"), data);
  } else {
    EXPECT_NE(put.status().message().find("PutObject s3://faults/damaged"), std::string::npos)
        << put.status().message();
    EXPECT_EQ(client_->Head(kBucket, "damaged").status().code(), StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace gaggle
