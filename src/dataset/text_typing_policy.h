// How gaggle types the files of a dataset when it reads them. Binary formats (Avro,
// Parquet) carry their schema. Text formats (CSV, JSON lines) carry none: they are read
// with the schema the migration declares for them when there is one, and with types
// inferred from a sample otherwise (formats/text_typing.h). The agent, the validator and
// the verifier all read through these two functions, so a text file is typed the same
// way wherever gaggle reads it.
// Thread-safety: pure functions over the given FileSystem.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/file_system.h"
#include "common/status.h"
#include "formats/format.h"

namespace gaggle {

// Sets options->schema to *declared for a text format, and unsets it for a binary format
// or when nothing is declared (nullptr or nullopt).
void TypeTextAs(Format format, const Schema* declared, ReadOptions* options);
void TypeTextAs(Format format, const std::optional<Schema>& declared, ReadOptions* options);

// Opens `path` typed as TypeTextAs(format, expected) says. A text file whose columns do
// not fit `expected` (SchemaMismatch) is opened again with inferred types, so that the
// caller's schema check can say how they differ instead of failing on the read.
Result<std::unique_ptr<BatchReader>> OpenReaderExpecting(const std::string& path, Format format, ReadOptions options,
                                                         const Schema* expected, FileSystem* fs);

}  // namespace gaggle
