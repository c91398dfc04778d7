// JSON lines reader: streams a file of one JSON object per line as record batches
// (see formats/format.h for the BatchReader contract and docs/formats.md, "JSON lines").
//
//  - Blank lines are skipped; every other line must hold exactly one JSON object.
//  - Keys map to columns by name; a missing key is null; a duplicate key is Corruption.
//  - Typing: options.schema when given (a key not in it is SchemaMismatch naming key and
//    line), else inferred from the first options.infer_rows lines (formats/text_typing.h);
//    keys seen in the sample are the columns, in order of first appearance, and a later
//    unknown key is Corruption naming line and key. The sample is read again, never lost.
//  - Nested values: objects infer as structs and arrays as lists (json_shape_guess.h); they
//    read into declared struct, list and map columns (a map from an object, keys parsed as
//    the key type); into a string column they are kept as their exact JSON text; into any
//    other column they are Unsupported. Errors inside name the path ('user.tags[]').
//  - Integers beyond int64 are errors, never silently doubles.
//  - Malformed JSON is Corruption naming file, line and byte offset. Errors are sticky.
// Memory: one batch plus one 1 MiB input chunk (plus the inference sample while it is read).
#pragma once

#include <memory>

#include "formats/format.h"
#include "formats/text_input.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(FileSystem* fs, const std::string& path,
                                                     const ReadOptions& options);

// Same, over an already open input (tests and fuzz targets use small chunks or memory files).
Result<std::unique_ptr<BatchReader>> OpenJsonlReader(std::unique_ptr<TextInput> input, const ReadOptions& options);

}  // namespace gaggle
