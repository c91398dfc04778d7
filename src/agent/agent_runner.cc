#include "agent/agent_runner.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "agent/object_output_committer.h"
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

// The file system of each side: the input's (local or an object store), and the object
// store of an object-store output (nullptr for a local one). Object URIs are normalized.
struct Sides {
  FileSystem* input_fs = nullptr;
  ObjectStoreFileSystem* store = nullptr;
};

Result<Sides> ResolveSides(FileSystem* fs, FileSystemResolver* resolver, AgentTask* task) {
  Sides s;
  s.input_fs = fs;
  if (IsObjectStoreUri(task->input_path)) {
    GAGGLE_ASSIGN_OR_RETURN(ResolvedLocation in, resolver->Resolve(task->input_path));
    s.input_fs = in.fs;
    task->input_path = in.path;
    task->input_fs = in.fs;
  }
  if (IsObjectStoreUri(task->output_path)) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectUri out, ParseObjectUri(task->output_path));
    GAGGLE_ASSIGN_OR_RETURN(s.store, resolver->ObjectStore(out.scheme));
    task->output_path = out.ToString();
  }
  return s;
}

// Object stores configured from the environment alone, for callers that pass no resolver.
FileSystemResolver* DefaultResolver() {
  static FileSystemResolver* resolver = new FileSystemResolver();
  return resolver;
}

// The committed output's manifest, if there is one a rerun may trust. An object store's
// output is checked against its listing (object_output_committer.h); an untrusted or
// unreadable one is simply not current, except for a transient store error.
Result<std::optional<Manifest>> CurrentManifest(FileSystem* fs, const Sides& sides, const std::string& output,
                                                std::string* root) {
  *root = output;
  if (sides.store) {
    Result<CommittedObjectOutput> committed = LoadCommittedObjectOutput(sides.store, output);
    if (committed.ok()) {
      *root = committed->root;
      return std::optional<Manifest>(std::move(committed->manifest));
    }
    if (committed.status().retryable()) return committed.status();
    return std::optional<Manifest>();
  }
  std::string manifest_path = output + "/" + kManifestFileName;
  if (!fs->Exists(manifest_path)) return std::optional<Manifest>();
  auto existing = Manifest::Load(fs, manifest_path);
  if (!existing.ok()) return std::optional<Manifest>();
  return std::optional<Manifest>(std::move(existing).value());
}

// Row accounting and the dead-letter budget of a staged output. Rejected records of a run
// over budget are kept beside (never inside) local_output for diagnosis.
Status CheckStagedCounts(FileSystem* fs, const MigrationSpec& spec, const std::string& what, const std::string& staging,
                         const std::string& local_output, const StagedOutput& staged) {
  if (!staged.counts.Balanced()) {
    return Status::AgentError(
        what + ": row accounting does not balance: rows in " + std::to_string(staged.counts.rows_in) + " != out " +
        std::to_string(staged.counts.rows_out) + " + dead-lettered " + std::to_string(staged.counts.dead_lettered) +
        " + filtered " + std::to_string(staged.counts.filtered));
  }
  std::string dlq_path = staging + "/" + kDeadLetterFileName;
  GAGGLE_ASSIGN_OR_RETURN(int64_t dlq_lines, CountLines(fs, dlq_path));
  if (dlq_lines != staged.counts.dead_lettered) {
    return Status::AgentError(what + ": agent reported " + std::to_string(staged.counts.dead_lettered) +
                              " dead-lettered rows, the dead-letter file holds " + std::to_string(dlq_lines));
  }
  if (staged.counts.rows_in == 0) return Status::OK();
  double fraction = static_cast<double>(staged.counts.dead_lettered) / static_cast<double>(staged.counts.rows_in);
  if (fraction <= spec.dead_letter.max_fraction || staged.counts.dead_lettered <= spec.dead_letter.min_count) {
    return Status::OK();
  }
  std::string kept = local_output + ".rejected-dead-letter.jsonl";
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
  return Status::DeadLetterLimit(what + ": " + std::to_string(staged.counts.dead_lettered) + " of " +
                                 std::to_string(staged.counts.rows_in) + " rows dead-lettered (" + Percent(fraction) +
                                 "), above dead_letter.max_fraction " + Percent(spec.dead_letter.max_fraction) +
                                 (spec.dead_letter.min_count > 0
                                      ? " and dead_letter.min_count " + std::to_string(spec.dead_letter.min_count)
                                      : std::string()) +
                                 first_reason + " (all records with reasons: " + kept + ")");
}

}  // namespace

std::string ObjectScratchDir(const std::string& output_uri) {
  const char* tmp = std::getenv("TMPDIR");
  std::string root = tmp && *tmp ? tmp : "/tmp";
  return root + "/gaggle-object-staging/" + Sha256Hex(output_uri).substr(0, 24);
}

std::string OutputSpecHash(const MigrationSpec& spec) {
  nlohmann::json all = nlohmann::json::parse(CanonicalSpecText(spec), nullptr, false);
  nlohmann::json kept = nlohmann::json::object();
  for (const char* key : {"name", "version", "agent", "transform", "target", "dead_letter"}) {
    if (all.is_object() && all.contains(key)) kept[key] = all[key];
  }
  if (kept.contains("target") && kept["target"].is_object()) kept["target"].erase("uri");
  return Sha256Hex(kept.dump());
}

