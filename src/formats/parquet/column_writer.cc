#include "formats/parquet/column_writer.h"

#include <algorithm>
#include <cstring>

#include "columnar/value_format.h"
#include "formats/parquet/column_chunk_builder.h"
#include "formats/parquet/column_statistics.h"
#include "formats/parquet/dictionary_encoder.h"
#include "formats/parquet/parquet_schema.h"
#include "formats/parquet/plain_encoder.h"
#include "formats/parquet/rle_bit_packed.h"

namespace gaggle::parquet {
namespace {

// State and helpers shared by the typed writers: definition levels, page/chunk counters,
// the chunk builder, the dictionary/plain mode.
class ColumnWriterBase : public ColumnWriter {
 public:
  ColumnWriterBase(const Field& field, const ColumnWriterOptions& options, const LeafLevels* leaf)
      : field_(field),
        options_(options),
        builder_(PhysicalTypeFor(field.type), field.name, options.compression, options.compression_level),
        levels_(1) {
    options_.page_bytes = std::max<size_t>(options_.page_bytes, 1);
    dictionary_mode_ = options_.dictionary;
    if (leaf != nullptr) {
      nested_ = true;
      max_def_ = leaf->max_definition_level;
      max_rep_ = leaf->max_repetition_level;
      levels_.Reset(BitWidth(static_cast<uint64_t>(max_def_)));
      rep_levels_.Reset(BitWidth(static_cast<uint64_t>(max_rep_)));
      builder_.SetPathInSchema(leaf->path_in_schema);
    }
  }

  size_t buffered_bytes() const override { return builder_.buffered_bytes() + page_bytes_estimate(); }

  Status WriteLevels(const Column& entries, const int16_t* def, const int16_t* rep, size_t count) override {
    if (!nested_) return Status::Internal("Parquet column '" + field_.name + "' is not a nested leaf");
    def_in_ = def;
    rep_in_ = rep;
    level_pos_ = 0;
    level_end_ = count;
    Status st = Write(entries, 0, count);
    def_in_ = rep_in_ = nullptr;
    return st;
  }

 protected:
  virtual size_t page_bytes_estimate() const = 0;
  virtual void ResetTyped() = 0;

  // Lazily starts a new chunk after FinishChunk (so its pieces stay valid until now), and
  // checks nullability. *valid is the validity slice or null when the slice has no nulls.
  Status BeginSlice(const Column& column, size_t offset, size_t count, const uint8_t** valid) {
    if (finished_) {
      builder_.Reset();
      chunk_rows_ = chunk_nulls_ = 0;
      dictionary_mode_ = options_.dictionary;
      used_dictionary_ = false;
      fell_back_ = false;
      ResetTyped();
      finished_ = false;
    }
    *valid = column.may_have_nulls() ? column.validity().data() + offset : nullptr;
    if (*valid != nullptr && !field_.nullable) {
      const uint8_t* v = *valid;
      const uint8_t* null = std::find(v, v + count, uint8_t{0});
      if (null != v + count) {
        return Status::InvalidArgument("Parquet column '" + field_.name + "' is not nullable but row " +
                                       std::to_string(offset + static_cast<size_t>(null - v)) +
                                       " of the batch is null");
      }
      *valid = nullptr;
    }
    return Status::OK();
  }

  void PutLevels(const uint8_t* valid, size_t n) {
    page_rows_ += n;
    if (def_in_ != nullptr) {
      const size_t end = level_pos_ + n;
      if (max_def_ > 0) {
        for (size_t i = level_pos_; i < end; ++i) levels_.Put(static_cast<uint32_t>(def_in_[i]));
      }
      if (max_rep_ > 0) {
        for (size_t i = level_pos_; i < end; ++i) rep_levels_.Put(static_cast<uint32_t>(rep_in_[i]));
      }
      level_pos_ = end;
      return;
    }
    if (!field_.nullable) return;
    if (valid == nullptr) {
      levels_.PutRepeated(1, n);
      return;
    }
    for (size_t i = 0; i < n; ++i) levels_.Put(valid[i]);
  }

  // Hands the page to the builder: levels section (length-prefixed) + values.
  // Nested leaves: a page may end only where a row ends (the next entry starts a row).
  bool AtRowBoundary() const { return rep_in_ == nullptr || level_pos_ >= level_end_ || rep_in_[level_pos_] == 0; }

