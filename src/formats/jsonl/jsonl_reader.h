// JSON lines reader: streams a JSON lines file as record batches (see formats/format.h for the contract).
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(FileSystem* fs, const std::string& path, const ReadOptions& options);

}  // namespace gaggle
