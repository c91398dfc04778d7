#include "storage/listed_object_deleter.h"

#include <set>

namespace gaggle {
namespace {

constexpr size_t kMaxReportedLeft = 20;

}  // namespace

Result<ListedDeleteReport> DeleteListedObjects(ObjectStoreFileSystem* fs, const std::string& root_uri,
                                               const std::vector<ListedFile>& files, BeforeUnlinkHook hook) {
  GAGGLE_ASSIGN_OR_RETURN(ObjectUri root, ParseObjectUri(root_uri));
  if (root.key.empty()) return Status::InvalidArgument("refusing to delete objects of a whole bucket: " + root_uri);
  ListedDeleteReport report;
  std::set<std::string> reported;
  for (const ListedFile& f : files) {
    if (!f.relative_path.empty() && !ParseObjectUri(root.Child(f.relative_path).ToString()).ok()) {
      return Status::InvalidArgument("listed path '" + f.relative_path + "' is not a key under " + root_uri);
    }
  }
  for (const ListedFile& f : files) {
    const std::string uri = f.relative_path.empty() ? root.ToString() : root.Child(f.relative_path).ToString();
    Result<FileInfo> info = fs->Stat(uri);
    if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
      ++report.already_gone;
      continue;
    }
    if (!info.ok()) {
      report.errors.push_back(uri + ": " + info.status().message());
      continue;
    }
    if (info->is_directory || info->size != f.size || (f.mtime_ns != 0 && info->mtime_ns != f.mtime_ns)) {
      report.left.push_back(uri + ": changed since it was listed (" + std::to_string(info->size) + " bytes, listed " +
                            std::to_string(f.size) + ")");
      reported.insert(uri);
      continue;
    }
    if (hook) GAGGLE_RETURN_IF_ERROR(hook(uri));
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri key, ParseObjectUri(uri));
    Status st = fs->client()->DeleteObjects(key.bucket, {key.key});
    if (!st.ok()) {
      report.errors.push_back(uri + ": " + st.message());
      continue;
    }
    ++report.files;
    report.bytes += static_cast<int64_t>(f.size);
  }
  // What is still there: the object itself, or objects under the prefix nobody listed.
  size_t unlisted = 0;
  const std::string prefix = root.key + "/";
  GAGGLE_RETURN_IF_ERROR(fs->client()->ListObjects(root.bucket, prefix, "", [&](const S3ListPage& page) {
    for (const S3ListedObject& o : page.objects) {
      if (!o.key.starts_with(prefix)) continue;
      ++unlisted;
      const std::string uri = root.scheme + "://" + root.bucket + "/" + o.key;
      if (!reported.count(uri) && reported.size() < kMaxReportedLeft) {
        report.left.push_back(uri + ": not listed, kept");
        reported.insert(uri);
      }
    }
    return Status::OK();
  }));
  const bool self_left = fs->client()->Head(root.bucket, root.key).ok();
  report.root_removed = unlisted == 0 && !self_left;
  return report;
}

}  // namespace gaggle
