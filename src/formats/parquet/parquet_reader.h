// Parquet reader: streams a Parquet file as record batches (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenParquetReader(FileSystem* fs, const std::string& path, const ReadOptions& options);

}  // namespace gaggle

namespace gaggle {

// Footer-only summary: schema, row groups, codecs, encodings and statistics.
Result<FileSummary> InspectParquet(FileSystem* fs, const std::string& path);

}  // namespace gaggle
