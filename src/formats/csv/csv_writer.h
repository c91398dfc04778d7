// CSV writer: writes record batches as a CSV file (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(FileSystem* fs, const std::string& path,
                                                  std::shared_ptr<const Schema> schema, const WriteOptions& options);

// Same, into an already open file (fuzz targets and tests write to memory).
Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(std::unique_ptr<WritableFile> file,
                                                  std::shared_ptr<const Schema> schema, const WriteOptions& options);

}  // namespace gaggle
