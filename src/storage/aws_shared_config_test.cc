#include "storage/aws_shared_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace gaggle {
namespace {

class AwsSharedConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::path(::testing::TempDir()) / ("aws-home-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home_ / ".aws");
    env_["HOME"] = home_.string();
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(home_ / ".aws" / name) << text; }
  EnvLookup Env() {
    return [this](const std::string& k) {
      auto it = env_.find(k);
      return it == env_.end() ? std::string() : it->second;
    };
  }
  std::filesystem::path home_;
  std::map<std::string, std::string> env_;
};

TEST_F(AwsSharedConfigTest, ParsesProfilesCommentsAndNestedSettings) {
  auto p = ParseAwsSharedFile(
      "# comment\n[default]\nregion = eu-west-1\n; other\n[profile lake]\nREGION=us-east-2\ns3 =\n"
      "  addressing_style = path\n  endpoint_url = http://127.0.0.1:9000\noutput = json\n",
      "config", true);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)["default"]["region"], "eu-west-1");
  EXPECT_EQ((*p)["lake"]["region"], "us-east-2");
  EXPECT_EQ((*p)["lake"]["s3.addressing_style"], "path");
  EXPECT_EQ((*p)["lake"]["s3.endpoint_url"], "http://127.0.0.1:9000");
  EXPECT_EQ((*p)["lake"]["output"], "json");
}

TEST_F(AwsSharedConfigTest, MalformedLinesNameFileAndLineButNoValue) {
  auto p = ParseAwsSharedFile("[default]\naws_secret_access_key\n", "/home/x/.aws/credentials", false);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/home/x/.aws/credentials:2"), std::string::npos) << p.status().message();
  EXPECT_FALSE(ParseAwsSharedFile("key = v\n", "f", false).ok());
  EXPECT_FALSE(ParseAwsSharedFile("[default\n", "f", false).ok());
  auto secret = ParseAwsSharedFile("[default\naws_secret_access_key = TOPSECRET\n", "f", false);
  EXPECT_EQ(secret.status().message().find("TOPSECRET"), std::string::npos);
}

TEST_F(AwsSharedConfigTest, EnvironmentWinsOverTheSharedFiles) {
  Write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  Write("config", "[default]\nregion = eu-north-1\nendpoint_url = http://file-endpoint:1\n");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  env_["AWS_DEFAULT_REGION"] = "ap-south-1";
  env_["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4568";
  auto s = ResolveAwsSettings(Env(), FileSystem::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(s->credentials.session_token, "envtoken");
  EXPECT_EQ(s->credentials.source, "environment");
  EXPECT_EQ(s->region, "ap-south-1");
  EXPECT_EQ(s->endpoint_url, "http://127.0.0.1:4568");
  env_["AWS_REGION"] = "us-west-1";
  EXPECT_EQ(ResolveAwsSettings(Env(), FileSystem::Default())->region, "us-west-1");
}

TEST_F(AwsSharedConfigTest, ProfilesComeFromTheCredentialsFileAndAwsProfile) {
  Write("credentials",
        "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = defsecret\n"
        "[lake]\naws_access_key_id = LAKEKEY\naws_secret_access_key = lakesecret\naws_session_token = laketoken\n");
  Write("config", "[profile lake]\nregion = eu-west-2\ns3 =\n  addressing_style = virtual\n");
  auto s = ResolveAwsSettings(Env(), FileSystem::Default());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->credentials.access_key_id, "DEFKEY");
  EXPECT_EQ(s->region, "");
  env_["AWS_PROFILE"] = "lake";
  s = ResolveAwsSettings(Env(), FileSystem::Default());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->credentials.access_key_id, "LAKEKEY");
  EXPECT_EQ(s->credentials.session_token, "laketoken");
  EXPECT_EQ(s->region, "eu-west-2");
  EXPECT_EQ(s->addressing_style, "virtual");
  EXPECT_NE(s->credentials.Describe().find("[lake]"), std::string::npos);
  EXPECT_EQ(s->credentials.Describe().find("lakesecret"), std::string::npos);
  env_["AWS_PROFILE"] = "missing";
  auto missing = ResolveAwsSettings(Env(), FileSystem::Default());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("'missing'"), std::string::npos);
}

TEST_F(AwsSharedConfigTest, HalfSetEnvironmentCredentialsAreAnError) {
  env_["AWS_ACCESS_KEY_ID"] = "ONLYKEY";
  auto s = ResolveAwsSettings(Env(), FileSystem::Default());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaggle
