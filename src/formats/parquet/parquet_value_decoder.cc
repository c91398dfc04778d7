#include "formats/parquet/parquet_value_decoder.h"

#include <cstring>
#include <type_traits>

namespace gaggle::parquet {
namespace {

size_t FixedWidth(PhysicalType type, size_t type_length) {
  switch (type) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kFixedLenByteArray: return type_length;
    case PhysicalType::kInt96: return 12;
    default: return 0;
  }
}

bool Applies(Encoding e, PhysicalType t) {
  switch (e) {
    case Encoding::kPlain: return true;
    case Encoding::kRle: return t == PhysicalType::kBoolean;
    case Encoding::kByteStreamSplit:
      return t == PhysicalType::kFloat || t == PhysicalType::kDouble || t == PhysicalType::kInt32 ||
             t == PhysicalType::kInt64 || t == PhysicalType::kFixedLenByteArray;
    case Encoding::kDeltaBinaryPacked: return t == PhysicalType::kInt32 || t == PhysicalType::kInt64;
    case Encoding::kDeltaLengthByteArray: return t == PhysicalType::kByteArray;
    case Encoding::kDeltaByteArray: return t == PhysicalType::kByteArray || t == PhysicalType::kFixedLenByteArray;
    default: return false;
  }
}

}  // namespace

Status ParquetValueDecoder::Reset(Encoding encoding, PhysicalType type, int32_t type_length, const uint8_t* data,
                                  size_t size) {
  encoding_ = encoding;
  type_ = type;
  // INT96 values are handed out like 12-byte FIXED_LEN_BYTE_ARRAY values.
  type_length_ = type == PhysicalType::kInt96 ? 12 : type_length > 0 ? static_cast<size_t>(type_length) : 0;
  data_ = data;
  size_ = size;
  pos_ = 0;
  bit_pos_ = 0;
  stream_values_ = 0;
  switch (encoding) {
    case Encoding::kPlain:
    case Encoding::kRle:
    case Encoding::kByteStreamSplit:
    case Encoding::kDeltaBinaryPacked:
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: break;
    case Encoding::kBitPacked: return Status::Unsupported("encoding BIT_PACKED (deprecated) for values");
    default: return Status::Unsupported("encoding " + EncodingName(encoding));
  }
  if (!Applies(encoding, type)) {
    return Status::Corruption("encoding " + EncodingName(encoding) + " does not apply to " + PhysicalTypeName(type) +
                              " values");
  }
  if (type == PhysicalType::kFixedLenByteArray && type_length_ == 0) {
    return Status::Corruption("FIXED_LEN_BYTE_ARRAY without a positive type_length");
  }
  switch (encoding) {
    case Encoding::kRle: {
      if (size < 4) return OutOfBytes("RLE length prefix", 4);
      uint32_t len = 0;
      std::memcpy(&len, data, 4);
      if (len > size - 4) {
        return Status::Corruption("RLE boolean values claim " + std::to_string(len) + " bytes but the page has " +
                                  std::to_string(size - 4));
      }
      rle_.Reset(data + 4, len, 1);
      return Status::OK();
    }
    case Encoding::kByteStreamSplit: {
      size_t w = FixedWidth(type, type_length_);
      if (size % w != 0) {
        return Status::Corruption("BYTE_STREAM_SPLIT page of " + std::to_string(size) +
                                  " bytes is not a multiple of the value width " + std::to_string(w));
      }
      stream_values_ = size / w;
      return Status::OK();
    }
    case Encoding::kDeltaBinaryPacked: return delta_.Init(data, size);
    case Encoding::kDeltaLengthByteArray: return delta_length_.Init(data, size);
    case Encoding::kDeltaByteArray: return delta_bytes_.Init(data, size);
    default: return Status::OK();
  }
}

Status ParquetValueDecoder::OutOfBytes(const std::string& what, size_t n) const {
  return Status::Corruption(EncodingName(encoding_) + " " + PhysicalTypeName(type_) + ": " + what + " (" +
                            std::to_string(n) + " values) runs past the end of the page at value byte " +
                            std::to_string(pos_) + " of " + std::to_string(size_));
}

template <typename T>
Status ParquetValueDecoder::GetByteStreamSplit(T* out, size_t n) {
  constexpr size_t w = sizeof(T);
  if (n > stream_values_ - pos_) return OutOfBytes("values", n);
  const size_t stride = stream_values_;
  const uint8_t* base = data_ + pos_;
  for (size_t i = 0; i < n; ++i) {
    uint8_t bytes[w];
    for (size_t k = 0; k < w; ++k) bytes[k] = base[k * stride + i];
    std::memcpy(out + i, bytes, w);
  }
  pos_ += n;
  return Status::OK();
}

