// ColumnWriter: encodes one field's values into Parquet column chunks, a batch slice at a time.
//
// One implementation per physical type (BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY)
// behind this interface; the virtual call happens once per slice, never per value.
// Each chunk is a sequence of v1 data pages of about `page_bytes` uncompressed bytes:
// definition levels (RLE hybrid, OPTIONAL fields only), then the values, PLAIN or, when
// `dictionary` is on, RLE_DICTIONARY indices into a dictionary page that leads the chunk.
// Once the chunk's dictionary passes `dictionary_max_bytes` / `dictionary_max_entries`
// the rest of the chunk is PLAIN (legal per the spec): within the chunk's first page, that
// page is re-encoded PLAIN and the chunk has no dictionary; later, the page in progress
// closes with the dictionary. The next chunk tries the dictionary again. Pages carry null_count (and min/max for
// fixed-width types); the chunk's ColumnMetaData carries null_count, min/max and, when
// every page is dictionary-encoded, distinct_count.
// A leaf of a nested field (made with a LeafLevels spec) is written through WriteLevels: one
// entry per level (the value, or null where the entry holds none), with the entries'
// repetition and definition levels; its pages hold repetition levels, then definition levels
// (each RLE hybrid, length-prefixed), then the values, and end only where a row ends.
// Memory: the compressed chunk, one uncompressed page and the dictionary.
// Errors: InvalidArgument for nulls in a non-nullable field and for decimals that do not
// fit their precision, naming the column and the row of the slice.
// Thread-safety: one instance per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "formats/format.h"
#include "formats/parquet/parquet_metadata.h"

namespace gaggle::parquet {

struct ColumnWriterOptions {
  Compression compression = Compression::kZstd;
  int compression_level = 0;
  size_t page_bytes = 1 << 20;
  bool dictionary = true;
  size_t dictionary_max_bytes = 1 << 20;
  size_t dictionary_max_entries = 64 * 1024;

  static ColumnWriterOptions From(const WriteOptions& o) {
    return {o.compression, o.compression_level,    o.page_bytes,
            o.dictionary,  o.dictionary_max_bytes, o.dictionary_max_entries};
  }
};

// A leaf of a nested field: its levels and its path in the schema.
struct LeafLevels {
  int16_t max_definition_level = 0;
  int16_t max_repetition_level = 0;
  std::vector<std::string> path_in_schema;
};

struct ColumnChunkOutput {
  // The chunk's bytes, to be written in order; valid until the writer's next Write.
  std::vector<std::string_view> pieces;
  // Page offsets are relative to the chunk's first byte.
  ColumnMetaData meta;
};

class ColumnWriter {
 public:
  virtual ~ColumnWriter() = default;
  // Appends rows [offset, offset + count) of `column`.
  // REQUIRES: column.type() is the field's type; offset + count <= column.size().
  virtual Status Write(const Column& column, size_t offset, size_t count) = 0;
  // Nested leaves: appends `count` entries (entries.size() == count) with their levels.
  // REQUIRES: the writer was made with LeafLevels; the entries hold whole rows.
  virtual Status WriteLevels(const Column& entries, const int16_t* def, const int16_t* rep, size_t count) = 0;
  // Closes the current chunk; the next Write starts a new one.
  virtual Status FinishChunk(ColumnChunkOutput* out) = 0;
  // Bytes held for the current chunk (compressed pages + page in progress + dictionary).
  virtual size_t buffered_bytes() const = 0;
};

// `leaf` is null for a flat field; for a leaf of a nested field, `field` names the leaf (its
// dotted path) with the leaf's type.
Result<std::unique_ptr<ColumnWriter>> MakeColumnWriter(const Field& field, const ColumnWriterOptions& options,
                                                       const LeafLevels* leaf = nullptr);

}  // namespace gaggle::parquet
