#include "formats/parquet/parquet_column_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/value_format.h"

namespace gaggle::parquet {

bool ScaleTimestamp(int64_t v, int64_t mul, int64_t div, int64_t* out) {
  int64_t m = 0;
  if (__builtin_mul_overflow(v, mul, &m)) return false;
  if (div > 1) {
    int64_t q = m / div;
    if (m % div != 0 && m < 0) --q;
    m = q;
  }
  *out = m;
  return true;
}

bool DecimalFromBytes(std::string_view b, int64_t* out) {
  if (b.empty()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  size_t n = b.size();
  bool negative = (p[0] & 0x80) != 0;
  if (n > 8) {
    uint8_t fill = negative ? 0xFF : 0x00;
    for (size_t i = 0; i + 8 < n; ++i) {
      if (p[i] != fill) return false;
    }
    if (((p[n - 8] & 0x80) != 0) != negative) return false;
    p += n - 8;
    n = 8;
  }
  uint64_t v = negative ? ~uint64_t{0} : 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  *out = static_cast<int64_t>(v);
  return true;
}

bool DecimalFromBytes(std::string_view b, Int128* out) {
  if (b.empty()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  size_t n = b.size();
  bool negative = (p[0] & 0x80) != 0;
  if (n > 16) {
    uint8_t fill = negative ? 0xFF : 0x00;
    for (size_t i = 0; i + 16 < n; ++i) {
      if (p[i] != fill) return false;
    }
    if (((p[n - 16] & 0x80) != 0) != negative) return false;
    p += n - 16;
    n = 16;
  }
  UInt128 v = negative ? ~UInt128{0} : 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  *out = static_cast<Int128>(v);
  return true;
}

bool Int96ToMicros(std::string_view b, int64_t* out) {
  if (b.size() != 12) return false;
  int64_t nanos = 0;
  int32_t julian = 0;
  std::memcpy(&nanos, b.data(), 8);
  std::memcpy(&julian, b.data() + 8, 4);
  constexpr int64_t kJulianEpoch = 2440588;  // Julian day number of 1970-01-01
  int64_t micros = nanos / 1000;
  if (nanos % 1000 < 0) --micros;  // floor, like every other unit conversion here
  int64_t day_micros = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(julian) - kJulianEpoch, int64_t{86400000000}, &day_micros)) {
    return false;
  }
  return !__builtin_add_overflow(day_micros, micros, out);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1F;
  const uint32_t mantissa = h & 0x3FF;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  }
  return sign != 0 ? -magnitude : magnitude;
}

namespace {

size_t PlainWidth(PhysicalType t, int32_t type_length) {
  switch (t) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
    case PhysicalType::kByteArray: return 4;  // BYTE_ARRAY: at least its length prefix
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kFixedLenByteArray: return static_cast<size_t>(std::max(type_length, 1));
    case PhysicalType::kInt96: return 12;
    default: return 1;
  }
}

}  // namespace

ParquetColumnDecoder::ParquetColumnDecoder(const RandomAccessFile* file, const std::string& path,
                                           const LeafColumn& leaf)
    : file_(file), leaf_(leaf), dictionary_(leaf.field.type) {
  context_.path = path;
  context_.column = leaf.field.name;
  const bool to_decimal = leaf.conversion == ValueConversion::kDecimalBytes;
  const bool wide = leaf.field.type.is_wide_decimal();
  switch (leaf.conversion) {
    case ValueConversion::kDecimalText: kind_ = Kind::kDecimalText; return;
    case ValueConversion::kIntToInt128: kind_ = Kind::kIntToInt128; return;
    case ValueConversion::kInt96: kind_ = Kind::kInt96; return;
    case ValueConversion::kFloat16: kind_ = Kind::kFloat16; return;
    default: break;
  }
  switch (leaf.physical_type) {
    case PhysicalType::kBoolean: kind_ = Kind::kBool; break;
    case PhysicalType::kInt32:
      kind_ = leaf.conversion == ValueConversion::kInt32ToInt64    ? Kind::kInt32ToInt64
              : leaf.conversion == ValueConversion::kUint32ToInt64 ? Kind::kUint32ToInt64
                                                                   : Kind::kInt32;
      break;
    case PhysicalType::kInt64:
      kind_ = leaf.conversion == ValueConversion::kUint64ToInt64    ? Kind::kUint64
              : leaf.conversion == ValueConversion::kTimestampScale ? Kind::kTimestamp
                                                                    : Kind::kInt64;
      break;
    case PhysicalType::kFloat: kind_ = Kind::kFloat; break;
    case PhysicalType::kDouble: kind_ = Kind::kDouble; break;
    default: kind_ = to_decimal ? (wide ? Kind::kDecimalBytes128 : Kind::kDecimalBytes) : Kind::kBytes; break;
  }
}

