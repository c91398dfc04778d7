// S3Client: gaggle's own client for the S3 protocol (AWS S3, GCS's XML API with HMAC keys,
// and S3-compatible stores), on HttpClient and SigV4Signer.
//
// Every operation signs its request (payload SHA-256 included), retries what may succeed
// on a second try — transport failures, truncated bodies, 5xx, 429, SlowDown,
// RequestTimeout, BadDigest — up to retry.max_attempts with exponential backoff and
// jitter, and turns the rest into permanent errors naming the operation and the object
// ("GetObject s3://bucket/key: not found (NoSuchKey)", "... access denied (403
// AccessDenied) with access key ...ABCD from environment"). No message ever holds a secret.
// Reads never return wrong bytes: ranged GETs check Content-Range, the byte count and the
// ETag (sent as If-Match), uploads carry Content-MD5 (and optionally
// x-amz-checksum-sha256) and check the ETag the server returns.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/aws_credentials.h"
#include "storage/http_client.h"
#include "storage/s3_xml.h"
#include "storage/sigv4_signer.h"

namespace gaggle {

enum class S3Addressing { kPath, kVirtualHost };

struct S3RetryOptions {
  int max_attempts = 8;  // the first try included
  std::chrono::milliseconds initial_delay{100};
  std::chrono::milliseconds max_delay{10000};
};

struct S3ClientOptions {
  // "http://127.0.0.1:9000", "https://storage.googleapis.com"; "" = AWS's endpoint for region.
  std::string endpoint;
  std::string region = "us-east-1";
  S3Addressing addressing = S3Addressing::kVirtualHost;
  AwsCredentials credentials;
  S3RetryOptions retry;
  HttpOptions http;
  Clock* clock = nullptr;  // signing time and backoff sleeps; nullptr = Clock::System()
  // A single PUT's or part's ETag must be the MD5 of what was sent. Turn off only for
  // buckets whose ETags are not MD5s (SSE-KMS); Content-MD5 still protects the upload.
  bool verify_upload_etag = true;
  bool checksum_sha256 = false;   // also send x-amz-checksum-sha256 on uploads
  std::string uri_scheme = "s3";  // how objects are named in messages: s3:// or gs://
  // CopyObject of an object larger than this is a multipart copy (UploadPartCopy with
  // x-amz-copy-source-range) in parts of copy_part_bytes (raised so that at most 10,000 parts
  // are needed): S3 copies at most 5 GiB in one request. Tests lower both to copy a few MB in
  // parts; S3 wants parts of at least 5 MiB but the last.
  uint64_t multipart_copy_threshold = 5ULL << 30;
  uint64_t copy_part_bytes = 512ULL << 20;
};

struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // unquoted
  int64_t mtime_ns = 0;
};

struct S3MultipartUpload {
  std::string key;
  std::string upload_id;
  int64_t initiated_unix = 0;  // 0 when the server did not say
};

class S3Client {
 public:
  // InvalidArgument for a malformed endpoint; credentials are checked at the first request.
  static Result<std::unique_ptr<S3Client>> Create(S3ClientOptions options);

  Result<S3ObjectInfo> Head(const std::string& bucket, const std::string& key);
  // Reads up to n bytes at offset into out; fewer only at the end of the object (0 past
  // it). A non-empty etag is sent as If-Match: a changed object is a Conflict error.
  Result<size_t> GetRange(const std::string& bucket, const std::string& key, uint64_t offset, size_t n, uint8_t* out,
                          const std::string& etag);
  // A whole small object (at most http.max_buffered_body bytes).
  Result<std::string> GetObject(const std::string& bucket, const std::string& key);
  // Returns the new object's ETag.
  Result<std::string> PutObject(const std::string& bucket, const std::string& key, std::string_view data);

  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key);
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view data);
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id, const std::vector<S3CompletedPart>& parts);
  // OK when the upload is already gone.
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  Result<std::vector<S3MultipartUpload>> ListMultipartUploads(const std::string& bucket, const std::string& prefix);

  // Calls on_page for each ListObjectsV2 page (of at most max_keys entries) under prefix
  // (delimiter "" = recursive). on_page returning kCancelled stops the listing with OK.
  Status ListObjects(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                     const std::function<Status(const S3ListPage&)>& on_page, int max_keys = 1000);
  // Deletes keys in batches of 1000; fails naming the first key the server refused.
  Status DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys);
  Status DeleteObject(const std::string& bucket, const std::string& key);
  // Server-side copy of one object; a non-empty if_match_etag makes the copy (every part of
  // it) conditional on the source being unchanged. Above multipart_copy_threshold, a
  // multipart upload whose parts are copied from ranges of the source, completed once every
  // part is, and aborted on any error (nothing is visible at the destination until then).
  // Returns the copy's ETag (a multipart one, "...-N", for a copy in parts).
  Result<std::string> CopyObject(const std::string& src_bucket, const std::string& src_key,
                                 const std::string& dst_bucket, const std::string& dst_key,
                                 const std::string& if_match_etag);
  // One part of a multipart upload copied from bytes [first, last] of the source. Returns
  // the part's ETag.
  Result<std::string> UploadPartCopy(const std::string& src_bucket, const std::string& src_key,
                                     const std::string& dst_bucket, const std::string& dst_key,
                                     const std::string& upload_id, int part_number, uint64_t first, uint64_t last,
                                     const std::string& if_match_etag);
  // OK when the bucket exists and is ours.
  Status CreateBucket(const std::string& bucket);

  const S3ClientOptions& options() const { return options_; }
  // "s3://bucket/key" as messages name it.
  std::string Describe(const std::string& bucket, const std::string& key) const;

 private:
  struct Call;
  explicit S3Client(S3ClientOptions options);
  Result<HttpResponse> Execute(const Call& call);
  Status ErrorFor(const Call& call, const HttpResponse& response) const;
  std::chrono::milliseconds Backoff(int attempt, bool slow_down);
  HttpRequest BuildRequest(const Call& call, const std::string& payload_sha256, HeaderList* headers_out) const;
  Result<std::string> CheckedUpload(const Call& call, std::string_view data);
  Result<std::string> MultipartCopy(const S3ObjectInfo& src, const std::string& src_bucket,
                                    const std::string& dst_bucket, const std::string& dst_key,
                                    const std::string& if_match_etag);

  S3ClientOptions options_;
  std::string endpoint_scheme_;  // "http" or "https"
  std::string endpoint_host_;    // "127.0.0.1:9000"
  SigV4Signer signer_;
  HttpClient http_;
  Clock* clock_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

// Parses an RFC 7231 date ("Sun, 06 Nov 1994 08:49:37 GMT") or an ISO 8601 one
// ("2024-01-31T12:00:00.000Z") to Unix seconds; 0 when unparseable.
int64_t ParseHttpOrIsoTime(const std::string& text);

}  // namespace gaggle
