#include "fleet/agent_task_executor.h"

#include "agent/agent_runner.h"
#include "dataset/format_table.h"
#include "dataset/input_fingerprint.h"
#include "validate/dataset_validator.h"

namespace gaggle {

Result<TaskOutcome> AgentTaskExecutor::Execute(const TaskRecord& task, CancellationToken* token,
                                               const TaskContext& context) {
  AgentTask agent_task;
  agent_task.migration = task.migration;
  agent_task.dataset_id = task.dataset_id;
  GAGGLE_ASSIGN_OR_RETURN(agent_task.input_path, LocalPathFromUri(task.source_uri));
  GAGGLE_ASSIGN_OR_RETURN(agent_task.output_path, LocalPathFromUri(task.target_uri));
  if (!task.source_format.empty()) {
    auto format = ParseFormat(task.source_format);
    if (format.ok()) agent_task.input_format = *format;  // else: by each file's extension
  }
  agent_task.attempt = task.attempts;
  agent_task.timeout = spec_.fleet.timeout;
  agent_task.log_path = context.agent_log_path;
  agent_task.before_publish = context.before_publish;
  ProgressCallback progress;
  if (context.on_rows) {
    progress = [&context](const AgentProgress& p) { context.on_rows(p.rows); };
  }
  GAGGLE_ASSIGN_OR_RETURN(AgentRunResult run, RunAgent(agent_.get(), spec_, agent_task, token, progress));
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
  GAGGLE_ASSIGN_OR_RETURN(std::string source, LocalPathFromUri(task.source_uri));
  GAGGLE_ASSIGN_OR_RETURN(std::string output, LocalPathFromUri(task.target_uri));
  FileSystem* fs = FileSystem::Default();
  TaskValidation v;
  GAGGLE_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Load(fs, output + "/" + kManifestFileName));
  GAGGLE_ASSIGN_OR_RETURN(InputFingerprint now, FingerprintDataset(fs, source));
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
  if (!task.source_format.empty()) {
    auto format = ParseFormat(task.source_format);
    if (format.ok()) options.old_format = *format;
  }
  GAGGLE_ASSIGN_OR_RETURN(ValidationResult result, DatasetValidator(spec_, options).Validate(source, output));
  v.passed = result.passed();
  v.summary = v.passed ? "" : result.FailureSummary();
  v.report = result.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return v;
}

}  // namespace gaggle
