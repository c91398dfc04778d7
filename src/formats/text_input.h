// TextInput: a sliding window of bytes over a SequentialFile, the input side of
// the text readers (CSV, JSON lines).
//
// Contract:
//  - The file is read forward in chunks (1 MiB by default); the whole file is never
//    held. Memory is one chunk plus the bytes the caller asks to keep (the record
//    being parsed, or the inference sample), capped at `max_window_bytes`.
//  - Positions are indices into the window: data()[0, size()). Refill() may move the
//    bytes to the front of the buffer; it reports how far every kept index shifted.
//  - The window is always followed by kPadding writable bytes (zero after a refill),
//    so scanners may place a sentinel at data()[size()] and simdjson may parse a
//    sub-range in place (it needs SIMDJSON_PADDING = 64 readable bytes past the end).
//  - FileOffset() maps a window index to a byte offset in the file, for messages.
// Thread-safety: none; one reader owns one TextInput.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

class TextInput {
 public:
  static constexpr size_t kPadding = 64;
  static constexpr size_t kDefaultChunkBytes = size_t{1} << 20;
  // One record (CSV record, JSON line) or the inference sample may not exceed this:
  // an unterminated quote must not make the reader swallow a 100 GB file into memory.
  static constexpr size_t kDefaultMaxWindowBytes = size_t{256} << 20;

  explicit TextInput(std::unique_ptr<SequentialFile> file, size_t chunk_bytes = kDefaultChunkBytes,
                     size_t max_window_bytes = kDefaultMaxWindowBytes);

  const std::string& path() const { return file_->path(); }
  char* data() { return buffer_.data() + begin_; }
  size_t size() const { return end_ - begin_; }
  // True once the file has returned end-of-file; size() then no longer grows.
  bool eof() const { return eof_; }

  // Drops the bytes before window index `keep` (everything the caller no longer needs)
  // and reads up to one chunk more. Sets *shift to the number of bytes dropped: every
  // window index >= keep becomes index - *shift. Returns the number of bytes added
  // (0 only at end of file). Corruption when the kept bytes would exceed
  // max_window_bytes; IOError from the file.
  Result<size_t> Refill(size_t keep, size_t* shift);

  // Byte offset in the file of window index i.
  uint64_t FileOffset(size_t i) const { return consumed_ + i; }

 private:
  std::unique_ptr<SequentialFile> file_;
  size_t chunk_bytes_;
  size_t max_window_bytes_;
  std::vector<char> buffer_;
  size_t begin_ = 0;       // window start in buffer_
  size_t end_ = 0;         // window end in buffer_
  uint64_t consumed_ = 0;  // file offset of buffer_[begin_]
  bool eof_ = false;
};

// "path: line 12 (byte 345): " — the prefix of every record-level error message.
std::string TextLocation(const std::string& path, uint64_t line, uint64_t byte_offset);
// Text quoted for an error message, cut to at most 64 bytes ("..." appended when cut).
std::string QuoteForMessage(std::string_view text);
// The number of '\n' bytes in text, 16 bytes at a time (the parallel readers count the
// lines of every block they cut, under their lock).
uint64_t CountLineBreaks(std::string_view text);

}  // namespace gaggle
