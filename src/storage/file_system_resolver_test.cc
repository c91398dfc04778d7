#include "storage/file_system_resolver.h"

#include <gtest/gtest.h>

#include <map>

namespace gaggle {
namespace {

EnvLookup MapEnv(std::map<std::string, std::string> env) {
  return [env](const std::string& k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
}

TEST(FileSystemResolver, LocalPathsAndFileUrisGoToTheLocalFileSystem) {
  FileSystemResolver resolver({}, MapEnv({{"HOME", "/nonexistent"}}));
  auto plain = resolver.Resolve("data/x.parquet");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->fs, FileSystem::Default());
  EXPECT_EQ(plain->path, "data/x.parquet");
  auto file = resolver.Resolve("file:///lake/x.parquet");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "/lake/x.parquet");
}

TEST(FileSystemResolver, ObjectUrisGetOneObjectStorePerScheme) {
  FileSystemResolver resolver({}, MapEnv({{"HOME", "/nonexistent"},
                                          {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                          {"AWS_SECRET_ACCESS_KEY", "secret"},
                                          {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                                          {"GS_ACCESS_KEY_ID", "GOOGHMAC"},
                                          {"GS_SECRET_ACCESS_KEY", "gsecret"}}));
  auto a = resolver.Resolve("s3://bucket/a/b");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->path, "s3://bucket/a/b");
  auto b = resolver.Resolve("s3://other/c/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->fs, b->fs);
  EXPECT_EQ(b->path, "s3://other/c");
  auto* s3 = static_cast<ObjectStoreFileSystem*>(a->fs);
  EXPECT_EQ(s3->client()->options().endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(s3->client()->options().addressing, S3Addressing::kPath) << "an endpoint override defaults to path style";
  auto g = resolver.Resolve("gs://gbucket/k");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto* gs = static_cast<ObjectStoreFileSystem*>(g->fs);
  EXPECT_NE(gs, s3);
  EXPECT_EQ(gs->client()->options().endpoint, "https://storage.googleapis.com");
  EXPECT_EQ(gs->client()->options().credentials.access_key_id, "GOOGHMAC");
  EXPECT_EQ(gs->client()->options().region, "auto");
  EXPECT_EQ(resolver.Resolve("s3://Bad_Bucket/k").status().code(), StatusCode::kInvalidArgument);
}

TEST(FileSystemResolver, ConfigOverridesEnvironmentAndMissingCredentialsSayWhereTheyWereSought) {
  ObjectStoreConfig config;
  config.s3_endpoint = "http://127.0.0.1:4568";
  config.addressing = "virtual";
  config.region = "eu-west-1";
  FileSystemResolver with({}, MapEnv({{"HOME", "/nonexistent"}}));
  auto none = with.Resolve("s3://bucket/k");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no credentials for s3://"), std::string::npos) << none.status().message();
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);

  FileSystemResolver resolver(config, MapEnv({{"HOME", "/nonexistent"},
                                              {"AWS_ACCESS_KEY_ID", "K"},
                                              {"AWS_SECRET_ACCESS_KEY", "S"},
                                              {"AWS_ENDPOINT_URL", "http://ignored:1"}}));
  auto r = resolver.Resolve("s3://bucket/k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& o = static_cast<ObjectStoreFileSystem*>(r->fs)->client()->options();
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:4568");
  EXPECT_EQ(o.addressing, S3Addressing::kVirtualHost);
  EXPECT_EQ(o.region, "eu-west-1");

  // Without a configured endpoint, GAGGLE_S3_ENDPOINT comes before the AWS variables.
  FileSystemResolver by_env({}, MapEnv({{"HOME", "/nonexistent"},
                                        {"AWS_ACCESS_KEY_ID", "K"},
                                        {"AWS_SECRET_ACCESS_KEY", "S"},
                                        {"GAGGLE_S3_ENDPOINT", "http://127.0.0.1:4569"},
                                        {"AWS_ENDPOINT_URL", "http://ignored:1"}}));
  auto e = by_env.Resolve("s3://bucket/k");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(static_cast<ObjectStoreFileSystem*>(e->fs)->client()->options().endpoint, "http://127.0.0.1:4569");

  config.addressing = "sideways";
  FileSystemResolver bad(
      config, MapEnv({{"HOME", "/nonexistent"}, {"AWS_ACCESS_KEY_ID", "K"}, {"AWS_SECRET_ACCESS_KEY", "S"}}));
  EXPECT_EQ(bad.Resolve("s3://bucket/k").status().code(), StatusCode::kInvalidArgument);
}

TEST(S3Client, RefusesMalformedEndpoints) {
  for (std::string e : {"ftp://x", "127.0.0.1:9000", "http://", "http://host/path"}) {
    S3ClientOptions o;
    o.endpoint = e;
    EXPECT_EQ(S3Client::Create(o).status().code(), StatusCode::kInvalidArgument) << e;
  }
}

}  // namespace
}  // namespace gaggle
