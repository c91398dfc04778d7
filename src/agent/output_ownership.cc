#include "agent/output_ownership.h"

#include <sys/stat.h>

#include <filesystem>

#include "agent/output_committer.h"
#include "common/location_identity.h"
#include "dataset/manifest.h"

namespace gaggle {
namespace {

namespace fs = std::filesystem;

Status Refuse(const std::string& output, const std::string& why) {
  return Status::InvalidArgument("refusing to write output " + output + ": " + why);
}

bool IsEmptyDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_empty(path, ec) && !ec;
}

}  // namespace

Status CheckOutputOwnership(const std::string& output_path, const std::string& input_path) {
  auto out = Canonicalize(output_path);
  if (!out.ok()) return Refuse(output_path, out.status().message());
  if (!out->is_local()) return Status::OK();  // object stores: no local checks apply
  if (Status st = CheckNotSystemLocation(*out); !st.ok()) return Refuse(output_path, st.message());
  auto resolved_out = Canonicalize(output_path, {SymlinkPolicy::kResolveSymlinks, ""});
  auto in = Canonicalize(input_path, {SymlinkPolicy::kResolveSymlinks, ""});
  if (resolved_out.ok() && in.ok() && Overlaps(*resolved_out, *in)) {
    const char* how = SameLocation(*resolved_out, *in) ? "it is its input "
                      : IsInside(*resolved_out, *in)   ? "it lies inside its input "
                                                       : "it contains its input ";
    return Refuse(output_path, how + input_path);
  }
  struct stat st;
  const std::string work = out->path + kOutputWorkSuffix;
  if (::lstat(work.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return Refuse(output_path, work + " (gaggle's work directory for it) is a symlink or a file gaggle did not create");
  }
  if (::lstat(out->path.c_str(), &st) != 0) return Status::OK();  // absent
  if (S_ISLNK(st.st_mode)) return Refuse(output_path, "it is a symlink gaggle did not create");
  if (!S_ISDIR(st.st_mode)) return Refuse(output_path, "a file is there that gaggle did not create");
  struct stat manifest;
  const std::string m = out->path + "/" + kManifestFileName;
  if (::lstat(m.c_str(), &manifest) == 0 && S_ISREG(manifest.st_mode)) return Status::OK();
  if (IsEmptyDirectory(out->path)) return Status::OK();
  return Refuse(output_path, "the directory exists and gaggle did not create it (no " + std::string(kManifestFileName) +
                                 "); move it away or choose another output");
}

Status CheckStagedOutputSymlinks(const std::string& staging_dir) {
  std::error_code ec;
  auto root = Canonicalize(staging_dir, {SymlinkPolicy::kResolveSymlinks, ""});
  if (!root.ok()) return root.status();
  for (auto it = fs::recursive_directory_iterator(staging_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    auto where = Canonicalize(it->path().string(), {SymlinkPolicy::kResolveSymlinks, ""});
    if (!where.ok() || !IsInside(*where, *root)) {
      std::error_code ignored;
      return Status::AgentError("the output holds a symlink that leads outside it: " + it->path().string() + " -> " +
                                fs::read_symlink(it->path(), ignored).string() +
                                " (gaggle never writes or deletes through a symlink it did not create)");
    }
  }
  if (ec) return Status::IOError("cannot list staged output " + staging_dir + ": " + ec.message());
  return Status::OK();
}

}  // namespace gaggle
