#include "agent/object_output_committer.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>

#include "common/digest.h"

namespace gaggle {
namespace {

constexpr size_t kUploadChunk = 1 << 20;
constexpr size_t kTimestampLength = 16;  // yyyymmddThhmmssZ

// Attempts this process is writing now: the only ones with our pid that are alive.
std::mutex g_live_mu;
std::set<std::string>& LiveAttempts() {
  static std::set<std::string> live;
  return live;
}

void SetLive(const std::string& id, bool live) {
  std::lock_guard<std::mutex> lock(g_live_mu);
  if (live) {
    LiveAttempts().insert(id);
  } else {
    LiveAttempts().erase(id);
  }
}

bool IsLiveHere(const std::string& id) {
  std::lock_guard<std::mutex> lock(g_live_mu);
  return LiveAttempts().count(id) > 0;
}

// The host name as it may appear in a key: letters, digits, '.' and '-' only.
std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "host";
  std::string out;
  for (const char* p = buf; *p; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out.empty() ? "host" : out;
}

std::string NewAttemptId() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  char nonce[16];
  std::snprintf(nonce, sizeof(nonce), "%08x", static_cast<unsigned>(rd()));
  return std::string(stamp) + "-" + HostName() + "-" + std::to_string(::getpid()) + "-" + nonce;
}

struct AttemptId {
  int64_t unix_time = 0;
  std::string host;
  long pid = 0;
};

bool AllOf(const std::string& s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// Parses an ID NewAttemptId made; anything else is not an attempt (and never deleted).
std::optional<AttemptId> ParseAttemptId(const std::string& id) {
  if (id.size() < kTimestampLength + 6 || id[kTimestampLength] != '-') return std::nullopt;
  std::tm tm{};
  const std::string stamp = id.substr(0, kTimestampLength);
  const char* end = ::strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  std::string rest = id.substr(kTimestampLength + 1);
  size_t last = rest.rfind('-');
  if (last == std::string::npos || last == 0) return std::nullopt;
  size_t second = rest.rfind('-', last - 1);
  if (second == std::string::npos || second == 0) return std::nullopt;
  std::string nonce = rest.substr(last + 1), pid = rest.substr(second + 1, last - second - 1);
  if (!AllOf(nonce, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) return std::nullopt;
  if (!AllOf(pid, [](char c) { return c >= '0' && c <= '9'; }) || pid.size() > 9) return std::nullopt;
  AttemptId out;
  out.unix_time = static_cast<int64_t>(::timegm(&tm));
  out.host = rest.substr(0, second);
  out.pid = std::stol(pid);
  return out;
}

bool AttemptAlive(const std::string& id, const AttemptId& parsed, const ObjectCommitOptions& options) {
  if (parsed.host != HostName()) {
    return std::time(nullptr) - parsed.unix_time < static_cast<int64_t>(options.other_host_grace.count());
  }
  if (parsed.pid == static_cast<long>(::getpid())) return IsLiveHere(id);
  return parsed.pid > 0 && (::kill(static_cast<pid_t>(parsed.pid), 0) == 0 || errno == EPERM);
}

struct Location {
  ObjectUri uri;
  std::string attempts_prefix;  // "key/_gaggle_attempts/"
  std::string manifest_key;     // "key/_gaggle_manifest.json"
};

Result<Location> ParseOutput(const std::string& output_uri) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(output_uri));
  if (uri.key.empty()) {
    return Status::InvalidArgument("output '" + output_uri + "' is a whole bucket: a dataset output is a key prefix");
  }
  Location l;
  l.attempts_prefix = uri.key + "/" + kAttemptsDirName + "/";
  l.manifest_key = uri.key + "/" + kManifestFileName;
  l.uri = std::move(uri);
  return l;
}

// Every object under prefix (recursively), keys checked against the prefix.
Result<std::vector<S3ListedObject>> ListUnder(S3Client* client, const std::string& bucket, const std::string& prefix) {
  std::vector<S3ListedObject> out;
  GAGGLE_RETURN_IF_ERROR(client->ListObjects(bucket, prefix, "", [&](const S3ListPage& page) {
    for (const S3ListedObject& o : page.objects) {
      if (o.key.starts_with(prefix) && o.key.size() > prefix.size()) out.push_back(o);  // never trust the filter
    }
    return Status::OK();
  }));
  return out;
}

// The attempt T's manifest names; nullopt when T has none. A manifest that does not parse
// is an error, so that nothing is deleted on a guess.
Result<std::optional<std::string>> CurrentAttempt(S3Client* client, const Location& l) {
  Result<std::string> text = client->GetObject(l.uri.bucket, l.manifest_key);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return text.status();
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("attempt") || !j["attempt"].is_string()) {
    return Status::Corruption(l.uri.ToString() + "/" + kManifestFileName +
                              ": not a gaggle object-store manifest (no \"attempt\"); nothing was cleaned up");
  }
  return std::optional<std::string>(j["attempt"].get<std::string>());
}

