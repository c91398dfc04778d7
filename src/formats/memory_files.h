// In-memory files for fuzz targets and tests: a SequentialFile over a string (with
// optional short reads, to exercise every chunk boundary of a reader) and a
// WritableFile that appends to a caller-owned string. No FileSystem involved.
// Thread-safety: one thread per file object.
#pragma once

#include <cstddef>
#include <string>

#include "common/file_system.h"

namespace gaggle {

class StringSequentialFile final : public SequentialFile {
 public:
  // `max_read` > 0 caps the bytes returned by each Read.
  StringSequentialFile(std::string path, std::string data, size_t max_read = 0)
      : path_(std::move(path)), data_(std::move(data)), max_read_(max_read) {}
  Result<size_t> Read(size_t n, uint8_t* out) override;
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string data_;
  size_t max_read_;
  size_t pos_ = 0;
};

class StringWritableFile final : public WritableFile {
 public:
  // REQUIRES: *sink outlives this file.
  StringWritableFile(std::string path, std::string* sink) : path_(std::move(path)), sink_(sink) {}
  Status Append(std::string_view data) override;
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override;
  uint64_t bytes_written() const override { return sink_->size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string* sink_;
  bool closed_ = false;
};

}  // namespace gaggle
