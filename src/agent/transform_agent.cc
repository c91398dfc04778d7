#include "agent/transform_agent.h"

#include <filesystem>
#include <mutex>

#include "agent/dead_letter_writer.h"
#include "agent/external_agent.h"
#include "common/digest.h"
#include "dataset/content_checksum.h"
#include "dataset/format_table.h"
#include "dataset/prefetching_reader.h"
#include "dataset/text_typing_policy.h"
#include "transform/transformer.h"

namespace gaggle {

AgentIdentity BuiltinTransformIdentity() {
  // The built-in agent is the code of this binary: its digest changes whenever gaggle
  // is rebuilt differently, which conservatively re-runs datasets after an upgrade.
  static const AgentIdentity identity = [] {
    AgentIdentity id{"gaggle-transform", GAGGLE_VERSION, ""};
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    auto digest = ec ? Result<std::string>(Status::NotFound("no /proc/self/exe"))
                     : Sha256File(FileSystem::Default(), self.string());
    id.digest = digest.ok() ? "sha256:" + *digest : "version:" + std::string(GAGGLE_VERSION);
    return id;
  }();
  return identity;
}

TransformAgent::TransformAgent(const MigrationSpec& spec) : spec_(spec), identity_(BuiltinTransformIdentity()) {}

Result<StagedOutput> TransformAgent::Stage(const AgentTask& task, const InputFingerprint& input,
                                           const std::string& staging_dir, const CancellationToken& token,
                                           const ProgressCallback& progress) {
  FileSystem* fs = FileSystem::Default();  // the staging directory is local
  FileSystem* input_fs = task.input_fs ? task.input_fs : fs;
  StagedOutput staged;
  ContentChecksum checksum;
  DeadLetterWriter dead_letters(fs, staging_dir + "/" + kDeadLetterFileName);
  AgentProgress totals;
  for (const InputFile& file : input.files) {
    const std::string display = file.relative_path.empty() ? file.path : file.relative_path;
    Format format = task.input_format.value_or(Format::kParquet);
    if (!task.input_format) {
      GAGGLE_ASSIGN_OR_RETURN(format, FormatFromPath(file.path));
    }
    ReadOptions read_options;
    read_options.batch_rows = batch_rows_;
    // Text sources are typed by the declared source schema when there is one, so that a
    // value that does not parse becomes a cast failure (a dead letter), not a read error
    // for the whole file after type inference guessed from the first rows.
    TypeTextAs(format, spec_.transform.source_schema, &read_options);
    // With threads > 1 the next batch is decoded on a thread of its own while this one is
    // transformed (JSON lines: parsed on `threads` threads), and the writer encodes the
    // output's columns on `threads` threads.
    const int threads = task.threads > 0 ? task.threads : AgentThreads(spec_.agent);
    read_options.threads = threads;
    GAGGLE_ASSIGN_OR_RETURN(auto opened, OpenReader(file.path, format, read_options, input_fs));
    std::unique_ptr<BatchReader> reader = MaybePrefetch(std::move(opened), threads > 1);
    auto transformer = Transformer::Make(spec_.transform, *reader->schema());
    if (!transformer.ok()) return transformer.status().WithContext(display);
    std::shared_ptr<const Schema> out_schema = transformer->output_schema();
    if (staged.output_schema && *staged.output_schema != *out_schema) {
      return Status::SchemaMismatch(display + ": transforms to {" + out_schema->ToString() +
                                    "}, earlier partitions to {" + staged.output_schema->ToString() + "}");
    }
    staged.output_schema = *out_schema;

    std::string rel =
        file.relative_path.empty() ? std::filesystem::path(file.path).filename().string() : file.relative_path;
    rel = std::filesystem::path(rel).replace_extension(ExtensionFor(spec_.target.format)).string();
    std::string out_path = staging_dir + "/" + rel;
    GAGGLE_RETURN_IF_ERROR(fs->CreateDirectories(std::filesystem::path(out_path).parent_path().string()));
    WriteOptions write_options;
    write_options.compression = spec_.target.compression;
    write_options.row_group_rows = spec_.target.row_group_rows;
    write_options.threads = threads;
    write_options.key_value_metadata = {{"gaggle.migration", spec_.name},
                                        {"gaggle.schema_version", std::to_string(spec_.version)}};
    GAGGLE_ASSIGN_OR_RETURN(auto writer, OpenWriter(out_path, spec_.target.format, out_schema, write_options, fs));

    RecordBatch in, out;
    std::vector<RowError> rejected;
    int64_t file_row = 0, file_rows_out = 0;
    while (true) {
      GAGGLE_RETURN_IF_ERROR(token.Check(display));
      auto more = reader->Next(&in);
      if (!more.ok()) return more.status();
      if (!*more) break;
      rejected.clear();
      TransformStats batch_stats;
      Status st = transformer->Apply(in, &out, &rejected, &batch_stats);
      const int64_t filtered = static_cast<int64_t>(batch_stats.rows_filtered);
      if (!st.ok()) return st.WithContext(display + " rows " + std::to_string(file_row) + "+");
      for (const RowError& r : rejected) {
        GAGGLE_RETURN_IF_ERROR(dead_letters.Add(display, file_row + static_cast<int64_t>(r.row), r.reason, in, r.row));
      }
      const int64_t rows_out = static_cast<int64_t>(out.num_rows());
      if (rows_out > 0) {
        checksum.Update(out);  // in batch order, before the writer may take the batch
        GAGGLE_RETURN_IF_ERROR(writer->Consume(&out));
      }
      staged.counts.rows_in += static_cast<int64_t>(in.num_rows());
      staged.counts.rows_out += rows_out;
      staged.counts.dead_lettered += static_cast<int64_t>(rejected.size());
      staged.counts.filtered += filtered;
      file_row += static_cast<int64_t>(in.num_rows());
      file_rows_out += rows_out;
      if (progress) {
        totals.rows = staged.counts.rows_in;
        progress(totals);
      }
    }
    GAGGLE_RETURN_IF_ERROR(writer->Finish());
    staged.outputs.push_back({rel, 0, "", file_rows_out});
  }
  GAGGLE_RETURN_IF_ERROR(dead_letters.Finish());
  staged.content_checksum = checksum.ToHex();
  staged.message = "transformed " + std::to_string(input.files.size()) + " file(s)";
  return staged;
}

Result<std::unique_ptr<Agent>> MakeAgent(const MigrationSpec& spec) {
  if (spec.agent.kind == AgentSpec::Kind::kExec) {
    GAGGLE_ASSIGN_OR_RETURN(auto agent, ExternalAgent::Make(spec));
    return std::unique_ptr<Agent>(std::move(agent));
  }
  if (spec.agent.builtin != "transform") {
    return Status::InvalidArgument("unknown built-in agent '" + spec.agent.builtin + "' (available: transform)");
  }
  return std::unique_ptr<Agent>(new TransformAgent(spec));
}

}  // namespace gaggle
