// DatasetValidator: compares an old dataset with its migrated new dataset, the
// evidence behind `gaggle validate` and the fleet's validation gates.
//
// Validate(OLD, NEW) reads each side once, streaming, a batch at a time:
//   - OLD (a file or a directory tree of data files, as the agent reads it) is
//     mapped through the spec's Transformer; rejected and filtered rows are counted,
//     not compared; the output rows feed a DatasetProfile (content checksum, column
//     statistics, row sample).
//   - NEW is read back from disk (its manifest is never trusted for the checksum);
//     its files feed a second DatasetProfile. Its dead-letter file
//     (_gaggle_dead_letter.jsonl) is counted line by line; its manifest
//     (_gaggle_manifest.json), when present, is cross-checked.
// Then EvaluateChecks (validation_checks.h) judges the facts against spec.gates.
// A failed check is a result, not an error; errors (typed Status) are reserved for
// inputs that cannot be read or a spec that cannot apply to OLD's schema, and name
// the side and file.
// Memory: two batches plus the sketches of the two sides, whatever the data size.
// By default the two sides are read on two threads at once.
// Thread-safety: Validate is const; concurrent calls are independent.
#pragma once

#include <optional>
#include <string>

#include "common/file_system.h"
#include "common/status.h"
#include "formats/format.h"
#include "spec/migration_spec.h"
#include "validate/column_profile.h"
#include "validate/validation_result.h"

namespace gaggle {

struct ValidateOptions {
  size_t batch_rows = 64 * 1024;
  ProfileOptions profile;
  // Read the old and the new side on two threads at once.
  bool parallel = true;
  // Formats of the sides' files; default: from each file's extension.
  std::optional<Format> old_format;
  std::optional<Format> new_format;
  FileSystem* fs = nullptr;  // nullptr: FileSystem::Default()
  // The new side's, when it lives elsewhere (an object store); nullptr: fs.
  FileSystem* new_fs = nullptr;
};

class DatasetValidator {
 public:
  // REQUIRES: `spec` outlives the validator.
  explicit DatasetValidator(const MigrationSpec& spec, ValidateOptions options = {});

  Result<ValidationResult> Validate(const std::string& old_path, const std::string& new_path) const;

 private:
  const MigrationSpec& spec_;
  ValidateOptions options_;
};

// Records in a dead-letter file (JSON lines: one per non-empty line). Streams.
Result<int64_t> CountDeadLetters(FileSystem* fs, const std::string& path);

}  // namespace gaggle
