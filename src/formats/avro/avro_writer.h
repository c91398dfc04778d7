// Avro writer: writes record batches as a Avro file (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenAvroWriter(FileSystem* fs, const std::string& path,
                                                    std::shared_ptr<const Schema> schema, const WriteOptions& options);

}  // namespace gaggle
