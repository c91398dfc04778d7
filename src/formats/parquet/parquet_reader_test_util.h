// Test helpers for the Parquet reader's tests (header-only, not part of the library): encoders for
// the delta encodings and a builder of small hand-made Parquet files whose every page the test
// controls (so corruptions and rare encodings can be produced on purpose).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "formats/compression.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/rle_bit_packed.h"

namespace gaggle::parquet {

inline void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

// DELTA_BINARY_PACKED with `block` values per block in `miniblocks` miniblocks.
inline std::string EncodeDeltaBinaryPacked(const std::vector<int64_t>& values, uint64_t block, uint64_t miniblocks) {
  std::string out;
  PutVarint(block, &out);
  PutVarint(miniblocks, &out);
  PutVarint(values.size(), &out);
  PutVarint(ZigZag(values.empty() ? 0 : values[0]), &out);
  std::vector<uint64_t> deltas;
  for (size_t i = 1; i < values.size(); ++i) {
    deltas.push_back(static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(values[i - 1]));
  }
  const uint64_t per_mini = block / miniblocks;
  for (size_t start = 0; start < deltas.size(); start += block) {
    size_t end = std::min<size_t>(deltas.size(), start + block);
    int64_t min_delta = static_cast<int64_t>(deltas[start]);
    for (size_t i = start; i < end; ++i) min_delta = std::min(min_delta, static_cast<int64_t>(deltas[i]));
    PutVarint(ZigZag(min_delta), &out);
    std::vector<int> widths(miniblocks, 0);
    for (uint64_t m = 0; m < miniblocks; ++m) {
      for (size_t i = start + m * per_mini; i < std::min<size_t>(end, start + (m + 1) * per_mini); ++i) {
        widths[m] = std::max(widths[m], BitWidth(deltas[i] - static_cast<uint64_t>(min_delta)));
      }
    }
    for (int w : widths) out.push_back(static_cast<char>(w));
    for (uint64_t m = 0; m < miniblocks && start + m * per_mini < end; ++m) {
      std::string bits((per_mini * static_cast<uint64_t>(widths[m]) + 7) / 8, '\0');
      for (uint64_t j = 0; j < per_mini; ++j) {
        size_t i = start + m * per_mini + j;
        uint64_t v = i < end ? deltas[i] - static_cast<uint64_t>(min_delta) : 0;
        for (int b = 0; b < widths[m]; ++b) {
          if ((v >> b) & 1) {
            size_t bit = j * static_cast<uint64_t>(widths[m]) + static_cast<size_t>(b);
            bits[bit / 8] = static_cast<char>(bits[bit / 8] | (1 << (bit % 8)));
          }
        }
      }
      out += bits;
    }
  }
  return out;
}

inline std::string EncodeDeltaLengthByteArray(const std::vector<std::string>& values) {
  std::vector<int64_t> lengths;
  std::string bytes;
  for (const std::string& v : values) {
    lengths.push_back(static_cast<int64_t>(v.size()));
    bytes += v;
  }
  return EncodeDeltaBinaryPacked(lengths, 128, 4) + bytes;
}

inline std::string EncodeDeltaByteArray(const std::vector<std::string>& values) {
  std::vector<int64_t> prefixes;
  std::vector<std::string> suffixes;
  std::string previous;
  for (const std::string& v : values) {
    size_t p = 0;
    while (p < v.size() && p < previous.size() && v[p] == previous[p]) ++p;
    prefixes.push_back(static_cast<int64_t>(p));
    suffixes.push_back(v.substr(p));
    previous = v;
  }
  return EncodeDeltaBinaryPacked(prefixes, 128, 4) + EncodeDeltaLengthByteArray(suffixes);
}

template <typename T>
std::string PlainFixed(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string PlainByteArrays(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    uint32_t len = static_cast<uint32_t>(v.size());
    out.append(reinterpret_cast<const char*>(&len), 4);
    out += v;
  }
  return out;
}

// RLE/bit-packed hybrid at `bit_width`, without any prefix.
inline std::string Hybrid(const std::vector<uint32_t>& values, int bit_width) {
  RleBitPackedEncoder enc(bit_width);
  for (uint32_t v : values) enc.Put(v);
  std::string out;
  enc.FinishTo(&out);
  return out;
}

// Definition levels as a v1 data page stores them: 4-byte length, then the hybrid at width 1.
inline std::string V1Levels(const std::vector<uint32_t>& levels) {
  std::string body = Hybrid(levels, 1);
  uint32_t len = static_cast<uint32_t>(body.size());
  return std::string(reinterpret_cast<const char*>(&len), 4) + body;
}

inline std::string DataPageV1(int32_t num_values, Encoding encoding, const std::string& body) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(body.size());
  h.data_page_header.emplace();
  h.data_page_header->num_values = num_values;
  h.data_page_header->encoding = encoding;
  return Serialize(h) + body;
}

