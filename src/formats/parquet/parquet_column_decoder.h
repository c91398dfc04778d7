// ParquetColumnDecoder: reads the values of one leaf column, one column chunk (row group)
// after another, and appends them to a gaggle Column of the leaf's type. A flat leaf yields one
// value (or null) per row through Read. A nested leaf (LeafColumn::nested) yields, through
// ReadNested, the level entries of whole rows plus the leaf's slots; parquet_record_assembler.h
// builds the nested column from them (parquet_nested_leaf.cc holds that half of the class).
//
// Per chunk it checks the chunk's metadata against the leaf and the file (physical type, codec,
// byte range inside the data region, value count = the row group's rows), then pulls pages from a
// ParquetPageReader as rows are asked for: a dictionary page (PLAIN entries, converted to the
// gaggle type once), then data pages v1 or v2 whose definition levels (RLE/bit-packed) say which
// rows are null and whose values are PLAIN, dictionary indices (PLAIN_DICTIONARY, RLE_DICTIONARY)
// or any encoding ParquetValueDecoder knows. Values become gaggle values by the leaf's
// ValueConversion (timestamp units, unsigned and decimal widening, big-endian decimal bytes);
// a value that does not fit is Unsupported naming the row.
//
// Every count and index is checked: levels against the page's value count, dictionary indices
// against the dictionary's size, value bytes against the page. Errors name the file, column,
// row group and the page's byte offset (see ParquetChunkContext).
//
// Memory: one page (compressed + decompressed), the chunk's dictionary, and scratch buffers the
// size of one Read; all reused between chunks and batches. A single Read refuses to put more
// than kMaxBatchColumnBytes of string bytes into one column (a tiny dictionary page repeated by
// a long run of indices could otherwise ask for any amount of memory); use smaller batches.
// Thread-safety: one instance per thread; the RandomAccessFile must outlive the decoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "common/file_system.h"
#include "common/status.h"
#include "formats/parquet/parquet_levels.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_page_reader.h"
#include "formats/parquet/parquet_schema.h"
#include "formats/parquet/parquet_value_decoder.h"
#include "formats/parquet/rle_bit_packed.h"

namespace gaggle::parquet {

inline constexpr size_t kMaxBatchColumnBytes = size_t{1} << 30;
// Most level entries one ReadNested call appends (4 bytes each, per leaf): a few very long lists
// could otherwise ask for any amount of memory in one batch.
inline constexpr size_t kMaxBatchLevels = size_t{1} << 28;

// INT64 timestamp in millis or nanos -> micros: v * mul, floor-divided by div. False on overflow.
bool ScaleTimestamp(int64_t v, int64_t mul, int64_t div, int64_t* out);
// Big-endian two's complement bytes -> int64. Longer inputs are fine while the extra leading
// bytes only repeat the sign. False when empty or too large for 64 bits.
bool DecimalFromBytes(std::string_view bytes, int64_t* out);
// The same into 128 bits.
bool DecimalFromBytes(std::string_view bytes, Int128* out);
// INT96 (8 bytes little-endian nanoseconds of the day, then 4 bytes little-endian Julian
// day) -> microseconds since 1970-01-01 (floor). False when out of range.
bool Int96ToMicros(std::string_view twelve_bytes, int64_t* out);
// IEEE 754 half precision (little-endian) -> float, exactly (NaN stays NaN).
float HalfToFloat(uint16_t half);

class ParquetColumnDecoder {
 public:
  // `file` and `path` name the file for reads and messages; `leaf` is the column to decode.
  ParquetColumnDecoder(const RandomAccessFile* file, const std::string& path, const LeafColumn& leaf);

  // Starts on row group `row_group`, whose first row is `first_row` in the file and which holds
  // `num_rows` rows. `data_end` is the end of the region pages may occupy (the footer's start).
  Status StartChunk(const ColumnChunk& chunk, int row_group, int64_t first_row, int64_t num_rows, uint64_t data_end);

  // Appends the next n rows of the current chunk to *out (of the leaf's gaggle type).
  // REQUIRES: a flat leaf; n <= rows_left().
  Status Read(size_t n, Column* out);

  // Nested leaves: appends the level entries of the next `rows` rows of the current chunk to
  // *levels, and to *out one slot per entry whose definition level reaches the leaf's
  // slot_definition_level: the value when it reaches max_definition_level, else null. Entries
  // are checked (levels within their maximum, a repetition level only where its repeated
  // ancestor is non-empty, rows starting where the chunk says); a batch holding more than
  // kMaxBatchLevels entries is Unsupported (read with smaller batches).
  // REQUIRES: a nested leaf; rows <= rows_left().
  Status ReadNested(size_t rows, LevelBatch* levels, Column* out);