// Deletes exactly the objects the listing of T/_gaggle_attempts/ID/ returned, and aborts the
// incomplete uploads under it. Returns how many objects were deleted.
Result<int64_t> DeleteAttempt(ObjectStoreFileSystem* fs, const Location& l, const std::string& id) {
  const std::string prefix = l.attempts_prefix + id + "/";
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3ListedObject> listed, ListUnder(fs->client(), l.uri.bucket, prefix));
  std::vector<std::string> keys;
  for (const S3ListedObject& o : listed) keys.push_back(o.key);
  if (!keys.empty()) GAGGLE_RETURN_IF_ERROR(fs->client()->DeleteObjects(l.uri.bucket, keys));
  Status aborted =
      fs->AbortIncompleteUploads(l.uri.Child(std::string(kAttemptsDirName) + "/" + id).ToString(), 0).status();
  if (!aborted.ok() && aborted.code() != StatusCode::kUnsupported) return aborted;  // see UploadsUnder
  return static_cast<int64_t>(keys.size());
}

// The incomplete uploads under the attempt area. A store without ListMultipartUploads (it
// answers 501, as s3rver does) has none to list: its cleanup is up to its own lifecycle rules.
Result<std::vector<S3MultipartUpload>> UploadsUnder(S3Client* client, const Location& l) {
  Result<std::vector<S3MultipartUpload>> uploads = client->ListMultipartUploads(l.uri.bucket, l.attempts_prefix);
  if (!uploads.ok() && uploads.status().code() == StatusCode::kUnsupported) return std::vector<S3MultipartUpload>();
  return uploads;
}

// "a/b.parquet": no empty, "." or ".." segment, no leading or trailing '/'.
bool IsPlainRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view seg(path.data() + start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

// Local files under dir (relative paths, sorted), without the top-level manifest.
Status ListLocal(FileSystem* local, const std::string& dir, const std::string& rel, std::vector<std::string>* out) {
  GAGGLE_ASSIGN_OR_RETURN(auto names, local->ListDirectory(dir));
  for (const std::string& name : names) {
    if (rel.empty() && name == kManifestFileName) continue;
    const std::string path = dir + "/" + name, child = rel.empty() ? name : rel + "/" + name;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, local->Stat(path));
    if (info.is_directory) {
      GAGGLE_RETURN_IF_ERROR(ListLocal(local, path, child, out));
    } else {
      out->push_back(child);
    }
  }
  return Status::OK();
}

// Streams one local file into an object (a multipart upload for large files).
Status Upload(FileSystem* local, const std::string& from, ObjectStoreFileSystem* fs, const std::string& to) {
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> in, local->OpenSequential(from));
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, fs->OpenWritable(to));
  std::string buf(kUploadChunk, '\0');
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, in->Read(buf.size(), reinterpret_cast<uint8_t*>(buf.data())));
    if (n == 0) break;
    GAGGLE_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), n)));
  }
  return out->Close();
}

}  // namespace

