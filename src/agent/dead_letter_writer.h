// DeadLetterWriter: records that could not be transformed, one JSON object per
// line: {"file": "...", "row": N, "reason": "...", "record": {...original values...}}.
// `row` is the 0-based row index within the source file. Numbers that JSON cannot
// hold exactly (NaN, infinities) and binary values are written as strings.
// The file is created on the first record only, so clean runs leave none.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/record_batch.h"
#include "common/file_system.h"
#include "common/status.h"

namespace gaggle {

class DeadLetterWriter {
 public:
  DeadLetterWriter(FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  Status Add(const std::string& file, int64_t row, const std::string& reason, const RecordBatch& batch,
             size_t batch_row);
  // Flushes and closes; OK when nothing was written.
  Status Finish();
  int64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  FileSystem* fs_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  int64_t count_ = 0;
};

}  // namespace gaggle
