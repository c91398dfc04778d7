// InputFingerprint: what a dataset's source looked like when an agent read it.
//
// A dataset is one file or a directory tree of files (partitions). Data files are
// found recursively; names starting with '_' or '.' are metadata and skipped (the
// Hadoop convention), as are gaggle's own temporary files. The fingerprint lists
// every data file with size and mtime and a content hash over all of them, so a
// source that changed between runs (irregular update cadence) is detected even
// when sizes and times were preserved.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
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
  std::string content_hash;  // XXH3-128 hex
};

struct InputFingerprint {
  std::string root;
  bool is_directory = false;
  std::vector<InputFile> files;  // sorted by relative_path
  uint64_t total_bytes = 0;
  std::string content_hash;  // over all files' hashes and names

  // Same files, sizes and content (mtimes are informational).
  bool SameContent(const InputFingerprint& other) const { return content_hash == other.content_hash; }
  nlohmann::json ToJson() const;
  static Result<InputFingerprint> FromJson(const nlohmann::json& j);
};

// Lists the data files of a dataset without hashing them (cheap; for planning).
Result<std::vector<InputFile>> ListDatasetFiles(FileSystem* fs, const std::string& root, bool* is_directory);
// Lists and hashes every data file. Reads all bytes once.
Result<InputFingerprint> FingerprintDataset(FileSystem* fs, const std::string& root);

}  // namespace gaggle
