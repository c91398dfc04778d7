#include "storage/object_uri.h"

#include <cctype>

namespace gaggle {
namespace {

// S3: 3-63 characters, lowercase letters, digits, '.' and '-', starting and ending with a
// letter or digit. GCS also allows '_' and names up to 222 characters when dotted.
Status CheckBucket(std::string_view uri, const std::string& scheme, std::string_view bucket) {
  bool gs = scheme == "gs";
  size_t max = gs ? 222 : 63;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("object URI '" + std::string(uri) + "': bucket '" + std::string(bucket) + "' " +
                                   why);
  };
  if (bucket.size() < 3 || bucket.size() > max) return bad("must be 3 to " + std::to_string(max) + " characters long");
  for (char c : bucket) {
    bool ok = std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
              c == '-' || (gs && c == '_');
    if (!ok)
      return bad(std::string("has '") + c + "': only lowercase letters, digits, '.' and '-'" + (gs ? ", '_'" : ""));
  }
  if (!std::isalnum(static_cast<unsigned char>(bucket.front())) ||
      !std::isalnum(static_cast<unsigned char>(bucket.back()))) {
    return bad("must start and end with a letter or digit");
  }
  if (bucket.find("..") != std::string_view::npos) return bad("must not contain '..'");
  return Status::OK();
}

Status CheckKey(std::string_view uri, std::string_view key) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("object URI '" + std::string(uri) + "': key " + why);
  };
  if (key.size() > 1024) return bad("is longer than 1024 bytes");
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) return bad("contains a control character");
  }
  size_t start = 0;
  while (start <= key.size() && !key.empty()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("has an empty path segment ('//' or a leading '/')");
    if (seg == "." || seg == "..") return bad("has a '" + std::string(seg) + "' segment");
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace

std::string ObjectUri::ToString() const { return scheme + "://" + bucket + (key.empty() ? "" : "/" + key); }

ObjectUri ObjectUri::Child(std::string_view name) const {
  ObjectUri out = *this;
  out.key = key.empty() ? std::string(name) : key + "/" + std::string(name);
  return out;
}

bool IsObjectStoreUri(std::string_view uri) { return uri.starts_with("s3://") || uri.starts_with("gs://"); }

Result<ObjectUri> ParseObjectUri(std::string_view uri) {
  ObjectUri out;
  if (uri.starts_with("s3://")) {
    out.scheme = "s3";
  } else if (uri.starts_with("gs://")) {
    out.scheme = "gs";
  } else {
    return Status::InvalidArgument("'" + std::string(uri) +
                                   "' is not an object URI (expected s3://BUCKET/KEY or gs://BUCKET/KEY)");
  }
  std::string_view rest = uri.substr(5);
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view key = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (key.ends_with('/')) key.remove_suffix(1);
  GAGGLE_RETURN_IF_ERROR(CheckBucket(uri, out.scheme, bucket));
  GAGGLE_RETURN_IF_ERROR(CheckKey(uri, key));
  out.bucket = std::string(bucket);
  out.key = std::string(key);
  return out;
}

}  // namespace gaggle
