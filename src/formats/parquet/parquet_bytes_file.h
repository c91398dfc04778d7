// ParquetBytesFile: a RandomAccessFile over bytes held in memory, so the Parquet reader can run
// on a buffer (fuzz target, tests) through OpenParquetReader's RandomAccessFile overload.
// Thread-safety: const methods only; safe to share while the bytes stay alive.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "common/file_system.h"

namespace gaggle::parquet {

class ParquetBytesFile final : public RandomAccessFile {
 public:
  // `bytes` must outlive the file; `path` is only used in messages.
  ParquetBytesFile(std::string_view bytes, std::string path) : bytes_(bytes), path_(std::move(path)) {}

  Result<size_t> ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    if (offset >= bytes_.size()) return size_t{0};
    size_t k = std::min<size_t>(n, bytes_.size() - static_cast<size_t>(offset));
    if (k > 0) std::memcpy(out, bytes_.data() + offset, k);
    return k;
  }
  uint64_t size() const override { return bytes_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string_view bytes_;
  std::string path_;
};

}  // namespace gaggle::parquet
