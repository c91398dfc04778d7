// AgentTaskExecutor: the production TaskExecutor. Runs the migration's agent on
// one dataset through RunAgent (agent/agent_runner.h): source and target come
// from the task's plan row (file:// URIs, plain paths, or s3:// / gs:// URIs served
// by the resolver's object stores), the timeout from the spec's fleet section. Everything that makes an agent run safe
// (idempotence, staging, verification, atomic commit) is RunAgent's. Thread-safety: Execute() may run concurrently for
// different datasets.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/agent.h"
#include "common/dataset_location.h"
#include "fleet/task_executor.h"
#include "spec/migration_spec.h"
#include "storage/file_system_resolver.h"

namespace gaggle {

class AgentTaskExecutor final : public TaskExecutor {
 public:
  // resolver: the object stores of s3:// and gs:// locations (nullptr: configured from the
  // environment alone). REQUIRES: spec and resolver outlive the executor.
  AgentTaskExecutor(const MigrationSpec& spec, std::unique_ptr<Agent> agent, FileSystemResolver* resolver = nullptr)
      : spec_(spec), agent_(std::move(agent)), resolver_(resolver) {}

  Result<TaskOutcome> Execute(const TaskRecord& task, CancellationToken* token, const TaskContext& context) override;
  // Re-fingerprints the source (a change since the manifest's input means a re-run),
  // then compares source and output with DatasetValidator against spec.gates.
  Result<TaskValidation> Validate(const TaskRecord& task, CancellationToken* token) override;
  const AgentIdentity& identity() const { return agent_->identity(); }

 private:
  const MigrationSpec& spec_;
  std::unique_ptr<Agent> agent_;
  FileSystemResolver* resolver_;
};

}  // namespace gaggle
