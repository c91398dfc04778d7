// S3Client's operations: one function per S3 API call.
#include "storage/s3_client.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "common/ascii.h"
#include "storage/aws_crypto.h"
#include "storage/s3_client_internal.h"

namespace gaggle {
namespace {

// DeleteObjects takes at most this many keys per request (an S3 limit).
constexpr size_t kDeleteBatch = 1000;
// CopyObject copies at most 5 GiB in one request (an S3 limit; larger needs UploadPartCopy), and
// a part is at most as large.
constexpr uint64_t kMaxCopyBytes = 5ULL << 30;
// Every listing loop stops after this many pages (a trillion objects at 1000 a page would
// need more, but a server that keeps answering "truncated" must not loop forever).
constexpr int kMaxListPages = 10000000;

bool IsHexMd5(const std::string& etag) {
  if (etag.size() != 32) return false;
  for (char c : etag) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

Result<S3ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) {
  Call call;
  call.operation = "HeadObject";
  call.method = "HEAD";
  call.bucket = bucket;
  call.key = key;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  S3ObjectInfo info;
  info.key = key;
  std::string length = resp.Header("content-length");
  if (length.empty() || std::sscanf(length.c_str(), "%" SCNu64, &info.size) != 1) {
    return Status::Corruption("HeadObject " + Describe(bucket, key) + ": no Content-Length in the response");
  }
  info.etag = UnquoteEtag(resp.Header("etag"));
  info.mtime_ns = ParseHttpOrIsoTime(resp.Header("last-modified")) * 1000000000LL;
  return info;
}

Result<size_t> S3Client::GetRange(const std::string& bucket, const std::string& key, uint64_t offset, size_t n,
                                  uint8_t* out, const std::string& etag) {
  if (n == 0) return size_t{0};
  Call call;
  call.operation = "GetObject";
  call.bucket = bucket;
  call.key = key;
  uint64_t last = offset + n - 1;
  call.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last));
  if (!etag.empty()) call.headers.emplace_back("If-Match", "\"" + etag + "\"");
  call.sink = out;
  call.sink_capacity = n;
  call.accepted_statuses = {416};  // the range starts past the end: nothing to read
  std::string what = "GetObject " + Describe(bucket, key);
  call.check = [&](const HttpResponse& resp) -> Status {
    std::string got_etag = UnquoteEtag(resp.Header("etag"));
    if (!etag.empty() && !got_etag.empty() && got_etag != etag) {
      return Status::IOError(what + ": the response's ETag " + got_etag + " is not the object's " + etag);
    }
    if (resp.status == 200) {
      // A server may ignore Range when it covers the whole object; anything else is wrong.
      if (offset == 0) return Status::OK();
      return Status::IOError(what + ": asked for bytes " + std::to_string(offset) + "-" + std::to_string(last) +
                             ", got the whole object");
    }
    uint64_t a = 0, b = 0, total = 0;
    std::string range = resp.Header("content-range");
    if (std::sscanf(range.c_str(), "bytes %" SCNu64 "-%" SCNu64 "/%" SCNu64, &a, &b, &total) != 3 || a != offset ||
        b > last || b < a || resp.body_bytes != b - a + 1) {
      return Status::IOError(what + ": asked for bytes " + std::to_string(offset) + "-" + std::to_string(last) +
                             ", got Content-Range '" + range + "' and " + std::to_string(resp.body_bytes) + " bytes");
    }
    return Status::OK();
  };
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  if (resp.status == 416) return size_t{0};
  return static_cast<size_t>(resp.body_bytes);
}

Result<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key) {
  Call call;
  call.operation = "GetObject";
  call.bucket = bucket;
  call.key = key;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  return std::move(resp.body);
}

