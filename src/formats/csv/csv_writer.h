// CSV writer: writes record batches as a CSV file (see formats/format.h for the
// BatchWriter contract and docs/formats.md, "CSV", for the rules).
//  - Header row when options.csv.header; LF line ends; RFC 4180 quoting only where a
//    reader would misread the field (delimiter, quote, CR/LF, leading/trailing space or
//    tab, empty string, the null text).
//  - Values formatted with columnar/value_format.h (ISO-8601 UTC timestamps, nan/inf,
//    hex binary); integral floating values get ".0"; null is csv.null_text unquoted.
//  - Nested values (struct, list, map) are written as their JSON text (columnar/value_json.h),
//    e.g. [1,2] or {"a":"x"}; a null nested value is csv.null_text like any null.
//  - Output is buffered (about 1 MiB) and errors are sticky. Not thread-safe.
#pragma once

#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(FileSystem* fs, const std::string& path,
                                                   std::shared_ptr<const Schema> schema, const WriteOptions& options);

// Same, into an already open file (fuzz targets and tests write to memory).
Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(std::unique_ptr<WritableFile> file,
                                                   std::shared_ptr<const Schema> schema, const WriteOptions& options);

}  // namespace gaggle
