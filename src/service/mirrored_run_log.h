// The last lines of a migration's run logs in object storage (storage/artifact_mirror.h),
// read from their end instead of downloaded. The run logs are those RunLog::RunLogFilesFor
// names, in its order (run.jsonl, then runs/WRITER.jsonl and its parts by name), each
// taken from object storage or, when the object is absent, from the spool (this
// process's own part not uploaded yet). The files are read newest first, each from its
// end in ranged GETs (512 bytes per line still wanted, at least 4 KiB, then doubling up
// to 4 MiB; checked against the listed ETag), stopping once `tail` lines are found: a
// tail of a long run reads the end of its last part or two, not the whole log. The
// lines are the last `tail` of the whole sequence, split as a forward reader splits
// them (a file's last line needs no newline, a line longer than `max_line_bytes` is
// passed cut with a note of the bytes left out).
// Thread-safety: the mirror may be shared; one call uses it from one thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/artifact_mirror.h"

namespace gaggle::service {

struct RunLogTail {
  bool found = false;              // some run log exists
  std::vector<std::string> lines;  // oldest first, at most `tail`
};

// The last `tail` (> 0) lines of the run logs of the migration folder `migration_dir`
// (RunLog::SafeFileName(migration), relative to the mirror's remote and spool).
Result<RunLogTail> TailMirroredRunLogs(ArtifactMirror* mirror, const std::string& migration_dir, size_t tail,
                                       size_t max_line_bytes);

}  // namespace gaggle::service
