// Avro reader: streams a Avro file as record batches (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenAvroReader(FileSystem* fs, const std::string& path,
                                                    const ReadOptions& options);

}  // namespace gaggle

namespace gaggle {

// Schema, codec and row count (blocks are scanned, values are not decoded where avoidable).
Result<FileSummary> InspectAvro(FileSystem* fs, const std::string& path);

}  // namespace gaggle
