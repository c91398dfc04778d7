// AWS Signature Version 4: canonical request, string to sign, signing key, signature.
#include "storage/sigv4_signer.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/ascii.h"
#include "storage/aws_crypto.h"

namespace gaggle {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims the value and collapses runs of whitespace into one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsUnsignedHeader(const std::string& lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "x-amzn-trace-id";
}

struct CanonicalHeaders {
  std::string text;          // "name:value\n" per header
  std::string signed_names;  // "host;x-amz-date"
};

CanonicalHeaders Canonicalize(const HeaderList& headers) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    if (IsUnsignedHeader(lower)) continue;
    auto [it, inserted] = merged.emplace(lower, CanonicalHeaderValue(value));
    // Repeated headers join in the order given, as HTTP folds them.
    if (!inserted) it->second += "," + CanonicalHeaderValue(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.text += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ";";
    out.signed_names += name;
  }
  return out;
}

void SetHeader(HeaderList* headers, const std::string& name, const std::string& value) {
  std::string lower = AsciiLower(name);
  headers->erase(
      std::remove_if(headers->begin(), headers->end(), [&](const auto& h) { return AsciiLower(h.first) == lower; }),
      headers->end());
  headers->emplace_back(name, value);
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string FormatAmzDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalUri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (!normalize) return UriEncode(path, /*keep_slash=*/true);
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (auto seg : segments) out += "/" + UriEncode(seg, false);
  bool trailing = path.back() == '/' || path.ends_with("/.") || path.ends_with("/..");
  if (out.empty() || trailing) out += "/";
  return out;
}

std::string CanonicalQueryString(const HeaderList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += "&";
    out += k + "=" + v;
  }
  return out;
}

SigV4Signer::SigV4Signer(AwsCredentials credentials, SigV4Options options)
    : credentials_(std::move(credentials)), options_(std::move(options)) {}

std::string SigV4Signer::Scope(const std::string& amz_date) const {
  return amz_date.substr(0, 8) + "/" + options_.region + "/" + options_.service + "/aws4_request";
}

SigV4Result SigV4Signer::Finish(const SigV4Request& request, const std::string& amz_date) const {
  CanonicalHeaders headers = Canonicalize(request.headers);
  SigV4Result r;
  r.canonical_request = request.method + "\n" + CanonicalUri(request.path, options_.normalize_path) + "\n" +
                        CanonicalQueryString(request.query) + "\n" + headers.text + "\n" + headers.signed_names + "\n" +
                        request.payload_sha256;
  r.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + Scope(amz_date) + "\n" +
                     LowerHex(Sha256Digest(r.canonical_request));
  std::string key = HmacSha256("AWS4" + credentials_.secret_access_key, amz_date.substr(0, 8));
  key = HmacSha256(key, options_.region);
  key = HmacSha256(key, options_.service);
  key = HmacSha256(key, "aws4_request");
  r.signature = LowerHex(HmacSha256(key, r.string_to_sign));
  r.authorization = std::string(kAlgorithm) + " Credential=" + credentials_.access_key_id + "/" + Scope(amz_date) +
                    ", SignedHeaders=" + headers.signed_names + ", Signature=" + r.signature;
  return r;
}

SigV4Result SigV4Signer::Sign(SigV4Request* request, int64_t unix_seconds) const {
  std::string amz_date = FormatAmzDate(unix_seconds);
  SetHeader(&request->headers, "X-Amz-Date", amz_date);
  if (options_.add_content_sha256_header) SetHeader(&request->headers, "X-Amz-Content-Sha256", request->payload_sha256);
  bool token = !credentials_.session_token.empty();
  if (token && options_.sign_session_token) {
    SetHeader(&request->headers, "X-Amz-Security-Token", credentials_.session_token);
  }
  SigV4Result r = Finish(*request, amz_date);
  if (token && !options_.sign_session_token) {
    SetHeader(&request->headers, "X-Amz-Security-Token", credentials_.session_token);
  }
  SetHeader(&request->headers, "Authorization", r.authorization);
  return r;
}

SigV4Result SigV4Signer::Presign(SigV4Request* request, int64_t unix_seconds, int64_t expires_seconds) const {
  std::string amz_date = FormatAmzDate(unix_seconds);
  CanonicalHeaders headers = Canonicalize(request->headers);
  request->query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request->query.emplace_back("X-Amz-Credential", credentials_.access_key_id + "/" + Scope(amz_date));
  request->query.emplace_back("X-Amz-Date", amz_date);
  request->query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials_.session_token.empty())
    request->query.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  request->query.emplace_back("X-Amz-SignedHeaders", headers.signed_names);
  if (request->payload_sha256 == kEmptyPayloadSha256) request->payload_sha256 = std::string(kUnsignedPayload);
  SigV4Result r = Finish(*request, amz_date);
  r.authorization.clear();
  request->query.emplace_back("X-Amz-Signature", r.signature);
  return r;
}

}  // namespace gaggle
