// Parquet reader: streams a Parquet file as record batches (see formats/format.h for the contract),
// and summarises a file from its footer for `gaggle inspect`.
//
// OpenParquetReader reads and checks the footer (parquet_footer.h), then Next() decodes row
// group after row group, column after column, page after page (parquet_column_decoder.h). A
// batch holds up to ReadOptions::batch_rows rows and may span row groups. Memory: per column,
// one page (compressed and decompressed) plus the current chunk's dictionary, plus the batch
// (and, for nested fields, the batch's level entries).
// Nested fields (groups, LIST, MAP, repeated fields; parquet_schema.h) are assembled from their
// leaves' repetition and definition levels (parquet_record_assembler.h).
// Supported encodings: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, RLE (booleans),
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages
// v1 and v2; codecs none, snappy, gzip, zstd. Anything else is Unsupported naming the column.
// With ReadOptions::columns, only those top-level fields are decoded and only their column
// chunks are read (on an object store: ranged GETs of those chunks alone).
// Errors are sticky: after one, every Next() returns it again.
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenParquetReader(FileSystem* fs, const std::string& path,
                                                       const ReadOptions& options);
// The same over an already open file (e.g. parquet::ParquetBytesFile for bytes in memory).
Result<std::unique_ptr<BatchReader>> OpenParquetReader(std::unique_ptr<RandomAccessFile> file,
                                                       const ReadOptions& options);

// Footer-only summary: schema, row groups, codecs, encodings and statistics.
// RowGroupSummary::total_bytes is the row group's compressed (on-disk) size; min/max are
// rendered with the column's gaggle type (omitted when the file's statistics cannot be trusted
// for that type, e.g. legacy min/max of strings or unsigned integers).
Result<FileSummary> InspectParquet(FileSystem* fs, const std::string& path);

}  // namespace gaggle
