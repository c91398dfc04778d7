#include "storage/file_system_resolver.h"

#include "common/dataset_location.h"

namespace gaggle {

FileSystemResolver::FileSystemResolver(ObjectStoreConfig config, EnvLookup env, FileSystem* local)
    : config_(std::move(config)), env_(std::move(env)), local_(local) {}

Result<ResolvedLocation> FileSystemResolver::Resolve(const std::string& uri) {
  if (IsObjectStoreUri(uri)) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri parsed, ParseObjectUri(uri));
    GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * fs, ObjectStore(parsed.scheme));
    return ResolvedLocation{fs, parsed.ToString()};
  }
  GAGGLE_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(uri));
  return ResolvedLocation{local_, path};
}

Result<ObjectStoreFileSystem*> FileSystemResolver::ObjectStore(const std::string& scheme) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stores_.find(scheme);
  if (it != stores_.end()) return it->second.get();
  GAGGLE_ASSIGN_OR_RETURN(auto fs, Create(scheme));
  ObjectStoreFileSystem* raw = fs.get();
  stores_[scheme] = std::move(fs);
  return raw;
}

Result<std::unique_ptr<ObjectStoreFileSystem>> FileSystemResolver::Create(const std::string& scheme) {
  if (scheme != "s3" && scheme != "gs") return Status::InvalidArgument("no object store for scheme '" + scheme + "'");
  GAGGLE_ASSIGN_OR_RETURN(AwsSettings settings, ResolveAwsSettings(env_, local_, config_.profile));
  S3ClientOptions o;
  o.uri_scheme = scheme;
  o.retry = config_.retry;
  o.http = config_.http;
  o.verify_upload_etag = config_.verify_upload_etag;
  o.checksum_sha256 = config_.checksum_sha256;
  o.credentials = settings.credentials;
  if (scheme == "gs") {
    // GCS HMAC keys: GS_ACCESS_KEY_ID/GS_SECRET_ACCESS_KEY, else the AWS chain (a profile
    // holding the HMAC key). GCS's XML API takes any region name; "auto" is its own.
    if (!env_("GS_ACCESS_KEY_ID").empty()) {
      o.credentials = {env_("GS_ACCESS_KEY_ID"), env_("GS_SECRET_ACCESS_KEY"), "", "environment (GS_ACCESS_KEY_ID)"};
    }
    o.endpoint = config_.gs_endpoint;
    o.region = config_.region.empty() ? "auto" : config_.region;
    o.addressing = config_.addressing == "path" ? S3Addressing::kPath : S3Addressing::kVirtualHost;
  } else {
    o.endpoint = !config_.s3_endpoint.empty()          ? config_.s3_endpoint
                 : !env_("GAGGLE_S3_ENDPOINT").empty() ? env_("GAGGLE_S3_ENDPOINT")
                                                       : settings.endpoint_url;
    o.region = !config_.region.empty() ? config_.region : (!settings.region.empty() ? settings.region : "us-east-1");
    std::string style = !config_.addressing.empty() ? config_.addressing : settings.addressing_style;
    if (style.empty() || style == "auto") style = o.endpoint.empty() ? "virtual" : "path";
    if (style != "path" && style != "virtual") {
      return Status::InvalidArgument("S3 addressing '" + style + "': expected path, virtual or auto");
    }
    o.addressing = style == "path" ? S3Addressing::kPath : S3Addressing::kVirtualHost;
  }
  if (o.credentials.empty()) {
    return Status::InvalidArgument("no credentials for " + scheme + "://: looked in " + settings.looked_in);
  }
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, S3Client::Create(o));
  return std::make_unique<ObjectStoreFileSystem>(std::shared_ptr<S3Client>(std::move(client)), scheme, config_.io);
}

}  // namespace gaggle
