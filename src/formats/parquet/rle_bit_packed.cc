#include "formats/parquet/rle_bit_packed.h"

namespace gaggle::parquet {

void RleBitPackedEncoder::Reset(int bit_width) {
  bit_width_ = std::clamp(bit_width, 0, 32);
  mask_ = bit_width_ >= 32 ? 0xFFFFFFFFu : (1u << bit_width_) - 1;
  bytes_.clear();
  num_buffered_ = 0;
  current_ = 0;
  repeat_ = 0;
  literal_header_ = std::string::npos;
  literal_groups_ = 0;
}

void RleBitPackedEncoder::EndLiteralRun() {
  if (literal_header_ == std::string::npos) return;
  bytes_[literal_header_] = static_cast<char>((literal_groups_ << 1) | 1);
  literal_header_ = std::string::npos;
  literal_groups_ = 0;
}

void RleBitPackedEncoder::FlushGroup() {
  // A one-byte header holds at most 63 groups; start a new literal run after that.
  if (literal_groups_ >= 63) EndLiteralRun();
  if (literal_header_ == std::string::npos) {
    literal_header_ = bytes_.size();
    bytes_.push_back(0);
  }
  uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < 8; ++i) {
    acc |= static_cast<uint64_t>(buffered_[i] & mask_) << bits;
    bits += bit_width_;
    while (bits >= 8) {
      bytes_.push_back(static_cast<char>(acc & 0xFF));
      acc >>= 8;
      bits -= 8;
    }
  }
  ++literal_groups_;
  num_buffered_ = 0;
  repeat_ = 0;
}

void RleBitPackedEncoder::FlushRun() {
  EndLiteralRun();
  uint64_t header = static_cast<uint64_t>(repeat_) << 1;
  while (header >= 0x80) {
    bytes_.push_back(static_cast<char>((header & 0x7F) | 0x80));
    header >>= 7;
  }
  bytes_.push_back(static_cast<char>(header));
  uint32_t v = current_ & mask_;
  for (int i = 0; i < (bit_width_ + 7) / 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  repeat_ = 0;
  num_buffered_ = 0;
}

void RleBitPackedEncoder::FinishTo(std::string* out) {
  if (repeat_ >= 8) {
    FlushRun();
  } else if (num_buffered_ > 0) {
    for (int i = num_buffered_; i < 8; ++i) buffered_[i] = 0;
    FlushGroup();
  }
  EndLiteralRun();
  out->append(bytes_);
  Reset(bit_width_);
}

void RleBitPackedDecoder::Reset(const uint8_t* data, size_t size, int bit_width) {
  data_ = data;
  size_ = size;
  pos_ = 0;
  bit_width_ = std::clamp(bit_width, 0, 32);
  mask_ = bit_width_ >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << bit_width_) - 1;
  rle_left_ = 0;
  literal_left_ = 0;
  literal_bit_ = 0;
}

Status RleBitPackedDecoder::NextRun(size_t wanted) {
  // Runs of zero values are legal but carry nothing; skip them (each takes a byte, so this ends).
  while (true) {
    size_t start = pos_;
    if (pos_ >= size_) {
      return Status::Corruption("RLE/bit-packed data ends at byte " + std::to_string(pos_) + " with " +
                                std::to_string(wanted) + " values still expected");
    }
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos_ >= size_ || shift > 28) {
        return Status::Corruption("RLE/bit-packed: bad run header at byte " + std::to_string(start));
      }
      uint8_t b = data_[pos_++];
      header |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    uint64_t count = header >> 1;
    if (header & 1) {
      uint64_t values = count * 8;
      size_t bytes = static_cast<size_t>(count) * static_cast<size_t>(bit_width_);
      size_t remaining = size_ - pos_;
      if (bytes > remaining) {
        // Some writers cut the final literal run short; decode what is really there.
        values = bit_width_ == 0 ? values : remaining * 8 / static_cast<size_t>(bit_width_);
        bytes = remaining;
        if (values == 0) {
          return Status::Corruption("RLE/bit-packed: literal run at byte " + std::to_string(start) + " is truncated");
        }
      }
      literal_bit_ = pos_ * 8;
      literal_left_ = static_cast<size_t>(values);
      pos_ += bytes;
      if (literal_left_ > 0) return Status::OK();
    } else {
      size_t value_bytes = static_cast<size_t>(bit_width_ + 7) / 8;
      if (value_bytes > size_ - pos_) {
        return Status::Corruption("RLE/bit-packed: RLE run at byte " + std::to_string(start) + " is truncated");
      }
      uint32_t v = 0;
      for (size_t i = 0; i < value_bytes; ++i) v |= static_cast<uint32_t>(data_[pos_ + i]) << (8 * i);
      pos_ += value_bytes;
      if (v > mask_) {
        return Status::Corruption("RLE/bit-packed: run value " + std::to_string(v) + " at byte " +
                                  std::to_string(start) + " does not fit in " + std::to_string(bit_width_) + " bits");
      }
      rle_value_ = v;
      rle_left_ = static_cast<size_t>(count);
      if (rle_left_ > 0) return Status::OK();
    }
  }
}

}  // namespace gaggle::parquet
