#include "formats/parquet/parquet_delta_decoder.h"

#include <algorithm>
#include <cstring>

namespace gaggle::parquet {
namespace {

// The format only asks for multiples of 128; anything this large is a corrupted header.
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 31;

Status DbpError(const std::string& what, size_t offset) {
  return Status::Corruption("DELTA_BINARY_PACKED: " + what + " at value byte " + std::to_string(offset));
}

}  // namespace

Status DeltaBinaryPackedDecoder::ReadVarint(size_t* pos, uint64_t* v) const {
  size_t start = *pos;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= size_) return DbpError("varint runs past the end of the page", start);
    uint8_t b = data_[(*pos)++];
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return DbpError("varint longer than 10 bytes", start);
}

Status DeltaBinaryPackedDecoder::Init(const uint8_t* data, size_t size) {
  data_ = data;
  size_ = size;
  size_t pos = 0;
  uint64_t first = 0;
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos, &block_size_));
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos, &miniblocks_));
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos, &total_));
  GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos, &first));
  if (block_size_ == 0 || block_size_ % 128 != 0 || block_size_ > kMaxBlockSize) {
    return DbpError("block size " + std::to_string(block_size_) + " is not a positive multiple of 128", 0);
  }
  if (miniblocks_ == 0 || block_size_ % miniblocks_ != 0 || (block_size_ / miniblocks_) % 32 != 0) {
    return DbpError(std::to_string(miniblocks_) + " miniblocks do not split a block of " + std::to_string(block_size_) +
                        " values into multiples of 32",
                    0);
  }
  values_per_miniblock_ = block_size_ / miniblocks_;
  value_ = (first >> 1) ^ (~(first & 1) + 1);  // zigzag
  emitted_ = 0;
  header_end_ = pos;
  pos_ = pos;
  miniblock_index_ = miniblocks_;
  miniblock_left_ = 0;
  width_ = 0;
  return Status::OK();
}

uint64_t DeltaBinaryPackedDecoder::Unpack(size_t bit, int width) const {
  if (width == 0) return 0;
  size_t byte = bit >> 3;
  int shift = static_cast<int>(bit & 7);
  uint64_t word = 0;
  if (byte + 8 <= size_) {
    std::memcpy(&word, data_ + byte, 8);
  } else if (byte < size_) {
    std::memcpy(&word, data_ + byte, size_ - byte);
  }
  uint64_t v = word >> shift;
  if (width + shift > 64 && byte + 8 < size_) v |= static_cast<uint64_t>(data_[byte + 8]) << (64 - shift);
  return width == 64 ? v : v & ((uint64_t{1} << width) - 1);
}

Status DeltaBinaryPackedDecoder::StartMiniblock() {
  if (miniblock_index_ >= miniblocks_) {
    size_t start = pos_;
    uint64_t zz = 0;
    GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos_, &zz));
    min_delta_ = (zz >> 1) ^ (~(zz & 1) + 1);
    if (miniblocks_ > size_ - pos_) return DbpError("block's bit widths run past the end of the page", start);
    widths_.assign(data_ + pos_, data_ + pos_ + miniblocks_);
    pos_ += miniblocks_;
    miniblock_index_ = 0;
  }
  int w = widths_[miniblock_index_];
  if (w > 64) return DbpError("bit width " + std::to_string(w) + " is over 64", pos_);
  uint64_t take = std::min(values_per_miniblock_, total_ - emitted_);
  uint64_t full = values_per_miniblock_ * static_cast<uint64_t>(w) / 8;
  uint64_t need = (take * static_cast<uint64_t>(w) + 7) / 8;
  if (need > size_ - pos_) return DbpError("miniblock runs past the end of the page", pos_);
  bit_pos_ = pos_ * 8;
  width_ = w;
  miniblock_left_ = values_per_miniblock_;
  pos_ += static_cast<size_t>(std::min<uint64_t>(full, size_ - pos_));
  ++miniblock_index_;
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder::GetBatch(T* out, size_t n) {
  if (n > values_left()) {
    return DbpError("asked for " + std::to_string(n) + " values but the stream holds only " +
                        std::to_string(values_left()) + " more",
                    pos_);
  }
  size_t i = 0;
  if (n > 0 && emitted_ == 0) {
    out[0] = static_cast<T>(value_);
    emitted_ = 1;
    i = 1;
  }
  while (i < n) {
    if (miniblock_left_ == 0) GAGGLE_RETURN_IF_ERROR(StartMiniblock());
    size_t k = static_cast<size_t>(std::min<uint64_t>(n - i, miniblock_left_));
    uint64_t v = value_;
    const uint64_t min_delta = min_delta_;
    const int w = width_;
    size_t bit = bit_pos_;
    for (size_t j = 0; j < k; ++j) {
      v += min_delta + Unpack(bit, w);
      bit += static_cast<size_t>(w);
      out[i + j] = static_cast<T>(v);
    }
    value_ = v;
    bit_pos_ = bit;
    miniblock_left_ -= k;
    emitted_ += k;
    i += k;
  }
  return Status::OK();
}