Result<AgentRunResult> RunAgent(Agent* agent, const MigrationSpec& spec, const AgentTask& task_in,
                                CancellationToken* token, const ProgressCallback& progress, FileSystem* fs,
                                FileSystemResolver* resolver) {
  auto start = std::chrono::steady_clock::now();
  std::string started_at = NowIso();
  if (task_in.timeout) token->set_deadline(CancellationToken::Clock::now() + *task_in.timeout);
  std::string what = "dataset '" + task_in.dataset_id + "'";
  const std::string spec_hash = OutputSpecHash(spec);
  AgentTask task = task_in;
  GAGGLE_ASSIGN_OR_RETURN(Sides sides, ResolveSides(fs, resolver ? resolver : DefaultResolver(), &task));

  if (sides.store) {
    GAGGLE_RETURN_IF_ERROR(
        CheckObjectOutputOwnership(sides.store, task.output_path, task.input_path).WithContext(what));
    // Also when the output turns out to be current: a run killed after its commit leaves
    // nothing behind, but one killed before it may have, and this run may stop at the skip.
    // The same holds for the local scratch area of a run killed between its upload and the
    // removal of its staging directory.
    GAGGLE_RETURN_IF_ERROR(RecoverObjectOutputLeftovers(sides.store, task.output_path).status().WithContext(what));
    GAGGLE_RETURN_IF_ERROR(RecoverOutputLeftovers(fs, ObjectScratchDir(task.output_path)).WithContext(what));
  } else {
    GAGGLE_RETURN_IF_ERROR(CheckOutputOwnership(task.output_path, task.input_path).WithContext(what));
    GAGGLE_RETURN_IF_ERROR(RecoverOutputLeftovers(fs, task.output_path));
  }
  GAGGLE_ASSIGN_OR_RETURN(InputFingerprint input, FingerprintDataset(sides.input_fs, task.input_path));
  GAGGLE_RETURN_IF_ERROR(token->Check(what));

  std::string current_root;
  GAGGLE_ASSIGN_OR_RETURN(std::optional<Manifest> current, CurrentManifest(fs, sides, task.output_path, &current_root));
  if (current && current->Matches(input, spec_hash, agent->identity())) {
    AgentRunResult result;
    result.skipped = true;
    result.output_root = current_root;
    result.manifest = std::move(*current);
    result.message = "output is current (same input, spec and agent): nothing to do";
    return result;
  }

  // An object-store output is staged in a local scratch directory, then uploaded to its
  // attempt prefix and committed by its manifest (agent/object_output_committer.h).
  std::optional<ObjectOutputCommitter> object_committer;
  if (sides.store) {
    GAGGLE_ASSIGN_OR_RETURN(ObjectOutputCommitter c, ObjectOutputCommitter::Begin(sides.store, task.output_path));
    object_committer.emplace(std::move(c));
  }
  const std::string local_output = sides.store ? ObjectScratchDir(task.output_path) : task.output_path;
  GAGGLE_ASSIGN_OR_RETURN(OutputCommitter committer, OutputCommitter::Begin(fs, local_output));
  auto staged_result = agent->Stage(task, input, committer.staging_dir(), *token, progress);
  if (!staged_result.ok()) return staged_result.status().WithContext(what);
  StagedOutput staged = std::move(staged_result).value();
  // Before anything reads, converts or removes a staged file: no symlink out of it.
  GAGGLE_RETURN_IF_ERROR(CheckStagedOutputSymlinks(committer.staging_dir()).WithContext(what));
  GAGGLE_RETURN_IF_ERROR(CheckStagedCounts(fs, spec, what, committer.staging_dir(), local_output, staged));
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
  if (object_committer) {
    GAGGLE_RETURN_IF_ERROR(token->Check(what));
    if (task.before_publish) GAGGLE_RETURN_IF_ERROR(task.before_publish().WithContext(what));
    GAGGLE_RETURN_IF_ERROR(object_committer->Commit(fs, committer.staging_dir(), manifest).WithContext(what));
  } else {
    GAGGLE_RETURN_IF_ERROR(
        WriteFileAtomically(fs, committer.staging_dir() + "/" + kManifestFileName, manifest.ToJson().dump(2) + "\n"));
    // Right before the output replaces anything: the same rules again, and no symlink out.
    GAGGLE_RETURN_IF_ERROR(CheckStagedOutputSymlinks(committer.staging_dir()).WithContext(what));
    GAGGLE_RETURN_IF_ERROR(CheckOutputOwnership(task.output_path, task.input_path).WithContext(what));
    if (task.before_publish) GAGGLE_RETURN_IF_ERROR(task.before_publish().WithContext(what));
    GAGGLE_RETURN_IF_ERROR(committer.Commit());
  }

  AgentRunResult result;
  result.manifest = std::move(manifest);
  result.message = staged.message;
  result.output_root = object_committer ? object_committer->attempt_prefix() : task.output_path;
  return result;
}

}  // namespace gaggle
