// The AWS shared configuration files, read as the AWS CLI reads them:
//   ~/.aws/credentials  [name] sections with aws_access_key_id, aws_secret_access_key,
//                       aws_session_token
//   ~/.aws/config       [default] and [profile name] sections with region, endpoint_url, ...
// and the resolution gaggle's S3 client uses: credentials from the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or else from the profile
// named by AWS_PROFILE (default "default") in AWS_SHARED_CREDENTIALS_FILE (default
// ~/.aws/credentials) or AWS_CONFIG_FILE (default ~/.aws/config); the region from AWS_REGION,
// AWS_DEFAULT_REGION or the profile; the endpoint from AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
// or the profile's endpoint_url. Errors name the file and line, never a value.
// Thread-safety: pure functions over the EnvLookup and FileSystem given.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"
#include "storage/aws_credentials.h"

namespace gaggle {

// profile name -> key (lowercase) -> value. "[profile x]" in a config file is profile "x".
using AwsProfiles = std::map<std::string, std::map<std::string, std::string>>;

// Parses one shared file's text; `origin` names it in errors. Nested settings
// ("s3 =" followed by indented "addressing_style = path") become "s3.addressing_style".
Result<AwsProfiles> ParseAwsSharedFile(std::string_view text, const std::string& origin, bool is_config_file);

// An environment variable's value, or "" when unset (a seam for tests).
using EnvLookup = std::function<std::string(const std::string&)>;
EnvLookup ProcessEnvironment();

struct AwsSettings {
  AwsCredentials credentials;    // empty when none were found anywhere
  std::string region;            // "" when none was configured
  std::string endpoint_url;      // "" for AWS's own endpoint
  std::string addressing_style;  // "path", "virtual" or "" (profile's s3.addressing_style)
  std::string looked_in;         // where credentials were looked for, for a clear error
};

// Resolves settings for `profile` ("" = AWS_PROFILE or "default"). A profile named
// explicitly that neither file has is NotFound; a file that cannot be parsed is an error.
Result<AwsSettings> ResolveAwsSettings(const EnvLookup& env, FileSystem* fs, const std::string& profile = "");

}  // namespace gaggle
