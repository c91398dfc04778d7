// Reading a Parquet file's footer: the magic "PAR1" at both ends, the 4-byte footer length
// (which must point inside the file), the Thrift FileMetaData, and the checks every reader of
// the file relies on: row counts (no negative counts, row groups adding up to the file's rows),
// one column chunk per schema leaf in every row group, a schema gaggle can represent.
//
// Malformed bytes are Corruption naming the file and the byte offset; encrypted files and
// schemas gaggle cannot represent (empty groups, nesting too deep, ...) are Unsupported naming the file
// and the column. Only the footer is read: cost is one or two reads, whatever the file's size.
// Thread-safety: pure function over a RandomAccessFile.
#pragma once

#include <cstdint>

#include "common/file_system.h"
#include "common/status.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_schema.h"

namespace gaggle::parquet {

struct ParquetFooter {
  FileMetaData metadata;
  ParquetSchema schema;
  uint64_t file_size = 0;
  // Start of the serialized FileMetaData: column chunks must lie in [4, data_end).
  uint64_t data_end = 0;
};

Result<ParquetFooter> ReadParquetFooter(const RandomAccessFile& file);

// True for files whose created_by names parquet-cpp before Arrow 3.0 ("parquet-cpp version
// 1.5.1-SNAPSHOT"): they marked compressed data page v2 values as uncompressed (ARROW-17100).
bool WritesV2PagesCompressedAnyway(const FileMetaData& metadata);

}  // namespace gaggle::parquet
