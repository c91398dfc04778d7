#include "storage/s3_readable_file.h"

#include <algorithm>
#include <cstring>

namespace gaggle {

S3RandomAccessFile::S3RandomAccessFile(S3Client* client, std::string bucket, S3ObjectInfo info, std::string path,
                                       S3ReadOptions options)
    : client_(client), bucket_(std::move(bucket)), info_(std::move(info)), path_(std::move(path)), options_(options) {}

uint64_t S3RandomAccessFile::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

uint64_t S3RandomAccessFile::bytes_fetched() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_fetched_;
}

Result<size_t> S3RandomAccessFile::ReadAt(uint64_t offset, size_t n, uint8_t* out) const {
  if (offset >= info_.size || n == 0) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, info_.size - offset));
  std::lock_guard<std::mutex> lock(mu_);
  if (offset >= cache_offset_ && offset + n <= cache_offset_ + cache_.size()) {
    std::memcpy(out, cache_.data() + (offset - cache_offset_), n);
    return n;
  }
  if (n >= options_.read_ahead) {
    ++requests_;
    bytes_fetched_ += n;
    GAGGLE_ASSIGN_OR_RETURN(size_t got, client_->GetRange(bucket_, info_.key, offset, n, out, info_.etag));
    if (got != n) {
      return Status::IOError("read '" + path_ + "': got " + std::to_string(got) + " of " + std::to_string(n) +
                             " bytes at offset " + std::to_string(offset) + " (the object is shorter than at open)");
    }
    return n;
  }
  // A small read: fetch a window around it. Near the end, take the object's tail (Parquet
  // reads its footer backwards from the end); elsewhere, read forward.
  uint64_t window = std::min<uint64_t>(options_.read_ahead, info_.size);
  uint64_t start = offset;
  if (offset + window > info_.size) start = info_.size - window;
  std::string fresh(static_cast<size_t>(window), '\0');
  ++requests_;
  bytes_fetched_ += fresh.size();
  GAGGLE_ASSIGN_OR_RETURN(size_t got, client_->GetRange(bucket_, info_.key, start, fresh.size(),
                                                        reinterpret_cast<uint8_t*>(fresh.data()), info_.etag));
  if (got != fresh.size()) {
    return Status::IOError("read '" + path_ + "': got " + std::to_string(got) + " of " + std::to_string(fresh.size()) +
                           " bytes at offset " + std::to_string(start) + " (the object is shorter than at open)");
  }
  cache_.swap(fresh);
  cache_offset_ = start;
  std::memcpy(out, cache_.data() + (offset - cache_offset_), n);
  return n;
}

S3SequentialFile::S3SequentialFile(S3Client* client, std::string bucket, S3ObjectInfo info, std::string path,
                                   S3ReadOptions options)
    : client_(client), bucket_(std::move(bucket)), info_(std::move(info)), path_(std::move(path)), options_(options) {}

S3SequentialFile::~S3SequentialFile() {
  for (auto& f : pending_) f.wait();  // the fetches use the client and this object's fields
}

void S3SequentialFile::FillPipeline() {
  size_t chunk = std::max<size_t>(options_.chunk_size, 1);
  size_t depth = static_cast<size_t>(std::max(options_.prefetch_chunks, 0)) + 1;
  while (pending_.size() < depth && next_offset_ < info_.size) {
    uint64_t offset = next_offset_;
    size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, info_.size - offset));
    next_offset_ += want;
    pending_.push_back(std::async(std::launch::async, [this, offset, want]() -> Result<std::string> {
      std::string data(want, '\0');
      GAGGLE_ASSIGN_OR_RETURN(size_t got, client_->GetRange(bucket_, info_.key, offset, want,
                                                            reinterpret_cast<uint8_t*>(data.data()), info_.etag));
      if (got != want) {
        return Status::IOError("read '" + path_ + "': got " + std::to_string(got) + " of " + std::to_string(want) +
                               " bytes at offset " + std::to_string(offset) + " (the object is shorter than at open)");
      }
      return data;
    }));
  }
}

Result<size_t> S3SequentialFile::Read(size_t n, uint8_t* out) {
  if (!error_.ok()) return error_;
  if (chunk_pos_ == chunk_.size()) {
    FillPipeline();
    if (pending_.empty()) return size_t{0};
    Result<std::string> next = pending_.front().get();
    pending_.pop_front();
    if (!next.ok()) {
      error_ = next.status();
      return error_;
    }
    chunk_ = std::move(*next);
    chunk_pos_ = 0;
    FillPipeline();
  }
  size_t take = std::min(n, chunk_.size() - chunk_pos_);
  std::memcpy(out, chunk_.data() + chunk_pos_, take);
  chunk_pos_ += take;
  return take;
}

}  // namespace gaggle