  // Appends one level section: its 4-byte length, then the RLE hybrid.
  void AppendLevelSection(RleBitPackedEncoder* encoder) {
    const size_t at = level_bytes_.size();
    level_bytes_.append(4, '\0');
    encoder->FinishTo(&level_bytes_);
    uint32_t len = static_cast<uint32_t>(level_bytes_.size() - at - 4);
    std::memcpy(level_bytes_.data() + at, &len, 4);
  }

  Status EmitPage(std::string_view values, Encoding encoding, Statistics* stats) {
    std::string_view levels;
    if (nested_) {
      level_bytes_.clear();
      if (max_rep_ > 0) AppendLevelSection(&rep_levels_);
      if (max_def_ > 0) AppendLevelSection(&levels_);
      levels = level_bytes_;
    } else if (field_.nullable) {
      level_bytes_.assign(4, '\0');
      levels_.FinishTo(&level_bytes_);
      uint32_t len = static_cast<uint32_t>(level_bytes_.size() - 4);
      std::memcpy(level_bytes_.data(), &len, 4);
      levels = level_bytes_;
    }
    stats->null_count = static_cast<int64_t>(page_nulls_);
    GAGGLE_RETURN_IF_ERROR(builder_.AddDataPage(levels, values, static_cast<int32_t>(page_rows_), encoding, stats));
    chunk_rows_ += page_rows_;
    chunk_nulls_ += page_nulls_;
    page_rows_ = page_nulls_ = 0;
    return Status::OK();
  }

  // Encodes dictionary indices as a data page body: bit width byte + RLE hybrid.
  std::string_view EncodeIndices(const std::vector<uint32_t>& indices, size_t dictionary_size) {
    int width = std::max(1, BitWidth(dictionary_size == 0 ? 0 : dictionary_size - 1));
    index_bytes_.assign(1, static_cast<char>(width));
    indices_encoder_.Reset(width);
    for (uint32_t i : indices) indices_encoder_.Put(i);
    indices_encoder_.FinishTo(&index_bytes_);
    return index_bytes_;
  }

  // Finishes the chunk metadata common to all types.
  void FinishMeta(ColumnChunkOutput* out, Statistics stats) {
    builder_.Finish(&out->pieces, &out->meta);
    out->meta.num_values = static_cast<int64_t>(chunk_rows_);
    stats.null_count = static_cast<int64_t>(chunk_nulls_);
    out->meta.statistics = std::move(stats);
    finished_ = true;
  }

  bool PageFull() const { return page_bytes_estimate() >= options_.page_bytes; }
  // LeaveDictionary(), in each typed writer, runs once the chunk's dictionary overflowed
  // (fell_back_), at a row boundary. When earlier pages of the chunk use the dictionary,
  // the page in progress closes with it and the rest of the chunk is PLAIN. When this is
  // the chunk's first page, the page is re-encoded PLAIN and the chunk has no dictionary
  // at all (parquet-mr falls back the same way): on a high-cardinality column a large
  // dictionary page plus index pages compress worse than PLAIN.
  bool DictionaryTooBig(size_t bytes, size_t entries) const {
    return bytes > options_.dictionary_max_bytes || entries > options_.dictionary_max_entries;
  }

  Field field_;
  ColumnWriterOptions options_;
  ColumnChunkBuilder builder_;
  RleBitPackedEncoder levels_;  // definition levels
  // Nested leaves: levels of the entries being written (set during WriteLevels only).
  bool nested_ = false;
  int16_t max_def_ = 0;
  int16_t max_rep_ = 0;
  RleBitPackedEncoder rep_levels_;
  const int16_t* def_in_ = nullptr;
  const int16_t* rep_in_ = nullptr;
  size_t level_pos_ = 0;
  size_t level_end_ = 0;
  RleBitPackedEncoder indices_encoder_;
  std::string level_bytes_;
  std::string index_bytes_;
  size_t page_rows_ = 0;
  size_t page_nulls_ = 0;
  size_t chunk_rows_ = 0;
  size_t chunk_nulls_ = 0;
  bool dictionary_mode_ = false;
  bool used_dictionary_ = false;
  bool fell_back_ = false;  // the dictionary overflowed in this chunk
  bool finished_ = false;
};

// ---------------------------------------------------------------- fixed width

// Src: the Column's storage type; Phys: the Parquet physical type's C++ type.
template <typename Src, typename Phys>
class FixedColumnWriter final : public ColumnWriterBase {
 public:
  FixedColumnWriter(const Field& field, const ColumnWriterOptions& options, const LeafLevels* leaf)
      : ColumnWriterBase(field, options, leaf) {
    if (field.type.id == TypeId::kDecimal) decimal_limit_ = Pow10Int128(field.type.precision);
  }