Status ParquetColumnDecoder::StartChunk(const ColumnChunk& chunk, int row_group, int64_t first_row, int64_t num_rows,
                                        uint64_t data_end) {
  context_.row_group = row_group;
  first_row_ = first_row;
  num_rows_ = num_rows;
  rows_read_ = 0;
  page_rows_left_ = 0;
  seen_data_page_ = false;
  has_dictionary_ = false;
  dictionary_page_ = false;
  page_ = ParquetPage{};
  window_def_.clear();
  window_rep_.clear();
  window_pos_ = 0;
  row_open_ = false;
  const uint64_t at = static_cast<uint64_t>(std::max<int64_t>(chunk.file_offset, 0));
  if (chunk.file_path) {
    return Status::Unsupported(context_.Where() + ": column chunk stored in another file ('" + *chunk.file_path + "')");
  }
  if (chunk.has_crypto_metadata) return Status::Unsupported(context_.Where() + ": encrypted column chunk");
  if (!chunk.meta_data) return context_.Corruption(at, "column chunk without metadata");
  const ColumnMetaData& m = *chunk.meta_data;
  if (m.type != leaf_.physical_type) {
    return context_.Corruption(at, "column chunk holds " + PhysicalTypeName(m.type) + " but the schema says " +
                                       PhysicalTypeName(leaf_.physical_type));
  }
  Result<Compression> codec = CodecToCompression(m.codec);
  if (!codec.ok()) return Status::Unsupported(context_.Where() + ": codec " + CodecName(m.codec));
  // A nested leaf has at least one level entry per row.
  if (leaf_.nested ? m.num_values < num_rows : m.num_values != num_rows) {
    return context_.Corruption(at, "column chunk holds " + std::to_string(m.num_values) +
                                       " values but the row group has " + std::to_string(num_rows) + " rows");
  }
  if (num_rows == 0) {
    // Nothing to read: writers leave the page offsets of an empty chunk anywhere (even 0).
    pages_.Reset(file_, &context_, *codec, 0, 0);
    return Status::OK();
  }
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start) {
    start = *m.dictionary_page_offset;
  }
  if (start < 4 || static_cast<uint64_t>(start) > data_end || m.total_compressed_size < 0 ||
      static_cast<uint64_t>(m.total_compressed_size) > data_end - static_cast<uint64_t>(start)) {
    return context_.Corruption(static_cast<uint64_t>(std::max<int64_t>(start, 0)),
                               "column chunk of " + std::to_string(m.total_compressed_size) + " bytes at byte " +
                                   std::to_string(start) + " lies outside the data region (bytes 4.." +
                                   std::to_string(data_end) + ")");
  }
  pages_.Reset(file_, &context_, *codec, static_cast<uint64_t>(start), static_cast<uint64_t>(m.total_compressed_size));
  return Status::OK();
}

Status ParquetColumnDecoder::Read(size_t n, Column* out) {
  if (static_cast<int64_t>(n) > rows_left()) {
    return Status::Internal(context_.Where() + ": asked for " + std::to_string(n) + " rows, " +
                            std::to_string(rows_left()) + " left");
  }
  while (n > 0) {
    if (page_rows_left_ == 0) GAGGLE_RETURN_IF_ERROR(NextDataPage());
    size_t k = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), page_rows_left_));
    GAGGLE_RETURN_IF_ERROR(ReadFromPage(k, out));
    page_rows_left_ -= static_cast<int64_t>(k);
    rows_read_ += static_cast<int64_t>(k);
    n -= k;
  }
  return Status::OK();
}

