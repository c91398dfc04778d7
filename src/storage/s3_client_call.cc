// S3Client's request path: addressing, signing, retries with backoff and jitter, and the
// mapping of S3 errors to gaggle Status values.
#include <time.h>

#include <algorithm>
#include <cctype>

#include "storage/aws_crypto.h"
#include "storage/s3_client.h"
#include "storage/s3_client_internal.h"

namespace gaggle {
namespace {

bool IsRetryableCode(const std::string& code) {
  return code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" || code == "RequestTimeout" ||
         code == "BadDigest" || code == "XAmzContentSHA256Mismatch" || code == "IncompleteBody" ||
         code == "OperationAborted" || code == "Throttling" || code == "ThrottlingException";
}

// 501 Not Implemented is the store saying it lacks the operation (s3rver has no
// ListMultipartUploads): asking again cannot help.
bool IsRetryableStatus(long status) { return (status >= 500 && status != 501) || status == 429 || status == 408; }

}  // namespace

int64_t ParseHttpOrIsoTime(const std::string& text) {
  struct tm tm = {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) {
    tm = {};
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  }
  if (end == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

Result<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options) {
  if (options.endpoint.empty()) options.endpoint = "https://s3." + options.region + ".amazonaws.com";
  while (options.endpoint.ends_with('/')) options.endpoint.pop_back();
  size_t sep = options.endpoint.find("://");
  std::string scheme = sep == std::string::npos ? "" : options.endpoint.substr(0, sep);
  std::string host = sep == std::string::npos ? "" : options.endpoint.substr(sep + 3);
  if ((scheme != "http" && scheme != "https") || host.empty() || host.find('/') != std::string::npos) {
    return Status::InvalidArgument("S3 endpoint '" + options.endpoint +
                                   "': expected http://HOST[:PORT] or https://HOST[:PORT] without a path");
  }
  if (options.retry.max_attempts < 1) return Status::InvalidArgument("S3 retry: max_attempts must be at least 1");
  auto client = std::unique_ptr<S3Client>(new S3Client(std::move(options)));
  client->endpoint_scheme_ = scheme;
  client->endpoint_host_ = host;
  return client;
}

S3Client::S3Client(S3ClientOptions options)
    : options_(std::move(options)),
      signer_(options_.credentials, SigV4Options{options_.region, "s3", false, true, true}),
      http_(options_.http),
      clock_(options_.clock ? options_.clock : Clock::System()),
      rng_(std::random_device{}()) {}

std::string S3Client::Describe(const std::string& bucket, const std::string& key) const {
  return options_.uri_scheme + "://" + bucket + (key.empty() ? "" : "/" + key);
}

HttpRequest S3Client::BuildRequest(const Call& call, const std::string& payload_sha256, HeaderList* headers_out) const {
  SigV4Request sr;
  sr.method = call.method;
  std::string host = endpoint_host_;
  if (options_.addressing == S3Addressing::kVirtualHost && !call.bucket.empty()) {
    host = call.bucket + "." + endpoint_host_;
    sr.path = "/" + call.key;
  } else {
    sr.path = "/" + call.bucket + (call.key.empty() ? "" : "/" + call.key);
  }
  sr.query = call.query;
  sr.headers = call.headers;
  sr.headers.emplace_back("Host", host);
  sr.payload_sha256 = payload_sha256;
  int64_t now = clock_->NowMicros() / 1000000;
  (void)signer_.Sign(&sr, now);
  HttpRequest req;
  req.method = call.method;
  req.url = endpoint_scheme_ + "://" + host + UriEncode(sr.path, true);
  std::string query = CanonicalQueryString(sr.query);
  if (!query.empty()) req.url += "?" + query;
  // curl sets Host itself from the URL; sending ours too would duplicate it.
  for (auto& h : sr.headers) {
    if (h.first != "Host") req.headers.push_back(h);
  }
  req.body = call.body;
  req.sink = call.sink;
  req.sink_capacity = call.sink_capacity;
  *headers_out = req.headers;
  return req;
}

Status S3Client::ErrorFor(const Call& call, const HttpResponse& response) const {
  S3ErrorDocument doc;
  bool parsed = ParseS3Error(response.body, &doc);
  std::string what = std::string(call.operation) + " " + Describe(call.bucket, call.key);
  std::string code = parsed ? doc.code : "";
  std::string detail = "(" + std::to_string(response.status) + (code.empty() ? "" : " " + code) +
                       (doc.message.empty() ? "" : ": " + doc.message) + ")";
  if (response.status == 404) return Status::NotFound(what + ": not found " + detail);
  if (response.status == 412) {
    return Status::Conflict(what + ": the object changed while it was being read or copied " + detail);
  }
  if (response.status == 501) return Status::Unsupported(what + ": the store does not implement it " + detail);
  if (IsRetryableStatus(response.status) || IsRetryableCode(code)) {
    return Status::IOError(what + ": the store failed " + detail);
  }
  if (response.status == 403) {
    std::string hint = code == "RequestTimeTooSkewed" ? "this machine's clock is wrong"
                                                      : "check the credentials and the bucket's policy";
    return Status(StatusCode::kIOError,
                  what + ": access denied " + detail + " with " + options_.credentials.Describe() + ": " + hint, false);
  }
  if (response.status == 401) {
    return Status(StatusCode::kIOError,
                  what + ": not authenticated " + detail + " with " + options_.credentials.Describe(), false);
  }
  return Status::InvalidArgument(what + ": refused " + detail);
}

std::chrono::milliseconds S3Client::Backoff(int attempt, bool slow_down) {
  using std::chrono::milliseconds;
  double base = static_cast<double>(options_.retry.initial_delay.count()) * (slow_down ? 4.0 : 1.0);
  double delay = base;
  for (int i = 1; i < attempt && delay < options_.retry.max_delay.count(); ++i) delay *= 2;
  delay = std::min(delay, static_cast<double>(options_.retry.max_delay.count()));
  std::lock_guard<std::mutex> lock(rng_mu_);
  // Equal jitter: at least half the delay (backing off), the rest random (spreading clients).
  double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  return milliseconds(static_cast<int64_t>(delay / 2 + unit * delay / 2));
}

Result<HttpResponse> S3Client::Execute(const Call& call) {
  if (options_.credentials.empty()) {
    return Status::InvalidArgument(std::string(call.operation) + " " + Describe(call.bucket, call.key) +
                                   ": no S3 credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                                   "or a profile in ~/.aws/credentials)");
  }
  std::string payload_sha256 = LowerHex(Sha256Digest(call.body));
  Status last;
  bool slow_down = false;  // the store asked us to slow down (503 SlowDown, 429)
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    if (attempt > 1) clock_->SleepFor(Backoff(attempt - 1, slow_down));
    slow_down = false;
    HeaderList sent;
    HttpRequest req = BuildRequest(call, payload_sha256, &sent);
    Result<HttpResponse> r = http_.Perform(req);
    if (!r.ok()) {
      last = r.status().WithContext(std::string(call.operation) + " " + Describe(call.bucket, call.key));
      if (!last.retryable()) return last;
      continue;
    }
    HttpResponse& resp = *r;
    bool accepted = std::find(call.accepted_statuses.begin(), call.accepted_statuses.end(), resp.status) !=
                    call.accepted_statuses.end();
    S3ErrorDocument doc;
    bool ok_status = resp.status >= 200 && resp.status < 300;
    if (ok_status && call.error_in_200 && ParseS3Error(resp.body, &doc)) {
      resp.status = IsRetryableCode(doc.code) ? 503 : 400;  // classify the embedded error
      ok_status = false;
    }
    if (accepted) return std::move(resp);
    if (!ok_status) {
      last = ErrorFor(call, resp);
      slow_down = resp.status == 503 || resp.status == 429;
      if (!last.retryable()) return last;
      continue;
    }
    if (call.check) {
      Status st = call.check(resp);
      if (!st.ok()) {
        last = st;
        if (!st.retryable()) return st;
        continue;
      }
    }
    return std::move(resp);
  }
  return Status(last.code(),
                last.message() + " (gave up after " + std::to_string(options_.retry.max_attempts) + " attempts)",
                last.retryable());
}

}  // namespace gaggle
