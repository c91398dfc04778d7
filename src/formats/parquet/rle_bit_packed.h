// The RLE / bit-packing hybrid encoding of Parquet (Encodings.md): definition levels and
// dictionary indices are written as a sequence of runs, each either
//   RLE run:        varint(count << 1), then the value in ceil(bit_width / 8) bytes (LE)
//   bit-packed run: varint(groups << 1 | 1), then groups * 8 values of bit_width bits, LSB first
// Neither side writes or reads a length prefix or a bit-width byte: callers add those
// (v1 data pages prefix levels with a 4-byte length; dictionary pages a 1-byte bit width).
//
// Encoder: Put values (each < 2^bit_width), then FinishTo() appends the bytes; eight or more
// equal values in a row become an RLE run, the rest are bit-packed in groups of eight (the
// last group padded with zeros). Decoder: GetBatch reads exactly n values and reports
// Corruption when the bytes end first or a run's value does not fit the bit width; it never
// reads outside the given buffer. Bit widths 0..32.
// Thread-safety: one instance per thread.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/status.h"

namespace gaggle::parquet {

// Bits needed to store every value in 0..max_value (0 for max_value == 0).
inline int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : 64 - std::countl_zero(max_value); }

class RleBitPackedEncoder {
 public:
  explicit RleBitPackedEncoder(int bit_width = 1) { Reset(bit_width); }

  // Forgets everything written so far and sets a new bit width.
  void Reset(int bit_width);
  int bit_width() const { return bit_width_; }

  void Put(uint32_t value) {
    if (value == current_ && repeat_ > 0) {
      // Once eight equal values are seen they belong to an RLE run and are no longer buffered.
      if (++repeat_ >= 8) return;
    } else {
      if (repeat_ >= 8) FlushRun();
      repeat_ = 1;
      current_ = value;
    }
    buffered_[num_buffered_++] = value;
    if (num_buffered_ == 8) FlushGroup();
  }
  // Same as `count` calls to Put(value), but O(1) once inside a run.
  void PutRepeated(uint32_t value, size_t count) {
    while (count > 0 && !(value == current_ && repeat_ >= 8)) {
      Put(value);
      --count;
    }
    repeat_ += count;
  }

  // Ends the stream, appends its bytes to *out, and resets the encoder (same bit width).
  void FinishTo(std::string* out);
  // Upper bound of the bytes FinishTo would append now.
  size_t EstimatedBytes() const { return bytes_.size() + 16 + static_cast<size_t>(bit_width_); }

 private:
  void FlushGroup();  // bit-packs the 8 buffered values onto the current literal run
  void FlushRun();    // writes the pending RLE run
  void EndLiteralRun();

  int bit_width_ = 1;
  uint32_t mask_ = 1;
  std::string bytes_;
  uint32_t buffered_[8] = {};
  int num_buffered_ = 0;
  uint32_t current_ = 0;
  size_t repeat_ = 0;
  // Literal (bit-packed) run being extended: position of its header byte, or npos.
  size_t literal_header_ = std::string::npos;
  int literal_groups_ = 0;
};

class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder() = default;
  RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width) { Reset(data, size, bit_width); }
  void Reset(const uint8_t* data, size_t size, int bit_width);

  // Decodes exactly n values (T: any integer type wide enough for bit_width bits).
  template <typename T>
  Status GetBatch(T* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      if (rle_left_ == 0 && literal_left_ == 0) GAGGLE_RETURN_IF_ERROR(NextRun(n - done));
      if (rle_left_ > 0) {
        size_t k = std::min(rle_left_, n - done);
        std::fill(out + done, out + done + k, static_cast<T>(rle_value_));
        rle_left_ -= k;
        done += k;
      } else {
        size_t k = std::min(literal_left_, n - done);
        for (size_t i = 0; i < k; ++i) out[done + i] = static_cast<T>(ReadLiteral());
        literal_left_ -= k;
        done += k;
      }
    }
    return Status::OK();
  }

  // Byte offset just past the last run started (relative to the start of the data).
  size_t position() const { return pos_; }

 private:
  Status NextRun(size_t wanted);
  uint32_t ReadLiteral() {
    if (bit_width_ == 0) return 0;
    size_t byte = literal_bit_ >> 3;
    int shift = static_cast<int>(literal_bit_ & 7);
    literal_bit_ += static_cast<size_t>(bit_width_);
    uint64_t word = 0;
    if (byte + 8 <= size_) {
      std::memcpy(&word, data_ + byte, 8);
    } else {
      std::memcpy(&word, data_ + byte, size_ - byte);
    }
    return static_cast<uint32_t>((word >> shift) & mask_);
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  int bit_width_ = 0;
  uint64_t mask_ = 0;
  size_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  size_t literal_left_ = 0;
  size_t literal_bit_ = 0;  // bit offset of the next literal value
};

}  // namespace gaggle::parquet
