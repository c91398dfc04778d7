#include "formats/memory_files.h"

#include <algorithm>
#include <cstring>

namespace gaggle {

Result<size_t> StringSequentialFile::Read(size_t n, uint8_t* out) {
  size_t take = std::min(n, data_.size() - pos_);
  if (max_read_ > 0) take = std::min(take, max_read_);
  std::memcpy(out, data_.data() + pos_, take);
  pos_ += take;
  return take;
}

Status StringWritableFile::Append(std::string_view data) {
  if (closed_) return Status::IOError(path_ + ": append after close");
  sink_->append(data);
  return Status::OK();
}

Status StringWritableFile::Close() {
  closed_ = true;
  return Status::OK();
}

}  // namespace gaggle
