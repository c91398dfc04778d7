#include "formats/parquet/parquet_metadata.h"

#include <bit>

#include "formats/parquet/thrift_compact.h"

namespace gaggle::parquet {

static_assert(std::endian::native == std::endian::little, "gaggle's Parquet code assumes a little-endian host");

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

namespace {

// ================================================================ serialization
// Each Write*Fields writes the fields of one struct; the caller opens and closes it
// (FieldStructBegin/EndStruct for a field, BeginStruct/EndStruct for a list element).

void WriteKeyValues(CompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.FieldListBegin(id, CType::kStruct, static_cast<uint32_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w.BeginStruct();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.EndStruct();
  }
}

void WriteStatisticsFields(CompactWriter& w, const Statistics& s) {
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
  if (s.nan_count) w.FieldI64(9, *s.nan_count);
}

void WriteStatisticsField(CompactWriter& w, int16_t id, const Statistics& s) {
  w.FieldStructBegin(id);
  WriteStatisticsFields(w, s);
  w.EndStruct();
}

void WriteEmptyMember(CompactWriter& w, int16_t id) {
  w.FieldStructBegin(id);
  w.EndStruct();
}

void WriteTimeLike(CompactWriter& w, int16_t id, const LogicalType& t) {
  w.FieldStructBegin(id);
  w.FieldBool(1, t.is_adjusted_to_utc);
  w.FieldStructBegin(2);  // TimeUnit union
  WriteEmptyMember(w, t.unit == TimeUnit::kMillis ? 1 : t.unit == TimeUnit::kMicros ? 2 : 3);
  w.EndStruct();
  w.EndStruct();
}

void WriteLogicalTypeFields(CompactWriter& w, const LogicalType& t) {
  using K = LogicalType::Kind;
  switch (t.kind) {
    case K::kString: WriteEmptyMember(w, 1); break;
    case K::kMap: WriteEmptyMember(w, 2); break;
    case K::kList: WriteEmptyMember(w, 3); break;
    case K::kEnum: WriteEmptyMember(w, 4); break;
    case K::kDecimal:
      w.FieldStructBegin(5);
      w.FieldI32(1, t.scale);
      w.FieldI32(2, t.precision);
      w.EndStruct();
      break;
    case K::kDate: WriteEmptyMember(w, 6); break;
    case K::kTime: WriteTimeLike(w, 7, t); break;
    case K::kTimestamp: WriteTimeLike(w, 8, t); break;
    case K::kInteger:
      w.FieldStructBegin(10);
      w.FieldI8(1, t.bit_width);
      w.FieldBool(2, t.is_signed);
      w.EndStruct();
      break;
    case K::kNull: WriteEmptyMember(w, 11); break;
    case K::kJson: WriteEmptyMember(w, 12); break;
    case K::kBson: WriteEmptyMember(w, 13); break;
    case K::kUuid: WriteEmptyMember(w, 14); break;
    case K::kFloat16: WriteEmptyMember(w, 15); break;
    case K::kOther:
      if (t.other_id > 0) WriteEmptyMember(w, t.other_id);
      break;
  }
}

void WriteSchemaElementFields(CompactWriter& w, const SchemaElement& e) {
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition_type) w.FieldI32(3, static_cast<int32_t>(*e.repetition_type));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type) {
    w.FieldStructBegin(10);
    WriteLogicalTypeFields(w, *e.logical_type);
    w.EndStruct();
  }
}

