// InputFingerprint: what a dataset's source looked like when an agent read it.
//
// The fingerprint lists every data file of the dataset (dataset_files.h) with size and
// mtime and a content hash over all of them, so a source that changed between runs
// (irregular update cadence) is detected even when sizes and times were preserved.
// Thread-safety: values; FingerprintDataset shares nothing between calls.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "dataset/dataset_files.h"

namespace gaggle {

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

// Lists and hashes every data file. Reads all bytes once.
Result<InputFingerprint> FingerprintDataset(FileSystem* fs, const std::string& root);

}  // namespace gaggle