Status ParquetColumnDecoder::NextDataPage(bool* end_of_chunk) {
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool got, pages_.Next(&page_));
    if (!got) {
      if (end_of_chunk != nullptr) {
        *end_of_chunk = true;
        return Status::OK();
      }
      return context_.Corruption(pages_.position(), "column chunk ends with " + std::to_string(rows_left()) +
                                                        " of its " + std::to_string(num_rows_) +
                                                        " values not yet read");
    }
    if (page_.type == PageType::kDictionaryPage) {
      GAGGLE_RETURN_IF_ERROR(LoadDictionary(page_));
      continue;
    }
    seen_data_page_ = true;
    if (page_.num_values == 0) continue;
    if (!leaf_.nested && page_.num_values > rows_left()) {
      return PageError("page holds " + std::to_string(page_.num_values) + " values but only " +
                       std::to_string(rows_left()) + " rows of the row group remain");
    }
    const auto* data = reinterpret_cast<const uint8_t*>(page_.values.data());
    size_t size = page_.values.size();
    if (leaf_.nested) {
      GAGGLE_RETURN_IF_ERROR(StartNestedLevels(&data, &size));
    } else if (leaf_.max_definition_level > 0) {
      if (page_.v2) {
        levels_decoder_.Reset(reinterpret_cast<const uint8_t*>(page_.levels.data()), page_.levels.size(), 1);
      } else {
        if (page_.definition_level_encoding != Encoding::kRle) {
          return Wrap(
              Status::Unsupported("definition levels encoded as " + EncodingName(page_.definition_level_encoding)));
        }
        uint32_t len = 0;
        if (size < 4) return PageError("page too short for its definition levels' length");
        std::memcpy(&len, data, 4);
        if (len > size - 4) {
          return PageError("definition levels of " + std::to_string(len) + " bytes run past the page's " +
                           std::to_string(size) + " bytes");
        }
        levels_decoder_.Reset(data + 4, len, 1);
        data += 4 + len;
        size -= 4 + static_cast<size_t>(len);
      }
    }
    dictionary_page_ = page_.encoding == Encoding::kPlainDictionary || page_.encoding == Encoding::kRleDictionary;
    if (dictionary_page_) {
      if (!has_dictionary_) return PageError("dictionary-encoded page in a column chunk without a dictionary page");
      if (size < 1) return PageError("dictionary indices lack their bit-width byte");
      if (data[0] > 32) return PageError("dictionary index bit width " + std::to_string(data[0]) + " is over 32");
      index_decoder_.Reset(data + 1, size - 1, data[0]);
    } else {
      GAGGLE_RETURN_IF_ERROR(Wrap(values_.Reset(page_.encoding, leaf_.physical_type, leaf_.type_length, data, size)));
    }
    page_rows_left_ = page_.num_values;
    return Status::OK();
  }
}

Status ParquetColumnDecoder::LoadDictionary(const ParquetPage& page) {
  if (has_dictionary_) return PageError("second dictionary page in the column chunk");
  if (seen_data_page_) return PageError("dictionary page after a data page");
  if (page.encoding != Encoding::kPlain && page.encoding != Encoding::kPlainDictionary) {
    return Wrap(Status::Unsupported("dictionary page encoded as " + EncodingName(page.encoding)));
  }
  const size_t n = static_cast<size_t>(page.num_values);
  const size_t size = page.values.size();
  bool fits = leaf_.physical_type == PhysicalType::kBoolean
                  ? (n + 7) / 8 <= size
                  : n <= size / PlainWidth(leaf_.physical_type, leaf_.type_length);
  if (!fits) {
    return PageError("dictionary page claims " + std::to_string(n) + " entries but holds only " + std::to_string(size) +
                     " bytes");
  }
  GAGGLE_RETURN_IF_ERROR(Wrap(values_.Reset(Encoding::kPlain, leaf_.physical_type, leaf_.type_length,
                                            reinterpret_cast<const uint8_t*>(page.values.data()), size)));
  dictionary_.Clear();
  dictionary_has_bad_ = false;
  dictionary_bad_.assign(n, 0);
  if (kind_ == Kind::kBytes) {
    views_.resize(n);
    GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetBinary(views_.data(), n)));
    for (size_t i = 0; i < n; ++i) dictionary_.AppendString(views_[i]);
  } else if (kind_ == Kind::kDecimalText) {
    GAGGLE_RETURN_IF_ERROR(DecodeDecimalTexts(n, &dictionary_, &dictionary_bad_));
  } else {
    dictionary_.Resize(n);
    void* dst = nullptr;
    switch (leaf_.field.type.byte_width()) {
      case 1: dst = dictionary_.mutable_data<uint8_t>(); break;
      case 4: dst = dictionary_.mutable_data<int32_t>(); break;
      case 16: dst = dictionary_.mutable_data<Int128>(); break;
      default: dst = dictionary_.mutable_data<int64_t>(); break;
    }
    GAGGLE_RETURN_IF_ERROR(DecodeValues(n, dst, &dictionary_bad_));
  }
  dictionary_has_bad_ = std::find(dictionary_bad_.begin(), dictionary_bad_.end(), 1) != dictionary_bad_.end();
  has_dictionary_ = true;
  return Status::OK();
}

