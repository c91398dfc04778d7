#include "formats/format.h"

#include <algorithm>

#include "formats/avro/avro_reader.h"
#include "formats/avro/avro_writer.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_writer.h"
#include "formats/jsonl/jsonl_reader.h"
#include "formats/jsonl/jsonl_writer.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace gaggle {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* FormatName(Format format) {
  switch (format) {
    case Format::kAvro: return "avro";
    case Format::kCsv: return "csv";
    case Format::kJsonl: return "jsonl";
    case Format::kParquet: return "parquet";
  }
  return "unknown";
}

Result<Format> ParseFormat(const std::string& name) {
  std::string n = Lower(name);
  if (n == "avro") return Format::kAvro;
  if (n == "csv") return Format::kCsv;
  if (n == "jsonl" || n == "json" || n == "ndjson") return Format::kJsonl;
  if (n == "parquet" || n == "pq") return Format::kParquet;
  return Status::InvalidArgument("unknown format '" + name + "' (expected avro, csv, jsonl or parquet)");
}

Result<Format> FormatFromPath(const std::string& path) {
  std::string p = Lower(path);
  if (EndsWith(p, ".avro")) return Format::kAvro;
  if (EndsWith(p, ".csv")) return Format::kCsv;
  if (EndsWith(p, ".jsonl") || EndsWith(p, ".ndjson") || EndsWith(p, ".json")) return Format::kJsonl;
  if (EndsWith(p, ".parquet") || EndsWith(p, ".pq")) return Format::kParquet;
  return Status::InvalidArgument("cannot tell the format of '" + path +
                                 "' from its extension (.avro, .csv, .jsonl, .parquet); pass --from/--to");
}

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kLz4Raw: return "lz4_raw";
    case Compression::kBrotli: return "brotli";
    case Compression::kLz4Hadoop: return "lz4_hadoop";
  }
  return "unknown";
}

Result<Compression> ParseCompression(const std::string& name) {
  std::string n = Lower(name);
  if (n == "none" || n == "uncompressed") return Compression::kNone;
  if (n == "snappy") return Compression::kSnappy;
  if (n == "gzip") return Compression::kGzip;
  if (n == "zstd") return Compression::kZstd;
  if (n == "lz4_raw") return Compression::kLz4Raw;
  if (n == "brotli") return Compression::kBrotli;
  return Status::InvalidArgument("unknown compression '" + name +
                                 "' (expected zstd, snappy, gzip, lz4_raw, brotli or none)");
}

Result<std::unique_ptr<BatchReader>> OpenReader(const std::string& path, Format format, const ReadOptions& options,
                                                FileSystem* fs) {
  if (options.batch_rows == 0) return Status::InvalidArgument("batch_rows must be positive");
  switch (format) {
    case Format::kAvro: return OpenAvroReader(fs, path, options);
    case Format::kCsv: return OpenCsvReader(fs, path, options);
    case Format::kJsonl: return OpenJsonlReader(fs, path, options);
    case Format::kParquet: return OpenParquetReader(fs, path, options);
  }
  return Status::Internal("unknown format");
}

Result<std::unique_ptr<BatchWriter>> OpenWriter(const std::string& path, Format format,
                                                std::shared_ptr<const Schema> schema, const WriteOptions& options,
                                                FileSystem* fs) {
  if (options.row_group_rows <= 0) return Status::InvalidArgument("row_group_rows must be positive");
  switch (format) {
    case Format::kAvro: return OpenAvroWriter(fs, path, std::move(schema), options);
    case Format::kCsv: return OpenCsvWriter(fs, path, std::move(schema), options);
    case Format::kJsonl: return OpenJsonlWriter(fs, path, std::move(schema), options);
    case Format::kParquet: return OpenParquetWriter(fs, path, std::move(schema), options);
  }
  return Status::Internal("unknown format");
}

Result<FileSummary> InspectFile(const std::string& path, Format format, const ReadOptions& options, FileSystem* fs) {
  if (format == Format::kParquet) return InspectParquet(fs, path);
  if (format == Format::kAvro) return InspectAvro(fs, path);
  GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(path, format, options, fs));
  FileSummary summary;
  summary.format = format;
  summary.path = path;
  summary.file_bytes = info.size;
  summary.schema = *reader->schema();
  summary.codec = "none";
  RecordBatch batch;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    summary.num_rows += static_cast<int64_t>(batch.num_rows());
  }
  return summary;
}

}  // namespace gaggle
