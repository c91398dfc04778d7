// A JSON lines file parsed by several threads at once (ReadOptions::threads > 1).
//
// The file is cut into blocks of whole lines, about `batch_rows` lines each once the first
// block has shown the lines' size; each block is parsed by a reader of its own
// (OpenJsonlBlockReader, which names the file's lines and byte offsets), and the blocks'
// batches come out in the file's order. The schema is the one a single reader sees: the
// declared one, or the one inferred from the file's first lines. The file is opened and
// read once: the first lines (through the first line break past kJsonlMaxSampleBytes)
// are read before the threads start, the schema is inferred from them, and the blocks
// are cut from them first.
//  - Rows, values, errors and their messages are the single reader's (jsonl_reader.h); only
//    the grouping of rows into batches differs (a batch never spans two blocks).
//  - The first error in file order ends the stream, and is returned again on every later
//    Next(), as from the single reader.
//  - A line longer than TextInput's window (256 MiB) is Corruption, as in the single reader.
// Memory: at most threads + 2 blocks of text (each at most 64 MiB, or one longer line) and
// their batches, and the first 16 MiB of the file until the blocks have taken them.
// Thread-safety: one caller thread; destroying the reader stops and joins its threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/file_system.h"
#include "formats/format.h"

namespace gaggle {

Result<std::unique_ptr<BatchReader>> OpenParallelJsonlReader(FileSystem* fs, const std::string& path,
                                                             const ReadOptions& options);

// The same with blocks of about `block_bytes` (tests cut small files into many blocks).
Result<std::unique_ptr<BatchReader>> OpenParallelJsonlReader(FileSystem* fs, const std::string& path,
                                                             const ReadOptions& options, size_t block_bytes);

}  // namespace gaggle
