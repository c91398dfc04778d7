#include "fleet/agent_task_executor.h"

#include <algorithm>

#include "agent/agent_runner.h"
#include "agent/object_output_committer.h"
#include "dataset/format_table.h"
#include "dataset/input_fingerprint.h"
#include "validate/dataset_validator.h"

namespace gaggle {
namespace {

// The location RunAgent takes for a plan URI: object URIs as they are, local ones as paths.
Result<std::string> AgentPath(const std::string& uri) {
  if (IsObjectStoreUri(uri)) return uri;
  return LocalPathFromUri(uri);
}

FileSystemResolver* EnvironmentResolver() {
  static FileSystemResolver* resolver = new FileSystemResolver();
  return resolver;
}

// The committed output of a task: its root (the attempt prefix on an object store), the
// file system serving it, and its manifest.
struct CommittedOutput {
  FileSystem* fs = nullptr;
  std::string root;
  Manifest manifest;
};

Result<CommittedOutput> LoadCommitted(FileSystemResolver* resolver, const std::string& target_uri) {
  CommittedOutput out;
  if (IsObjectStoreUri(target_uri)) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri uri, ParseObjectUri(target_uri));
    GAGGLE_ASSIGN_OR_RETURN(ObjectStoreFileSystem * store, resolver->ObjectStore(uri.scheme));
    GAGGLE_ASSIGN_OR_RETURN(CommittedObjectOutput committed, LoadCommittedObjectOutput(store, uri.ToString()));
    out.fs = store;
    out.root = committed.root;
    out.manifest = std::move(committed.manifest);
    return out;
  }
  GAGGLE_ASSIGN_OR_RETURN(out.root, LocalPathFromUri(target_uri));
  out.fs = FileSystem::Default();
  GAGGLE_ASSIGN_OR_RETURN(out.manifest, Manifest::Load(out.fs, out.root + "/" + kManifestFileName));
  return out;
}

}  // namespace

Result<TaskOutcome> AgentTaskExecutor::Execute(const TaskRecord& task, CancellationToken* token,
                                               const TaskContext& context) {
  AgentTask agent_task;
  agent_task.migration = task.migration;
  agent_task.dataset_id = task.dataset_id;
  GAGGLE_ASSIGN_OR_RETURN(agent_task.input_path, AgentPath(task.source_uri));
  GAGGLE_ASSIGN_OR_RETURN(agent_task.output_path, AgentPath(task.target_uri));
  if (!task.source_format.empty()) {
    auto format = ParseFormat(task.source_format);
    if (format.ok()) agent_task.input_format = *format;  // else: by each file's extension
  }
  agent_task.attempt = task.attempts;
  agent_task.timeout = spec_.fleet.timeout;
  agent_task.log_path = context.agent_log_path;
  agent_task.before_publish = context.before_publish;
  // The fleet's core budget caps what the spec asks for (fleet/core_budget.h).
  if (context.threads > 0) agent_task.threads = std::min(AgentThreads(spec_.agent), context.threads);
  ProgressCallback progress;
  if (context.on_rows) {
    progress = [&context](const AgentProgress& p) { context.on_rows(p.rows); };
  }
  GAGGLE_ASSIGN_OR_RETURN(AgentRunResult run,
                          RunAgent(agent_.get(), spec_, agent_task, token, progress, FileSystem::Default(), resolver_));
  TaskOutcome out;
  out.skipped = run.skipped;
  out.rows_in = run.manifest.counts.rows_in;
  out.rows_out = run.manifest.counts.rows_out;
  out.dead_lettered = run.manifest.counts.dead_lettered;
  out.filtered = run.manifest.counts.filtered;
  for (const OutputFile& f : run.manifest.outputs) out.bytes_out += f.bytes;
  out.message = run.message;
  return out;
}

Result<TaskValidation> AgentTaskExecutor::Validate(const TaskRecord& task, CancellationToken* token) {
  FileSystemResolver* resolver = resolver_ ? resolver_ : EnvironmentResolver();
  GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation source, resolver->Resolve(task.source_uri));
  GAGGLE_ASSIGN_OR_RETURN(CommittedOutput output, LoadCommitted(resolver, task.target_uri));
  const Manifest& manifest = output.manifest;
  TaskValidation v;
  GAGGLE_ASSIGN_OR_RETURN(InputFingerprint now, FingerprintDataset(source.fs, source.path));
  if (!now.SameContent(manifest.input)) {
    v.passed = false;
    v.source_changed = true;
    v.summary = "source changed since the agent ran (content hash " + manifest.input.content_hash.substr(0, 12) +
                " -> " + now.content_hash.substr(0, 12) + ")";
    return v;
  }
  GAGGLE_RETURN_IF_ERROR(token->Check("validating dataset '" + task.dataset_id + "'"));
  ValidateOptions options;
  options.parallel = false;  // the fleet already runs `concurrency` tasks at once
  options.fs = source.fs;
  options.new_fs = output.fs;
  if (!task.source_format.empty()) {
    auto format = ParseFormat(task.source_format);
    if (format.ok()) options.old_format = *format;
  }
  GAGGLE_ASSIGN_OR_RETURN(ValidationResult result, DatasetValidator(spec_, options).Validate(source.path, output.root));
  v.passed = result.passed();
  v.summary = v.passed ? "" : result.FailureSummary();
  v.report = result.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return v;
}

}  // namespace gaggle
