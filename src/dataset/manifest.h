// Manifest: the commit record of one agent run, `_gaggle_manifest.json` inside
// the output dataset directory. Written last, inside the staging directory, so a
// visible output always has a manifest that describes exactly its files.
//
// It answers "is this output current?": same input content, same spec hash and
// same agent digest mean a rerun would produce the same bytes, so it is skipped.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "dataset/input_fingerprint.h"

namespace gaggle {

inline constexpr const char* kManifestFileName = "_gaggle_manifest.json";
inline constexpr const char* kDeadLetterFileName = "_gaggle_dead_letter.jsonl";

struct AgentIdentity {
  std::string name;     // "gaggle-transform" or the executable's name
  std::string version;  // declared version
  std::string digest;   // sha256 of the agent (binary + built-in code version, or the executable)
};

struct OutputFile {
  std::string path;  // relative to the output directory
  uint64_t bytes = 0;
  std::string sha256;
  int64_t rows = 0;
};

struct RowCounts {
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  int64_t dead_lettered = 0;
  int64_t filtered = 0;
  bool Balanced() const { return rows_in == rows_out + dead_lettered + filtered; }
};

struct Manifest {
  int format_version = 1;
  std::string migration;
  std::string spec_hash;
  AgentIdentity agent;
  InputFingerprint input;
  std::vector<OutputFile> outputs;
  RowCounts counts;
  std::string content_checksum;  // ContentChecksum hex of the output rows
  Schema output_schema;
  std::string started_at;  // ISO-8601 UTC
  std::string finished_at;
  double seconds = 0;

  // True when an output made from `input` with `spec_hash` by `agent` would be this one.
  bool Matches(const InputFingerprint& input_now, const std::string& spec_hash_now,
               const AgentIdentity& agent_now) const;
  nlohmann::json ToJson() const;
  static Result<Manifest> FromJson(const nlohmann::json& j);
  static Result<Manifest> Load(FileSystem* fs, const std::string& path);
};

}  // namespace gaggle
