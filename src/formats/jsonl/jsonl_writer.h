// JSON lines writer: writes record batches as one JSON object per line (see
// formats/format.h for the BatchWriter contract and docs/formats.md, "JSON lines").
//  - Keys in schema order; strings escaped (", \\, control characters as \u00XX), UTF-8
//    passed through, invalid UTF-8 is InvalidArgument naming row and column.
//  - Numbers shortest round-trip (value_format.h, ".0" on integral floating values);
//    NaN/inf/-inf as the strings "nan"/"inf"/"-inf"; dates, timestamps (UTC), decimals
//    and hex binary as strings; null as null. Nested values as JSON (columnar/value_json.h):
//    struct -> object, list -> array, map -> object (keys as text).
//  - Output is buffered (about 1 MiB) and errors are sticky. Not thread-safe.
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(FileSystem* fs, const std::string& path,
                                                     std::shared_ptr<const Schema> schema, const WriteOptions& options);

// Same, into an already open file (fuzz targets and tests write to memory).
Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(std::unique_ptr<WritableFile> file,
                                                     std::shared_ptr<const Schema> schema, const WriteOptions& options);

}  // namespace gaggle