  Status Write(const Column& column, size_t offset, size_t count) override {
    const uint8_t* valid = nullptr;
    GAGGLE_RETURN_IF_ERROR(BeginSlice(column, offset, count, &valid));
    const Src* src = column.data<Src>() + offset;
    if (decimal_limit_ != 0) GAGGLE_RETURN_IF_ERROR(CheckDecimals(src, valid, offset, count));
    size_t done = 0;
    while (done < count) {
      size_t n = std::min(count - done, RowsThatFit());
      const uint8_t* v = valid == nullptr ? nullptr : valid + done;
      size_t used = dictionary_mode_ ? WriteDictionary(src + done, v, n) : WritePlain(src + done, v, n);
      PutLevels(v, used);
      done += used;
      if (!AtRowBoundary()) continue;
      if (fell_back_ && dictionary_mode_) {
        GAGGLE_RETURN_IF_ERROR(LeaveDictionary());
      } else if (PageFull()) {
        GAGGLE_RETURN_IF_ERROR(FlushPage());
      }
    }
    return Status::OK();
  }

  Status FinishChunk(ColumnChunkOutput* out) override {
    GAGGLE_RETURN_IF_ERROR(FlushPage());
    if (used_dictionary_) {
      GAGGLE_RETURN_IF_ERROR(
          builder_.SetDictionaryPage(dictionary_.plain_data(), static_cast<int32_t>(dictionary_.size())));
    }
    Statistics stats;
    FillStatistics(chunk_minmax_, &stats);
    if (used_dictionary_ && !fell_back_ && !std::is_floating_point_v<Phys>) {
      stats.distinct_count = static_cast<int64_t>(dictionary_.size());
    }
    FinishMeta(out, std::move(stats));
    return Status::OK();
  }

 private:
  size_t page_bytes_estimate() const override {
    if (!dictionary_mode_) return values_.size();
    return indices_.size() * static_cast<size_t>(std::max(1, BitWidth(dictionary_.size()))) / 8;
  }

  void ResetTyped() override {
    dictionary_.Clear();
    chunk_minmax_.Reset();
  }

  size_t RowsThatFit() const {
    size_t used = page_bytes_estimate();
    size_t left = options_.page_bytes > used ? options_.page_bytes - used : 0;
    size_t per_value_bits =
        dictionary_mode_ ? static_cast<size_t>(std::max(1, BitWidth(dictionary_.size()))) : 8 * sizeof(Phys);
    return std::max<size_t>(1, left * 8 / per_value_bits);
  }

  Status CheckDecimals(const Src* src, const uint8_t* valid, size_t offset, size_t count) const {
    for (size_t i = 0; i < count; ++i) {
      if (valid != nullptr && !valid[i]) continue;
      Int128 v = static_cast<Int128>(src[i]);
      if (v <= -decimal_limit_ || v >= decimal_limit_) {
        return Status::InvalidArgument("Parquet column '" + field_.name + "': row " + std::to_string(offset + i) +
                                       " of the batch holds unscaled value " + FormatDecimal128(v, 0) +
                                       ", which does not fit " + field_.type.ToString());
      }
    }
    return Status::OK();
  }

  // Min/max in the physical order; FIXED_LEN_BYTE_ARRAY decimals get no legacy min/max (those
  // were defined with signed byte order, which is not the numbers' order).
  static void FillStatistics(const MinMax<Phys>& minmax, Statistics* stats) {
    minmax.FillStatistics(stats);
    if constexpr (std::is_same_v<Phys, BigEndianDecimal128>) {
      stats->min.reset();
      stats->max.reset();
    }
  }

