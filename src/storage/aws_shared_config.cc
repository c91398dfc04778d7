#include "storage/aws_shared_config.h"

#include <cctype>
#include <cstdlib>

namespace gaggle {
namespace {

// A shared file larger than this is not a configuration file.
constexpr size_t kMaxSharedFileBytes = 1 << 20;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<AwsProfiles> ParseAwsSharedFile(std::string_view text, const std::string& origin, bool is_config_file) {
  if (text.size() > kMaxSharedFileBytes) {
    return Status::InvalidArgument(origin + ": larger than " + std::to_string(kMaxSharedFileBytes) + " bytes");
  }
  AwsProfiles profiles;
  std::string section;
  bool in_section = false;
  std::string parent;  // key of an "s3 =" line whose indented children follow
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto err = [&](const std::string& why) {
      return Status::InvalidArgument(origin + ":" + std::to_string(line_no) + ": " + why);
    };
    if (line.front() == '[') {
      if (line.back() != ']') return err("section header without a closing ']'");
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (is_config_file && name.starts_with("profile ")) name = Trim(name.substr(8));
      if (name.empty()) return err("empty section name");
      section = std::string(name);
      profiles[section];
      in_section = true;
      parent.clear();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return err("expected 'key = value' or '[section]'");
    if (!in_section) return err("setting before any [section]");
    std::string key = Lower(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (key.empty()) return err("empty key");
    bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
    if (indented && !parent.empty()) {
      profiles[section][parent + "." + key] = value;
      continue;
    }
    parent = value.empty() ? key : "";
    profiles[section][key] = value;
  }
  return profiles;
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return std::string(v ? v : "");
  };
}

namespace {

// Reads and parses a shared file; a missing file is an empty set of profiles.
Result<AwsProfiles> LoadShared(FileSystem* fs, const std::string& path, bool is_config) {
  if (path.empty() || !fs->Exists(path)) return AwsProfiles();
  GAGGLE_ASSIGN_OR_RETURN(std::string text, ReadFileToString(fs, path));
  return ParseAwsSharedFile(text, path, is_config);
}

std::string Get(const AwsProfiles& p, const std::string& profile, const std::string& key) {
  auto it = p.find(profile);
  if (it == p.end()) return "";
  auto kv = it->second.find(key);
  return kv == it->second.end() ? "" : kv->second;
}

}  // namespace

Result<AwsSettings> ResolveAwsSettings(const EnvLookup& env, FileSystem* fs, const std::string& profile_arg) {
  std::string home = env("HOME");
  std::string cred_path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (cred_path.empty() && !home.empty()) cred_path = home + "/.aws/credentials";
  std::string config_path = env("AWS_CONFIG_FILE");
  if (config_path.empty() && !home.empty()) config_path = home + "/.aws/config";
  bool explicit_profile = !profile_arg.empty() || !env("AWS_PROFILE").empty();
  std::string profile = !profile_arg.empty() ? profile_arg : env("AWS_PROFILE");
  if (profile.empty()) profile = "default";

  GAGGLE_ASSIGN_OR_RETURN(AwsProfiles creds_file, LoadShared(fs, cred_path, false));
  GAGGLE_ASSIGN_OR_RETURN(AwsProfiles config_file, LoadShared(fs, config_path, true));
  if (explicit_profile && !creds_file.count(profile) && !config_file.count(profile)) {
    return Status::NotFound("AWS profile '" + profile + "' is in neither '" + cred_path + "' nor '" + config_path +
                            "'");
  }

  AwsSettings s;
  s.looked_in = "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), '" + cred_path + "' and '" + config_path +
                "' [" + profile + "]";
  if (!env("AWS_ACCESS_KEY_ID").empty() || !env("AWS_SECRET_ACCESS_KEY").empty()) {
    s.credentials = {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN"), "environment"};
    if (s.credentials.empty()) {
      return Status::InvalidArgument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    }
  } else {
    for (auto [file, path] : {std::pair{&creds_file, cred_path}, std::pair{&config_file, config_path}}) {
      AwsCredentials c{Get(*file, profile, "aws_access_key_id"), Get(*file, profile, "aws_secret_access_key"),
                       Get(*file, profile, "aws_session_token"), "'" + path + "' [" + profile + "]"};
      if (!c.empty()) {
        s.credentials = c;
        break;
      }
    }
  }
  s.region = env("AWS_REGION");
  if (s.region.empty()) s.region = env("AWS_DEFAULT_REGION");
  if (s.region.empty()) s.region = Get(config_file, profile, "region");
  s.endpoint_url = env("AWS_ENDPOINT_URL_S3");
  if (s.endpoint_url.empty()) s.endpoint_url = env("AWS_ENDPOINT_URL");
  if (s.endpoint_url.empty()) s.endpoint_url = Get(config_file, profile, "s3.endpoint_url");
  if (s.endpoint_url.empty()) s.endpoint_url = Get(config_file, profile, "endpoint_url");
  s.addressing_style = Get(config_file, profile, "s3.addressing_style");
  return s;
}

}  // namespace gaggle
