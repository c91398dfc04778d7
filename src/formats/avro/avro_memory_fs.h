// In-memory FileSystem for the Avro tests and the fuzz targets (test code only): holds
// whole files as strings so that thousands of mutated inputs can be read without
// touching the disk. Only reading is supported; everything else is Unsupported.
// Thread-safety: none; one test or fuzz iteration at a time.
#pragma once

#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "common/file_system.h"
#include "formats/memory_files.h"

namespace gaggle::avro_test {

class MemoryFileSystem final : public FileSystem {
 public:
  void Put(const std::string& path, std::string bytes) { files_[path] = std::move(bytes); }

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("no file '" + path + "'");
    return std::unique_ptr<RandomAccessFile>(new File(path, it->second));
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("no file '" + path + "'");
    return std::unique_ptr<SequentialFile>(new StringSequentialFile(path, it->second));
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path) override { return No(path); }
  Result<FileInfo> Stat(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound("no file '" + path + "'");
    FileInfo info;
    info.size = it->second.size();
    return info;
  }
  bool Exists(const std::string& path) override { return files_.count(path) != 0; }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override { return No(path); }
  Status CreateDirectories(const std::string& path) override { return No(path); }
  Status Rename(const std::string& from, const std::string&) override { return No(from); }
  Status RemoveFile(const std::string& path) override { return No(path); }
  Status RemoveAll(const std::string& path) override { return No(path); }
  Status SyncDirectory(const std::string& path) override { return No(path); }

 private:
  class File final : public RandomAccessFile {
   public:
    File(std::string path, const std::string& bytes) : path_(std::move(path)), bytes_(bytes) {}
    Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
      if (offset >= bytes_.size()) return size_t{0};
      size_t len = std::min<uint64_t>(n, bytes_.size() - offset);
      std::memcpy(out, bytes_.data() + offset, len);
      return len;
    }
    uint64_t size() const override { return bytes_.size(); }
    const std::string& path() const override { return path_; }

   private:
    std::string path_;
    const std::string& bytes_;
  };

  static Status No(const std::string& path) { return Status::Unsupported("memory file system: " + path); }

  std::map<std::string, std::string> files_;
};

}  // namespace gaggle::avro_test