  size_t WritePlain(const Src* src, const uint8_t* valid, size_t n) {
    size_t pos = values_.size();
    values_.resize(pos + n * sizeof(Phys));
    Phys* out = reinterpret_cast<Phys*>(values_.data() + pos);
    size_t k = 0;
    if (valid == nullptr) {
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<Phys>(src[i]);
      k = n;
    } else {
      for (size_t i = 0; i < n; ++i) {
        out[k] = static_cast<Phys>(src[i]);
        k += valid[i];
      }
      page_nulls_ += n - k;
      values_.resize(pos + k * sizeof(Phys));
    }
    page_minmax_.UpdateRange(reinterpret_cast<const Phys*>(values_.data() + pos), k);
    return n;
  }

  // Returns the rows consumed: all n, or fewer when the dictionary overflowed.
  size_t WriteDictionary(const Src* src, const uint8_t* valid, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (valid != nullptr && !valid[i]) {
        ++page_nulls_;
        continue;
      }
      Phys v = static_cast<Phys>(src[i]);
      bool inserted = false;
      indices_.push_back(dictionary_.GetOrInsert(v, &inserted));
      page_minmax_.Update(v);
      if (inserted && DictionaryTooBig(dictionary_.plain_bytes(), dictionary_.size())) {
        fell_back_ = true;
        return i + 1;
      }
    }
    return n;
  }

  // See ColumnWriterBase::LeaveDictionary.
  Status LeaveDictionary() {
    if (used_dictionary_) {
      GAGGLE_RETURN_IF_ERROR(FlushPage());
    } else {
      const char* entries = dictionary_.plain_data().data();  // PLAIN: sizeof(Phys) bytes per entry
      const size_t at = values_.size();
      values_.resize(at + indices_.size() * sizeof(Phys));
      for (size_t k = 0; k < indices_.size(); ++k) {
        std::memcpy(values_.data() + at + k * sizeof(Phys), entries + size_t{indices_[k]} * sizeof(Phys), sizeof(Phys));
      }
      indices_.clear();
      dictionary_.Clear();
    }
    dictionary_mode_ = false;
    return PageFull() ? FlushPage() : Status::OK();
  }

  Status FlushPage() {
    if (page_rows_ == 0) return Status::OK();
    Statistics stats;
    FillStatistics(page_minmax_, &stats);
    if (dictionary_mode_ && !indices_.empty()) {
      used_dictionary_ = true;
      GAGGLE_RETURN_IF_ERROR(EmitPage(EncodeIndices(indices_, dictionary_.size()), Encoding::kRleDictionary, &stats));
    } else {
      GAGGLE_RETURN_IF_ERROR(EmitPage(values_, Encoding::kPlain, &stats));  // a page of nulls only has no values
    }
    chunk_minmax_.Merge(page_minmax_);
    page_minmax_.Reset();
    values_.clear();
    indices_.clear();
    return Status::OK();
  }

  Int128 decimal_limit_ = 0;  // 10^precision for decimals, else 0
  std::string values_;        // PLAIN values of the page in progress
  std::vector<uint32_t> indices_;
  FixedDictionary<Phys> dictionary_;
  MinMax<Phys> page_minmax_;
  MinMax<Phys> chunk_minmax_;
};

// ---------------------------------------------------------------- boolean (PLAIN only)

class BoolColumnWriter final : public ColumnWriterBase {
 public:
  BoolColumnWriter(const Field& field, const ColumnWriterOptions& options, const LeafLevels* leaf)
      : ColumnWriterBase(field, options, leaf) {
    dictionary_mode_ = false;
  }

