// The format layer's public face: the types every file format shares (the Format and
// Compression enumerations, read and write options, the BatchReader and BatchWriter
// interfaces, a file's summary for `gaggle inspect`). Each format's reader and writer
// live in their own folder (avro/, csv/, jsonl/, parquet/); the table that names them
// and opens a reader or writer by Format is dataset/format_table.h.
//
// Readers stream: each Next() yields at most ReadOptions::batch_rows rows, so
// memory is bounded by the batch (plus, for Parquet, one column chunk) whatever
// the file's size. Writers follow a builder lifecycle with a sticky error:
// Write()* then Finish(); after any error every later call returns that error.
// A writer that is destroyed without Finish() leaves an incomplete file that the
// caller must delete (the agent always writes under a temporary name).
// Every error names the file and, where the bytes are at fault, the offset.
// Thread-safety: one reader or writer per thread; distinct instances are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columnar/record_batch.h"
#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

enum class Format { kAvro, kCsv, kJsonl, kParquet };

// kLz4Raw is Parquet's LZ4_RAW (one raw LZ4 block); kLz4Hadoop is Parquet's deprecated LZ4
// (Hadoop-framed blocks, or a raw block as some writers made it), read-only.
enum class Compression { kNone, kSnappy, kGzip, kZstd, kLz4Raw, kBrotli, kLz4Hadoop };
const char* CompressionName(Compression c);
// "none"/"uncompressed", "snappy", "gzip", "zstd".
Result<Compression> ParseCompression(const std::string& name);

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  // An unquoted field equal to this text is null (an empty quoted field "" is the empty string).
  std::string null_text;
};

struct ReadOptions {
  // Rows per batch yielded by Next().
  size_t batch_rows = 64 * 1024;
  // Typing for text formats (CSV, JSON lines): when unset, inferred from the first `infer_rows` rows.
  std::optional<Schema> schema;
  size_t infer_rows = 1000;
  CsvOptions csv;
  // Parquet only: decode just these top-level fields (each name matched exactly, else the one
  // field equal ignoring ASCII case), in the file's order, and fetch no other column chunk;
  // schema() is then the projection. A name the file lacks is SchemaMismatch naming the
  // file's columns. Empty: every field. Other formats read every field whatever it says.
  std::vector<std::string> columns;
  // JSON lines: threads that parse blocks of lines at once (the rows come out in the file's
  // order); 1: the reader's own thread. Other formats read on one thread.
  int threads = 1;
};

struct WriteOptions {
  Compression compression = Compression::kZstd;
  // Codec level; 0 means the codec's default.
  int compression_level = 0;
  // Parquet: rows per row group. Memory while writing is about one row group, compressed.
  int64_t row_group_rows = 1000000;
  // Parquet: target uncompressed bytes per data page.
  size_t page_bytes = 1 << 20;
  // Parquet: dictionary-encode columns, falling back to plain once the dictionary passes
  // `dictionary_max_bytes` (or `dictionary_max_entries`) in a row group.
  bool dictionary = true;
  size_t dictionary_max_bytes = 1 << 20;
  size_t dictionary_max_entries = 64 * 1024;
  // Parquet: threads that encode and compress the fields of each row group (the caller's
  // own included). 1: everything on the calling thread. Any value writes the same bytes.
  int threads = 1;
  // Parquet: key-value metadata stored in the footer.
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  CsvOptions csv;
};

// Streams record batches out of one file.
class BatchReader {
 public:
  virtual ~BatchReader() = default;
  virtual std::shared_ptr<const Schema> schema() const = 0;
  // Replaces *batch with the next rows (at most batch_rows). Returns false, with
  // an empty batch, at the end of the file.
  virtual Result<bool> Next(RecordBatch* batch) = 0;
};

// Writes record batches into one file.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // REQUIRES: batch.schema equals the schema the writer was opened with.
  virtual Status Write(const RecordBatch& batch) = 0;
  // As Write, but the writer may take the batch's contents instead of copying them (the
  // Parquet writer with threads > 1 keeps batches while workers encode them). Afterwards
  // *batch holds unspecified rows of the same schema: refill it (a reader's Next) or Clear it.
  virtual Status Consume(RecordBatch* batch) { return Write(*batch); }
  // Flushes everything, writes any footer, closes the file (not fsynced: the caller commits).
  virtual Status Finish() = 0;
  virtual uint64_t bytes_written() const = 0;
};

struct ColumnChunkSummary {
  std::string column;
  std::string physical_type;
  std::string encodings;  // "PLAIN,RLE_DICTIONARY"
  std::string codec;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  std::optional<int64_t> null_count;
  std::optional<std::string> min;  // rendered with the logical type
  std::optional<std::string> max;
};

struct RowGroupSummary {
  int64_t num_rows = 0;
  int64_t total_bytes = 0;
  std::vector<ColumnChunkSummary> columns;
};

struct FileSummary {
  Format format = Format::kParquet;
  std::string path;
  uint64_t file_bytes = 0;
  Schema schema;
  int64_t num_rows = 0;
  std::string codec;                        // file-level codec (Avro) or the set used (Parquet)
  std::string created_by;                   // Parquet footer / Avro metadata when present
  std::vector<RowGroupSummary> row_groups;  // Parquet only
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

}  // namespace gaggle
