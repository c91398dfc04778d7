#include "storage/object_store_file_system.h"

#include <algorithm>
#include <set>

namespace gaggle {

ObjectStoreFileSystem::ObjectStoreFileSystem(std::shared_ptr<S3Client> client, std::string scheme,
                                             ObjectStoreOptions options)
    : client_(std::move(client)), scheme_(std::move(scheme)), options_(options) {}

Result<ObjectUri> ObjectStoreFileSystem::Parse(const std::string& path) const {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(path));
  if (uri.scheme != scheme_) {
    return Status::InvalidArgument("'" + path + "' is not a " + scheme_ + ":// location (this file system serves " +
                                   scheme_ + "://)");
  }
  return uri;
}

Result<bool> ObjectStoreFileSystem::PrefixHasObjects(const std::string& bucket, const std::string& prefix) {
  bool found = false;
  GAGGLE_RETURN_IF_ERROR(client_->ListObjects(
      bucket, prefix, "/",
      [&](const S3ListPage& page) {
        found = !page.objects.empty() || !page.common_prefixes.empty();
        return Status::Cancelled("one page is enough");
      },
      1));
  return found;
}

Result<std::unique_ptr<RandomAccessFile>> ObjectStoreFileSystem::OpenRandomAccess(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  Result<S3ObjectInfo> info =
      uri.key.empty() ? Result<S3ObjectInfo>(Status::NotFound("")) : client_->Head(uri.bucket, uri.key);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      GAGGLE_ASSIGN_OR_RETURN(bool dir, PrefixHasObjects(uri.bucket, uri.key.empty() ? "" : uri.key + "/"));
      if (dir) return Status::InvalidArgument("'" + path + "' is a directory, expected a file");
    }
    return info.status();
  }
  return std::unique_ptr<RandomAccessFile>(
      new S3RandomAccessFile(client_.get(), uri.bucket, std::move(*info), path, options_.read));
}

Result<std::unique_ptr<SequentialFile>> ObjectStoreFileSystem::OpenSequential(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  if (uri.key.empty()) return Status::InvalidArgument("'" + path + "' is a bucket, expected a file");
  GAGGLE_ASSIGN_OR_RETURN(S3ObjectInfo info, client_->Head(uri.bucket, uri.key));
  return std::unique_ptr<SequentialFile>(
      new S3SequentialFile(client_.get(), uri.bucket, std::move(info), path, options_.read));
}

Result<std::unique_ptr<WritableFile>> ObjectStoreFileSystem::OpenWritable(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  if (uri.key.empty()) return Status::InvalidArgument("'" + path + "' is a bucket, expected a file");
  return std::unique_ptr<WritableFile>(new S3ObjectWriter(client_.get(), uri.bucket, uri.key, path, options_.write));
}

Result<FileInfo> ObjectStoreFileSystem::Stat(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  FileInfo info;
  if (!uri.key.empty()) {
    Result<S3ObjectInfo> head = client_->Head(uri.bucket, uri.key);
    if (head.ok()) {
      info.size = head->size;
      info.mtime_ns = head->mtime_ns;
      return info;
    }
    if (head.status().code() != StatusCode::kNotFound) return head.status();
  }
  GAGGLE_ASSIGN_OR_RETURN(bool dir, PrefixHasObjects(uri.bucket, uri.key.empty() ? "" : uri.key + "/"));
  if (!dir && !uri.key.empty()) return Status::NotFound("stat '" + path + "': no such object or prefix");
  info.is_directory = true;
  return info;
}

bool ObjectStoreFileSystem::Exists(const std::string& path) { return Stat(path).ok(); }

Result<std::vector<std::string>> ObjectStoreFileSystem::ListDirectory(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  std::string prefix = uri.key.empty() ? "" : uri.key + "/";
  std::set<std::string> names;
  GAGGLE_RETURN_IF_ERROR(client_->ListObjects(uri.bucket, prefix, "/", [&](const S3ListPage& page) {
    for (const auto& o : page.objects) {
      std::string name = o.key.substr(prefix.size());
      if (!name.empty()) names.insert(name);  // "prefix/" itself is a directory marker
    }
    for (const auto& p : page.common_prefixes) {
      std::string name = p.substr(prefix.size());
      while (name.ends_with('/')) name.pop_back();
      if (!name.empty()) names.insert(name);
    }
    return Status::OK();
  }));
  return std::vector<std::string>(names.begin(), names.end());
}

