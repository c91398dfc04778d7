// HttpClient: one HTTP/1.1 exchange at a time per call, on libcurl, with a pool of
// reusable connections.
//
// A request carries its whole body in memory (S3 parts are bounded by the part size). The
// response body goes either into HttpResponse::body (capped: an unexpectedly large body is
// an error, not a memory blow-up) or, for a 2xx response, straight into a caller buffer of
// known size (ranged GETs), where a byte more than asked for is a Corruption error.
// Transport failures are retryable IOError/Timeout values naming the method and URL:
// refused or reset connections, a body shorter than its Content-Length (curl's
// PARTIAL_FILE, also checked here), no response, a stalled transfer. HttpClient never
// logs; headers (which carry signatures) never appear in its messages.
// Thread-safety: Perform may be called from many threads at once; each call takes a
// connection handle from the pool and returns it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/sigv4_signer.h"

namespace gaggle {

struct HttpOptions {
  long connect_timeout_ms = 10000;
  // A transfer slower than low_speed_bytes per second for low_speed_seconds is abandoned
  // (retryably): a stalled server must not hang an agent.
  long low_speed_bytes = 1024;
  long low_speed_seconds = 30;
  // Bodies buffered into HttpResponse::body (XML documents, errors) larger than this fail.
  size_t max_buffered_body = 64 << 20;
  std::string ca_file;  // extra CA bundle for https endpoints ("" = the system's)
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // complete, already encoded
  HeaderList headers;
  std::string_view body;  // sent as is for PUT and POST
  // For a 2xx response, the body is written here instead of HttpResponse::body.
  uint8_t* sink = nullptr;
  size_t sink_capacity = 0;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; the last value wins
  std::string body;                            // unless the request had a sink and the status was 2xx
  uint64_t body_bytes = 0;                     // bytes received (into body or the sink)

  // "" when absent.
  std::string Header(const std::string& lowercase_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = HttpOptions());
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Perform(const HttpRequest& request);

 private:
  void* Acquire();
  void Release(void* handle);

  HttpOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* handles keeping their connections alive
};

}  // namespace gaggle
