// Avro block validator: checks that one decompressed container block holds exactly
// `count` binary-encoded records of the plan's shape before avro-c decodes it.
//
// avro-c 1.11 trusts its input (a negative string length makes it write before its
// buffer; a huge one makes it allocate that much), so every length, union branch,
// enum index, int range and the block's exact end are checked here first. A block
// that passes decodes through avro-c without reading out of bounds.
// Errors are Status::Corruption naming the record and the byte offset in the block
// (the caller adds the file and block).
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "formats/avro/avro_schema.h"

namespace gaggle::avro {

Status ValidateBlock(const PlanNode& root, std::string_view data, int64_t count);

}  // namespace gaggle::avro