Status ObjectStoreFileSystem::CreateDirectories(const std::string& path) { return Parse(path).status(); }

Status ObjectStoreFileSystem::Rename(const std::string& from, const std::string& to) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri src, Parse(from));
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri dst, Parse(to));
  if (src.bucket == dst.bucket && src.key == dst.key) return Status::OK();
  GAGGLE_ASSIGN_OR_RETURN(FileInfo from_info, Stat(from));
  if (from_info.is_directory) {
    return Status::Unsupported("rename of directory '" + from + "' to '" + to +
                               "': object stores have no atomic rename of a prefix (write to the final keys and "
                               "commit with a manifest written last)");
  }
  GAGGLE_ASSIGN_OR_RETURN(bool dst_dir, PrefixHasObjects(dst.bucket, dst.key + "/"));
  if (dst_dir) return Status::InvalidArgument("rename '" + from + "' to '" + to + "': the target is a directory");
  GAGGLE_ASSIGN_OR_RETURN(S3ObjectInfo head, client_->Head(src.bucket, src.key));
  GAGGLE_RETURN_IF_ERROR(client_->CopyObject(src.bucket, src.key, dst.bucket, dst.key, head.etag).status());
  GAGGLE_ASSIGN_OR_RETURN(S3ObjectInfo copy, client_->Head(dst.bucket, dst.key));
  if (copy.size != head.size) {
    return Status::IOError("rename '" + from + "' to '" + to + "': the copy has " + std::to_string(copy.size) +
                           " bytes, the source " + std::to_string(head.size) + "; the source is kept");
  }
  return client_->DeleteObjects(src.bucket, {src.key});
}

Status ObjectStoreFileSystem::RemoveFile(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  if (uri.key.empty()) return Status::InvalidArgument("remove '" + path + "': a bucket is not a file");
  GAGGLE_RETURN_IF_ERROR(client_->Head(uri.bucket, uri.key).status().WithContext("remove '" + path + "'"));
  return client_->DeleteObjects(uri.bucket, {uri.key});
}

Status ObjectStoreFileSystem::RemoveAll(const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  if (uri.key.empty()) return Status::InvalidArgument("refusing to remove every object of bucket '" + path + "'");
  std::string prefix = uri.key + "/";
  std::vector<std::string> keys;
  GAGGLE_RETURN_IF_ERROR(client_->ListObjects(uri.bucket, prefix, "", [&](const S3ListPage& page) {
    for (const auto& o : page.objects) {
      if (o.key.starts_with(prefix)) keys.push_back(o.key);  // never trust the server's filter
    }
    return Status::OK();
  }));
  Result<S3ObjectInfo> self = client_->Head(uri.bucket, uri.key);
  if (self.ok()) {
    keys.push_back(uri.key);
  } else if (self.status().code() != StatusCode::kNotFound) {
    return self.status();
  }
  return client_->DeleteObjects(uri.bucket, keys);
}

Status ObjectStoreFileSystem::SyncDirectory(const std::string& path) { return Parse(path).status(); }

Status ObjectStoreFileSystem::SyncFile(const std::string& path) { return Parse(path).status(); }

Result<int> ObjectStoreFileSystem::AbortIncompleteUploads(const std::string& path, int64_t initiated_before_unix) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, Parse(path));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<S3MultipartUpload> uploads, client_->ListMultipartUploads(uri.bucket, uri.key));
  int aborted = 0;
  for (const auto& u : uploads) {
    bool owned = uri.key.empty() || u.key == uri.key || u.key.starts_with(uri.key + "/");
    bool old_enough = initiated_before_unix == 0 || (u.initiated_unix != 0 && u.initiated_unix < initiated_before_unix);
    if (!owned || !old_enough) continue;
    GAGGLE_RETURN_IF_ERROR(client_->AbortMultipartUpload(uri.bucket, u.key, u.upload_id));
    ++aborted;
  }
  return aborted;
}

}  // namespace gaggle
