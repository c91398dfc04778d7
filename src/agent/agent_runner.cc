#include "agent/agent_runner.h"

#include <chrono>
#include <filesystem>

#include "agent/output_committer.h"
#include "agent/output_ownership.h"
#include "columnar/value_format.h"
#include "common/digest.h"
#include "dataset/content_checksum.h"
#include "dataset/format_table.h"
#include "dataset/text_typing_policy.h"
#include "transform/transformer.h"

namespace gaggle {
namespace {

std::string NowIso() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  return FormatTimestamp(us);
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g%%", fraction * 100);
  return buf;
}

// Data files under dir, relative, sorted; skips '_'-prefixed metadata.
Status ListStaged(FileSystem* fs, const std::string& dir, const std::string& rel, std::vector<std::string>* out) {
  GAGGLE_ASSIGN_OR_RETURN(auto names, fs->ListDirectory(dir));
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '_' || name[0] == '.') continue;
    std::string path = dir + "/" + name;
    std::string child = rel.empty() ? name : rel + "/" + name;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
    if (info.is_directory) {
      GAGGLE_RETURN_IF_ERROR(ListStaged(fs, path, child, out));
    } else {
      out->push_back(child);
    }
  }
  return Status::OK();
}

Result<int64_t> CountLines(FileSystem* fs, const std::string& path) {
  if (!fs->Exists(path)) return int64_t{0};
  GAGGLE_ASSIGN_OR_RETURN(std::string text, ReadFileToString(fs, path));
  int64_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

// Reads every staged file back (converting it to the target format when it is in
// another one), so that counts, schema and checksum come from the bytes on disk.
Status VerifyByReading(FileSystem* fs, const MigrationSpec& spec, const std::string& staging,
                       const CancellationToken& token, StagedOutput* staged) {
  std::vector<std::string> files;
  GAGGLE_RETURN_IF_ERROR(ListStaged(fs, staging, "", &files));
  ContentChecksum checksum;
  std::optional<Schema> schema;
  staged->outputs.clear();
  // Text output (CSV, JSON lines) is typed by the schema the migration declares for its
  // output — the declared source schema through the transformation — when there is one,
  // as the validator types it; columns that do not fit it are read with inferred types,
  // so the difference shows in the schema check instead of failing here.
  std::optional<Schema> expected;
  if (spec.transform.source_schema) {
    auto transformer = Transformer::Make(spec.transform, *spec.transform.source_schema);
    if (transformer.ok()) expected = *transformer->output_schema();
  }
  for (const std::string& rel : files) {
    std::string path = staging + "/" + rel;
    auto format = FormatFromPath(path);
    if (!format.ok()) return Status::AgentError("agent wrote '" + rel + "', which is not a data file gaggle reads");
    auto opened = OpenReaderExpecting(path, *format, ReadOptions{}, expected ? &*expected : nullptr, fs);
    if (!opened.ok()) return opened.status();
    std::unique_ptr<BatchReader> reader = std::move(opened).value();
    std::shared_ptr<const Schema> file_schema = reader->schema();
    if (schema && *schema != *file_schema) {
      return Status::SchemaMismatch("agent output '" + rel + "' has schema {" + file_schema->ToString() +
                                    "}, other files have {" + schema->ToString() + "}");
    }
    schema = *file_schema;
    std::string final_rel = rel;
    std::unique_ptr<BatchWriter> writer;
    std::string converted_path;
    if (*format != spec.target.format) {
      final_rel = std::filesystem::path(rel).replace_extension(ExtensionFor(spec.target.format)).string();
      converted_path = staging + "/" + final_rel;
      if (fs->Exists(converted_path)) {
        return Status::AgentError("agent wrote both '" + rel + "' and '" + final_rel + "'");
      }
      WriteOptions wo;
      wo.compression = spec.target.compression;
      wo.row_group_rows = spec.target.row_group_rows;
      GAGGLE_ASSIGN_OR_RETURN(writer, OpenWriter(converted_path, spec.target.format, file_schema, wo, fs));
    }
    RecordBatch batch;
    int64_t rows = 0;
    while (true) {
      GAGGLE_RETURN_IF_ERROR(token.Check("verifying agent output"));
      GAGGLE_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) break;
      rows += static_cast<int64_t>(batch.num_rows());
      checksum.Update(batch);
      if (writer) GAGGLE_RETURN_IF_ERROR(writer->Write(batch));
    }
    if (writer) {
      GAGGLE_RETURN_IF_ERROR(writer->Finish());
      GAGGLE_RETURN_IF_ERROR(fs->RemoveFile(path));
    }
    staged->outputs.push_back({final_rel, 0, "", rows});
  }
  int64_t total = 0;
  for (const OutputFile& o : staged->outputs) total += o.rows;
  if (total != staged->counts.rows_out) {
    return Status::AgentError("row accounting: agent reported " + std::to_string(staged->counts.rows_out) +
                              " rows out, its files hold " + std::to_string(total));
  }
  staged->content_checksum = checksum.ToHex();
  staged->output_schema = schema.value_or(Schema());
  return Status::OK();
}

}  // namespace

