// Agent: migrates one dataset. The seam between the fleet and the work itself.
//
// Two implementations: the built-in declarative transform (transform_agent.h)
// and any external executable speaking protocol v1 (external_agent.h,
// docs/agent-protocol.md). Both share the run protocol in agent_runner.h:
// fingerprint the input, skip when the committed output is current, stage,
// verify, write the manifest, commit atomically. An agent run is stateless and
// idempotent: the same input, spec and agent give the same bytes.
// Thread-safety: Run() may be called concurrently for different datasets.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/cancellation.h"
#include "common/status.h"
#include "dataset/manifest.h"
#include "spec/migration_spec.h"

namespace gaggle {

struct AgentTask {
  std::string migration;               // spec name
  std::string dataset_id;              // catalog id, or the input path for one-off runs
  std::string input_path;              // file or directory (a local path, or an s3:// / gs:// URI)
  FileSystem* input_fs = nullptr;      // where input_path lives; set by RunAgent (nullptr: local)
  std::optional<Format> input_format;  // default: from each file's extension
  std::string output_path;             // dataset directory or object prefix to create or replace
  int attempt = 1;
  std::optional<std::chrono::milliseconds> timeout;
  std::string log_path;  // task log (external agents' stderr); empty = none
  // Called right before the output replaces anything; a non-OK status aborts the commit
  // and the previous output stays (the fence of a worker that lost its lease). May be empty.
  std::function<Status()> before_publish;
  // Threads for this dataset (`gaggle transform --threads`, or the fleet's core budget:
  // fleet/core_budget.h); 0: AgentThreads(spec.agent). The output bytes do not depend on it.
  int threads = 0;
};

// The threads the built-in agent uses when nothing else is said: one decodes the input ahead
// while the other transforms and encodes.
inline constexpr int kDefaultAgentThreads = 2;
// spec.agent.threads, or kDefaultAgentThreads when the spec leaves it out.
inline int AgentThreads(const AgentSpec& agent) { return agent.threads > 0 ? agent.threads : kDefaultAgentThreads; }

// What the agent did inside the staging directory, before gaggle verifies and commits.
struct StagedOutput {
  RowCounts counts;
  std::string message;
  // Set by the built-in agent, which computes them while writing. An external
  // agent's output is read back by the runner instead (never taken on its word).
  std::optional<std::string> content_checksum;
  std::optional<Schema> output_schema;
  std::vector<OutputFile> outputs;  // relative path and rows; sizes and sha256 are filled by the runner
};

struct AgentProgress {
  int64_t rows = 0;
  uint64_t bytes_read = 0;
};
using ProgressCallback = std::function<void(const AgentProgress&)>;

class Agent {
 public:
  virtual ~Agent() = default;
  virtual const AgentIdentity& identity() const = 0;
  // Migrates `input` into `staging_dir`: data files, and dead letters in
  // staging_dir/_gaggle_dead_letter.jsonl. Must check `token` between batches.
  virtual Result<StagedOutput> Stage(const AgentTask& task, const InputFingerprint& input,
                                     const std::string& staging_dir, const CancellationToken& token,
                                     const ProgressCallback& progress) = 0;
};

// The agent a spec asks for: built-in transform, or the executable (digest computed now).
Result<std::unique_ptr<Agent>> MakeAgent(const MigrationSpec& spec);

}  // namespace gaggle
