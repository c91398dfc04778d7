// Parquet writer: writes record batches as one Parquet file (see formats/format.h for the
// BatchWriter contract: Write()* then Finish(), sticky error, errors name the file).
//
// Layout: "PAR1", row groups of `row_group_rows` rows (one column chunk per leaf, in
// schema order), then the footer: compact-Thrift FileMetaData, its 4-byte length, "PAR1".
// Types follow parquet_schema.h (nested fields as groups: struct, three-level LIST and MAP);
// a nested field is shredded into its leaves' levels and values (parquet_shredder.h). Pages,
// encodings (PLAIN, RLE_DICTIONARY with PLAIN fallback, RLE levels), codecs and statistics
// (per leaf) follow column_writer.h. A nested column must be well formed
// (Column::ValidateStructure), else Write is InvalidArgument. The
// footer records created_by "gaggle version <GAGGLE_VERSION> (build <GAGGLE_BUILD_ID>)",
// TYPE_ORDER column orders and the options' key-value metadata, in the order given.
// Memory: about one row group of compressed column chunks plus one uncompressed page and
// one dictionary per column, whatever the file's size. Output is deterministic: the same
// batches (however they are split) and options give byte-identical files.
// With WriteOptions::threads > 1 the fields of each row group are encoded and compressed on
// that many threads (parallel_chunk_encoder.h), with the same bytes; memory then also holds up
// to threads + 2 batches (Consume takes them without a copy) and a row group's compressed
// chunks while its slowest column finishes. The writer is still used by one caller thread.
// The file is opened with fs->OpenWritable(path); Finish() closes it without fsync.
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(FileSystem* fs, const std::string& path,
                                                       std::shared_ptr<const Schema> schema,
                                                       const WriteOptions& options);

}  // namespace gaggle
