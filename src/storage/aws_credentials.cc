#include "storage/aws_credentials.h"

namespace gaggle {

std::string AwsCredentials::Describe() const {
  if (empty()) return "no credentials";
  // Key ids are not secret, but four characters are enough to tell two keys apart.
  std::string tail = access_key_id.size() > 4 ? access_key_id.substr(access_key_id.size() - 4) : "";
  std::string out = "access key ..." + tail;
  if (!session_token.empty()) out += " with a session token";
  if (!source.empty()) out += " from " + source;
  return out;
}

}  // namespace gaggle
