// InspectParquet (declared in parquet_reader.h): a file's footer rendered as a FileSummary.
#include <cstring>
#include <optional>
#include <set>
#include <type_traits>

#include "columnar/column.h"
#include "columnar/value_format.h"
#include "formats/parquet/parquet_column_decoder.h"
#include "formats/parquet/parquet_footer.h"
#include "formats/parquet/parquet_reader.h"

namespace gaggle {
namespace {

using parquet::LeafColumn;
using parquet::PhysicalType;
using parquet::ValueConversion;

// One statistics value (PLAIN bytes without a length prefix) rendered as the column's gaggle
// value, or nullopt when it does not decode (wrong size, out of range).
std::optional<std::string> RenderStat(const LeafColumn& leaf, const std::string& bytes) {
  Column one(leaf.field.type);
  auto fixed = [&](auto type_tag) -> bool {
    using T = decltype(type_tag);
    if (bytes.size() != sizeof(T)) return false;
    T v;
    std::memcpy(&v, bytes.data(), sizeof(T));
    if constexpr (std::is_same_v<T, int32_t>) {
      switch (leaf.conversion) {
        case ValueConversion::kInt32ToInt64: one.Append<int64_t>(v); return true;
        case ValueConversion::kUint32ToInt64: one.Append<int64_t>(static_cast<uint32_t>(v)); return true;
        case ValueConversion::kIntToInt128: one.Append<Int128>(v); return true;
        default: one.Append<int32_t>(v); return true;
      }
    } else if constexpr (std::is_same_v<T, int64_t>) {
      if (leaf.conversion == ValueConversion::kIntToInt128) {
        one.Append<Int128>(v);
        return true;
      }
      if (leaf.conversion == ValueConversion::kUint64ToInt64 && v < 0) return false;
      if (leaf.conversion == ValueConversion::kTimestampScale &&
          !parquet::ScaleTimestamp(v, leaf.timestamp_multiplier, leaf.timestamp_divisor, &v)) {
        return false;
      }
      one.Append<int64_t>(v);
      return true;
    } else {
      one.Append<T>(v);
      return true;
    }
  };
  bool ok = false;
  switch (leaf.physical_type) {
    case PhysicalType::kBoolean:
      ok = bytes.size() == 1;
      if (ok) one.Append<uint8_t>(bytes[0] != 0 ? 1 : 0);
      break;
    case PhysicalType::kInt32: ok = fixed(int32_t{}); break;
    case PhysicalType::kInt64: ok = fixed(int64_t{}); break;
    case PhysicalType::kFloat: ok = fixed(float{}); break;
    case PhysicalType::kDouble: ok = fixed(double{}); break;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      if (leaf.conversion == ValueConversion::kDecimalBytes && leaf.field.type.is_wide_decimal()) {
        Int128 v = 0;
        ok = parquet::DecimalFromBytes(bytes, &v);
        if (ok) one.Append<Int128>(v);
      } else if (leaf.conversion == ValueConversion::kDecimalBytes) {
        int64_t v = 0;
        ok = parquet::DecimalFromBytes(bytes, &v);
        if (ok) one.Append<int64_t>(v);
      } else if (leaf.conversion == ValueConversion::kDecimalText) {
        std::string text;
        ok = FormatBigDecimal(bytes, leaf.decimal_precision, leaf.decimal_scale, &text);
        if (ok) one.AppendString(text);
      } else if (leaf.conversion == ValueConversion::kFloat16) {
        uint16_t half = 0;
        ok = bytes.size() == 2;
        if (ok) std::memcpy(&half, bytes.data(), 2);
        if (ok) one.Append<float>(parquet::HalfToFloat(half));
      } else {
        ok = true;
        one.AppendString(bytes);
      }
      break;
    default: break;
  }
  if (!ok) return std::nullopt;
  return one.ValueToString(0);
}

// Legacy min/max were written in signed byte order, right only for signed numbers and booleans.
bool LegacyStatsUsable(const LeafColumn& leaf) {
  switch (leaf.physical_type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      return leaf.conversion != ValueConversion::kUint32ToInt64 && leaf.conversion != ValueConversion::kUint64ToInt64;
    default: return false;
  }
}

std::string JoinEncodings(const std::vector<parquet::Encoding>& encodings) {
  std::string out;
  for (parquet::Encoding e : encodings) {
    if (!out.empty()) out += ",";
    out += parquet::EncodingName(e);
  }
  return out;
}

}  // namespace

Result<FileSummary> InspectParquet(FileSystem* fs, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->OpenRandomAccess(path));
  GAGGLE_ASSIGN_OR_RETURN(parquet::ParquetFooter footer, parquet::ReadParquetFooter(*file));
  const parquet::FileMetaData& m = footer.metadata;
  FileSummary s;
  s.format = Format::kParquet;
  s.path = path;
  s.file_bytes = footer.file_size;
  s.schema = footer.schema.schema;
  s.num_rows = m.num_rows;
  s.created_by = m.created_by.value_or("");
  for (const parquet::KeyValue& kv : m.key_value_metadata)
    s.key_value_metadata.emplace_back(kv.key, kv.value.value_or(""));
  std::vector<std::string> codecs;
  std::set<std::string> seen_codecs;
  for (const parquet::RowGroup& rg : m.row_groups) {
    RowGroupSummary& g = s.row_groups.emplace_back();
    g.num_rows = rg.num_rows;
    int64_t compressed = 0;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const LeafColumn& leaf = footer.schema.leaves[c];
      ColumnChunkSummary& cs = g.columns.emplace_back();
      cs.column = leaf.field.name;
      if (!rg.columns[c].meta_data) continue;
      const parquet::ColumnMetaData& md = *rg.columns[c].meta_data;
      cs.physical_type = parquet::PhysicalTypeName(md.type);
      cs.encodings = JoinEncodings(md.encodings);
      cs.codec = parquet::CodecName(md.codec);
      if (seen_codecs.insert(cs.codec).second) codecs.push_back(cs.codec);
      cs.compressed_bytes = md.total_compressed_size;
      cs.uncompressed_bytes = md.total_uncompressed_size;
      compressed += md.total_compressed_size;
      bool ordered = c >= m.column_orders.size() || m.column_orders[c].type_defined_order;
      if (md.statistics && md.type == leaf.physical_type) {
        const parquet::Statistics& st = *md.statistics;
        cs.null_count = st.null_count;
        if (ordered && st.min_value && st.max_value) {
          cs.min = RenderStat(leaf, *st.min_value);
          cs.max = RenderStat(leaf, *st.max_value);
        } else if (st.min && st.max && LegacyStatsUsable(leaf)) {
          cs.min = RenderStat(leaf, *st.min);
          cs.max = RenderStat(leaf, *st.max);
        }
      }
    }
    g.total_bytes = rg.total_compressed_size.value_or(compressed);
  }
  for (const std::string& c : codecs) s.codec += (s.codec.empty() ? "" : ",") + c;
  return s;
}

}  // namespace gaggle
