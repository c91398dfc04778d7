#include "common/listed_file_deleter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

namespace gaggle {
namespace {

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Close();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string Errno(int e) { return ::strerror(e); }

// Opens `parts` below `from` one at a time, never following a symlink. On failure
// returns an invalid Fd with `*err` set (ENOENT: missing; ELOOP/ENOTDIR: a symlink or a
// file where a directory should be).
Fd OpenDirs(int from, const std::vector<std::string>& parts, size_t count, int* err) {
  Fd cur(::fcntl(from, F_DUPFD_CLOEXEC, 0));
  if (!cur.ok()) {
    *err = errno;
    return Fd();
  }
  for (size_t i = 0; i < count; ++i) {
    Fd next(::openat(cur.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.ok()) {
      *err = errno;
      return Fd();
    }
    cur = std::move(next);
  }
  *err = 0;
  return cur;
}

Fd OpenRootDir(int* err) {
  Fd root(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  *err = root.ok() ? 0 : errno;
  return root;
}

bool ValidRelative(const std::string& rel) {
  if (rel.empty()) return true;
  if (rel[0] == '/') return false;
  for (const std::string& p : Components(rel)) {
    if (p == "." || p == "..") return false;
  }
  return true;
}

// Why the file at (dir, name) must stay, or "" when it is the listed file.
std::string Mismatch(int dir, const std::string& name, const ListedFile& f, struct stat* st, bool* gone) {
  *gone = false;
  if (::fstatat(dir, name.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) {
      *gone = true;
      return "";
    }
    return "cannot stat: " + Errno(errno);
  }
  if (S_ISLNK(st->st_mode)) return "a symlink, not the listed file (left alone)";
  if (!S_ISREG(st->st_mode)) return "not a regular file (left alone)";
  if (static_cast<uint64_t>(st->st_size) != f.size) {
    return "changed since it was listed (" + std::to_string(st->st_size) + " bytes, listed " + std::to_string(f.size) +
           ")";
  }
  const int64_t mtime = static_cast<int64_t>(st->st_mtim.tv_sec) * 1000000000LL + st->st_mtim.tv_nsec;
  if (f.mtime_ns != 0 && mtime != f.mtime_ns) return "modified since it was listed";
  return "";
}

// Deletes one listed file below the open root directory.
Status DeleteOne(int root, const std::string& root_path, const ListedFile& f, const BeforeUnlinkHook& hook,
                 ListedDeleteReport* report, std::set<std::string>* dirs) {
  const std::vector<std::string> parts = Components(f.relative_path);
  const std::string full = root_path + "/" + f.relative_path;
  int err = 0;
  Fd dir = OpenDirs(root, parts, parts.size() - 1, &err);
  if (!dir.ok()) {
    if (err == ENOENT) {
      ++report->already_gone;
    } else {
      report->left.push_back(full + ": reached through a symlink or a non-directory (" + Errno(err) + "), left alone");
    }
    return Status::OK();
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string d;
    for (size_t k = 0; k < i; ++k) d += (k ? "/" : "") + parts[k];
    dirs->insert(d);
  }
  struct stat st;
  bool gone = false;
  std::string why = Mismatch(dir.get(), parts.back(), f, &st, &gone);
  if (gone) {
    ++report->already_gone;
    return Status::OK();
  }
  if (!why.empty()) {
    report->left.push_back(full + ": " + why);
    return Status::OK();
  }
  if (hook) GAGGLE_RETURN_IF_ERROR(hook(full));
  if (::unlinkat(dir.get(), parts.back().c_str(), 0) != 0) {
    if (errno == ENOENT) {
      ++report->already_gone;
    } else {
      report->errors.push_back(full + ": " + Errno(errno));
    }
    return Status::OK();
  }
  ++report->files;
  report->bytes += static_cast<int64_t>(st.st_size);
  return Status::OK();
}

// Removes the now-empty directories that held listed files, deepest first.
void RemoveEmptyDirs(int root, const std::set<std::string>& dirs) {
  std::vector<std::string> order(dirs.begin(), dirs.end());
  std::sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  for (const std::string& d : order) {
    const std::vector<std::string> parts = Components(d);
    int err = 0;
    Fd parent = OpenDirs(root, parts, parts.size() - 1, &err);
    if (parent.ok()) ::unlinkat(parent.get(), parts.back().c_str(), AT_REMOVEDIR);  // ENOTEMPTY: something stays
  }
}

// What is still under `root` and not listed (never following symlinks), for the report;
// listed files that stayed were reported with their reason already.
void ListLeft(const std::string& root, const std::vector<ListedFile>& files, ListedDeleteReport* report) {
  namespace fs = std::filesystem;
  std::set<std::string> listed;
  for (const ListedFile& f : files) listed.insert(f.relative_path);
  std::error_code ec;
  size_t shown = 0, total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    if (listed.count(fs::relative(it->path(), root, ec).generic_string())) continue;
    ++total;
    if (shown < 20) {
      report->left.push_back(it->path().string() + ": not in the listing (left alone)");
      ++shown;
    }
  }
  if (total > shown) report->left.push_back(root + ": and " + std::to_string(total - shown) + " more not listed");
}

}  // namespace

bool HasNoSymlinkComponent(const std::string& path, std::string* symlink) {
  std::string cur;
  for (const std::string& p : Components(path)) {
    cur += "/" + p;
    struct stat st;
    if (::lstat(cur.c_str(), &st) != 0) return true;  // the rest does not exist
    if (S_ISLNK(st.st_mode)) {
      if (symlink) *symlink = cur;
      return false;
    }
  }
  return true;
}

Result<ListedDeleteReport> DeleteListedFiles(const std::string& root, const std::vector<ListedFile>& files,
                                             BeforeUnlinkHook hook) {
  const std::vector<std::string> parts = Components(root);
  if (root.empty() || root[0] != '/' || parts.empty()) {
    return Status::InvalidArgument("cannot delete below '" + root + "': not an absolute path below /");
  }
  for (const ListedFile& f : files) {
    if (!ValidRelative(f.relative_path)) {
      return Status::InvalidArgument("listed file '" + f.relative_path + "' is not a plain path inside " + root);
    }
  }
  ListedDeleteReport report;
  int err = 0;
  Fd top = OpenRootDir(&err);
  if (!top.ok()) return Status::IOError("cannot open /: " + Errno(err));
  Fd parent = OpenDirs(top.get(), parts, parts.size() - 1, &err);
  if (!parent.ok()) {
    if (err == ENOENT) {
      report.already_gone = static_cast<int64_t>(files.size());
      report.root_removed = true;
      return report;
    }
    return Status::InvalidArgument("refusing to delete " + root +
                                   ": a parent directory is a symlink or not a directory (" + Errno(err) + ")");
  }
  struct stat st;
  if (::fstatat(parent.get(), parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) return Status::IOError("cannot stat " + root + ": " + Errno(errno));
    report.already_gone = static_cast<int64_t>(files.size());
    report.root_removed = true;
    return report;
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::InvalidArgument("refusing to delete " + root + ": it is a symlink gaggle did not create");
  }
  if (S_ISREG(st.st_mode)) {
    // A single-file dataset: the listing names the root itself.
    for (const ListedFile& f : files) {
      if (!f.relative_path.empty()) continue;
      bool gone = false;
      std::string why = Mismatch(parent.get(), parts.back(), f, &st, &gone);
      if (gone) {
        report.already_gone = 1;
        report.root_removed = true;
        return report;
      }
      if (!why.empty()) {
        report.left.push_back(root + ": " + why);
        return report;
      }
      if (hook) GAGGLE_RETURN_IF_ERROR(hook(root));
      if (::unlinkat(parent.get(), parts.back().c_str(), 0) != 0) {
        report.errors.push_back(root + ": " + Errno(errno));
        return report;
      }
      report.files = 1;
      report.bytes = static_cast<int64_t>(st.st_size);
      report.root_removed = true;
      return report;
    }
    report.left.push_back(root + ": a file the listing does not name (left alone)");
    return report;
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument("refusing to delete " + root + ": not a file or directory");
  Fd dir(::openat(parent.get(), parts.back().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.ok()) return Status::IOError("cannot open " + root + ": " + Errno(errno));
  std::set<std::string> dirs;
  for (const ListedFile& f : files) {
    if (f.relative_path.empty()) {
      report.left.push_back(root + ": listed as a file but is a directory (left alone)");
      return report;
    }
    GAGGLE_RETURN_IF_ERROR(DeleteOne(dir.get(), root, f, hook, &report, &dirs));
  }
  RemoveEmptyDirs(dir.get(), dirs);
  if (::unlinkat(parent.get(), parts.back().c_str(), AT_REMOVEDIR) == 0) {
    report.root_removed = true;
  } else {
    ListLeft(root, files, &report);
  }
  return report;
}

}  // namespace gaggle
