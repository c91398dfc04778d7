#include "storage/object_uri.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TEST(ObjectUri, ParsesBucketAndKey) {
  struct Case {
    std::string uri, scheme, bucket, key;
  };
  for (const Case& c : std::vector<Case>{
           {"s3://my-bucket/a/b/c.parquet", "s3", "my-bucket", "a/b/c.parquet"},
           {"s3://my.bucket.1", "s3", "my.bucket.1", ""},
           {"s3://abc/", "s3", "abc", ""},
           {"s3://abc/dir/", "s3", "abc", "dir"},
           {"gs://under_score/x y/\xc3\xa9", "gs", "under_score", "x y/\xc3\xa9"},
       }) {
    auto u = ParseObjectUri(c.uri);
    ASSERT_TRUE(u.ok()) << c.uri << ": " << u.status().ToString();
    EXPECT_EQ(u->scheme, c.scheme);
    EXPECT_EQ(u->bucket, c.bucket);
    EXPECT_EQ(u->key, c.key);
  }
  ObjectUri u = *ParseObjectUri("s3://bkt/dir");
  EXPECT_EQ(u.ToString(), "s3://bkt/dir");
  EXPECT_EQ(u.Child("part-0").ToString(), "s3://bkt/dir/part-0");
  EXPECT_TRUE(IsObjectStoreUri("gs://x"));
  EXPECT_FALSE(IsObjectStoreUri("file:///x"));
}

TEST(ObjectUri, RefusesAmbiguousOrInvalidLocationsNamingTheRule) {
  struct Case {
    std::string uri, mention;
  };
  for (const Case& c : std::vector<Case>{
           {"http://bucket/key", "not an object URI"},
           {"S3://bucket/key", "not an object URI"},
           {"s3://ab/key", "3 to 63"},
           {"s3://Bucket/key", "only lowercase"},
           {"s3://under_score/key", "only lowercase"},
           {"s3://-bucket/key", "start and end"},
           {"s3://a..b/key", "'..'"},
           {"s3://bucket//key", "empty path segment"},
           {"s3://bucket/a//b", "empty path segment"},
           {"s3://bucket/a/../b", "'..' segment"},
           {"s3://bucket/./b", "'.' segment"},
           {"s3://bucket/a\nb", "control character"},
           {"s3://bucket/" + std::string(1100, 'k'), "longer than 1024"},
       }) {
    auto u = ParseObjectUri(c.uri);
    ASSERT_FALSE(u.ok()) << c.uri;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(u.status().message().find(c.mention), std::string::npos) << u.status().message();
  }
}

}  // namespace
}  // namespace gaggle