// PUT of a body whose ETag should be its MD5 (PutObject, UploadPart), with Content-MD5
// (and x-amz-checksum-sha256) so the store refuses bytes damaged on the way.
Result<std::string> S3Client::CheckedUpload(const Call& base, std::string_view data) {
  Call call = base;
  call.method = "PUT";
  call.body = data;
  std::string md5 = Md5Digest(data);
  call.headers.emplace_back("Content-MD5", Base64Encode(md5));
  if (options_.checksum_sha256) call.headers.emplace_back("x-amz-checksum-sha256", Base64Encode(Sha256Digest(data)));
  std::string want = LowerHex(md5);
  std::string what = std::string(call.operation) + " " + Describe(call.bucket, call.key);
  bool verify = options_.verify_upload_etag;
  call.check = [&](const HttpResponse& resp) -> Status {
    std::string etag = AsciiLower(UnquoteEtag(resp.Header("etag")));
    if (etag.empty()) return Status::IOError(what + ": the response has no ETag");
    if (verify && IsHexMd5(etag) && etag != want) {
      return Status::IOError(what + ": the store's ETag " + etag + " is not the MD5 " + want + " of the bytes sent");
    }
    return Status::OK();
  };
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  return UnquoteEtag(resp.Header("etag"));
}

Result<std::string> S3Client::PutObject(const std::string& bucket, const std::string& key, std::string_view data) {
  Call call;
  call.operation = "PutObject";
  call.bucket = bucket;
  call.key = key;
  return CheckedUpload(call, data);
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& bucket, const std::string& key) {
  Call call;
  call.operation = "CreateMultipartUpload";
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploads", ""}};
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  return ParseInitiateMultipartUpload(resp.body);
}

Result<std::string> S3Client::UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number, std::string_view data) {
  Call call;
  call.operation = "UploadPart";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  return CheckedUpload(call, data);
}

Result<std::string> S3Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<S3CompletedPart>& parts) {
  std::string body = BuildCompleteMultipartUpload(parts);
  Call call;
  call.operation = "CompleteMultipartUpload";
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploadId", upload_id}};
  call.headers = {{"Content-Type", "application/xml"}};
  call.body = body;
  call.error_in_200 = true;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  GAGGLE_ASSIGN_OR_RETURN(std::string etag, ParseCompleteMultipartUpload(resp.body));
  // A multipart ETag is "md5-of-md5s-N"; a different N means the store assembled other parts.
  size_t dash = etag.rfind('-');
  if (dash != std::string::npos && etag.substr(dash + 1) != std::to_string(parts.size())) {
    return Status::Corruption("CompleteMultipartUpload " + Describe(bucket, key) + ": the object's ETag " + etag +
                              " says it has other than the " + std::to_string(parts.size()) + " parts sent");
  }
  return etag;
}

Status S3Client::AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  Call call;
  call.operation = "AbortMultipartUpload";
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploadId", upload_id}};
  call.accepted_statuses = {404};  // NoSuchUpload: already aborted or completed
  return Execute(call).status();
}

Result<std::vector<S3MultipartUpload>> S3Client::ListMultipartUploads(const std::string& bucket,
                                                                      const std::string& prefix) {
  std::vector<S3MultipartUpload> out;
  std::string key_marker, id_marker;
  std::set<std::pair<std::string, std::string>> seen_markers;
  for (int page = 0; page < kMaxListPages; ++page) {
    Call call;
    call.operation = "ListMultipartUploads";
    call.bucket = bucket;
    call.query = {{"uploads", ""}, {"prefix", prefix}, {"encoding-type", "url"}};
    if (!key_marker.empty()) call.query.emplace_back("key-marker", key_marker);
    if (!id_marker.empty()) call.query.emplace_back("upload-id-marker", id_marker);
    GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
    GAGGLE_ASSIGN_OR_RETURN(S3UploadListing listing, ParseListMultipartUploads(resp.body));
    for (const auto& u : listing.uploads) out.push_back({u.key, u.upload_id, ParseHttpOrIsoTime(u.initiated)});
    if (!listing.truncated) return out;
    key_marker = listing.next_key_marker;
    id_marker = listing.next_upload_id_marker;
    if (!seen_markers.insert({key_marker, id_marker}).second) {
      return Status::Corruption("ListMultipartUploads " + Describe(bucket, prefix) +
                                ": the store repeated a page marker");
    }
  }
  return Status::Corruption("ListMultipartUploads " + Describe(bucket, prefix) + ": more pages than any listing has");
}

