#include "storage/artifact_mirror.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "storage/object_store_file_system.h"
#include "storage/object_uri.h"

namespace gaggle {

namespace fs = std::filesystem;

namespace {
// Deeper trees are not ours: the artefact layout is at most MIGRATION/task-log/WRITER/FILE.
constexpr int kMaxFetchDepth = 8;
constexpr size_t kCopyChunk = size_t{1} << 20;
// The temporary names of an atomic write in progress ("X.tmp", WriteFileAtomically's
// "X.tmp-PID") are not artefacts.
bool IsTemporaryName(const std::string& path) {
  if (path.ends_with(".tmp")) return true;
  const size_t at = path.rfind(".tmp-");
  if (at == std::string::npos || at + 5 == path.size()) return false;
  return path.find_first_not_of("0123456789", at + 5) == std::string::npos;
}

std::string WithoutTrailingSlash(std::string uri) {
  while (uri.size() > 5 && uri.ends_with('/') && !uri.ends_with("://")) uri.pop_back();
  return uri;
}
}  // namespace

ArtifactMirror::ArtifactMirror(std::string remote, FileSystem* remote_fs, std::string spool, FileSystem* local)
    : remote_(WithoutTrailingSlash(std::move(remote))),
      remote_fs_(remote_fs),
      spool_(std::move(spool)),
      local_(local) {}

Result<std::string> ArtifactMirror::MakeSpoolDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/gaggle-spool-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return Status::IOError("cannot create the artefact spool directory '" + pattern + "': " + std::strerror(errno));
  }
  return std::string(buf.data());
}

std::string ArtifactMirror::NewWriterId() {
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::strcpy(host, "host");
  std::string h;
  for (const char* p = host; *p; ++p) {
    const char c = *p;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    h.push_back(ok ? c : '-');
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
  return std::string(stamp) + "-" + h + "-" + std::to_string(::getpid());
}

Result<std::string> ArtifactMirror::RemoteFor(const std::string& local_path) const {
  std::string rel = local_path;
  if (rel.starts_with(spool_ + "/")) {
    rel = rel.substr(spool_.size() + 1);
  } else if (rel.starts_with("/")) {
    return Status::InvalidArgument("'" + local_path + "' is outside the artefact spool " + spool_);
  }
  while (rel.starts_with("./")) rel = rel.substr(2);
  if (rel.empty() || rel.find("..") != std::string::npos) {
    return Status::InvalidArgument("'" + local_path + "' names no file inside the artefact spool " + spool_);
  }
  return remote_ + "/" + rel;
}

Status ArtifactMirror::CopyFile(FileSystem* from_fs, const std::string& from, FileSystem* to_fs,
                                const std::string& to) {
  GAGGLE_ASSIGN_OR_RETURN(auto in, from_fs->OpenSequential(from));
  GAGGLE_ASSIGN_OR_RETURN(auto out, to_fs->OpenWritable(to));
  std::vector<uint8_t> buf(kCopyChunk);
  for (;;) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, in->Read(buf.size(), buf.data()));
    if (n == 0) break;
    if (from_fs == remote_fs_) bytes_fetched_ += n;
    GAGGLE_RETURN_IF_ERROR(out->Append(std::string_view(reinterpret_cast<const char*>(buf.data()), n)));
  }
  // An object store commits the object on Close; a local file is then whole too.
  return out->Close();
}

void ArtifactMirror::Remember(const std::string& local_path) {
  auto info = local_->Stat(local_path);
  if (!info.ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  seen_[local_path] = {info->size, info->mtime_ns};
}

bool ArtifactMirror::Changed(const std::string& local_path) {
  auto info = local_->Stat(local_path);
  if (!info.ok()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = seen_.find(local_path);
  return it == seen_.end() || it->second != std::make_pair(info->size, info->mtime_ns);
}

Status ArtifactMirror::Upload(const std::string& local_path) {
  const std::string path = local_path.starts_with("/") ? local_path : spool_ + "/" + local_path;
  GAGGLE_ASSIGN_OR_RETURN(std::string remote, RemoteFor(path));
  GAGGLE_RETURN_IF_ERROR(remote_fs_->CreateDirectories(remote.substr(0, remote.rfind('/'))));
  Status st = CopyFile(local_, path, remote_fs_, remote);
  if (!st.ok())
    return Status(st.code(), "uploading artefact " + path + " to " + remote + ": " + st.message(), st.retryable());
  Remember(path);
  return Status::OK();
}

Result<int> ArtifactMirror::UploadChanged(const std::string& relative_dir) {
  const fs::path root = relative_dir.empty() ? fs::path(spool_) : fs::path(spool_) / relative_dir;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return 0;
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  if (ec) return Status::IOError("listing the artefact spool " + root.string() + ": " + ec.message());
  int n = 0;
  for (const std::string& f : files) {
    if (IsTemporaryName(f) || !Changed(f)) continue;
    GAGGLE_RETURN_IF_ERROR(Upload(f));
    ++n;
  }
  return n;
}

Result<std::vector<ArtifactObject>> ArtifactMirror::ListTree(const std::string& remote_dir, int depth) {
  std::vector<ArtifactObject> out;
  if (auto* store = dynamic_cast<ObjectStoreFileSystem*>(remote_fs_)) {
    // One recursive listing instead of a HEAD per name.
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(remote_dir));
    const std::string prefix = uri.key.empty() ? "" : uri.key + "/";
    GAGGLE_RETURN_IF_ERROR(store->client()->ListObjects(uri.bucket, prefix, "", [&](const S3ListPage& page) {
      for (const auto& o : page.objects) {
        std::string rel = o.key.substr(prefix.size());
        if (!rel.empty() && !rel.ends_with('/')) out.push_back(ArtifactObject{std::move(rel), o.size, o.etag});
      }
      return Status::OK();
    }));
    return out;
  }
  if (depth > kMaxFetchDepth || !remote_fs_->Exists(remote_dir)) return out;
  GAGGLE_ASSIGN_OR_RETURN(std::vector<std::string> names, remote_fs_->ListDirectory(remote_dir));
  for (const std::string& name : names) {
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, remote_fs_->Stat(remote_dir + "/" + name));
    if (!info.is_directory) {
      out.push_back(ArtifactObject{name, info.size, ""});
      continue;
    }
    GAGGLE_ASSIGN_OR_RETURN(std::vector<ArtifactObject> sub, ListTree(remote_dir + "/" + name, depth + 1));
    for (ArtifactObject& o : sub) {
      o.path = name + "/" + o.path;
      out.push_back(std::move(o));
    }
  }
  return out;
}