Result<CommittedObjectOutput> ParseCommitRecord(std::string_view text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("attempt") || !j["attempt"].is_string() || !j.contains("objects") ||
      !j["objects"].is_array()) {
    return Status::Corruption(where + ": not a gaggle object-store manifest (needs \"attempt\" and \"objects\")");
  }
  CommittedObjectOutput out;
  Result<Manifest> parsed = Manifest::FromJson(j);
  if (!parsed.ok()) return parsed.status().WithContext(where);
  out.manifest = std::move(parsed).value();
  out.attempt = j["attempt"].get<std::string>();
  if (!ParseAttemptId(out.attempt)) return Status::Corruption(where + ": attempt '" + out.attempt + "' is not an ID");
  std::set<std::string> seen;
  for (const auto& o : j["objects"]) {
    if (!o.is_object() || !o.contains("path") || !o["path"].is_string() || !o.contains("bytes") ||
        !o["bytes"].is_number_unsigned() || !o.contains("etag") || !o["etag"].is_string()) {
      return Status::Corruption(where + ": an entry of \"objects\" lacks a path, a byte count or an ETag");
    }
    CommittedObject c{o["path"].get<std::string>(), o["bytes"].get<uint64_t>(), o["etag"].get<std::string>()};
    if (!IsPlainRelativePath(c.path) || !seen.insert(c.path).second) {
      return Status::Corruption(where + ": object path '" + c.path + "' is not a plain relative path, or repeats");
    }
    out.objects.push_back(std::move(c));
  }
  return out;
}

Result<CommittedObjectOutput> LoadCommittedObjectOutput(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                                        bool verify_sha256) {
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_uri));
  const std::string where = l.uri.ToString() + "/" + kManifestFileName;
  GAGGLE_ASSIGN_OR_RETURN(std::string text, fs->client()->GetObject(l.uri.bucket, l.manifest_key));
  GAGGLE_ASSIGN_OR_RETURN(CommittedObjectOutput out, ParseCommitRecord(text, where));
  out.root = l.uri.Child(std::string(kAttemptsDirName) + "/" + out.attempt).ToString();
  std::map<std::string, const CommittedObject*> expected;
  for (const CommittedObject& o : out.objects) expected[o.path] = &o;
  const std::string prefix = l.attempts_prefix + out.attempt + "/";
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3ListedObject> listed, ListUnder(fs->client(), l.uri.bucket, prefix));
  for (const S3ListedObject& o : listed) {
    const std::string rel = o.key.substr(prefix.size());
    auto it = expected.find(rel);
    if (it == expected.end()) {
      return Status::Corruption(out.root + " holds '" + rel + "', which its manifest " + where + " does not list");
    }
    if (it->second->bytes != o.size || it->second->etag != o.etag) {
      return Status::Corruption(out.root + "/" + rel + ": " + std::to_string(o.size) + " bytes, ETag " + o.etag +
                                "; the manifest says " + std::to_string(it->second->bytes) + " bytes, ETag " +
                                it->second->etag);
    }
    expected.erase(it);
  }
  if (!expected.empty()) {
    return Status::Corruption(out.root + " lacks '" + expected.begin()->first + "', which its manifest lists");
  }
  for (const OutputFile& f : out.manifest.outputs) {
    auto found = std::find_if(out.objects.begin(), out.objects.end(),
                              [&](const CommittedObject& o) { return o.path == f.path && o.bytes == f.bytes; });
    if (found == out.objects.end()) {
      return Status::Corruption(where + ": output '" + f.path + "' is not among its objects with that size");
    }
    if (verify_sha256) {
      GAGGLE_ASSIGN_OR_RETURN(std::string sha, Sha256File(fs, out.root + "/" + f.path));
      if (sha != f.sha256) {
        return Status::Corruption(out.root + "/" + f.path + ": sha256 " + sha + ", the manifest says " + f.sha256);
      }
    }
  }
  return out;
}