Status ParquetColumnDecoder::ValueError(size_t value_index, const std::string& what, bool unsupported) const {
  size_t row_in_read = value_index;
  if (leaf_.nested) {
    row_in_read = 0;  // the rows of a nested read start here; which one holds the value is not tracked
  } else if (leaf_.max_definition_level > 0) {
    size_t seen = 0;
    for (size_t i = 0; i < levels_.size(); ++i) {
      if (levels_[i] != 0 && seen++ == value_index) {
        row_in_read = i;
        break;
      }
    }
  }
  std::string msg = std::string(leaf_.nested ? "a row from row " : "row ") +
                    std::to_string(first_row_ + rows_read_ + static_cast<int64_t>(row_in_read)) + ": " + what;
  if (unsupported) {
    return Status::Unsupported(context_.Where() + ", page at byte offset " + std::to_string(page_.offset) + ": " + msg);
  }
  return PageError(msg);
}

Status ParquetColumnDecoder::DecodeValues(size_t n, void* dst, std::vector<uint8_t>* bad) {
  auto fail = [&](size_t i, int64_t* out, const std::string& what, bool unsupported = true) -> Status {
    if (bad == nullptr) return ValueError(i, what, unsupported);
    (*bad)[i] = 1;
    out[i] = 0;
    return Status::OK();
  };
  switch (kind_) {
    case Kind::kBool: return Wrap(values_.GetFixed(static_cast<uint8_t*>(dst), n));
    case Kind::kInt32: return Wrap(values_.GetFixed(static_cast<int32_t*>(dst), n));
    case Kind::kInt64: return Wrap(values_.GetFixed(static_cast<int64_t*>(dst), n));
    case Kind::kFloat: return Wrap(values_.GetFixed(static_cast<float*>(dst), n));
    case Kind::kDouble: return Wrap(values_.GetFixed(static_cast<double*>(dst), n));
    case Kind::kInt32ToInt64:
    case Kind::kUint32ToInt64: {
      narrow_.resize(n);
      const int32_t* narrow = narrow_.data();
      GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetFixed(narrow_.data(), n)));
      auto* out = static_cast<int64_t*>(dst);
      if (kind_ == Kind::kInt32ToInt64) {
        for (size_t i = 0; i < n; ++i) out[i] = narrow[i];
      } else {
        for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint32_t>(narrow[i]);
      }
      return Status::OK();
    }
    case Kind::kUint64:
    case Kind::kTimestamp: {
      auto* out = static_cast<int64_t*>(dst);
      GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetFixed(out, n)));
      for (size_t i = 0; i < n; ++i) {
        if (kind_ == Kind::kUint64) {
          if (out[i] < 0) {
            GAGGLE_RETURN_IF_ERROR(fail(
                i, out, "unsigned value " + std::to_string(static_cast<uint64_t>(out[i])) + " does not fit in int64"));
          }
        } else if (!ScaleTimestamp(out[i], leaf_.timestamp_multiplier, leaf_.timestamp_divisor, &out[i])) {
          GAGGLE_RETURN_IF_ERROR(
              fail(i, out, "timestamp " + std::to_string(out[i]) + " is out of range in microseconds"));
        }
      }
      return Status::OK();
    }
    case Kind::kIntToInt128: {
      auto* out = static_cast<Int128*>(dst);
      if (leaf_.physical_type == PhysicalType::kInt32) {
        narrow_.resize(n);
        GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetFixed(narrow_.data(), n)));
        for (size_t i = 0; i < n; ++i) out[i] = narrow_[i];
      } else {
        wide_scratch_.resize(n);
        GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetFixed(wide_scratch_.data(), n)));
        for (size_t i = 0; i < n; ++i) out[i] = wide_scratch_[i];
      }
      return Status::OK();
    }
    case Kind::kDecimalBytes:
    case Kind::kDecimalBytes128:
    case Kind::kInt96:
    case Kind::kFloat16: return DecodeFromBytes(n, dst, bad);
    case Kind::kBytes:
    case Kind::kDecimalText: break;
  }
  return Status::Internal(context_.Where() + ": DecodeValues on a byte-array column");
}

