// SigV4Signer: AWS Signature Version 4 (AWS4-HMAC-SHA256), our own, on OpenSSL.
//
// The four steps are the published ones: a canonical request (method, URI-encoded path,
// sorted encoded query, lowercase trimmed headers, the signed header list, the payload's
// SHA-256), a string to sign (algorithm, timestamp, credential scope, hash of the canonical
// request), a signing key (HMAC chain of "AWS4"+secret over date, region, service,
// "aws4_request") and the signature (HMAC of the string to sign). Sign() puts the result in
// an Authorization header; Presign() in the X-Amz-* query parameters of a presigned URL.
// Every step's text is returned so tests compare it with AWS's published vectors
// (src/storage/testdata/sigv4/) and with botocore's signer.
//
// S3 signs the path as sent (no dot-segment normalization, single encoding); other services
// normalize it (normalize_path). Every header given is signed except Authorization,
// User-Agent, Expect and X-Amzn-Trace-Id, which proxies and HTTP stacks rewrite.
// Thread-safety: immutable after construction; Sign and Presign may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/aws_credentials.h"

namespace gaggle {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// SHA-256 of the empty string, the payload hash of every request without a body.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigV4Request {
  std::string method;                               // "GET", "PUT", ...
  std::string path = "/";                           // decoded: "/bucket/key with spaces"
  HeaderList query;                                 // decoded names and values; order does not matter
  HeaderList headers;                               // as they will be sent; must include Host
  std::string payload_sha256{kEmptyPayloadSha256};  // lowercase hex, or UNSIGNED-PAYLOAD
};

struct SigV4Options {
  std::string region = "us-east-1";
  std::string service = "s3";
  bool normalize_path = false;            // true for every service but S3
  bool add_content_sha256_header = true;  // S3 requires X-Amz-Content-Sha256
  bool sign_session_token = true;         // false: the token header is added after signing
};

// Every intermediate value of one signature (for tests and debugging; contains no secret).
struct SigV4Result {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;  // empty for Presign
};

class SigV4Signer {
 public:
  SigV4Signer(AwsCredentials credentials, SigV4Options options);

  // Sets X-Amz-Date (replacing any), X-Amz-Content-Sha256 (when the options say so) and
  // X-Amz-Security-Token (with a session token), then adds the Authorization header.
  SigV4Result Sign(SigV4Request* request, int64_t unix_seconds) const;
  // Adds X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders (and
  // -Security-Token) to request->query, signs with payload UNSIGNED-PAYLOAD unless the
  // request says otherwise, and appends X-Amz-Signature.
  SigV4Result Presign(SigV4Request* request, int64_t unix_seconds, int64_t expires_seconds) const;

  const SigV4Options& options() const { return options_; }

 private:
  SigV4Result Finish(const SigV4Request& request, const std::string& amz_date) const;
  std::string Scope(const std::string& amz_date) const;

  AwsCredentials credentials_;
  SigV4Options options_;
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~)
// stay, every other byte becomes %XX (uppercase); '/' stays when keep_slash.
std::string UriEncode(std::string_view s, bool keep_slash);
// Decodes %XX escapes ('+' stays '+'); malformed escapes are kept as they are.
std::string UriDecode(std::string_view s);
// "20150830T123600Z" for a Unix time.
std::string FormatAmzDate(int64_t unix_seconds);
// The canonical URI of a decoded path (dot segments and empty segments removed when normalize).
std::string CanonicalUri(std::string_view path, bool normalize);
// name=value pairs, each encoded, sorted by name then value, joined by '&'.
std::string CanonicalQueryString(const HeaderList& query);

}  // namespace gaggle
