// CSV reader: streams an RFC 4180 CSV file as record batches (see formats/format.h
// for the BatchReader contract and docs/formats.md, "CSV", for the full rules).
//
//  - Columns come from the header row (options.csv.header) or are named c0, c1, ...;
//    an empty header name becomes c<i>; duplicate names are Corruption.
//  - Typing: options.schema when given (matched by header name, or by position without
//    a header; missing or extra columns are SchemaMismatch listing them), else inferred
//    from the first options.infer_rows records (formats/text_typing.h). The sample is
//    read again afterwards, never lost.
//  - An unquoted field equal to csv.null_text is null; a quoted field never is.
//  - Empty lines are skipped unless the file has exactly one column (then they are nulls).
//  - A declared nested type (struct, list, map) is Unsupported: CSV fields are text (a nested
//    value written by the CSV writer is JSON text, read back as a string).
//  - Record errors are Corruption naming file, line, byte offset (and column and text
//    for a value that does not parse as its column's type). Errors are sticky.
// Memory: one batch plus one 1 MiB input chunk (plus the inference sample while it is read).
#pragma once

#include <memory>

#include "formats/format.h"
#include "formats/text_input.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenCsvReader(FileSystem* fs, const std::string& path, const ReadOptions& options);

// Same, over an already open input (tests and fuzz targets use small chunks or memory files).
Result<std::unique_ptr<BatchReader>> OpenCsvReader(std::unique_ptr<TextInput> input, const ReadOptions& options);

}  // namespace gaggle
