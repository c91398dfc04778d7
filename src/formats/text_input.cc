#include "formats/text_input.h"

#include <algorithm>
#include <cstring>

namespace gaggle {

TextInput::TextInput(std::unique_ptr<SequentialFile> file, size_t chunk_bytes, size_t max_window_bytes)
    : file_(std::move(file)),
      chunk_bytes_(std::max<size_t>(chunk_bytes, 1)),
      max_window_bytes_(std::max(max_window_bytes, chunk_bytes_)) {
  buffer_.assign(kPadding, 0);
}

Result<size_t> TextInput::Refill(size_t keep, size_t* shift) {
  keep = std::min(keep, size());
  *shift = keep;
  size_t kept = size() - keep;
  if (kept > 0 && begin_ + keep > 0) std::memmove(buffer_.data(), buffer_.data() + begin_ + keep, kept);
  consumed_ += keep;
  begin_ = 0;
  end_ = kept;
  if (eof_) {
    std::memset(buffer_.data() + end_, 0, kPadding);
    return size_t{0};
  }
  if (kept >= max_window_bytes_) {
    return Status::Corruption(path() + ": a record starting at byte " + std::to_string(consumed_) + " is longer than " +
                              std::to_string(max_window_bytes_ >> 20) +
                              " MiB (unterminated quote or missing line break?)");
  }
  size_t want = std::min(chunk_bytes_, max_window_bytes_ - kept);
  if (buffer_.size() < end_ + want + kPadding) buffer_.resize(end_ + want + kPadding);
  size_t got = 0;
  // A short read is not the end: keep asking until the chunk is full or the file says 0,
  // so that a file system returning tiny reads does not make callers rescan their record
  // once per byte.
  while (got < want) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file_->Read(want - got, reinterpret_cast<uint8_t*>(buffer_.data() + end_ + got)));
    if (n == 0) {
      eof_ = true;
      break;
    }
    if (n > want - got) return Status::Internal(path() + ": file returned more bytes than asked");
    got += n;
  }
  end_ += got;
  std::memset(buffer_.data() + end_, 0, kPadding);
  return got;
}

std::string TextLocation(const std::string& path, uint64_t line, uint64_t byte_offset) {
  return path + ": line " + std::to_string(line) + " (byte " + std::to_string(byte_offset) + "): ";
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  out.append(text.substr(0, kMax));
  if (text.size() > kMax) out.append("...");
  out.push_back('\'');
  return out;
}

}  // namespace gaggle