Status ParquetColumnDecoder::DecodeFromBytes(size_t n, void* dst, std::vector<uint8_t>* bad) {
  // A value that does not convert: an error naming its row, or (dictionary entries) marked bad.
  auto fail = [&](size_t i, const std::string& what, bool unsupported) -> Status {
    if (bad == nullptr) return ValueError(i, what, unsupported);
    (*bad)[i] = 1;
    return Status::OK();
  };
  views_.resize(n);
  GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetBinary(views_.data(), n)));
  const Int128 bound = Pow10Int128(std::min(leaf_.field.type.precision, kMaxDecimalPrecision));
  for (size_t i = 0; i < n; ++i) {
    const std::string_view v = views_[i];
    bool ok = false;
    switch (kind_) {
      case Kind::kDecimalBytes: {
        int64_t* out = static_cast<int64_t*>(dst) + i;
        ok = DecimalFromBytes(v, out) && *out<bound&& * out> - bound;
        if (!ok) *out = 0;
        break;
      }
      case Kind::kDecimalBytes128: {
        Int128* out = static_cast<Int128*>(dst) + i;
        ok = DecimalFromBytes(v, out) && *out<bound&& * out> - bound;
        if (!ok) *out = 0;
        break;
      }
      case Kind::kInt96: {
        int64_t* out = static_cast<int64_t*>(dst) + i;
        ok = Int96ToMicros(v, out);
        if (!ok) {
          *out = 0;
          GAGGLE_RETURN_IF_ERROR(fail(i, "INT96 timestamp is out of range in microseconds", true));
        }
        continue;
      }
      case Kind::kFloat16: {
        uint16_t half = 0;
        std::memcpy(&half, v.data(), std::min<size_t>(v.size(), 2));
        static_cast<float*>(dst)[i] = HalfToFloat(half);
        continue;
      }
      default: return Status::Internal(context_.Where() + ": DecodeFromBytes on another kind");
    }
    if (!ok) {
      GAGGLE_RETURN_IF_ERROR(
          v.empty()
              ? fail(i, "empty decimal value", false)
              : fail(i, "decimal of " + std::to_string(v.size()) + " bytes does not fit " + leaf_.field.type.ToString(),
                     false));
    }
  }
  return Status::OK();
}

Status ParquetColumnDecoder::DecodeDecimalTexts(size_t n, Column* texts, std::vector<uint8_t>* bad) {
  views_.resize(n);
  GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetBinary(views_.data(), n)));
  std::string text;
  for (size_t i = 0; i < n; ++i) {
    if (!FormatBigDecimal(views_[i], leaf_.decimal_precision, leaf_.decimal_scale, &text)) {
      std::string what = "decimal of " + std::to_string(views_[i].size()) + " bytes does not fit decimal(" +
                         std::to_string(leaf_.decimal_precision) + "," + std::to_string(leaf_.decimal_scale) + ")";
      if (bad == nullptr) return ValueError(i, what);
      (*bad)[i] = 1;
      text.clear();
    }
    texts->AppendString(text);
  }
  return Status::OK();
}

Status ParquetColumnDecoder::GatherIndices(size_t n) {
  indices_.resize(n);
  Status st = index_decoder_.GetBatch(indices_.data(), n);
  if (!st.ok()) return PageError("dictionary indices: " + st.message());
  uint32_t max_index = 0;
  for (size_t i = 0; i < n; ++i) max_index = std::max(max_index, indices_[i]);
  if (n > 0 && max_index >= dictionary_.size()) {
    size_t i = 0;
    while (indices_[i] < dictionary_.size()) ++i;
    return ValueError(i, "dictionary index " + std::to_string(indices_[i]) + " is out of range (the dictionary has " +
                             std::to_string(dictionary_.size()) + " entries)");
  }
  return Status::OK();
}

