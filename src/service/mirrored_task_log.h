// MirroredTaskLogWriters: the task-log segments of a migration whose artefact location is
// in object storage (storage/artifact_mirror.h), read without downloading them. One
// listing finds every writer's segments and indexes; an index is copied into the spool,
// and of a segment only the byte ranges its index names for the dataset are read, with
// ranged GETs (nearby ranges merged into one, each checked against the listed ETag). A
// segment that has no index in object storage is copied whole and scanned, as before.
// A copy already in the spool with the object's size is reused: a segment only grows
// until it closes, so the same size means the same bytes; an index is rewritten only
// while its segment is live (task_log_segments.h), each version longer than the one
// before, and a stale copy still names lines of the segment rightly (what follows the
// bytes it covers is scanned). The ranges of a live segment are read without the ETag
// check: it is republished every period as a longer version of the same bytes, and any
// version holds the listed bytes at the listed offsets.
// The spool's own files count as well: what this process writes itself (a server running
// a migration) is read there until it is uploaded, and a segment found in both is read
// from object storage unless the spool's copy is at least as long (this process's own
// segment, which may be growing and is never overwritten, or a copy of the same bytes).
// So the lines passed are exactly those of a reader that fetched the whole task-log
// prefix into its spool first (but for this process's own lines not uploaded yet).
// Thread-safety: the sources returned are used from one thread at a time; the mirror may
// be shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/task_log_segments.h"
#include "storage/artifact_mirror.h"

namespace gaggle::service {

// Two ranges of a segment closer than this are read with one GET: a request costs about
// as much time as 64 KiB of transfer.
constexpr uint64_t kDefaultTaskLogRangeMergeGap = uint64_t{64} << 10;

// The writers of the task-log folder `relative_dir` (a migration's "M/task-log", relative
// to the mirror's remote and spool), ordered as ForEachTaskLogLineOfWriters takes them:
// the folder itself, then each writer's subfolder (in object storage or in the spool) by
// name.
Result<std::vector<std::unique_ptr<TaskLogSegmentSource>>> MirroredTaskLogWriters(
    ArtifactMirror* mirror, const std::string& relative_dir, uint64_t merge_gap = kDefaultTaskLogRangeMergeGap);

}  // namespace gaggle::service
