// ForwardingFileSystem: a FileSystem that passes every call to another one. Wrappers that
// watch or change a few calls (count opens, count bytes read, mark written files) derive
// from it and override only those, so every other call, including the ones with a
// default in FileSystem (RemoveEmptyDirectory, SyncFile), reaches the real file system.
// Thread-safety: that of the file system it forwards to.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/file_system.h"

namespace gaggle {

class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(FileSystem* base) : base_(base) {}

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    return base_->OpenRandomAccess(path);
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    return base_->OpenSequential(path);
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path) override {
    return base_->OpenWritable(path);
  }
  Result<FileInfo> Stat(const std::string& path) override { return base_->Stat(path); }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    return base_->ListDirectory(path);
  }
  Status CreateDirectories(const std::string& path) override { return base_->CreateDirectories(path); }
  Status Rename(const std::string& from, const std::string& to) override { return base_->Rename(from, to); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status RemoveAll(const std::string& path) override { return base_->RemoveAll(path); }
  Status RemoveEmptyDirectory(const std::string& path) override { return base_->RemoveEmptyDirectory(path); }
  Status SyncDirectory(const std::string& path) override { return base_->SyncDirectory(path); }
  Status SyncFile(const std::string& path) override { return base_->SyncFile(path); }

 protected:
  FileSystem* base() const { return base_; }

 private:
  FileSystem* const base_;
};

}  // namespace gaggle