  Status Write(const Column& column, size_t offset, size_t count) override {
    const uint8_t* valid = nullptr;
    GAGGLE_RETURN_IF_ERROR(BeginSlice(column, offset, count, &valid));
    dictionary_mode_ = false;
    const uint8_t* src = column.data<uint8_t>() + offset;
    size_t done = 0;
    while (done < count) {
      size_t left = options_.page_bytes > bits_.size() ? options_.page_bytes - bits_.size() : 0;
      size_t n = std::min(count - done, std::max<size_t>(8, left * 8));
      for (size_t i = done; i < done + n; ++i) {
        if (valid != nullptr && !valid[i]) {
          ++page_nulls_;
          continue;
        }
        bool b = src[i] != 0;
        bits_.Put(b);
        page_minmax_.Update(b ? 1 : 0);
      }
      PutLevels(valid == nullptr ? nullptr : valid + done, n);
      done += n;
      if (PageFull() && AtRowBoundary()) GAGGLE_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

  Status FinishChunk(ColumnChunkOutput* out) override {
    GAGGLE_RETURN_IF_ERROR(FlushPage());
    Statistics stats;
    chunk_minmax_.FillStatistics(&stats);
    FinishMeta(out, std::move(stats));
    return Status::OK();
  }

 private:
  size_t page_bytes_estimate() const override { return bits_.size(); }
  void ResetTyped() override { chunk_minmax_.Reset(); }

  Status FlushPage() {
    if (page_rows_ == 0) return Status::OK();
    Statistics stats;
    page_minmax_.FillStatistics(&stats);
    values_.clear();
    bits_.FinishTo(&values_);
    GAGGLE_RETURN_IF_ERROR(EmitPage(values_, Encoding::kPlain, &stats));
    chunk_minmax_.Merge(page_minmax_);
    page_minmax_.Reset();
    return Status::OK();
  }

  BitPacker bits_;
  std::string values_;
  MinMax<uint8_t> page_minmax_;
  MinMax<uint8_t> chunk_minmax_;
};

// ---------------------------------------------------------------- byte arrays

class ByteArrayColumnWriter final : public ColumnWriterBase {
 public:
  using ColumnWriterBase::ColumnWriterBase;

  Status Write(const Column& column, size_t offset, size_t count) override {
    const uint8_t* valid = nullptr;
    GAGGLE_RETURN_IF_ERROR(BeginSlice(column, offset, count, &valid));
    const uint64_t* offsets = column.offsets().data() + offset;
    const char* chars = column.chars().data();
    size_t done = 0;
    while (done < count) {
      const uint8_t* v = valid == nullptr ? nullptr : valid + done;
      size_t n = count - done;
      size_t used =
          dictionary_mode_ ? WriteDictionary(offsets + done, chars, v, n) : WritePlain(offsets + done, chars, v, n);
      PutLevels(v, used);
      done += used;
      if (!AtRowBoundary()) continue;
      if (fell_back_ && dictionary_mode_) {
        GAGGLE_RETURN_IF_ERROR(LeaveDictionary());
      } else if (PageFull()) {
        GAGGLE_RETURN_IF_ERROR(FlushPage());
      }
    }
    return Status::OK();
  }

  Status FinishChunk(ColumnChunkOutput* out) override {
    GAGGLE_RETURN_IF_ERROR(FlushPage());
    if (used_dictionary_) {
      GAGGLE_RETURN_IF_ERROR(
          builder_.SetDictionaryPage(dictionary_.plain_data(), static_cast<int32_t>(dictionary_.size())));
    }
    Statistics stats;
    minmax_.FillStatistics(&stats);
    if (used_dictionary_ && !fell_back_) stats.distinct_count = static_cast<int64_t>(dictionary_.size());
    FinishMeta(out, std::move(stats));
    return Status::OK();
  }

 private:
  size_t page_bytes_estimate() const override {
    if (!dictionary_mode_) return values_.size();
    return indices_.size() * static_cast<size_t>(std::max(1, BitWidth(dictionary_.size()))) / 8;
  }
  void ResetTyped() override {
    dictionary_.Clear();
    minmax_.Reset();
  }

  static std::string_view ValueAt(const uint64_t* offsets, const char* chars, size_t i) {
    return std::string_view(chars + offsets[i], offsets[i + 1] - offsets[i]);
  }

  // Both loops stop early once the page is full; they return the rows consumed.
  size_t WritePlain(const uint64_t* offsets, const char* chars, const uint8_t* valid, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (valid != nullptr && !valid[i]) {
        ++page_nulls_;
        continue;
      }
      std::string_view s = ValueAt(offsets, chars, i);
      AppendPlainByteArray(s, &values_);
      minmax_.Update(s);
      if (values_.size() >= options_.page_bytes) return i + 1;
    }
    return n;
  }

  size_t WriteDictionary(const uint64_t* offsets, const char* chars, const uint8_t* valid, size_t n) {
    size_t page_limit_indices =
        options_.page_bytes * 8 / static_cast<size_t>(std::max(1, BitWidth(dictionary_.size())));
    for (size_t i = 0; i < n; ++i) {
      if (valid != nullptr && !valid[i]) {
        ++page_nulls_;
        continue;
      }
      std::string_view s = ValueAt(offsets, chars, i);
      bool inserted = false;
      indices_.push_back(dictionary_.GetOrInsert(s, &inserted));
      if (inserted) {
        // Every value of the chunk enters the dictionary once, so the chunk's min/max
        // only needs the new entries.
        minmax_.Update(s);
        if (DictionaryTooBig(dictionary_.plain_bytes(), dictionary_.size())) {
          fell_back_ = true;
          return i + 1;
        }
        page_limit_indices = options_.page_bytes * 8 / static_cast<size_t>(std::max(1, BitWidth(dictionary_.size())));
      }
      if (indices_.size() >= page_limit_indices) return i + 1;
    }
    return n;
  }

  // See ColumnWriterBase::LeaveDictionary.
  Status LeaveDictionary() {
    if (used_dictionary_) {
      GAGGLE_RETURN_IF_ERROR(FlushPage());
    } else {
      for (uint32_t i : indices_) AppendPlainByteArray(dictionary_.value(i), &values_);
      indices_.clear();
      dictionary_.Clear();
    }
    dictionary_mode_ = false;
    return PageFull() ? FlushPage() : Status::OK();
  }

  Status FlushPage() {
    if (page_rows_ == 0) return Status::OK();
    Statistics stats;  // null_count only: per-page byte-array min/max would cost a compare per value
    if (dictionary_mode_ && !indices_.empty()) {
      used_dictionary_ = true;
      GAGGLE_RETURN_IF_ERROR(EmitPage(EncodeIndices(indices_, dictionary_.size()), Encoding::kRleDictionary, &stats));
    } else {
      GAGGLE_RETURN_IF_ERROR(EmitPage(values_, Encoding::kPlain, &stats));
    }
    values_.clear();
    indices_.clear();
    return Status::OK();
  }

  std::string values_;
  std::vector<uint32_t> indices_;
  ByteArrayDictionary dictionary_;
  ByteArrayMinMax minmax_;
};

}  // namespace

Result<std::unique_ptr<ColumnWriter>> MakeColumnWriter(const Field& field, const ColumnWriterOptions& options,
                                                       const LeafLevels* leaf) {
  std::unique_ptr<ColumnWriter> w;
  const ColumnWriterOptions& o = options;
  switch (field.type.id) {
    case TypeId::kBool: w = std::make_unique<BoolColumnWriter>(field, o, leaf); break;
    case TypeId::kInt32:
    case TypeId::kDate: w = std::make_unique<FixedColumnWriter<int32_t, int32_t>>(field, o, leaf); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: w = std::make_unique<FixedColumnWriter<int64_t, int64_t>>(field, o, leaf); break;
    case TypeId::kFloat: w = std::make_unique<FixedColumnWriter<float, float>>(field, o, leaf); break;
    case TypeId::kDouble: w = std::make_unique<FixedColumnWriter<double, double>>(field, o, leaf); break;
    case TypeId::kString:
    case TypeId::kBinary: w = std::make_unique<ByteArrayColumnWriter>(field, o, leaf); break;
    case TypeId::kDecimal:
      if (field.type.precision < 1 || field.type.precision > kMaxDecimalPrecision) {
        return Status::InvalidArgument("Parquet column '" + field.name + "': " + field.type.ToString() +
                                       " is outside precision 1..38");
      }
      if (field.type.is_wide_decimal()) {
        w = std::make_unique<FixedColumnWriter<Int128, BigEndianDecimal128>>(field, o, leaf);
      } else if (PhysicalTypeFor(field.type) == PhysicalType::kInt32) {
        w = std::make_unique<FixedColumnWriter<int64_t, int32_t>>(field, o, leaf);
      } else {
        w = std::make_unique<FixedColumnWriter<int64_t, int64_t>>(field, o, leaf);
      }
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return Status::Internal("Parquet column '" + field.name + "': a nested type is written by its leaves");
  }
  if (w == nullptr) return Status::Internal("no Parquet column writer for " + field.type.ToString());
  return w;
}

}  // namespace gaggle::parquet