// Data page v2: levels (hybrid at width 1, no length prefix) stay uncompressed; the values are
// compressed with `codec` when `is_compressed`.
inline std::string DataPageV2(int32_t num_values, int32_t num_nulls, Encoding encoding, const std::string& levels,
                              const std::string& values, Compression codec = Compression::kNone,
                              bool is_compressed = true) {
  std::string stored = values;
  if (is_compressed && codec != Compression::kNone) {
    if (!Compress(codec, 0, values, &stored).ok()) return "compression failed";
  }
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.uncompressed_page_size = static_cast<int32_t>(levels.size() + values.size());
  h.compressed_page_size = static_cast<int32_t>(levels.size() + stored.size());
  DataPageHeaderV2& v2 = h.data_page_header_v2.emplace();
  v2.num_values = num_values;
  v2.num_nulls = num_nulls;
  v2.num_rows = num_values;
  v2.encoding = encoding;
  v2.definition_levels_byte_length = static_cast<int32_t>(levels.size());
  v2.repetition_levels_byte_length = 0;
  v2.is_compressed = is_compressed;
  return Serialize(h) + levels + stored;
}

inline std::string DictionaryPage(int32_t num_values, const std::string& body) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(body.size());
  h.dictionary_page_header.emplace();
  h.dictionary_page_header->num_values = num_values;
  h.dictionary_page_header->encoding = Encoding::kPlain;
  return Serialize(h) + body;
}

inline SchemaElement Leaf(const std::string& name, PhysicalType type, Repetition repetition,
                          std::optional<ConvertedType> converted = std::nullopt) {
  SchemaElement e;
  e.name = name;
  e.type = type;
  e.repetition_type = repetition;
  e.converted_type = converted;
  return e;
}

struct TestChunk {
  std::string pages;            // serialized pages, dictionary page first
  size_t dictionary_bytes = 0;  // bytes of `pages` taken by the dictionary page (0: none)
  int64_t num_values = 0;
  CompressionCodec codec = CompressionCodec::kUncompressed;
};

// "PAR1", the chunks of each row group in order, the footer describing them, "PAR1".
// row_groups[g][c] is column c of row group g; every row group holds its chunks' num_values rows.
inline std::string BuildParquetFile(const std::vector<SchemaElement>& leaves,
                                    const std::vector<std::vector<TestChunk>>& row_groups) {
  std::string file = "PAR1";
  FileMetaData meta;
  SchemaElement& root = meta.schema.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(leaves.size());
  meta.schema.insert(meta.schema.end(), leaves.begin(), leaves.end());
  for (const std::vector<TestChunk>& chunks : row_groups) {
    RowGroup& rg = meta.row_groups.emplace_back();
    for (size_t c = 0; c < chunks.size(); ++c) {
      const TestChunk& t = chunks[c];
      ColumnChunk& cc = rg.columns.emplace_back();
      cc.file_offset = static_cast<int64_t>(file.size());
      ColumnMetaData& m = cc.meta_data.emplace();
      m.type = leaves[c].type.value_or(PhysicalType::kInt32);
      m.encodings = {Encoding::kPlain, Encoding::kRle};
      m.path_in_schema = {leaves[c].name};
      m.codec = t.codec;
      m.num_values = t.num_values;
      m.total_compressed_size = static_cast<int64_t>(t.pages.size());
      m.total_uncompressed_size = static_cast<int64_t>(t.pages.size());
      if (t.dictionary_bytes > 0) m.dictionary_page_offset = static_cast<int64_t>(file.size());
      m.data_page_offset = static_cast<int64_t>(file.size() + t.dictionary_bytes);
      file += t.pages;
      rg.num_rows = t.num_values;
      rg.total_byte_size += static_cast<int64_t>(t.pages.size());
    }
    meta.num_rows += rg.num_rows;
  }
  meta.created_by = "gaggle reader tests";
  std::string footer = Serialize(meta);
  uint32_t len = static_cast<uint32_t>(footer.size());
  file += footer;
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += "PAR1";
  return file;
}

}  // namespace gaggle::parquet
