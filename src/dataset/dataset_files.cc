#include "dataset/dataset_files.h"

namespace gaggle {
namespace {

bool IsHidden(const std::string& name) {
  return name.empty() || name[0] == '_' || name[0] == '.' || name.find(".gaggle-") != std::string::npos;
}

Status Walk(FileSystem* fs, const std::string& dir, const std::string& rel, int depth, std::vector<InputFile>* out) {
  if (depth > 32) return Status::InvalidArgument("directory tree too deep at '" + dir + "'");
  GAGGLE_ASSIGN_OR_RETURN(auto names, fs->ListDirectory(dir));
  for (const std::string& name : names) {
    if (IsHidden(name)) continue;
    std::string path = dir + "/" + name;
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
    if (info.is_directory) {
      GAGGLE_RETURN_IF_ERROR(Walk(fs, path, child_rel, depth + 1, out));
    } else {
      out->push_back({child_rel, path, info.size, info.mtime_ns, ""});
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<InputFile>> ListDatasetFiles(FileSystem* fs, const std::string& root, bool* is_directory) {
  GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(root));
  std::vector<InputFile> files;
  *is_directory = info.is_directory;
  if (!info.is_directory) {
    files.push_back({"", root, info.size, info.mtime_ns, ""});
    return files;
  }
  std::string dir = root;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  GAGGLE_RETURN_IF_ERROR(Walk(fs, dir, "", 0, &files));
  if (files.empty()) return Status::NotFound("dataset directory '" + root + "' holds no data files");
  return files;
}

}  // namespace gaggle
