// SigV4Signer against botocore's signer (the AWS SDK for Python), request by request: keys
// with spaces, unicode and reserved characters, multipart query parameters, extra headers,
// bodies, session tokens, regions, and presigned URLs. botocore is on the development image
// but not installable from Debian: without it the test skips and says so.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/source_dir_test_util.h"
#include "storage/aws_crypto.h"
#include "storage/sigv4_signer.h"

namespace gaggle {
namespace {

using nlohmann::json;

struct Case {
  std::string method;
  std::string path;  // decoded
  HeaderList query;
  HeaderList headers;
  std::string body;
  std::string token;
  std::string region = "us-east-1";
  int64_t presign = 0;
};

std::vector<Case> Cases() {
  return {
      {"GET", "/bucket/plain.parquet", {}, {}, "", "", "us-east-1", 0},
      {"GET", "/bucket/dir/sub dir/caf\xc3\xa9+(1)&=$@!.bin", {}, {{"Range", "bytes=0-99"}}, "", "", "eu-west-3", 0},
      {"PUT",
       "/bucket/k",
       {{"partNumber", "7"}, {"uploadId", "a/b+c=d~e"}},
       {{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="}},
       "part bytes",
       "",
       "us-west-2",
       0},
      {"POST", "/bucket/k", {{"uploads", ""}}, {}, "", "FQoGZXIvYXdzEPT//////////token+/=", "us-east-1", 0},
      {"GET",
       "/bucket",
       {{"list-type", "2"}, {"prefix", "a b/\xc3\xa9"}, {"delimiter", "/"}, {"continuation-token", "1/x=="}},
       {},
       "",
       "",
       "ap-southeast-2",
       0},
      {"POST",
       "/bucket",
       {{"delete", ""}},
       {{"Content-Type", "application/xml"}, {"x-amz-meta-Owner", "  a   b  "}},
       "<Delete><Object><Key>k</Key></Object></Delete>",
       "",
       "us-east-1",
       0},
      {"PUT", "/bucket/copy", {}, {{"x-amz-copy-source", "/bucket/src%20key"}}, "", "", "us-east-1", 0},
      {"GET", "/bucket/presigned key.txt", {}, {}, "", "", "us-east-1", 3600},
      {"GET", "/bucket/p", {{"versionId", "3"}}, {}, "", "tok/en=", "eu-central-1", 600},
  };
}

TEST(SigV4Botocore, SignaturesMatchBotocoreRequestByRequest) {
  if (std::system("python3 -c 'import botocore' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "botocore is not installed (python3 -c 'import botocore' fails): comparison with botocore skipped";
  }
  const int64_t when = 1700000000;  // 20231114T221320Z
  std::vector<Case> cases = Cases();
  json requests = json::array();
  std::vector<SigV4Request> ours;
  std::vector<SigV4Result> results;
  for (const Case& c : cases) {
    AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", c.token, "test"};
    SigV4Signer signer(creds, SigV4Options{c.region, "s3", false, true, true});
    SigV4Request r;
    r.method = c.method;
    r.path = c.path;
    r.query = c.query;
    r.headers = c.headers;
    r.headers.emplace_back("Host", "s3.example.com:9000");
    r.payload_sha256 = LowerHex(Sha256Digest(c.body));
    json headers = json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;
    std::string url = "http://s3.example.com:9000" + UriEncode(c.path, true);
    std::string query = CanonicalQueryString(c.query);
    if (!query.empty()) url += "?" + query;
    requests.push_back({{"method", c.method},
                        {"url", url},
                        {"headers", headers},
                        {"body", c.body},
                        {"access_key", creds.access_key_id},
                        {"secret_key", creds.secret_access_key},
                        {"token", c.token},
                        {"region", c.region},
                        {"timestamp", FormatAmzDate(when)},
                        {"presign_expires", c.presign}});
    results.push_back(c.presign ? signer.Presign(&r, when, c.presign) : signer.Sign(&r, when));
    ours.push_back(r);
  }
  std::string in = ::testing::TempDir() + "/botocore_requests.json";
  std::ofstream(in) << requests.dump();
  std::string cmd = "python3 " + gaggle::testing::SourceRoot() + "/tests/s3/botocore_sign.py < " + in;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  ASSERT_EQ(::pclose(pipe), 0) << out;
  json answers = json::parse(out);
  ASSERT_EQ(answers.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].method + " " + cases[i].path);
    if (cases[i].presign) {
      std::string url = answers[i]["url"];
      EXPECT_NE(url.find("X-Amz-Signature=" + results[i].signature), std::string::npos) << url << "\nours:\n"
                                                                                        << results[i].canonical_request;
      continue;
    }
    std::string auth;
    std::string sha;
    for (const auto& [k, v] : ours[i].headers) {
      if (k == "Authorization") auth = v;
      if (k == "X-Amz-Content-Sha256") sha = v;
    }
    EXPECT_EQ(auth, answers[i]["authorization"].get<std::string>()) << "ours:\n" << results[i].canonical_request;
    EXPECT_EQ(sha, answers[i]["content_sha256"].get<std::string>());
  }
}

}  // namespace
}  // namespace gaggle