Result<ObjectCleanupReport> RecoverObjectOutputLeftovers(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                                         const ObjectCommitOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_uri));
  GAGGLE_ASSIGN_OR_RETURN(std::optional<std::string> current, CurrentAttempt(fs->client(), l));
  // Attempt IDs from a full listing, not from a delimiter listing's common prefixes: s3rver
  // leaves some of those out.
  std::set<std::string> ids;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3ListedObject> listed, ListUnder(fs->client(), l.uri.bucket, l.attempts_prefix));
  for (const S3ListedObject& o : listed) {
    const std::string rest = o.key.substr(l.attempts_prefix.size());
    if (rest.find('/') != std::string::npos) ids.insert(rest.substr(0, rest.find('/')));
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3MultipartUpload> uploads, UploadsUnder(fs->client(), l));
  ObjectCleanupReport report;
  for (const S3MultipartUpload& u : uploads) {
    if (!u.key.starts_with(l.attempts_prefix)) continue;
    const std::string rest = u.key.substr(l.attempts_prefix.size());
    const std::string id = rest.substr(0, rest.find('/'));
    auto parsed = ParseAttemptId(id);
    if (!parsed || rest.find('/') == std::string::npos || AttemptAlive(id, *parsed, options)) continue;
    GAGGLE_RETURN_IF_ERROR(fs->client()->AbortMultipartUpload(l.uri.bucket, u.key, u.upload_id));
    ++report.aborted_uploads;
  }
  for (const std::string& id : ids) {
    auto parsed = ParseAttemptId(id);
    if (!parsed || id == current || AttemptAlive(id, *parsed, options)) continue;
    GAGGLE_ASSIGN_OR_RETURN(int64_t n, DeleteAttempt(fs, l, id));
    report.removed_objects += n;
    ++report.removed_attempts;
  }
  return report;
}

Status CheckObjectOutputOwnership(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                  const std::string& input_uri) {
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_uri));
  const std::string out = l.uri.ToString();
  if (IsObjectStoreUri(input_uri)) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri in, ParseObjectUri(input_uri));
    const bool nested = in.key.empty() || in.key == l.uri.key || in.key.starts_with(l.uri.key + "/") ||
                        l.uri.key.starts_with(in.key + "/");
    if (in.scheme == l.uri.scheme && in.bucket == l.uri.bucket && nested) {
      return Status::InvalidArgument("output " + out + " and input " + in.ToString() + " nest in each other");
    }
  }
  Result<S3ObjectInfo> self = fs->client()->Head(l.uri.bucket, l.uri.key);
  if (self.ok()) return Status::InvalidArgument("output " + out + " is an object: a dataset output is a key prefix");
  if (self.status().code() != StatusCode::kNotFound) return self.status();
  Result<S3ObjectInfo> manifest = fs->client()->Head(l.uri.bucket, l.manifest_key);
  if (manifest.ok()) return Status::OK();
  if (manifest.status().code() != StatusCode::kNotFound) return manifest.status();
  std::string foreign;
  const std::string prefix = l.uri.key + "/";
  GAGGLE_RETURN_IF_ERROR(fs->client()->ListObjects(
      l.uri.bucket, prefix, "",
      [&](const S3ListPage& page) {
        for (const S3ListedObject& o : page.objects) {
          if (o.key.starts_with(prefix) && !o.key.starts_with(l.attempts_prefix)) {
            foreign = o.key;
            return Status::Cancelled("found");
          }
        }
        return Status::OK();
      },
      100));
  if (foreign.empty()) return Status::OK();
  return Status::InvalidArgument("output " + out + " holds objects gaggle did not write (s3 key '" + foreign +
                                 "') and no " + kManifestFileName + ": refusing to write a dataset there");
}

