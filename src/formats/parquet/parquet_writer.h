// Parquet writer: writes record batches as a Parquet file (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(FileSystem* fs, const std::string& path,
                                                  std::shared_ptr<const Schema> schema, const WriteOptions& options);

}  // namespace gaggle
