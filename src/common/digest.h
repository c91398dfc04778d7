// Digests: SHA-256 (for anything recorded in manifests and audit trails: agent
// executables, output files, specs) and a fast XXH3-128 content hash (input
// fingerprints). Both stream, so files of any size hash in bounded memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

// Incremental SHA-256. Not thread-safe; one instance per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // 64 lowercase hex digits. The object must not be updated afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);
// SHA-256 of a file's bytes (streamed in 1 MiB reads).
Result<std::string> Sha256File(FileSystem* fs, const std::string& path);
// XXH3-128 of a file's bytes as 32 hex digits: fast enough to fingerprint large inputs.
Result<std::string> ContentHashFile(FileSystem* fs, const std::string& path);

}  // namespace gaggle
