// FileSystem: the seam between gaggle and the operating system's files.
//
// Every reader, writer and committer goes through a FileSystem so that tests can
// inject faults (torn writes, full disks, slow I/O) without luck. The default
// implementation (FileSystem::Default()) is POSIX. Errors name the path and the
// operation; I/O failures are retryable Status values.
// Thread-safety: FileSystem methods are safe to call concurrently; a single file
// object must be used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle {

// Positional reads (Parquet footers and column chunks).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into out; returns bytes read (less than n only at end of file).
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const = 0;
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

// Forward-only reads (CSV, JSON lines).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes; returns 0 at end of file.
  virtual Result<size_t> Read(size_t n, uint8_t* out) = 0;
  virtual const std::string& path() const = 0;
};

// Append-only output. Data is durable only after Sync(); Close() flushes but does not sync.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  virtual uint64_t bytes_written() const = 0;
  virtual const std::string& path() const = 0;
};

struct FileInfo {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool is_directory = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The process-wide POSIX file system. Never null, never freed.
  static FileSystem* Default();

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) = 0;
  // Creates or truncates.
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Entry names (not paths) in a directory, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) = 0;
  // Creates the directory and its missing parents; OK if it exists.
  virtual Status CreateDirectories(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (same file system); a directory `to` must be empty.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes a directory tree; OK if it does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Removes `path` if it is an empty directory; OK (and nothing removed) if it is absent
  // or not empty, so it never takes what another process just put there. The default
  // suits file systems without real directories (object stores, in-memory ones).
  virtual Status RemoveEmptyDirectory(const std::string& path) {
    (void)path;
    return Status::OK();
  }
  // fsyncs a directory so that renames inside it are durable.
  virtual Status SyncDirectory(const std::string& path) = 0;
  // fsyncs an existing file's data (e.g. one a writer just closed). The default
  // suits file systems without durability (in-memory ones in tests).
  virtual Status SyncFile(const std::string& path) {
    (void)path;
    return Status::OK();
  }
};

// Reads a whole (small) file into memory.
Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path);
// Writes data to path through a temporary name, fsync and rename: readers see old or new, never half.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data);

}  // namespace gaggle
