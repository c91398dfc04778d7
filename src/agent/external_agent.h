// ExternalAgent: an executable that speaks agent protocol v1 (docs/agent-protocol.md).
// gaggle sends the task as JSON on stdin, reads progress and one result line from
// stdout, appends stderr to the task log, enforces the deadline (SIGTERM, then
// SIGKILL) and maps exit codes to retryable or permanent errors. The identity's
// digest is the sha256 of the executable, computed when the agent is made.
#pragma once

#include "agent/agent.h"

namespace gaggle {

class ExternalAgent final : public Agent {
 public:
  // Resolves `spec.agent.exec` against the spec's directory and hashes it.
  static Result<std::unique_ptr<ExternalAgent>> Make(const MigrationSpec& spec);

  const AgentIdentity& identity() const override { return identity_; }
  Result<StagedOutput> Stage(const AgentTask& task, const InputFingerprint& input, const std::string& staging_dir,
                             const CancellationToken& token, const ProgressCallback& progress) override;

 private:
  ExternalAgent(const MigrationSpec& spec, std::string exec_path, AgentIdentity identity)
      : spec_(spec), exec_path_(std::move(exec_path)), identity_(std::move(identity)) {}

  const MigrationSpec& spec_;
  std::string exec_path_;
  AgentIdentity identity_;
};

// The spec file converted from YAML to JSON (scalars become numbers/bools where they
// read as such), as sent to external agents. Errors name the file.
Result<nlohmann::json> SpecFileAsJson(const MigrationSpec& spec);

}  // namespace gaggle
