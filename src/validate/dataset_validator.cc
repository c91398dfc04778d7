#include "validate/dataset_validator.h"

#include <chrono>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "dataset/dataset_files.h"
#include "dataset/format_table.h"
#include "dataset/manifest.h"
#include "dataset/text_typing_policy.h"
#include "transform/transformer.h"
#include "validate/dataset_profile.h"
#include "validate/validation_checks.h"

namespace gaggle {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

struct SideOutcome {
  SideReport report;
  int64_t rejected = 0;
  int64_t filtered = 0;
  Status status;
};

std::string Display(const InputFile& f) { return f.relative_path.empty() ? f.path : f.relative_path; }

Result<Format> FileFormat(const std::optional<Format>& forced, const std::string& path) {
  if (forced) return *forced;
  return FormatFromPath(path);
}

// Lists a side's data files; an existing empty directory is an empty dataset.
Result<std::vector<InputFile>> ListSide(FileSystem* fs, const std::string& root, bool allow_empty, bool* is_dir) {
  auto files = ListDatasetFiles(fs, root, is_dir);
  if (files.ok()) return files;
  if (allow_empty && files.status().code() == StatusCode::kNotFound && *is_dir) return std::vector<InputFile>{};
  return files.status();
}

// Reads OLD, maps it through the transformation, profiles the output rows.
Status ReadOldSide(const MigrationSpec& spec, const std::vector<InputFile>& files, const ValidateOptions& options,
                   FileSystem* fs, SideOutcome* out) {
  std::unique_ptr<DatasetProfile> profile;
  ReadOptions read_options;
  read_options.batch_rows = options.batch_rows;
  RecordBatch in, mapped;
  std::vector<RowError> rejections;
  for (const InputFile& file : files) {
    const std::string display = Display(file);
    GAGGLE_ASSIGN_OR_RETURN(Format format, FileFormat(options.old_format, file.path));
    // Text sources are typed as the agent types them: by the declared source schema.
    TypeTextAs(format, spec.transform.source_schema, &read_options);
    auto reader = OpenReader(file.path, format, read_options, fs);
    if (!reader.ok()) return reader.status();
    auto transformer = Transformer::Make(spec.transform, *(*reader)->schema());
    if (!transformer.ok()) return transformer.status().WithContext(display);
    const std::shared_ptr<const Schema>& target = transformer->output_schema();
    if (!profile) {
      profile = std::make_unique<DatasetProfile>(target, options.profile);
      out->report.schema = *target;
    } else if (*profile->schema() != *target) {
      return Status::SchemaMismatch(display + ": transforms to {" + target->ToString() + "}, earlier files to {" +
                                    profile->schema()->ToString() + "}");
    }
    TransformStats stats;
    while (true) {
      auto more = (*reader)->Next(&in);
      if (!more.ok()) return more.status();
      if (!*more) break;
      rejections.clear();
      Status st = transformer->Apply(in, &mapped, &rejections, &stats);
      if (!st.ok()) return st.WithContext(display + " rows " + std::to_string(stats.rows_in) + "+");
      profile->Update(mapped);
    }
    out->report.rows += static_cast<int64_t>(stats.rows_in);
    out->rejected += static_cast<int64_t>(stats.rows_rejected);
    out->filtered += static_cast<int64_t>(stats.rows_filtered);
    out->report.bytes += file.size;
    ++out->report.files;
  }
  if (profile) {
    out->report.rows_compared = profile->rows();
    out->report.checksum = profile->checksum().ToHex();
    out->report.columns = profile->Summarize();
  } else {
    out->report.checksum = ContentChecksum().ToHex();
  }
  return Status::OK();
}

// Reads NEW back from disk and profiles every row. Text files are typed with the
// target schema (they carry no types of their own).
Status ReadNewSide(const std::vector<InputFile>& files, const std::shared_ptr<const Schema>& target,
                   const ValidateOptions& options, FileSystem* fs, SideOutcome* out) {
  std::unique_ptr<DatasetProfile> profile;
  RecordBatch batch;
  for (const InputFile& file : files) {
    const std::string display = Display(file);
    GAGGLE_ASSIGN_OR_RETURN(Format format, FileFormat(options.new_format, file.path));
    ReadOptions read_options;
    read_options.batch_rows = options.batch_rows;
    // Columns other than the target's are read with inferred types so the schema check can say how.
    auto reader = OpenReaderExpecting(file.path, format, read_options, target.get(), fs);
    if (!reader.ok()) return reader.status();
    std::shared_ptr<const Schema> schema = (*reader)->schema();
    if (!profile) {
      profile = std::make_unique<DatasetProfile>(schema, options.profile);
      out->report.schema = *schema;
    } else if (*schema != *profile->schema()) {
      out->report.schema_notes.push_back(display + " has columns {" + schema->ToString() + "}, other files {" +
                                         profile->schema()->ToString() + "}");
    }
    while (true) {
      auto more = (*reader)->Next(&batch);
      if (!more.ok()) return more.status();
      if (!*more) break;
      profile->Update(batch);
    }
    out->report.bytes += file.size;
    ++out->report.files;
  }
  if (profile) {
    out->report.rows = profile->rows();
    out->report.rows_compared = profile->rows();
    out->report.checksum = profile->checksum().ToHex();
    out->report.columns = profile->Summarize();
  } else {
    out->report.checksum = ContentChecksum().ToHex();
  }
  return Status::OK();
}

// Runs `fn` and turns an escaping exception (allocation failure) into a Status.
template <typename F>
Status Guarded(F&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("validation stopped by an exception: ") + e.what());
  }
}

}  // namespace