  int64_t rows_left() const { return num_rows_ - rows_read_; }

  // See ParquetPageReader::set_v2_always_compressed (files of parquet-cpp before Arrow 3.0).
  void set_v2_always_compressed(bool v) { pages_.set_v2_always_compressed(v); }

 private:
  // How stored values become gaggle values (from the physical type and the leaf's conversion).
  enum class Kind : uint8_t {
    kBool,
    kInt32,
    kInt32ToInt64,
    kUint32ToInt64,
    kInt64,
    kUint64,
    kTimestamp,
    kFloat,
    kDouble,
    kBytes,
    kDecimalBytes,     // -> int64 unscaled
    kDecimalBytes128,  // -> Int128 unscaled
    kDecimalText,      // -> string
    kIntToInt128,      // INT32 or INT64 decimal -> Int128
    kInt96,            // -> int64 micros
    kFloat16,          // -> float
  };

  // Moves to the next data page. With `end_of_chunk`, the end of the chunk sets it and is not an error.
  Status NextDataPage(bool* end_of_chunk = nullptr);
  Status LoadDictionary(const ParquetPage& page);
  Status ReadFromPage(size_t k, Column* out);
  // Decodes `valid` values into k slots of *out, spread by levels_ (1 = value) when valid < k.
  Status ReadSlots(size_t k, size_t valid, Column* out);
  // Nested leaves (parquet_nested_leaf.cc): the page's level sections, the level window.
  Status StartNestedLevels(const uint8_t** data, size_t* size);
  Status FillLevelWindow();
  Status CheckEntry(int16_t rep, int16_t def) const;
  Status ConsumeEntries(size_t begin, size_t end, LevelBatch* levels, Column* out);
  template <typename T>
  Status ReadFixed(size_t k, size_t valid, Column* out);
  Status ReadBytes(size_t k, size_t valid, Column* out);
  // Decodes n non-dictionary values into dst (the gaggle storage type). When a value does not
  // convert: with `bad` null, returns Corruption naming the row; else marks bad[i] and goes on.
  Status DecodeValues(size_t n, void* dst, std::vector<uint8_t>* bad);
  // DecodeValues for the kinds whose stored values are byte strings (decimals, INT96, FLOAT16).
  Status DecodeFromBytes(size_t n, void* dst, std::vector<uint8_t>* bad);
  // kDecimalText: n stored values as decimal text, appended to *texts (a dictionary or a page).
  Status DecodeDecimalTexts(size_t n, Column* texts, std::vector<uint8_t>* bad);
  Status GatherIndices(size_t n);
  // Names the row of the value_index-th non-null value of the current Read. `unsupported`: the
  // value is valid Parquet but does not fit the gaggle type (Unsupported); else Corruption.
  Status ValueError(size_t value_index, const std::string& what, bool unsupported = false) const;
  Status PageError(const std::string& what) const { return context_.Corruption(page_.offset, what); }
  Status Wrap(const Status& st) const { return context_.Wrap(st, page_.offset); }

  const RandomAccessFile* file_;
  LeafColumn leaf_;
  Kind kind_ = Kind::kInt32;
  ParquetChunkContext context_;
  ParquetPageReader pages_;
  ParquetPage page_;

  int64_t first_row_ = 0;
  int64_t num_rows_ = 0;
  int64_t rows_read_ = 0;
  int64_t page_rows_left_ = 0;
  bool seen_data_page_ = false;

  bool has_dictionary_ = false;
  Column dictionary_;                    // entries converted to the gaggle type
  std::vector<uint8_t> dictionary_bad_;  // entries whose conversion failed (error only if used)
  bool dictionary_has_bad_ = false;

  bool dictionary_page_ = false;  // the current data page holds dictionary indices
  RleBitPackedDecoder levels_decoder_;
  RleBitPackedDecoder index_decoder_;
  ParquetValueDecoder values_;

  // Nested leaves: repetition levels of the page, and a window of decoded levels.
  RleBitPackedDecoder rep_decoder_;
  std::vector<int16_t> window_def_;
  std::vector<int16_t> window_rep_;
  size_t window_pos_ = 0;
  bool row_open_ = false;  // an entry of this chunk was read (so the next may continue its row)

  std::vector<uint8_t> levels_;
  std::vector<uint32_t> indices_;
  std::vector<std::string_view> views_;
  std::vector<int32_t> narrow_;        // INT32 values before widening to int64
  std::vector<int64_t> wide_scratch_;  // INT64 values before widening to Int128
  Column texts_{DataType::String()};   // kDecimalText: one page's values as text
};

}  // namespace gaggle::parquet