Status ArtifactMirror::CheckRelative(const std::string& relative_path, const char* what) const {
  if (relative_path.empty() || relative_path.find("..") != std::string::npos) {
    return Status::InvalidArgument(std::string(what) + " needs a path inside " + remote_ + ", not '" + relative_path +
                                   "'");
  }
  return Status::OK();
}

Result<int> ArtifactMirror::Fetch(const std::string& relative_dir) {
  GAGGLE_RETURN_IF_ERROR(CheckRelative(relative_dir, "fetching artefacts"));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ArtifactObject> files, ListTree(remote_ + "/" + relative_dir, 0));
  int n = 0;
  for (const ArtifactObject& object : files) {
    const std::string& rel = object.path;
    if (rel.find("..") != std::string::npos) continue;  // not a name gaggle writes
    const std::string r = remote_ + "/" + relative_dir + "/" + rel;
    const std::string l = spool_ + "/" + relative_dir + "/" + rel;
    GAGGLE_RETURN_IF_ERROR(local_->CreateDirectories(fs::path(l).parent_path().string()));
    Status st = CopyFile(remote_fs_, r, local_, l);
    if (!st.ok())
      return Status(st.code(), "fetching artefact " + r + " into " + l + ": " + st.message(), st.retryable());
    Remember(l);
    ++n;
  }
  return n;
}

Result<bool> ArtifactMirror::FetchFile(const std::string& relative_path) {
  GAGGLE_RETURN_IF_ERROR(CheckRelative(relative_path, "fetching an artefact"));
  const std::string r = remote_ + "/" + relative_path;
  const std::string l = spool_ + "/" + relative_path;
  if (!remote_fs_->Exists(r)) return false;
  GAGGLE_RETURN_IF_ERROR(local_->CreateDirectories(fs::path(l).parent_path().string()));
  Status st = CopyFile(remote_fs_, r, local_, l);
  if (!st.ok()) return Status(st.code(), "fetching artefact " + r + " into " + l + ": " + st.message(), st.retryable());
  Remember(l);
  return true;
}

Result<std::vector<ArtifactObject>> ArtifactMirror::List(const std::string& relative_dir) {
  GAGGLE_RETURN_IF_ERROR(CheckRelative(relative_dir, "listing artefacts"));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<ArtifactObject> files, ListTree(remote_ + "/" + relative_dir, 0));
  std::erase_if(files, [](const ArtifactObject& o) { return o.path.find("..") != std::string::npos; });
  return files;
}

Result<std::string> ArtifactMirror::ReadRange(const std::string& relative_path, const std::string& etag,
                                              uint64_t offset, uint64_t length) {
  GAGGLE_RETURN_IF_ERROR(CheckRelative(relative_path, "reading an artefact"));
  const std::string r = remote_ + "/" + relative_path;
  std::string out(length, '\0');
  size_t got = 0;
  if (auto* store = dynamic_cast<ObjectStoreFileSystem*>(remote_fs_)) {
    // Exactly the bytes asked for: S3RandomAccessFile would read ahead a whole window.
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(r));
    GAGGLE_ASSIGN_OR_RETURN(got, store->client()->GetRange(uri.bucket, uri.key, offset, length,
                                                           reinterpret_cast<uint8_t*>(out.data()), etag));
  } else {
    GAGGLE_ASSIGN_OR_RETURN(auto file, remote_fs_->OpenRandomAccess(r));
    GAGGLE_ASSIGN_OR_RETURN(got, file->ReadAt(offset, length, reinterpret_cast<uint8_t*>(out.data())));
  }
  bytes_fetched_ += got;
  out.resize(got);
  return out;
}

Status ArtifactMirror::RemoveSpool() { return local_->RemoveAll(spool_); }

}  // namespace gaggle
