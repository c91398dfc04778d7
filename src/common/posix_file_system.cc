// POSIX implementation of FileSystem (pread, buffered write, fsync, rename).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/file_system.h"

namespace gaggle {
namespace {

Status ErrnoStatus(const std::string& op, const std::string& path, int err) {
  std::string msg = op + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  // Retrying cannot change these: permissions, a path too long, a symlink loop, a file
  // where a directory should be, a read-only file system.
  if (err == EACCES || err == EPERM || err == ENAMETOOLONG || err == ELOOP || err == ENOTDIR || err == EISDIR ||
      err == EROFS) {
    return Status(StatusCode::kIOError, msg, /*retryable=*/false);
  }
  return Status::IOError(msg);
}

// Opens a data file for reading. O_NONBLOCK makes the open itself return at once for a
// FIFO with no writer; anything but a regular file (a FIFO, a device such as /dev/zero
// behind a symlink, a socket) is refused before a byte is read, so a read can never
// block for ever or run without end. Blocking mode is restored for the reads.
Result<int> OpenRegularForReading(const std::string& path, struct stat* st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  if (::fstat(fd, st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("stat", path, err);
  }
  if (S_ISDIR(st->st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("'" + path + "' is a directory, expected a file");
  }
  if (!S_ISREG(st->st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("'" + path +
                                   "' is not a regular file (a FIFO, a device or a socket); data files must be "
                                   "regular files");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("open", path, err);
  }
  return fd;
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }
  uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Result<size_t> Read(size_t n, uint8_t* out) override {
    while (true) {
      ssize_t r = ::read(fd_, out, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      return static_cast<size_t>(r);
    }
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  // Large appends bypass the buffer; small ones are coalesced to limit syscalls.
  static constexpr size_t kBufferSize = 1 << 20;

  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) { buffer_.reserve(kBufferSize); }
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError("append to closed file '" + path_ + "'");
    bytes_written_ += data.size();
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::OK();
    }
    GAGGLE_RETURN_IF_ERROR(Flush());
    if (data.size() >= kBufferSize) return WriteRaw(data);
    buffer_.append(data);
    return Status::OK();
  }
  Status Flush() override {
    if (buffer_.empty()) return Status::OK();
    Status s = WriteRaw(buffer_);
    buffer_.clear();
    return s;
  }
  Status Sync() override {
    GAGGLE_RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
    return Status::OK();
  }
  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }
  uint64_t bytes_written() const override { return bytes_written_; }
  const std::string& path() const override { return path_; }

 private:
  Status WriteRaw(std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t r = ::write(fd_, data.data() + done, data.size() - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      done += static_cast<size_t>(r);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_;
  std::string buffer_;
  uint64_t bytes_written_ = 0;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    struct stat st;
    GAGGLE_ASSIGN_OR_RETURN(int fd, OpenRegularForReading(path, &st));
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    struct stat st;
    GAGGLE_ASSIGN_OR_RETURN(int fd, OpenRegularForReading(path, &st));
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd));
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }
  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    FileInfo info;
    info.size = static_cast<uint64_t>(st.st_size);
    info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    info.is_directory = S_ISDIR(st.st_mode);
    return info;
  }
  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus("list directory", path, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }
  Status CreateDirectories(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IOError("create directory '" + path + "': " + ec.message());
    return Status::OK();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename '" + from + "' to", to, errno);
    return Status::OK();
  }
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("remove", path, errno);
    return Status::OK();
  }
  Status RemoveEmptyDirectory(const std::string& path) override {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST) return Status::OK();
    return ErrnoStatus("remove directory", path, errno);
  }
  Status RemoveAll(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Status::IOError("remove '" + path + "': " + ec.message());
    return Status::OK();
  }
  Status SyncDirectory(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync directory", path, err);
    return Status::OK();
  }
  Status SyncFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync", path, err);
    return Status::OK();
  }
};

}  // namespace

FileSystem* FileSystem::Default() {
  static PosixFileSystem* fs = new PosixFileSystem();
  return fs;
}

Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenRandomAccess(path));
  std::string data(file->size(), '\0');
  GAGGLE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, data.size(), reinterpret_cast<uint8_t*>(data.data())));
  data.resize(n);
  return data;
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenWritable(tmp));
    GAGGLE_RETURN_IF_ERROR(file->Append(data));
    GAGGLE_RETURN_IF_ERROR(file->Sync());
    GAGGLE_RETURN_IF_ERROR(file->Close());
  }
  GAGGLE_RETURN_IF_ERROR(fs->Rename(tmp, path));
  std::string dir = std::filesystem::path(path).parent_path().string();
  return fs->SyncDirectory(dir.empty() ? "." : dir);
}

}  // namespace gaggle