Result<int64_t> QuarantineObjectOutput(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                       const std::string& dest_uri) {
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_uri));
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri dest, ParseObjectUri(dest_uri));
  if (dest.key.empty()) return Status::InvalidArgument("quarantine of " + output_uri + " to a whole bucket");
  const std::string base = l.uri.key + "/";
  std::vector<S3ListedObject> owned;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3ListedObject> listed, ListUnder(fs->client(), l.uri.bucket, base));
  for (const S3ListedObject& o : listed) {
    if (o.key == l.manifest_key) {
      owned.push_back(o);
    } else if (o.key.starts_with(l.attempts_prefix)) {
      const std::string tail = o.key.substr(l.attempts_prefix.size());
      if (tail.find('/') != std::string::npos && ParseAttemptId(tail.substr(0, tail.find('/')))) owned.push_back(o);
    }
  }
  std::string manifest_text;
  std::map<std::string, std::string> copied_etags;  // key relative to T -> the copy's ETag
  for (const S3ListedObject& o : owned) {
    const std::string rel = o.key.substr(base.size());
    const std::string what = l.uri.scheme + "://" + l.uri.bucket + "/" + o.key;
    if (o.key == l.manifest_key) {
      GAGGLE_ASSIGN_OR_RETURN(manifest_text, fs->client()->GetObject(l.uri.bucket, o.key));
      continue;
    }
    Result<std::string> etag = fs->client()->CopyObject(l.uri.bucket, o.key, dest.bucket, dest.key + "/" + rel, o.etag);
    if (!etag.ok()) return etag.status().WithContext("quarantine of " + what);
    GAGGLE_ASSIGN_OR_RETURN(S3ObjectInfo copy, fs->client()->Head(dest.bucket, dest.key + "/" + rel));
    if (copy.size != o.size) {
      return Status::IOError("quarantine of " + what + ": the copy has " + std::to_string(copy.size) +
                             " bytes, the source " + std::to_string(o.size) + "; nothing was deleted");
    }
    copied_etags[rel] = copy.etag;
  }
  // The copy's own commit point, written last: T's manifest with the copies' ETags (a copy of
  // a multipart object has a single-part ETag), so the quarantined output checks out too.
  if (!manifest_text.empty()) {
    nlohmann::json j = nlohmann::json::parse(manifest_text, nullptr, false);
    if (j.is_object() && j.contains("attempt") && j["attempt"].is_string() && j.contains("objects") &&
        j["objects"].is_array()) {
      const std::string prefix = std::string(kAttemptsDirName) + "/" + j["attempt"].get<std::string>() + "/";
      for (auto& obj : j["objects"]) {
        if (!obj.is_object() || !obj.contains("path") || !obj["path"].is_string()) continue;
        auto it = copied_etags.find(prefix + obj["path"].get<std::string>());
        if (it != copied_etags.end()) obj["etag"] = it->second;
      }
      manifest_text = j.dump(2) + "\n";
    }
    GAGGLE_RETURN_IF_ERROR(
        fs->client()->PutObject(dest.bucket, dest.key + "/" + kManifestFileName, manifest_text).status());
  }
  // The manifest goes first: from then on the output is not current, whatever follows.
  std::vector<std::string> keys;
  for (const S3ListedObject& o : owned) {
    if (o.key == l.manifest_key) GAGGLE_RETURN_IF_ERROR(fs->client()->DeleteObjects(l.uri.bucket, {o.key}));
    if (o.key != l.manifest_key) keys.push_back(o.key);
  }
  if (!keys.empty()) GAGGLE_RETURN_IF_ERROR(fs->client()->DeleteObjects(l.uri.bucket, keys));
  return static_cast<int64_t>(owned.size());
}

