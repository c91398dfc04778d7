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
// With options.threads > 1, OpenJsonlReader(fs, path, ...) parses blocks of lines on that many
// threads (formats/jsonl/parallel_jsonl_reader.h): the same rows, errors and messages.
#pragma once

#include <cstdint>
#include <memory>

#include "formats/format.h"
#include "formats/text_input.h"

namespace gaggle {

// Schema inference reads no line that starts this many bytes or more into the file (it
// stops early once the sample pins this much), so the lines before the first line break
// at or past it decide an inferred schema.
constexpr size_t kJsonlMaxSampleBytes = size_t{16} << 20;

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(FileSystem* fs, const std::string& path,
                                                     const ReadOptions& options);

// Same, over an already open input (tests and fuzz targets use small chunks or memory files).
Result<std::unique_ptr<BatchReader>> OpenJsonlReader(std::unique_ptr<TextInput> input, const ReadOptions& options);

// Where a block of whole lines sits in its file, so that a reader of the block alone names
// the file's lines and byte offsets. With schema_inferred, options.schema is the schema the
// file's own reader inferred, and keys it lacks are reported as in inference (Corruption),
// not as a declared schema's SchemaMismatch.
struct JsonlBlock {
  uint64_t first_line = 1;
  uint64_t offset = 0;
  bool schema_inferred = false;
};
Result<std::unique_ptr<BatchReader>> OpenJsonlBlockReader(std::unique_ptr<TextInput> input, const ReadOptions& options,
                                                          const JsonlBlock& block);

}  // namespace gaggle
