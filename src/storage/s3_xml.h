// S3's XML bodies, read and written with pugixml (Debian's libpugixml-dev): the error
// document, ListObjectsV2 pages, multipart upload results, batch-delete results and the
// two request bodies gaggle sends (CompleteMultipartUpload, Delete). Parsing never trusts
// the server: a body that is not the expected document is a Corruption error naming the
// operation, and numbers are range-checked.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle {

struct S3ErrorDocument {
  std::string code;  // "NoSuchKey", "SlowDown", ...
  std::string message;
  std::string request_id;
};

struct S3ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // without quotes
  std::string last_modified;  // ISO 8601 as sent
};

struct S3ListPage {
  std::vector<S3ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

struct S3UploadListing {
  struct Upload {
    std::string key;
    std::string upload_id;
    std::string initiated;  // ISO 8601 as sent
  };
  std::vector<Upload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct S3DeleteOutcome {
  std::vector<std::string> deleted;
  // Keys the server refused to delete, with its code and message.
  std::vector<std::pair<std::string, S3ErrorDocument>> errors;
};

struct S3CompletedPart {
  int part_number = 0;
  std::string etag;  // as the server returned it (quotes included or not)
};

// True and fills `out` when `body` is an <Error> document (S3 may send one with 200 OK
// for CompleteMultipartUpload and CopyObject).
bool ParseS3Error(std::string_view body, S3ErrorDocument* out);
Result<S3ListPage> ParseListObjectsV2(std::string_view body);
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);  // the upload id
Result<std::string> ParseCompleteMultipartUpload(std::string_view body);  // the object's ETag
Result<std::string> ParseCopyObjectResult(std::string_view body);         // the copy's ETag
Result<std::string> ParseCopyPartResult(std::string_view body);           // the copied part's ETag
Result<S3DeleteOutcome> ParseDeleteResult(std::string_view body);
Result<S3UploadListing> ParseListMultipartUploads(std::string_view body);

std::string BuildCompleteMultipartUpload(const std::vector<S3CompletedPart>& parts);
std::string BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet);

// ETags arrive quoted ("\"abc\""); gaggle compares them unquoted.
std::string UnquoteEtag(std::string_view etag);

}  // namespace gaggle