template Status DeltaBinaryPackedDecoder::GetBatch<int32_t>(int32_t* out, size_t n);
template Status DeltaBinaryPackedDecoder::GetBatch<int64_t>(int64_t* out, size_t n);

Status DeltaBinaryPackedDecoder::FindEnd(size_t* end) const {
  size_t pos = header_end_;
  uint64_t remaining = total_ > 0 ? total_ - 1 : 0;
  while (remaining > 0) {
    size_t start = pos;
    uint64_t zz = 0;
    GAGGLE_RETURN_IF_ERROR(ReadVarint(&pos, &zz));
    if (miniblocks_ > size_ - pos) return DbpError("block's bit widths run past the end of the page", start);
    const uint8_t* widths = data_ + pos;
    pos += miniblocks_;
    for (uint64_t m = 0; m < miniblocks_ && remaining > 0; ++m) {
      uint64_t w = widths[m];
      if (w > 64) return DbpError("bit width " + std::to_string(w) + " is over 64", pos);
      uint64_t take = std::min(values_per_miniblock_, remaining);
      uint64_t full = values_per_miniblock_ * w / 8;
      uint64_t need = (take * w + 7) / 8;
      if (need > size_ - pos) return DbpError("miniblock runs past the end of the page", pos);
      pos += static_cast<size_t>(std::min<uint64_t>(full, size_ - pos));
      remaining -= take;
    }
  }
  *end = pos;
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::Init(const uint8_t* data, size_t size) {
  GAGGLE_RETURN_IF_ERROR(lengths_.Init(data, size));
  size_t end = 0;
  GAGGLE_RETURN_IF_ERROR(lengths_.FindEnd(&end));
  bytes_ = data + end;
  bytes_size_ = size - end;
  bytes_pos_ = 0;
  bytes_start_ = end;
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::GetBatch(std::string_view* out, size_t n) {
  length_buf_.resize(n);
  GAGGLE_RETURN_IF_ERROR(lengths_.GetBatch(length_buf_.data(), n));
  for (size_t i = 0; i < n; ++i) {
    int32_t len = length_buf_[i];
    if (len < 0 || static_cast<size_t>(len) > bytes_size_ - bytes_pos_) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: value of length " + std::to_string(len) + " at value byte " +
                                std::to_string(bytes_start_ + bytes_pos_) + " runs past the end of the page");
    }
    out[i] = std::string_view(reinterpret_cast<const char*>(bytes_) + bytes_pos_, static_cast<size_t>(len));
    bytes_pos_ += static_cast<size_t>(len);
  }
  return Status::OK();
}

Status DeltaByteArrayDecoder::Init(const uint8_t* data, size_t size) {
  GAGGLE_RETURN_IF_ERROR(prefixes_.Init(data, size));
  size_t end = 0;
  GAGGLE_RETURN_IF_ERROR(prefixes_.FindEnd(&end));
  GAGGLE_RETURN_IF_ERROR(suffixes_.Init(data + end, size - end));
  previous_.clear();
  return Status::OK();
}

Status DeltaByteArrayDecoder::GetBatch(std::string_view* out, size_t n) {
  prefix_buf_.resize(n);
  suffix_buf_.resize(n);
  ends_.resize(n);
  GAGGLE_RETURN_IF_ERROR(prefixes_.GetBatch(prefix_buf_.data(), n));
  GAGGLE_RETURN_IF_ERROR(suffixes_.GetBatch(suffix_buf_.data(), n));
  arena_.clear();
  for (size_t i = 0; i < n; ++i) {
    int32_t p = prefix_buf_[i];
    if (p < 0 || static_cast<size_t>(p) > previous_.size()) {
      return Status::Corruption("DELTA_BYTE_ARRAY: prefix length " + std::to_string(p) +
                                " is longer than the previous value (" + std::to_string(previous_.size()) + " bytes)");
    }
    size_t begin = arena_.size();
    arena_.append(previous_.data(), static_cast<size_t>(p));
    arena_.append(suffix_buf_[i]);
    ends_[i] = arena_.size();
    previous_.assign(arena_.data() + begin, arena_.size() - begin);
  }
  size_t begin = 0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::string_view(arena_.data() + begin, ends_[i] - begin);
    begin = ends_[i];
  }
  return Status::OK();
}

}  // namespace gaggle::parquet
