// The few cryptographic primitives S3 needs, on OpenSSL's EVP interface: SHA-256 and
// HMAC-SHA256 for Signature Version 4, MD5 for Content-MD5 and ETags, and the hex and
// base64 encodings their headers use. Digests are returned as raw bytes in a std::string.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace gaggle {

std::string Sha256Digest(std::string_view data);
std::string Md5Digest(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// Lowercase hex of raw bytes.
std::string LowerHex(std::string_view bytes);
// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);

}  // namespace gaggle