Status S3Client::ListObjects(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                             const std::function<Status(const S3ListPage&)>& on_page, int max_keys) {
  std::string token;
  std::set<std::string> seen_tokens;
  for (int page = 0; page < kMaxListPages; ++page) {
    Call call;
    call.operation = "ListObjectsV2";
    call.bucket = bucket;
    call.query = {
        {"list-type", "2"}, {"prefix", prefix}, {"encoding-type", "url"}, {"max-keys", std::to_string(max_keys)}};
    if (!delimiter.empty()) call.query.emplace_back("delimiter", delimiter);
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
    GAGGLE_ASSIGN_OR_RETURN(S3ListPage listing, ParseListObjectsV2(resp.body));
    Status st = on_page(listing);
    if (st.code() == StatusCode::kCancelled) return Status::OK();
    GAGGLE_RETURN_IF_ERROR(st);
    if (!listing.truncated) return Status::OK();
    token = listing.next_continuation_token;
    if (!seen_tokens.insert(token).second) {
      return Status::Corruption("ListObjectsV2 " + Describe(bucket, prefix) +
                                ": the store repeated a continuation token");
    }
  }
  return Status::Corruption("ListObjectsV2 " + Describe(bucket, prefix) + ": more pages than any listing has");
}

Status S3Client::DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys) {
  for (size_t start = 0; start < keys.size(); start += kDeleteBatch) {
    std::vector<std::string> batch(keys.begin() + start, keys.begin() + std::min(keys.size(), start + kDeleteBatch));
    std::string body = BuildDeleteObjects(batch, /*quiet=*/true);
    Call call;
    call.operation = "DeleteObjects";
    call.method = "POST";
    call.bucket = bucket;
    call.key = "";
    call.query = {{"delete", ""}};
    call.headers = {{"Content-MD5", Base64Encode(Md5Digest(body))}, {"Content-Type", "application/xml"}};
    call.body = body;
    GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
    GAGGLE_ASSIGN_OR_RETURN(S3DeleteOutcome outcome, ParseDeleteResult(resp.body));
    if (!outcome.errors.empty()) {
      const auto& [key, err] = outcome.errors.front();
      return Status::IOError(
          "DeleteObjects " + Describe(bucket, key) + ": not deleted (" + err.code + ": " + err.message + ")" +
          (outcome.errors.size() > 1 ? ", and " + std::to_string(outcome.errors.size() - 1) + " more" : ""));
    }
  }
  return Status::OK();
}

Status S3Client::DeleteObject(const std::string& bucket, const std::string& key) {
  Call call;
  call.operation = "DeleteObject";
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  call.accepted_statuses = {404};
  return Execute(call).status();
}

Result<std::string> S3Client::CopyObject(const std::string& src_bucket, const std::string& src_key,
                                         const std::string& dst_bucket, const std::string& dst_key,
                                         const std::string& if_match_etag) {
  GAGGLE_ASSIGN_OR_RETURN(S3ObjectInfo src, Head(src_bucket, src_key));
  if (src.size > options_.multipart_copy_threshold) {
    return MultipartCopy(src, src_bucket, dst_bucket, dst_key, if_match_etag);
  }
  if (src.size > kMaxCopyBytes) {
    return Status::Unsupported("CopyObject " + Describe(src_bucket, src_key) + ": " + std::to_string(src.size) +
                               " bytes is over S3's 5 GiB single-copy limit");
  }
  Call call;
  call.operation = "CopyObject";
  call.method = "PUT";
  call.bucket = dst_bucket;
  call.key = dst_key;
  call.headers = {{"x-amz-copy-source", UriEncode("/" + src_bucket + "/" + src_key, true)}};
  if (!if_match_etag.empty()) call.headers.emplace_back("x-amz-copy-source-if-match", "\"" + if_match_etag + "\"");
  call.error_in_200 = true;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  return ParseCopyObjectResult(resp.body);
}

