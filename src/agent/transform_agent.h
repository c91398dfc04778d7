// TransformAgent: the built-in declarative agent (`agent: {builtin: transform}`).
//
// Streams each source file batch by batch through the spec's Transformer into a
// target file of the same relative path (new extension) in the staging directory:
// memory is bounded by the batch and one target row group, whatever the size.
// Rows that cannot be transformed go to the dead-letter file with the original
// record, the reason and their position (file, row). The content checksum of the
// output rows is computed while writing.
#pragma once

#include "agent/agent.h"

namespace gaggle {

class TransformAgent final : public Agent {
 public:
  // REQUIRES: `spec` outlives the agent.
  explicit TransformAgent(const MigrationSpec& spec);

  const AgentIdentity& identity() const override { return identity_; }
  Result<StagedOutput> Stage(const AgentTask& task, const InputFingerprint& input, const std::string& staging_dir,
                             const CancellationToken& token, const ProgressCallback& progress) override;

  // Rows per batch read from the source (tests use small batches).
  void set_batch_rows(size_t rows) { batch_rows_ = rows; }

 private:
  const MigrationSpec& spec_;
  AgentIdentity identity_;
  size_t batch_rows_ = 64 * 1024;
};

// The identity of the built-in agent: its version and a digest of the running gaggle binary.
AgentIdentity BuiltinTransformIdentity();

}  // namespace gaggle
