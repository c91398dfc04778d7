// Fuzz target: arbitrary repetition and definition levels for the leaves of nested columns,
// put into well-formed pages of an otherwise valid Parquet file, then read back. This reaches the
// level checks of ParquetColumnDecoder::ReadNested and the record assembly
// (parquet_record_assembler.h) far more often than mutating whole files does. Reading must fail
// cleanly or yield batches that keep RecordBatch's invariants.
//
// Input: shape (1 byte: one of kShapes), flags (1 byte: bit 0 data page v2, bit 1 two pages per
// leaf), rows (2 bytes LE), then per leaf: entries n (2 bytes LE), n definition levels (1 byte
// each, masked to the level's bit width), n repetition levels (likewise), then the value of each
// entry whose level is the maximum (8 bytes int64, 4 int32, 1 bool, or 1 length byte + bytes for
// strings). Missing bytes read as zero. Seeds: fuzz/corpus/parquet_levels_fuzz
// (scripts/make-parquet-levels-seeds.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/parquet/parquet_bytes_file.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_schema.h"
#include "formats/parquet/rle_bit_packed.h"

namespace {

using namespace gaggle;           // NOLINT
using namespace gaggle::parquet;  // NOLINT

const char* const kShapes[] = {
    "a: list<int64>",
    "a: list<struct<x:int32,y:string>>",
    "a: map<string,list<int64>>",
    "a: struct<l:list<list<int32>>,b:bool not null> not null, c: int64",
    "a: list<list<list<int64 not null>>> not null",
};

struct Input {
  std::string_view data;
  size_t pos = 0;
  uint8_t Byte() { return pos < data.size() ? static_cast<uint8_t>(data[pos++]) : 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
};

std::string LevelSection(const std::vector<uint8_t>& levels, size_t begin, size_t end, int width, bool prefix) {
  RleBitPackedEncoder enc(width);
  for (size_t i = begin; i < end; ++i) enc.Put(levels[i]);
  std::string body;
  enc.FinishTo(&body);
  if (!prefix) return body;
  uint32_t len = static_cast<uint32_t>(body.size());
  return std::string(reinterpret_cast<const char*>(&len), 4) + body;
}

std::string Values(Input* in, const LeafColumn& leaf, const std::vector<uint8_t>& def, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (def[i] != leaf.max_definition_level) continue;
    size_t n = leaf.physical_type == PhysicalType::kInt64 ? 8 : leaf.physical_type == PhysicalType::kInt32 ? 4 : 1;
    if (leaf.physical_type == PhysicalType::kByteArray) {
      uint32_t len = in->Byte();
      out.append(reinterpret_cast<const char*>(&len), 4);
      n = len;
    }
    for (size_t k = 0; k < n; ++k) out.push_back(static_cast<char>(in->Byte()));
  }
  return out;
}

std::string Page(const LeafColumn& leaf, bool v2, const std::string& rep, const std::string& def,
                 const std::string& values, size_t entries) {
  PageHeader h;
  const std::string body = rep + def + values;
  h.uncompressed_page_size = h.compressed_page_size = static_cast<int32_t>(body.size());
  if (v2) {
    h.type = PageType::kDataPageV2;
    DataPageHeaderV2& d = h.data_page_header_v2.emplace();
    d.num_values = d.num_rows = static_cast<int32_t>(entries);
    d.repetition_levels_byte_length = static_cast<int32_t>(rep.size());
    d.definition_levels_byte_length = static_cast<int32_t>(def.size());
    d.is_compressed = false;
  } else {
    h.type = PageType::kDataPage;
    h.data_page_header.emplace().num_values = static_cast<int32_t>(entries);
  }
  (void)leaf;
  return Serialize(h) + body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{std::string_view(reinterpret_cast<const char*>(data), size)};
  const Schema schema = *ParseSchemaText(kShapes[in.Byte() % (sizeof(kShapes) / sizeof(kShapes[0]))]);
  const uint8_t flags = in.Byte();
  const int64_t rows = std::max<int64_t>(1, in.U16());
  Result<std::vector<SchemaElement>> elements = ToParquetSchema(schema);
  Result<ParquetSchema> levels = elements.ok() ? FromParquetSchema(*elements) : elements.status();
  if (!levels.ok()) std::abort();  // the shapes are valid: gaggle must read what it writes

  std::string file = "PAR1";
  FileMetaData meta;
  meta.schema = *elements;
  meta.num_rows = rows;
  RowGroup& rg = meta.row_groups.emplace_back();
  rg.num_rows = rows;
  for (const LeafColumn& leaf : levels->leaves) {
    const size_t n = in.U16();
    std::vector<uint8_t> def(n), rep(n);
    const int dw = BitWidth(static_cast<uint64_t>(leaf.max_definition_level));
    const int rw = BitWidth(static_cast<uint64_t>(leaf.max_repetition_level));
    for (uint8_t& d : def) d = static_cast<uint8_t>(in.Byte() & ((1u << dw) - 1));
    for (uint8_t& r : rep) r = static_cast<uint8_t>(in.Byte() & ((1u << rw) - 1));
    const bool v2 = flags & 1;
    const size_t split = (flags & 2) ? n / 2 : n;
    std::string pages;
    for (auto [b, e] : {std::pair<size_t, size_t>{0, split}, {split, n}}) {
      if (b == e) continue;
      std::string r = leaf.max_repetition_level > 0 ? LevelSection(rep, b, e, rw, !v2) : "";
      std::string d = leaf.max_definition_level > 0 ? LevelSection(def, b, e, dw, !v2) : "";
      pages += Page(leaf, v2, r, d, Values(&in, leaf, def, b, e), e - b);
    }
    ColumnChunk& cc = rg.columns.emplace_back();
    cc.file_offset = static_cast<int64_t>(file.size());
    ColumnMetaData& m = cc.meta_data.emplace();
    m.type = leaf.physical_type;
    m.encodings = {Encoding::kPlain, Encoding::kRle};
    m.path_in_schema = leaf.path;
    m.num_values = static_cast<int64_t>(n);
    m.total_compressed_size = m.total_uncompressed_size = static_cast<int64_t>(pages.size());
    m.data_page_offset = static_cast<int64_t>(file.size());
    file += pages;
  }
  std::string footer = Serialize(meta);
  uint32_t len = static_cast<uint32_t>(footer.size());
  file += footer;
  file.append(reinterpret_cast<const char*>(&len), 4);
  file += "PAR1";

  ReadOptions options;
  options.batch_rows = 1 + (flags >> 2);
  auto reader = OpenParquetReader(std::make_unique<ParquetBytesFile>(file, "levels.parquet"), options);
  if (!reader.ok()) return 0;
  RecordBatch batch;
  while (true) {
    auto more = (*reader)->Next(&batch);
    if (!more.ok() || !*more) break;
    if (!batch.Validate().ok() || batch.num_rows() > options.batch_rows) std::abort();
  }
  return 0;
}