Result<int64_t> CountDeadLetters(FileSystem* fs, const std::string& path) {
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  std::vector<uint8_t> buffer(1 << 20);
  int64_t records = 0;
  bool line_has_content = false;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file->Read(buffer.size(), buffer.data()));
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t b = buffer[i];
      if (b == '\n') {
        records += line_has_content;
        line_has_content = false;
      } else if (b != ' ' && b != '\t' && b != '\r') {
        line_has_content = true;
      }
    }
  }
  return records + (line_has_content ? 1 : 0);
}

DatasetValidator::DatasetValidator(const MigrationSpec& spec, ValidateOptions options)
    : spec_(spec), options_(std::move(options)) {}

Result<ValidationResult> DatasetValidator::Validate(const std::string& old_path, const std::string& new_path) const {
  const SteadyClock::time_point start = SteadyClock::now();
  FileSystem* fs = options_.fs ? options_.fs : FileSystem::Default();
  FileSystem* new_fs = options_.new_fs ? options_.new_fs : fs;
  ValidationResult result;
  result.migration = spec_.name;
  result.spec_hash = spec_.hash;

  bool old_is_dir = false, new_is_dir = false;
  auto old_files = ListSide(fs, old_path, /*allow_empty=*/false, &old_is_dir);
  if (!old_files.ok()) return old_files.status().WithContext("old dataset");
  auto new_files = ListSide(new_fs, new_path, /*allow_empty=*/true, &new_is_dir);
  if (!new_files.ok()) return new_files.status().WithContext("new dataset");

  // The target schema, known before the new side is read (its text files need it).
  std::shared_ptr<const Schema> target;
  {
    const InputFile& first = old_files->front();
    auto format = FileFormat(options_.old_format, first.path);
    if (!format.ok()) return format.status().WithContext("old dataset");
    ReadOptions read_options;
    read_options.batch_rows = options_.batch_rows;
    TypeTextAs(*format, spec_.transform.source_schema, &read_options);
    auto reader = OpenReader(first.path, *format, read_options, fs);
    if (!reader.ok()) return reader.status().WithContext("old dataset");
    auto transformer = Transformer::Make(spec_.transform, *(*reader)->schema());
    if (!transformer.ok()) return transformer.status().WithContext("old dataset: " + Display(first));
    target = transformer->output_schema();
  }

  SideOutcome old_out, new_out;
  old_out.report.path = old_path;
  new_out.report.path = new_path;
  auto run_old = [&] {
    const SteadyClock::time_point t = SteadyClock::now();
    old_out.status = Guarded([&] { return ReadOldSide(spec_, *old_files, options_, fs, &old_out); });
    old_out.report.seconds = SecondsSince(t);
  };
  auto run_new = [&] {
    const SteadyClock::time_point t = SteadyClock::now();
    new_out.status = Guarded([&] { return ReadNewSide(*new_files, target, options_, new_fs, &new_out); });
    new_out.report.seconds = SecondsSince(t);
  };
  if (options_.parallel) {
    std::thread old_thread(run_old);
    run_new();
    old_thread.join();
  } else {
    run_old();
    run_new();
  }
  if (!old_out.status.ok()) return old_out.status.WithContext("old dataset");
  if (!new_out.status.ok()) return new_out.status.WithContext("new dataset");

  result.old_side = std::move(old_out.report);
  result.new_side = std::move(new_out.report);
  result.rejected = old_out.rejected;
  result.filtered = old_out.filtered;

  if (new_is_dir) {
    std::string dir = new_path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const std::string dead_letters = dir + "/" + kDeadLetterFileName;
    if (new_fs->Exists(dead_letters)) {
      auto count = CountDeadLetters(new_fs, dead_letters);
      if (!count.ok()) return count.status().WithContext("new dataset dead letters");
      result.dead_lettered = *count;
      result.has_dead_letter_file = true;
    }
    const std::string manifest = dir + "/" + kManifestFileName;
    if (new_fs->Exists(manifest)) {
      auto loaded = Manifest::Load(new_fs, manifest);
      if (loaded.ok()) {
        result.manifest = std::move(*loaded);
      } else {
        result.manifest_error = "unreadable manifest: " + loaded.status().ToString();
      }
    }
  }
  EvaluateChecks(spec_.gates, spec_.dead_letter.min_count, &result);
  result.seconds = SecondsSince(start);
  return result;
}

}  // namespace gaggle
