// Private to s3_client*.cc: one S3 call as S3Client::Execute runs it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "storage/s3_client.h"

namespace gaggle {

struct S3Client::Call {
  const char* operation = "";  // "GetObject", named in errors
  std::string method = "GET";
  std::string bucket;
  std::string key;     // "" for bucket-level operations
  HeaderList query;    // decoded
  HeaderList headers;  // extra headers, all signed
  std::string_view body;
  uint8_t* sink = nullptr;  // see HttpRequest::sink
  size_t sink_capacity = 0;
  // S3 may answer 200 OK with an <Error> document (CompleteMultipartUpload, CopyObject).
  bool error_in_200 = false;
  // Statuses that are not errors for this call (404 for an idempotent delete, 416 for a
  // read past the end): Execute returns the response instead of an error.
  std::vector<long> accepted_statuses;
  // Checks a 2xx response; a retryable error makes Execute try again.
  std::function<Status(const HttpResponse&)> check;
};

}  // namespace gaggle