Result<ObjectOutputCommitter> ObjectOutputCommitter::Begin(ObjectStoreFileSystem* fs, const std::string& output_uri,
                                                           const ObjectCommitOptions& options) {
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_uri));
  GAGGLE_RETURN_IF_ERROR(RecoverObjectOutputLeftovers(fs, output_uri, options).status());
  std::string id = NewAttemptId();
  SetLive(id, true);
  return ObjectOutputCommitter(fs, l.uri.ToString(), id);
}

ObjectOutputCommitter::ObjectOutputCommitter(ObjectOutputCommitter&& other) noexcept
    : fs_(other.fs_), output_(std::move(other.output_)), attempt_(std::move(other.attempt_)), done_(other.done_) {
  other.done_ = true;
}

ObjectOutputCommitter::~ObjectOutputCommitter() { Abort(); }

std::string ObjectOutputCommitter::attempt_prefix() const { return output_ + "/" + kAttemptsDirName + "/" + attempt_; }

void ObjectOutputCommitter::Abort() {
  if (done_) return;
  done_ = true;
  auto l = ParseOutput(output_);
  if (l.ok()) (void)DeleteAttempt(fs_, *l, attempt_);
  SetLive(attempt_, false);
}

Status ObjectOutputCommitter::Commit(FileSystem* local, const std::string& local_dir, const Manifest& manifest) {
  if (done_) return Status::Internal("output for '" + output_ + "' already committed or aborted");
  GAGGLE_ASSIGN_OR_RETURN(Location l, ParseOutput(output_));
  std::vector<std::string> files;
  GAGGLE_RETURN_IF_ERROR(ListLocal(local, local_dir, "", &files));
  std::map<std::string, uint64_t> sizes;
  for (const std::string& rel : files) {
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, local->Stat(local_dir + "/" + rel));
    sizes[rel] = info.size;
    GAGGLE_RETURN_IF_ERROR(Upload(local, local_dir + "/" + rel, fs_, attempt_prefix() + "/" + rel));
  }
  const std::string attempt_manifest = manifest.ToJson().dump(2) + "\n";
  sizes[kManifestFileName] = attempt_manifest.size();
  const std::string prefix = l.attempts_prefix + attempt_ + "/";
  GAGGLE_RETURN_IF_ERROR(fs_->client()->PutObject(l.uri.bucket, prefix + kManifestFileName, attempt_manifest).status());

  // What the store holds now is what T's manifest will list: every object, size and ETag.
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3ListedObject> listed, ListUnder(fs_->client(), l.uri.bucket, prefix));
  nlohmann::json objects = nlohmann::json::array();
  for (const S3ListedObject& o : listed) {
    const std::string rel = o.key.substr(prefix.size());
    auto it = sizes.find(rel);
    if (it == sizes.end() || it->second != o.size) {
      return Status::IOError(
          attempt_prefix() + "/" + rel + ": the store lists " + std::to_string(o.size) + " bytes, " +
          (it == sizes.end() ? "which this attempt did not write" : "uploaded " + std::to_string(it->second)));
    }
    objects.push_back({{"path", rel}, {"bytes", o.size}, {"etag", o.etag}});
    sizes.erase(it);
  }
  if (!sizes.empty()) return Status::IOError(attempt_prefix() + "/" + sizes.begin()->first + " is not listed");

  GAGGLE_ASSIGN_OR_RETURN(std::optional<std::string> previous, CurrentAttempt(fs_->client(), l));
  nlohmann::json top = manifest.ToJson();
  top["attempt"] = attempt_;
  top["objects"] = std::move(objects);
  // The commit point: from this PUT on, the new attempt is the dataset.
  GAGGLE_RETURN_IF_ERROR(fs_->client()->PutObject(l.uri.bucket, l.manifest_key, top.dump(2) + "\n").status());
  done_ = true;
  SetLive(attempt_, false);
  // The superseded attempt goes now; if this fails, the next Begin() removes it.
  if (previous && *previous != attempt_ && ParseAttemptId(*previous)) (void)DeleteAttempt(fs_, l, *previous);
  return Status::OK();
}

}  // namespace gaggle
