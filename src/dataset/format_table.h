// The format table: every per-format fact of the file formats gaggle reads and writes,
// in one place (formats as data, as Arrow's dataset::FileFormat). Each row holds the
// format's name and the other names it is known by, its file extensions, whether it is
// text (carries no types of its own), the codecs its writer honours, and how to open a
// reader, a writer and a summary. Code outside formats/ asks this table instead of
// switching on Format; adding a format is one row here plus its reader and writer.
//
// OpenReader/OpenWriter choose the format's functions once per file; batches then flow
// through that format's BatchReader/BatchWriter (formats/format.h), never row by row
// through a table lookup.
// Thread-safety: the table is immutable after first use; every function is reentrant.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "formats/format.h"

namespace gaggle {

struct FormatInfo {
  using OpenReaderFn = Result<std::unique_ptr<BatchReader>> (*)(FileSystem* fs, const std::string& path,
                                                                const ReadOptions& options);
  using OpenWriterFn = Result<std::unique_ptr<BatchWriter>> (*)(FileSystem* fs, const std::string& path,
                                                                std::shared_ptr<const Schema> schema,
                                                                const WriteOptions& options);
  using InspectFn = Result<FileSummary> (*)(FileSystem* fs, const std::string& path);

  Format format;
  const char* name;                          // "parquet": what FormatName prints
  std::vector<std::string_view> aliases;     // further names ParseFormat accepts ("pq")
  std::vector<std::string_view> extensions;  // the first is the one gaggle writes
  // Text formats (CSV, JSON lines) carry no types: they are read with a declared schema
  // or inferred ones (dataset/text_typing_policy.h). Binary formats carry their schema.
  bool text;
  // The codecs the writer honours. Text formats are always written uncompressed: their
  // writers ignore WriteOptions::compression.
  std::vector<Compression> codecs;
  OpenReaderFn open_reader;
  OpenWriterFn open_writer;
  InspectFn inspect;  // nullptr: InspectFile reads every row to count them
};

// Every format, in the order of the Format enumerators.
const std::vector<FormatInfo>& AllFormats();
// REQUIRES: `format` is one of the Format enumerators.
const FormatInfo& FormatInfoFor(Format format);

bool IsTextFormat(Format format);
// The extension gaggle gives a file it writes in `format`: ".parquet".
const char* ExtensionFor(Format format);
// "avro", "csv", "jsonl", "parquet" ("unknown" for a value outside the enum).
const char* FormatName(Format format);
// The canonical names, in table order: candidates for "did you mean".
std::vector<std::string> FormatNames();
// By name or alias, case-insensitively: "avro", "csv", "jsonl" (also "json", "ndjson"),
// "parquet" (also "pq").
Result<Format> ParseFormat(const std::string& name);
// From the file extension, case-insensitively: .avro, .csv, .jsonl/.ndjson/.json, .parquet/.pq.
Result<Format> FormatFromPath(const std::string& path);

Result<std::unique_ptr<BatchReader>> OpenReader(const std::string& path, Format format, const ReadOptions& options,
                                                FileSystem* fs = FileSystem::Default());
Result<std::unique_ptr<BatchWriter>> OpenWriter(const std::string& path, Format format,
                                                std::shared_ptr<const Schema> schema, const WriteOptions& options,
                                                FileSystem* fs = FileSystem::Default());
// Format, schema, row count and (Parquet) row groups, codecs and statistics.
// Text formats are scanned to count rows.
Result<FileSummary> InspectFile(const std::string& path, Format format, const ReadOptions& options,
                                FileSystem* fs = FileSystem::Default());

}  // namespace gaggle