template <typename T>
Status ParquetValueDecoder::GetFixed(T* out, size_t n) {
  if (n == 0) return Status::OK();
  if constexpr (std::is_same_v<T, uint8_t>) {
    // BOOLEAN
    if (encoding_ == Encoding::kRle) return rle_.GetBatch(out, n);
    if (n > size_ * 8 - bit_pos_) return OutOfBytes("bit-packed booleans", n);
    size_t bit = bit_pos_;
    for (size_t i = 0; i < n; ++i, ++bit) out[i] = (data_[bit >> 3] >> (bit & 7)) & 1;
    bit_pos_ = bit;
    return Status::OK();
  } else {
    switch (encoding_) {
      case Encoding::kPlain: {
        if (n > (size_ - pos_) / sizeof(T)) return OutOfBytes("values", n);
        std::memcpy(out, data_ + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
        return Status::OK();
      }
      case Encoding::kByteStreamSplit: return GetByteStreamSplit(out, n);
      case Encoding::kDeltaBinaryPacked:
        if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) return delta_.GetBatch(out, n);
        break;
      default: break;
    }
    return Status::Internal("ParquetValueDecoder::GetFixed: encoding " + EncodingName(encoding_) + " for " +
                            PhysicalTypeName(type_));
  }
}

template Status ParquetValueDecoder::GetFixed<uint8_t>(uint8_t*, size_t);
template Status ParquetValueDecoder::GetFixed<int32_t>(int32_t*, size_t);
template Status ParquetValueDecoder::GetFixed<int64_t>(int64_t*, size_t);
template Status ParquetValueDecoder::GetFixed<float>(float*, size_t);
template Status ParquetValueDecoder::GetFixed<double>(double*, size_t);

Status ParquetValueDecoder::GetBinary(std::string_view* out, size_t n) {
  if (n == 0) return Status::OK();
  const char* base = reinterpret_cast<const char*>(data_);
  switch (encoding_) {
    case Encoding::kPlain:
      if (type_ == PhysicalType::kFixedLenByteArray || type_ == PhysicalType::kInt96) {
        if (n > (size_ - pos_) / type_length_) return OutOfBytes("fixed-length values", n);
        for (size_t i = 0; i < n; ++i) {
          out[i] = std::string_view(base + pos_, type_length_);
          pos_ += type_length_;
        }
        return Status::OK();
      }
      for (size_t i = 0; i < n; ++i) {
        if (size_ - pos_ < 4) return OutOfBytes("byte array length", n - i);
        uint32_t len = 0;
        std::memcpy(&len, data_ + pos_, 4);
        if (len > size_ - pos_ - 4) {
          return Status::Corruption("PLAIN BYTE_ARRAY: value of length " + std::to_string(len) + " at value byte " +
                                    std::to_string(pos_) + " runs past the end of the page (" + std::to_string(size_) +
                                    " bytes)");
        }
        out[i] = std::string_view(base + pos_ + 4, len);
        pos_ += 4 + static_cast<size_t>(len);
      }
      return Status::OK();
    case Encoding::kDeltaLengthByteArray: return delta_length_.GetBatch(out, n);
    case Encoding::kDeltaByteArray: {
      GAGGLE_RETURN_IF_ERROR(delta_bytes_.GetBatch(out, n));
      if (type_ == PhysicalType::kFixedLenByteArray) {
        for (size_t i = 0; i < n; ++i) {
          if (out[i].size() != type_length_) {
            return Status::Corruption("DELTA_BYTE_ARRAY: FIXED_LEN_BYTE_ARRAY value of " +
                                      std::to_string(out[i].size()) + " bytes where " + std::to_string(type_length_) +
                                      " were declared");
          }
        }
      }
      return Status::OK();
    }
    case Encoding::kByteStreamSplit: {
      const size_t w = type_length_;
      if (n > stream_values_ - pos_) return OutOfBytes("values", n);
      scratch_.resize(n * w);
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < w; ++k) scratch_[i * w + k] = base[k * stream_values_ + pos_ + i];
      }
      for (size_t i = 0; i < n; ++i) out[i] = std::string_view(scratch_.data() + i * w, w);
      pos_ += n;
      return Status::OK();
    }
    default: break;
  }
  return Status::Internal("ParquetValueDecoder::GetBinary: encoding " + EncodingName(encoding_) + " for " +
                          PhysicalTypeName(type_));
}

}  // namespace gaggle::parquet
