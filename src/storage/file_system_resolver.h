// FileSystemResolver: which FileSystem serves a location, and the path to give it.
//
//   s3://bucket/key   the S3 ObjectStoreFileSystem; the path is the URI itself
//   gs://bucket/key   the GCS one (S3-compatible XML API with HMAC keys, endpoint
//                     storage.googleapis.com unless configured)
//   file:///abs/path  the local file system; the path is /abs/path
//   a plain path      the local file system; the path as given
// Object-store file systems are created on first use from the configuration (endpoint,
// region, addressing, profile) and the environment (credentials, AWS_ENDPOINT_URL, ...),
// and live as long as the resolver. A location whose credentials cannot be resolved gets a
// clear error naming where they were looked for.
// Thread-safety: Resolve may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/file_system.h"
#include "storage/aws_shared_config.h"
#include "storage/object_store_file_system.h"

namespace gaggle {

struct ObjectStoreConfig {
  // --s3-endpoint: an S3-compatible store ("http://127.0.0.1:9000"). "" = GAGGLE_S3_ENDPOINT,
  // AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url, or AWS itself.
  std::string s3_endpoint;
  std::string gs_endpoint = "https://storage.googleapis.com";
  std::string region;      // "" = AWS_REGION, AWS_DEFAULT_REGION, the profile, "us-east-1"
  std::string addressing;  // "path", "virtual", "" = path for an endpoint override, virtual for AWS
  std::string profile;     // "" = AWS_PROFILE or "default"
  S3RetryOptions retry;
  HttpOptions http;
  ObjectStoreOptions io;
  bool verify_upload_etag = true;
  bool checksum_sha256 = false;
};

struct ResolvedLocation {
  FileSystem* fs = nullptr;
  std::string path;
};

class FileSystemResolver {
 public:
  explicit FileSystemResolver(ObjectStoreConfig config = {}, EnvLookup env = ProcessEnvironment(),
                              FileSystem* local = FileSystem::Default());

  Result<ResolvedLocation> Resolve(const std::string& uri);
  // The object store serving "s3" or "gs", created on first use.
  Result<ObjectStoreFileSystem*> ObjectStore(const std::string& scheme);

 private:
  Result<std::unique_ptr<ObjectStoreFileSystem>> Create(const std::string& scheme);

  ObjectStoreConfig config_;
  EnvLookup env_;
  FileSystem* local_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<ObjectStoreFileSystem>> stores_;
};

}  // namespace gaggle