template <typename T>
Status ParquetColumnDecoder::ReadFixed(size_t k, size_t valid, Column* out) {
  const size_t start = out->size();
  out->Resize(start + k);
  T* dst = out->mutable_data<T>() + start;
  if (dictionary_page_) {
    GAGGLE_RETURN_IF_ERROR(GatherIndices(valid));
    const T* dict = dictionary_.data<T>();
    const uint32_t* idx = indices_.data();
    for (size_t i = 0; i < valid; ++i) dst[i] = dict[idx[i]];
    if (dictionary_has_bad_) {
      for (size_t i = 0; i < valid; ++i) {
        if (dictionary_bad_[idx[i]]) {
          const std::string what = kind_ == Kind::kInt96 ? "an INT96 timestamp out of range in microseconds"
                                                         : "a value that does not fit " + leaf_.field.type.ToString();
          return ValueError(i, "dictionary entry " + std::to_string(idx[i]) + " is " + what, true);
        }
      }
    }
  } else {
    GAGGLE_RETURN_IF_ERROR(DecodeValues(valid, dst, nullptr));
  }
  if (valid < k) {
    // Values were decoded densely at the front; move each to its row, back to front.
    const uint8_t* levels = levels_.data();
    size_t j = valid;
    for (size_t i = k; i-- > 0;) dst[i] = levels[i] ? dst[--j] : T{};
    for (size_t i = 0; i < k; ++i) {
      if (!levels[i]) out->SetNull(start + i);
    }
  }
  return Status::OK();
}

Status ParquetColumnDecoder::ReadBytes(size_t k, size_t valid, Column* out) {
  if (dictionary_page_) {
    GAGGLE_RETURN_IF_ERROR(GatherIndices(valid));
    views_.resize(valid);
    for (size_t i = 0; i < valid; ++i) {
      if (dictionary_has_bad_ && dictionary_bad_[indices_[i]]) {
        return ValueError(i, "dictionary entry " + std::to_string(indices_[i]) + " is not a valid decimal");
      }
      views_[i] = dictionary_.GetString(indices_[i]);
    }
  } else if (kind_ == Kind::kDecimalText) {
    texts_.Clear();
    GAGGLE_RETURN_IF_ERROR(DecodeDecimalTexts(valid, &texts_, nullptr));
    views_.resize(valid);
    for (size_t i = 0; i < valid; ++i) views_[i] = texts_.GetString(i);
  } else {
    views_.resize(valid);
    GAGGLE_RETURN_IF_ERROR(Wrap(values_.GetBinary(views_.data(), valid)));
  }
  size_t total = 0;
  for (std::string_view v : views_) total += v.size();
  if (total > kMaxBatchColumnBytes - std::min(kMaxBatchColumnBytes, out->chars().size())) {
    return Status::Unsupported(context_.Where() + ": one batch would hold more than " +
                               std::to_string(kMaxBatchColumnBytes) + " bytes of values; read with smaller batches");
  }
  if (valid == k) {
    for (std::string_view v : views_) out->AppendString(v);
  } else {
    size_t j = 0;
    for (size_t i = 0; i < k; ++i) {
      if (levels_[i]) {
        out->AppendString(views_[j++]);
      } else {
        out->AppendNull();
      }
    }
  }
  return Status::OK();
}

Status ParquetColumnDecoder::ReadFromPage(size_t k, Column* out) {
  size_t valid = k;
  if (leaf_.max_definition_level > 0) {
    levels_.resize(k);
    Status st = levels_decoder_.GetBatch(levels_.data(), k);
    if (!st.ok()) return PageError("definition levels: " + st.message());
    valid = 0;
    for (uint8_t l : levels_) valid += l;
  }
  return ReadSlots(k, valid, out);
}

Status ParquetColumnDecoder::ReadSlots(size_t k, size_t valid, Column* out) {
  switch (kind_) {
    case Kind::kBool: return ReadFixed<uint8_t>(k, valid, out);
    case Kind::kInt32: return ReadFixed<int32_t>(k, valid, out);
    case Kind::kFloat: return ReadFixed<float>(k, valid, out);
    case Kind::kDouble: return ReadFixed<double>(k, valid, out);
    case Kind::kFloat16: return ReadFixed<float>(k, valid, out);
    case Kind::kBytes:
    case Kind::kDecimalText: return ReadBytes(k, valid, out);
    case Kind::kDecimalBytes128:
    case Kind::kIntToInt128: return ReadFixed<Int128>(k, valid, out);
    default: return ReadFixed<int64_t>(k, valid, out);
  }
}

}  // namespace gaggle::parquet
