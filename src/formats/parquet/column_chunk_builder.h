// ColumnChunkBuilder: turns encoded page bodies into one Parquet column chunk in memory.
// For each page it compresses the body with the chunk's codec, prefixes the compact
// PageHeader, and buffers the result; the (single) dictionary page always comes first in
// the chunk, whenever it is set. Finish() yields the chunk as byte pieces to write in
// order plus its ColumnMetaData (encodings, encoding_stats, sizes, page offsets relative
// to the chunk start; the file writer shifts them). Memory: the compressed chunk plus one
// page of scratch. Thread-safety: one instance per thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/format.h"
#include "formats/parquet/parquet_metadata.h"

namespace gaggle::parquet {

CompressionCodec CodecFor(Compression c);

class ColumnChunkBuilder {
 public:
  ColumnChunkBuilder(PhysicalType type, std::string path, Compression codec, int level);

  // A v1 data page. `levels` is the definition-level section exactly as stored (4-byte
  // length + RLE hybrid; empty for REQUIRED columns); `values` the encoded values.
  // `num_values` counts nulls too. `stats` may be null.
  Status AddDataPage(std::string_view levels, std::string_view values, int32_t num_values, Encoding encoding,
                     const Statistics* stats);
  // The dictionary page (PLAIN values), placed before every data page of the chunk.
  Status SetDictionaryPage(std::string_view plain_values, int32_t num_entries);

  // Ends the chunk. `pieces` stay valid until Reset(). `num_values` and `statistics`
  // are left for the caller to fill in.
  void Finish(std::vector<std::string_view>* pieces, ColumnMetaData* meta) const;
  // Forgets the chunk, keeping buffer capacity.
  void Reset();
  // The column's path in the schema (default: the one name given at construction).
  void SetPathInSchema(std::vector<std::string> path) { path_in_schema_ = std::move(path); }

  size_t buffered_bytes() const { return dictionary_page_.size() + data_pages_.size(); }
  int data_page_count() const { return data_page_count_; }

 private:
  Status Compress(std::string_view levels, std::string_view values, std::string_view* out);
  void AppendPage(std::string* dest, const PageHeader& header, std::string_view levels, std::string_view values,
                  std::string_view compressed, bool raw);

  PhysicalType type_;
  std::string path_;
  std::vector<std::string> path_in_schema_;
  Compression codec_;
  int level_;
  std::string dictionary_page_;
  std::string data_pages_;
  std::string body_;        // scratch: levels + values before compression
  std::string compressed_;  // scratch
  int64_t uncompressed_total_ = 0;
  int32_t data_page_count_ = 0;
  std::map<Encoding, int32_t> data_page_encodings_;  // encoding -> pages (sorted: deterministic)
  bool has_levels_ = false;
};

}  // namespace gaggle::parquet
