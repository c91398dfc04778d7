#include "dataset/format_table.h"

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

std::vector<FormatInfo> MakeTable() {
  using C = Compression;
  return {
      {.format = Format::kAvro,
       .name = "avro",
       .aliases = {},
       .extensions = {".avro"},
       .text = false,
       // gzip is written as Avro's deflate, zstd as Avro's zstandard.
       .codecs = {C::kNone, C::kSnappy, C::kGzip, C::kZstd},
       .open_reader = &OpenAvroReader,
       .open_writer = &OpenAvroWriter,
       .inspect = &InspectAvro},
      {.format = Format::kCsv,
       .name = "csv",
       .aliases = {},
       .extensions = {".csv"},
       .text = true,
       .codecs = {C::kNone},
       .open_reader = &OpenCsvReader,
       .open_writer = &OpenCsvWriter,
       .inspect = nullptr},
      {.format = Format::kJsonl,
       .name = "jsonl",
       .aliases = {"json", "ndjson"},
       .extensions = {".jsonl", ".ndjson", ".json"},
       .text = true,
       .codecs = {C::kNone},
       .open_reader = &OpenJsonlReader,
       .open_writer = &OpenJsonlWriter,
       .inspect = nullptr},
      {.format = Format::kParquet,
       .name = "parquet",
       .aliases = {"pq"},
       .extensions = {".parquet", ".pq"},
       .text = false,
       // Parquet's deprecated LZ4 (kLz4Hadoop) is read, never written.
       .codecs = {C::kNone, C::kSnappy, C::kGzip, C::kZstd, C::kLz4Raw, C::kBrotli},
       .open_reader = &OpenParquetReader,
       .open_writer = &OpenParquetWriter,
       .inspect = &InspectParquet},
  };
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// nullptr for a value outside the enum.
const FormatInfo* Find(Format format) {
  const auto& all = AllFormats();
  const auto i = static_cast<size_t>(format);
  return i < all.size() ? &all[i] : nullptr;
}

// "a, b, c or d".
std::string ListOf(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

const std::vector<FormatInfo>& AllFormats() {
  static const std::vector<FormatInfo> table = MakeTable();
  return table;
}

const FormatInfo& FormatInfoFor(Format format) { return AllFormats()[static_cast<size_t>(format)]; }

bool IsTextFormat(Format format) {
  const FormatInfo* info = Find(format);
  return info != nullptr && info->text;
}

const char* ExtensionFor(Format format) {
  const FormatInfo* info = Find(format);
  return info == nullptr ? "" : info->extensions.front().data();
}

const char* FormatName(Format format) {
  const FormatInfo* info = Find(format);
  return info == nullptr ? "unknown" : info->name;
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> names;
  for (const FormatInfo& info : AllFormats()) names.emplace_back(info.name);
  return names;
}

Result<Format> ParseFormat(const std::string& name) {
  const std::string n = Lower(name);
  for (const FormatInfo& info : AllFormats()) {
    if (n == info.name || std::find(info.aliases.begin(), info.aliases.end(), n) != info.aliases.end()) {
      return info.format;
    }
  }
  return Status::InvalidArgument("unknown format '" + name + "' (expected " + ListOf(FormatNames()) + ")");
}

Result<Format> FormatFromPath(const std::string& path) {
  const std::string p = Lower(path);
  std::vector<std::string> written;
  for (const FormatInfo& info : AllFormats()) {
    for (std::string_view ext : info.extensions) {
      if (EndsWith(p, ext)) return info.format;
    }
    written.emplace_back(info.extensions.front());
  }
  std::string list;
  for (const std::string& ext : written) list += (list.empty() ? "" : ", ") + ext;
  return Status::InvalidArgument("cannot tell the format of '" + path + "' from its extension (" + list +
                                 "); pass --from/--to");
}

Result<std::unique_ptr<BatchReader>> OpenReader(const std::string& path, Format format, const ReadOptions& options,
                                                FileSystem* fs) {
  if (options.batch_rows == 0) return Status::InvalidArgument("batch_rows must be positive");
  const FormatInfo* info = Find(format);
  if (info == nullptr) return Status::Internal("unknown format");
  return info->open_reader(fs, path, options);
}

Result<std::unique_ptr<BatchWriter>> OpenWriter(const std::string& path, Format format,
                                                std::shared_ptr<const Schema> schema, const WriteOptions& options,
                                                FileSystem* fs) {
  if (options.row_group_rows <= 0) return Status::InvalidArgument("row_group_rows must be positive");
  const FormatInfo* info = Find(format);
  if (info == nullptr) return Status::Internal("unknown format");
  return info->open_writer(fs, path, std::move(schema), options);
}

Result<FileSummary> InspectFile(const std::string& path, Format format, const ReadOptions& options, FileSystem* fs) {
  const FormatInfo* info = Find(format);
  if (info != nullptr && info->inspect != nullptr) return info->inspect(fs, path);
  GAGGLE_ASSIGN_OR_RETURN(FileInfo file, fs->Stat(path));
  GAGGLE_ASSIGN_OR_RETURN(auto reader, OpenReader(path, format, options, fs));
  FileSummary summary;
  summary.format = format;
  summary.path = path;
  summary.file_bytes = file.size;
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
