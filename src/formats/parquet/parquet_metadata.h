// Parquet metadata: our C++ structs for the subset of parquet.thrift that gaggle reads
// and writes (footer FileMetaData and page headers), with their compact-protocol
// Serialize/Parse. Field ids are those of the official parquet.thrift.
//
// Parse skips fields it does not know (files from newer writers still read), checks
// that the fields parquet.thrift marks `required` are present, and reports malformed
// bytes as Corruption with the byte offset (relative to the start of the given bytes).
// `consumed`, when given, receives the number of bytes the struct took (page headers are
// followed by the page's data). Enum values outside the known range are kept as they are
// (the enums have a fixed underlying type), so callers must treat unknown values as
// unsupported rather than trust a switch to be exhaustive.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gaggle::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// The LogicalType union. Kinds this code does not model decode as kOther (with the
// union member's field id) so a reader can name them in an Unsupported error.
struct LogicalType {
  enum class Kind : uint8_t {
    kString,
    kMap,
    kList,
    kEnum,
    kDecimal,
    kDate,
    kTime,
    kTimestamp,
    kInteger,
    kNull,  // "UNKNOWN" in parquet.thrift: always null
    kJson,
    kBson,
    kUuid,
    kFloat16,
    kOther,
  };
  Kind kind = Kind::kString;
  int32_t scale = 0;                  // decimal
  int32_t precision = 0;              // decimal
  bool is_adjusted_to_utc = false;    // time, timestamp
  TimeUnit unit = TimeUnit::kMicros;  // time, timestamp
  int8_t bit_width = 0;               // integer
  bool is_signed = true;              // integer
  int16_t other_id = 0;               // kOther: the union member's field id

  bool operator==(const LogicalType&) const = default;
};

struct Statistics {
  std::optional<std::string> max;  // legacy: signed order only
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;  // ColumnOrder order; PLAIN bytes, no length prefix
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;

  bool operator==(const Statistics&) const = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const KeyValue&) const = default;
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
  bool operator==(const SchemaElement&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
  bool operator==(const PageEncodingStats&) const = default;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // all pages including their headers
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // set only when the data lives in another file
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  bool has_crypto_metadata = false;  // encrypted columns are not supported; readers must refuse them
  bool operator==(const ColumnChunk&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
  bool operator==(const RowGroup&) const = default;
};

// The ColumnOrder union: TYPE_ORDER (min_value/max_value follow the logical type's order)
// or a member this code does not know, whose statistics must then be ignored.
struct ColumnOrder {
  bool type_defined_order = true;
  bool operator==(const ColumnOrder&) const = default;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first; schema[0] is the root
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // empty when absent
  bool has_encryption_algorithm = false;   // plaintext-footer encryption: readers must refuse
  bool operator==(const FileMetaData&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;  // including nulls
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;  // default per parquet.thrift
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeaderV2&) const = default;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;  // bytes after this header, before compression
  int32_t compressed_page_size = 0;    // bytes after this header as stored
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
  bool operator==(const PageHeader&) const = default;
};

std::string Serialize(const FileMetaData& v);
std::string Serialize(const PageHeader& v);
std::string Serialize(const Statistics& v);
std::string Serialize(const SchemaElement& v);
// Appends instead of returning (writers serialize one page header per page).
void SerializeTo(const PageHeader& v, std::string* out);

Status Parse(std::string_view bytes, FileMetaData* out, size_t* consumed = nullptr);
Status Parse(std::string_view bytes, PageHeader* out, size_t* consumed = nullptr);
Status Parse(std::string_view bytes, Statistics* out, size_t* consumed = nullptr);
Status Parse(std::string_view bytes, SchemaElement* out, size_t* consumed = nullptr);

// Names for diagnostics and `inspect`: "INT64", "RLE_DICTIONARY", "ZSTD", "DICTIONARY_PAGE".
// Unknown values print as "UNKNOWN(<n>)".
std::string PhysicalTypeName(PhysicalType t);
std::string EncodingName(Encoding e);
std::string CodecName(CompressionCodec c);
std::string PageTypeName(PageType t);
std::string ConvertedTypeName(ConvertedType t);

}  // namespace gaggle::parquet
