#include "storage/s3_xml.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TEST(S3Xml, ListObjectsV2PageWithUrlEncodedKeys) {
  auto page = ParseListObjectsV2(
      "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>tok=</"
      "NextContinuationToken>"
      "<Contents><Key>a%20b/c%C3%A9</Key><Size>12</Size><ETag>&quot;abc&quot;</"
      "ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>"
      "<CommonPrefixes><Prefix>dir%2F/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a b/c\xc3\xa9");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].etag, "abc");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok=");
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"dir//"}));
}

TEST(S3Xml, MalformedDocumentsAreCorruptionNamingTheOperation) {
  for (std::string body :
       {"not xml", "<Other/>", "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"}) {
    auto page = ParseListObjectsV2(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().code(), StatusCode::kCorruption);
    EXPECT_NE(page.status().message().find("ListObjectsV2"), std::string::npos) << page.status().message();
  }
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
  EXPECT_FALSE(ParseCopyObjectResult("<CopyObjectResult></CopyObjectResult>").ok());
  EXPECT_FALSE(ParseCopyPartResult("<CopyPartResult></CopyPartResult>").ok());
  EXPECT_FALSE(ParseCopyPartResult("<CopyObjectResult><ETag>\"ab\"</ETag></CopyObjectResult>").ok());
  auto part = ParseCopyPartResult(
      "<CopyPartResult><LastModified>2024-01-01T00:00:00Z</LastModified><ETag>\"0f\"</ETag></CopyPartResult>");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(*part, "0f");
}

TEST(S3Xml, ErrorsUploadsAndDeleteResults) {
  S3ErrorDocument err;
  ASSERT_TRUE(
      ParseS3Error("<Error><Code>SlowDown</Code><Message>Reduce</Message><RequestId>r1</RequestId></Error>", &err));
  EXPECT_EQ(err.code, "SlowDown");
  EXPECT_EQ(err.request_id, "r1");
  EXPECT_FALSE(ParseS3Error("<CompleteMultipartUploadResult/>", &err));

  auto del = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->deleted, std::vector<std::string>{"a"});
  ASSERT_EQ(del->errors.size(), 1u);
  EXPECT_EQ(del->errors[0].first, "b");
  EXPECT_EQ(del->errors[0].second.code, "AccessDenied");

  auto uploads = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k/1</Key><UploadId>u1</UploadId>"
      "<Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload></ListMultipartUploadsResult>");
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->uploads.size(), 1u);
  EXPECT_EQ(uploads->uploads[0].upload_id, "u1");
  EXPECT_EQ(*ParseCompleteMultipartUpload(
                "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"),
            "x-2");
}

TEST(S3Xml, BuiltBodiesEscapeKeysAndListParts) {
  std::string del = BuildDeleteObjects({"a&b<c>\"d'", "plain"}, true);
  EXPECT_NE(del.find("<Key>a&amp;b&lt;c&gt;\"d'</Key>"), std::string::npos) << del;
  EXPECT_NE(del.find("<Quiet>true</Quiet>"), std::string::npos);
  std::string done = BuildCompleteMultipartUpload({{1, "\"e1\""}, {2, "\"e2\""}});
  EXPECT_NE(done.find("<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"), std::string::npos) << done;
}

}  // namespace
}  // namespace gaggle
