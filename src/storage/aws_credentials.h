// AwsCredentials: the access key, secret and optional session token an S3 request is
// signed with, and where they were found. Describe() is the only way credentials reach a
// message or a log: it names the key id's last four characters and the source, never the
// secret or the token.
// Thread-safety: a value; copy freely.
#pragma once

#include <string>

namespace gaggle {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string source;         // "environment", "shared credentials file '/root/.aws/credentials' [default]"

  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
  // "access key ...MPLE from environment" (or "no credentials").
  std::string Describe() const;
};

}  // namespace gaggle