Result<std::string> S3Client::UploadPartCopy(const std::string& src_bucket, const std::string& src_key,
                                             const std::string& dst_bucket, const std::string& dst_key,
                                             const std::string& upload_id, int part_number, uint64_t first,
                                             uint64_t last, const std::string& if_match_etag) {
  Call call;
  call.operation = "UploadPartCopy";
  call.method = "PUT";
  call.bucket = dst_bucket;
  call.key = dst_key;
  call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  call.headers = {{"x-amz-copy-source", UriEncode("/" + src_bucket + "/" + src_key, true)},
                  {"x-amz-copy-source-range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}};
  if (!if_match_etag.empty()) call.headers.emplace_back("x-amz-copy-source-if-match", "\"" + if_match_etag + "\"");
  call.error_in_200 = true;
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  return ParseCopyPartResult(resp.body);
}

Result<std::string> S3Client::MultipartCopy(const S3ObjectInfo& src, const std::string& src_bucket,
                                            const std::string& dst_bucket, const std::string& dst_key,
                                            const std::string& if_match_etag) {
  constexpr uint64_t kMaxParts = 10000;
  const uint64_t part = std::max<uint64_t>({options_.copy_part_bytes, 1, (src.size + kMaxParts - 1) / kMaxParts});
  if (part > kMaxCopyBytes) {
    return Status::Unsupported("CopyObject " + Describe(src_bucket, src.key) + ": " + std::to_string(src.size) +
                               " bytes needs parts over S3's 5 GiB limit");
  }
  const std::string what = "copy of " + Describe(src_bucket, src.key) + " to " + Describe(dst_bucket, dst_key);
  GAGGLE_ASSIGN_OR_RETURN(std::string upload_id, CreateMultipartUpload(dst_bucket, dst_key));
  std::vector<S3CompletedPart> parts;
  Status st;
  for (uint64_t first = 0; st.ok() && first < src.size; first += part) {
    const int number = static_cast<int>(parts.size()) + 1;
    const uint64_t last = std::min(src.size, first + part) - 1;
    Result<std::string> etag =
        UploadPartCopy(src_bucket, src.key, dst_bucket, dst_key, upload_id, number, first, last, if_match_etag);
    if (etag.ok()) {
      parts.push_back({number, *etag});
    } else {
      st = etag.status();
    }
  }
  Result<std::string> etag =
      st.ok() ? CompleteMultipartUpload(dst_bucket, dst_key, upload_id, parts) : Result<std::string>(st);
  if (!etag.ok()) {
    (void)AbortMultipartUpload(dst_bucket, dst_key, upload_id);  // a later cleanup aborts it if this fails
    return etag.status().WithContext(what);
  }
  return etag;
}

Status S3Client::CreateBucket(const std::string& bucket) {
  std::string body;
  if (options_.region != "us-east-1" && !options_.region.empty()) {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  Call call;
  call.operation = "CreateBucket";
  call.method = "PUT";
  call.bucket = bucket;
  call.body = body;
  call.accepted_statuses = {409};
  GAGGLE_ASSIGN_OR_RETURN(HttpResponse resp, Execute(call));
  if (resp.status == 409) {
    S3ErrorDocument doc;
    if (ParseS3Error(resp.body, &doc) && doc.code != "BucketAlreadyOwnedByYou") {
      return Status::AlreadyExists("CreateBucket " + Describe(bucket, "") + ": " + doc.code + ": " + doc.message);
    }
  }
  return Status::OK();
}

}  // namespace gaggle
