// The data files of a dataset.
//
// A dataset is one file or a directory tree of files (partitions). Data files are
// found recursively; names starting with '_' or '.' are metadata and skipped (the
// Hadoop convention), as are gaggle's own temporary files (".gaggle-" in the name).
// Thread-safety: pure functions over the given FileSystem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

struct InputFile {
  std::string relative_path;  // "" when the dataset is a single file
  std::string path;           // full path
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string content_hash;  // XXH3-128 hex; "" until fingerprinted (input_fingerprint.h)
};

// Lists the data files of a dataset without hashing them (cheap; for planning), depth
// first with each directory's entries sorted by name. A directory without data files is
// NotFound; *is_directory says which kind `root` is even then.
Result<std::vector<InputFile>> ListDatasetFiles(FileSystem* fs, const std::string& root, bool* is_directory);

}  // namespace gaggle
