// The nested half of ParquetColumnDecoder (declared in parquet_column_decoder.h): level sections
// of a page (repetition then definition levels), a window of decoded levels, and ReadNested,
// which hands out whole rows of level entries plus the leaf's slots.
#include <algorithm>
#include <cstring>

#include "formats/parquet/parquet_column_decoder.h"

namespace gaggle::parquet {
namespace {

// Levels are decoded this many at a time: the window stays small whatever the page holds.
constexpr size_t kLevelWindow = 4096;

}  // namespace

Status ParquetColumnDecoder::StartNestedLevels(const uint8_t** data, size_t* size) {
  const int rep_width = BitWidth(static_cast<uint64_t>(leaf_.max_repetition_level));
  const int def_width = BitWidth(static_cast<uint64_t>(leaf_.max_definition_level));
  window_def_.clear();
  window_rep_.clear();
  window_pos_ = 0;
  if (page_.v2) {
    rep_decoder_.Reset(reinterpret_cast<const uint8_t*>(page_.rep_levels.data()), page_.rep_levels.size(), rep_width);
    levels_decoder_.Reset(reinterpret_cast<const uint8_t*>(page_.levels.data()), page_.levels.size(), def_width);
    return Status::OK();
  }
  // Data page v1: each level section present is a 4-byte length, then the RLE/bit-packed hybrid.
  auto section = [&](const char* what, Encoding encoding, int width, RleBitPackedDecoder* decoder) -> Status {
    if (encoding != Encoding::kRle) {
      return Wrap(Status::Unsupported(std::string(what) + " levels encoded as " + EncodingName(encoding)));
    }
    uint32_t len = 0;
    if (*size < 4) return PageError(std::string("page too short for its ") + what + " levels' length");
    std::memcpy(&len, *data, 4);
    if (len > *size - 4) {
      return PageError(std::string(what) + " levels of " + std::to_string(len) + " bytes run past the page's " +
                       std::to_string(*size) + " bytes");
    }
    decoder->Reset(*data + 4, len, width);
    *data += 4 + len;
    *size -= 4 + static_cast<size_t>(len);
    return Status::OK();
  };
  if (leaf_.max_repetition_level > 0) {
    GAGGLE_RETURN_IF_ERROR(section("repetition", page_.repetition_level_encoding, rep_width, &rep_decoder_));
  }
  if (leaf_.max_definition_level > 0) {
    GAGGLE_RETURN_IF_ERROR(section("definition", page_.definition_level_encoding, def_width, &levels_decoder_));
  }
  return Status::OK();
}

Status ParquetColumnDecoder::FillLevelWindow() {
  const size_t k = static_cast<size_t>(std::min<int64_t>(page_rows_left_, static_cast<int64_t>(kLevelWindow)));
  window_def_.resize(k);
  window_rep_.resize(k);
  window_pos_ = 0;
  if (leaf_.max_repetition_level > 0) {
    Status st = rep_decoder_.GetBatch(window_rep_.data(), k);
    if (!st.ok()) return PageError("repetition levels: " + st.message());
  } else {
    std::fill(window_rep_.begin(), window_rep_.end(), int16_t{0});
  }
  if (leaf_.max_definition_level > 0) {
    Status st = levels_decoder_.GetBatch(window_def_.data(), k);
    if (!st.ok()) return PageError("definition levels: " + st.message());
  } else {
    std::fill(window_def_.begin(), window_def_.end(), int16_t{0});
  }
  page_rows_left_ -= static_cast<int64_t>(k);
  return Status::OK();
}

Status ParquetColumnDecoder::CheckEntry(int16_t rep, int16_t def) const {
  if (def < 0 || def > leaf_.max_definition_level) {
    return PageError("definition level " + std::to_string(def) + " is over the column's maximum " +
                     std::to_string(leaf_.max_definition_level));
  }
  if (rep < 0 || rep > leaf_.max_repetition_level) {
    return PageError("repetition level " + std::to_string(rep) + " is over the column's maximum " +
                     std::to_string(leaf_.max_repetition_level));
  }
  if (rep > 0 && def < leaf_.repeated_definition_levels[static_cast<size_t>(rep - 1)]) {
    return PageError("repetition level " + std::to_string(rep) + " continues a list that definition level " +
                     std::to_string(def) + " says is empty or null");
  }
  if (rep > 0 && !row_open_)
    return PageError("the column chunk starts inside a row (repetition level " + std::to_string(rep) + ")");
  return Status::OK();
}

Status ParquetColumnDecoder::ConsumeEntries(size_t begin, size_t end, LevelBatch* levels, Column* out) {
  if (begin == end) return Status::OK();
  if (levels->def.size() + (end - begin) > kMaxBatchLevels) {
    return Status::Unsupported(context_.Where() + ": one batch would hold more than " +
                               std::to_string(kMaxBatchLevels) +
                               " values of this nested column; read with smaller batches");
  }
  const int16_t* def = window_def_.data();
  levels->def.insert(levels->def.end(), def + begin, def + end);
  levels->rep.insert(levels->rep.end(), window_rep_.data() + begin, window_rep_.data() + end);
  const int16_t slot = leaf_.slot_definition_level;
  const int16_t present = leaf_.max_definition_level;
  levels_.resize(end - begin);
  size_t k = 0, valid = 0;
  for (size_t e = begin; e < end; ++e) {
    if (def[e] < slot) continue;
    const uint8_t v = def[e] == present ? 1 : 0;
    levels_[k++] = v;
    valid += v;
  }
  levels_.resize(k);
  if (k == 0) return Status::OK();
  return ReadSlots(k, valid, out);
}

Status ParquetColumnDecoder::ReadNested(size_t rows, LevelBatch* levels, Column* out) {
  if (static_cast<int64_t>(rows) > rows_left()) {
    return Status::Internal(context_.Where() + ": asked for " + std::to_string(rows) + " rows, " +
                            std::to_string(rows_left()) + " left");
  }
  if (rows == 0) return Status::OK();
  const bool last = static_cast<int64_t>(rows) == rows_left();
  size_t started = 0;
  while (true) {
    if (window_pos_ == window_def_.size()) {
      if (page_rows_left_ == 0) {
        // The last row asked for may continue on the next page: look unless the chunk has ended.
        bool end = false;
        GAGGLE_RETURN_IF_ERROR(NextDataPage(started == rows && last ? &end : nullptr));
        if (end) break;
      }
      GAGGLE_RETURN_IF_ERROR(FillLevelWindow());
    }
    const size_t begin = window_pos_;
    size_t e = begin;
    bool next_row = false;
    for (; e < window_def_.size(); ++e) {
      const int16_t rep = window_rep_[e];
      GAGGLE_RETURN_IF_ERROR(CheckEntry(rep, window_def_[e]));
      if (rep == 0) {
        if (started == rows) {
          next_row = true;
          break;
        }
        ++started;
        row_open_ = true;
      }
    }
    GAGGLE_RETURN_IF_ERROR(ConsumeEntries(begin, e, levels, out));
    window_pos_ = e;
    if (next_row) {
      if (last) return PageError("the column chunk holds more rows than its row group's " + std::to_string(num_rows_));
      break;
    }
  }
  rows_read_ += static_cast<int64_t>(rows);
  return Status::OK();
}

}  // namespace gaggle::parquet