std::string OutputSpecHash(const MigrationSpec& spec) {
  nlohmann::json all = nlohmann::json::parse(CanonicalSpecText(spec), nullptr, false);
  nlohmann::json kept = nlohmann::json::object();
  for (const char* key : {"name", "version", "agent", "transform", "target", "dead_letter"}) {
    if (all.is_object() && all.contains(key)) kept[key] = all[key];
  }
  if (kept.contains("target") && kept["target"].is_object()) kept["target"].erase("uri");
  return Sha256Hex(kept.dump());
}

Result<AgentRunResult> RunAgent(Agent* agent, const MigrationSpec& spec, const AgentTask& task,
                                CancellationToken* token, const ProgressCallback& progress, FileSystem* fs) {
  auto start = std::chrono::steady_clock::now();
  std::string started_at = NowIso();
  if (task.timeout) token->set_deadline(CancellationToken::Clock::now() + *task.timeout);
  std::string what = "dataset '" + task.dataset_id + "'";
  const std::string spec_hash = OutputSpecHash(spec);

  GAGGLE_RETURN_IF_ERROR(CheckOutputOwnership(task.output_path, task.input_path).WithContext(what));
  GAGGLE_RETURN_IF_ERROR(RecoverOutputLeftovers(fs, task.output_path));
  GAGGLE_ASSIGN_OR_RETURN(InputFingerprint input, FingerprintDataset(fs, task.input_path));
  GAGGLE_RETURN_IF_ERROR(token->Check(what));

  std::string manifest_path = task.output_path + "/" + kManifestFileName;
  if (fs->Exists(manifest_path)) {
    auto existing = Manifest::Load(fs, manifest_path);
    if (existing.ok() && existing->Matches(input, spec_hash, agent->identity())) {
      AgentRunResult result;
      result.skipped = true;
      result.manifest = std::move(existing).value();
      result.message = "output is current (same input, spec and agent): nothing to do";
      return result;
    }
  }

  GAGGLE_ASSIGN_OR_RETURN(OutputCommitter committer, OutputCommitter::Begin(fs, task.output_path));
  auto staged_result = agent->Stage(task, input, committer.staging_dir(), *token, progress);
  if (!staged_result.ok()) return staged_result.status().WithContext(what);
  StagedOutput staged = std::move(staged_result).value();
  // Before anything reads, converts or removes a staged file: no symlink out of it.
  GAGGLE_RETURN_IF_ERROR(CheckStagedOutputSymlinks(committer.staging_dir()).WithContext(what));

  if (!staged.counts.Balanced()) {
    return Status::AgentError(
        what + ": row accounting does not balance: rows in " + std::to_string(staged.counts.rows_in) + " != out " +
        std::to_string(staged.counts.rows_out) + " + dead-lettered " + std::to_string(staged.counts.dead_lettered) +
        " + filtered " + std::to_string(staged.counts.filtered));
  }
  std::string dlq_path = committer.staging_dir() + "/" + kDeadLetterFileName;
  GAGGLE_ASSIGN_OR_RETURN(int64_t dlq_lines, CountLines(fs, dlq_path));
  if (dlq_lines != staged.counts.dead_lettered) {
    return Status::AgentError(what + ": agent reported " + std::to_string(staged.counts.dead_lettered) +
                              " dead-lettered rows, the dead-letter file holds " + std::to_string(dlq_lines));
  }
  if (staged.counts.rows_in > 0) {
    double fraction = static_cast<double>(staged.counts.dead_lettered) / static_cast<double>(staged.counts.rows_in);
    if (fraction > spec.dead_letter.max_fraction && staged.counts.dead_lettered > spec.dead_letter.min_count) {
      // Keep the rejected records for diagnosis, beside (never inside) the output.
      std::string kept = task.output_path + ".rejected-dead-letter.jsonl";
      std::string first_reason;
      if (fs->Rename(dlq_path, kept).ok()) {
        auto text = ReadFileToString(fs, kept);
        if (text.ok()) {
          auto line = nlohmann::json::parse(text->substr(0, text->find('\n')), nullptr, false);
          if (line.is_object() && line.contains("reason") && line["reason"].is_string()) {
            first_reason = "; first: " + line["reason"].get<std::string>();
          }
        }
      }
      return Status::DeadLetterLimit(
          what + ": " + std::to_string(staged.counts.dead_lettered) + " of " + std::to_string(staged.counts.rows_in) +
          " rows dead-lettered (" + Percent(fraction) + "), above dead_letter.max_fraction " +
          Percent(spec.dead_letter.max_fraction) +
          (spec.dead_letter.min_count > 0 ? " and dead_letter.min_count " + std::to_string(spec.dead_letter.min_count)
                                          : std::string()) +
          first_reason + " (all records with reasons: " + kept + ")");
    }
  }
  if (!staged.content_checksum) {
    Status st = VerifyByReading(fs, spec, committer.staging_dir(), *token, &staged);
    if (!st.ok()) return st.WithContext(what);
  }
  for (OutputFile& out : staged.outputs) {
    std::string path = committer.staging_dir() + "/" + out.path;
    GAGGLE_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
    out.bytes = info.size;
    GAGGLE_ASSIGN_OR_RETURN(out.sha256, Sha256File(fs, path));
  }
  GAGGLE_RETURN_IF_ERROR(token->Check(what));

  Manifest manifest;
  manifest.migration = spec.name;
  manifest.spec_hash = spec_hash;
  manifest.agent = agent->identity();
  manifest.input = std::move(input);
  manifest.outputs = std::move(staged.outputs);
  manifest.counts = staged.counts;
  manifest.content_checksum = *staged.content_checksum;
  manifest.output_schema = staged.output_schema.value_or(Schema());
  manifest.started_at = started_at;
  manifest.finished_at = NowIso();
  manifest.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  GAGGLE_RETURN_IF_ERROR(
      WriteFileAtomically(fs, committer.staging_dir() + "/" + kManifestFileName, manifest.ToJson().dump(2) + "\n"));
  // Right before the output replaces anything: the same rules again, and no symlink out.
  GAGGLE_RETURN_IF_ERROR(CheckStagedOutputSymlinks(committer.staging_dir()).WithContext(what));
  GAGGLE_RETURN_IF_ERROR(CheckOutputOwnership(task.output_path, task.input_path).WithContext(what));
  if (task.before_publish) GAGGLE_RETURN_IF_ERROR(task.before_publish().WithContext(what));
  GAGGLE_RETURN_IF_ERROR(committer.Commit());

  AgentRunResult result;
  result.manifest = std::move(manifest);
  result.message = staged.message;
  return result;
}

}  // namespace gaggle