void WriteColumnMetaDataFields(CompactWriter& w, const ColumnMetaData& m) {
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.FieldListBegin(2, CType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w.ElemI32(static_cast<int32_t>(e));
  w.FieldListBegin(3, CType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w.ElemBinary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 8, m.key_value_metadata);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) WriteStatisticsField(w, 12, *m.statistics);
  if (!m.encoding_stats.empty()) {
    w.FieldListBegin(13, CType::kStruct, static_cast<uint32_t>(m.encoding_stats.size()));
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, static_cast<int32_t>(s.page_type));
      w.FieldI32(2, static_cast<int32_t>(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
}

void WriteRowGroupFields(CompactWriter& w, const RowGroup& g) {
  w.FieldListBegin(1, CType::kStruct, static_cast<uint32_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) {
    w.BeginStruct();
    if (c.file_path) w.FieldBinary(1, *c.file_path);
    w.FieldI64(2, c.file_offset);
    if (c.meta_data) {
      w.FieldStructBegin(3);
      WriteColumnMetaDataFields(w, *c.meta_data);
      w.EndStruct();
    }
    w.EndStruct();
  }
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  if (g.file_offset) w.FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w.FieldI16(7, *g.ordinal);
}

void WriteFileMetaDataFields(CompactWriter& w, const FileMetaData& f) {
  w.FieldI32(1, f.version);
  w.FieldListBegin(2, CType::kStruct, static_cast<uint32_t>(f.schema.size()));
  for (const SchemaElement& e : f.schema) {
    w.BeginStruct();
    WriteSchemaElementFields(w, e);
    w.EndStruct();
  }
  w.FieldI64(3, f.num_rows);
  w.FieldListBegin(4, CType::kStruct, static_cast<uint32_t>(f.row_groups.size()));
  for (const RowGroup& g : f.row_groups) {
    w.BeginStruct();
    WriteRowGroupFields(w, g);
    w.EndStruct();
  }
  if (!f.key_value_metadata.empty()) WriteKeyValues(w, 5, f.key_value_metadata);
  if (f.created_by) w.FieldBinary(6, *f.created_by);
  if (!f.column_orders.empty()) {
    w.FieldListBegin(7, CType::kStruct, static_cast<uint32_t>(f.column_orders.size()));
    for (const ColumnOrder& o : f.column_orders) {
      w.BeginStruct();
      if (o.type_defined_order) WriteEmptyMember(w, 1);
      w.EndStruct();
    }
  }
}

void WritePageHeaderFields(CompactWriter& w, const PageHeader& h) {
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStructBegin(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) WriteStatisticsField(w, 5, *d.statistics);
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.FieldStructBegin(7);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.FieldBool(3, *d.is_sorted);
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStructBegin(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    w.FieldBool(7, d.is_compressed);
    if (d.statistics) WriteStatisticsField(w, 8, *d.statistics);
    w.EndStruct();
  }
}

template <typename T, typename F>
std::string SerializeWith(const T& v, F fields) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  fields(w, v);
  w.EndStruct();
  return out;
}

}  // namespace

std::string Serialize(const FileMetaData& v) { return SerializeWith(v, WriteFileMetaDataFields); }
std::string Serialize(const PageHeader& v) { return SerializeWith(v, WritePageHeaderFields); }
std::string Serialize(const Statistics& v) { return SerializeWith(v, WriteStatisticsFields); }
std::string Serialize(const SchemaElement& v) { return SerializeWith(v, WriteSchemaElementFields); }

void SerializeTo(const PageHeader& v, std::string* out) {
  CompactWriter w(out);
  w.BeginStruct();
  WritePageHeaderFields(w, v);
  w.EndStruct();
}

// ================================================================ names

namespace {
std::string Unknown(int32_t v) { return "UNKNOWN(" + std::to_string(v) + ")"; }
}  // namespace

std::string PhysicalTypeName(PhysicalType t) {
  static const char* const kNames[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                       "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  int32_t i = static_cast<int32_t>(t);
  return i >= 0 && i < 8 ? kNames[i] : Unknown(i);
}

std::string EncodingName(Encoding e) {
  static const char* const kNames[] = {"PLAIN",
                                       nullptr,
                                       "PLAIN_DICTIONARY",
                                       "RLE",
                                       "BIT_PACKED",
                                       "DELTA_BINARY_PACKED",
                                       "DELTA_LENGTH_BYTE_ARRAY",
                                       "DELTA_BYTE_ARRAY",
                                       "RLE_DICTIONARY",
                                       "BYTE_STREAM_SPLIT"};
  int32_t i = static_cast<int32_t>(e);
  return i >= 0 && i < 10 && kNames[i] != nullptr ? kNames[i] : Unknown(i);
}

std::string CodecName(CompressionCodec c) {
  static const char* const kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
  int32_t i = static_cast<int32_t>(c);
  return i >= 0 && i < 8 ? kNames[i] : Unknown(i);
}

std::string PageTypeName(PageType t) {
  static const char* const kNames[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
  int32_t i = static_cast<int32_t>(t);
  return i >= 0 && i < 4 ? kNames[i] : Unknown(i);
}

std::string ConvertedTypeName(ConvertedType t) {
  static const char* const kNames[] = {"UTF8",
                                       "MAP",
                                       "MAP_KEY_VALUE",
                                       "LIST",
                                       "ENUM",
                                       "DECIMAL",
                                       "DATE",
                                       "TIME_MILLIS",
                                       "TIME_MICROS",
                                       "TIMESTAMP_MILLIS",
                                       "TIMESTAMP_MICROS",
                                       "UINT_8",
                                       "UINT_16",
                                       "UINT_32",
                                       "UINT_64",
                                       "INT_8",
                                       "INT_16",
                                       "INT_32",
                                       "INT_64",
                                       "JSON",
                                       "BSON",
                                       "INTERVAL"};
  int32_t i = static_cast<int32_t>(t);
  return i >= 0 && i < 22 ? kNames[i] : Unknown(i);
}

}  // namespace gaggle::parquet
