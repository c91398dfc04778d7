#include "formats/text_input.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

uint64_t CountLineBreaks(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  uint64_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Each match subtracts -1 from its byte lane; lanes are summed every 255 rounds,
  // before one could overflow.
  const __m128i newline = _mm_set1_epi8('\n');
  while (n - i >= 16) {
    __m128i lanes = _mm_setzero_si128();
    const size_t rounds = std::min<size_t>((n - i) / 16, 255);
    for (size_t r = 0; r < rounds; ++r, i += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, newline));
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    count += static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < n; ++i) count += p[i] == '\n' ? 1 : 0;
  return count;
}

}  // namespace gaggle
