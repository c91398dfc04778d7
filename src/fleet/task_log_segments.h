// Task log segments: the task lines of a migration in a few shared files instead of one
// file per task (a million datasets made a million inodes, and creating them was half of a
// no-op task's cost). Layout, under DIR/MIGRATION/task-log/:
//   segment-000001.jsonl   task lines (the same JSON lines as run.jsonl), appended until the
//                          segment passes its size limit, then the next number is opened
//   segment-000001.index   written when the segment closes: one line per task line,
//                          "KEY OFFSET LENGTH\n", sorted by KEY then OFFSET, where KEY is
//                          RunLog::SafeFileName(dataset) (only [A-Za-z0-9._-]) and OFFSET and
//                          LENGTH locate the line (newline included) in the segment. It is
//                          written to a temporary name and renamed: a reader sees all or none.
// A reader finds one dataset's lines by a binary search of each closed segment's index, so
// `gaggle logs MIGRATION DATASET` reads a few hundred bytes per segment, not the segments.
// A segment without an index (being written now, or its writer died) is scanned, matching
// each line's "dataset" field. Lines found through an index are checked against the
// dataset too, so two ids sharing a KEY never show each other's lines.
// Segments are numbered from 1 without gaps: a writer claims the next free number by
// creating the file with O_EXCL, so writers in several processes (hosts sharing the
// artefact location) never share a segment, and a reader probes numbers from 1 up to the
// first missing one instead of listing a directory. Lines of one dataset come in segment
// order, then file order.
// Many writers on an object store (ArtifactMirror): each process writes its segments in
// its own subdirectory, DIR/MIGRATION/task-log/WRITER/, numbered from 1 there, and uploads
// a segment with its index when it closes; ForEachTaskLogLineOfAllWriters reads them all
// in a directory, ForEachTaskLogLineOfWriters through any TaskLogSegmentSource (a reader
// in object storage fetches indexes and then only the ranges they name).
// A live writer there also publishes its open segment periodically (PublishOpen): the
// segment as written so far and a live index of it, whose first line is
// "#covers BYTES\n" (kLiveIndexMark): the index names the lines of the segment's first
// BYTES bytes, and a reader scans the bytes after them (a whole line at a time: an
// unfinished last line is left for the next publish). Both objects are this writer's own,
// so rewriting them in place is safe, and a segment only grows: a later version holds
// the earlier one's bytes first. When the segment closes, its final index (no mark)
// replaces the live one. An index without the mark covers the whole segment; readers of
// earlier versions read a live index's entries (the mark sorts before every KEY) and miss
// only the lines after BYTES.
// Earlier versions wrote DIR/MIGRATION/tasks/DATASET.jsonl per task: ForEachTaskLogLine
// reads that file first when it exists, so artefact areas of old runs keep their logs.
// Thread-safety: a TaskLogSegmentWriter needs external synchronisation (RunLog's mutex);
// ForEachTaskLogLine may run from any thread, also while a writer appends.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace gaggle {

constexpr uint64_t kDefaultTaskLogSegmentBytes = uint64_t{16} << 20;
// The first bytes of a live index (see the top).
constexpr char kLiveIndexMark[] = "#covers ";

// "DIR/segment-000042.jsonl" and "DIR/segment-000042.index".
std::string TaskLogSegmentPath(const std::string& segments_dir, uint64_t number);
std::string TaskLogIndexPath(const std::string& segments_dir, uint64_t number);

class TaskLogSegmentWriter {
 public:
  // `segments_dir` must exist. Nothing is created before the first Append.
  TaskLogSegmentWriter(std::string segments_dir, uint64_t segment_bytes);
  ~TaskLogSegmentWriter();  // Close(), its error ignored (RunLog reported the earlier ones)
  TaskLogSegmentWriter(const TaskLogSegmentWriter&) = delete;
  TaskLogSegmentWriter& operator=(const TaskLogSegmentWriter&) = delete;

  // Appends `line` (ending in '\n') for `dataset` and flushes it, so readers see it at once.
  // On an error the segment is closed (its index written for the lines it holds) and the
  // next Append claims a new one; the error names the file.
  Status Append(const std::string& dataset, const std::string& line);
  // Writes the open segment's index and closes it; a no-op when none is open.
  Status Close();
  // For a live run in object storage, every publish period: when the open segment grew
  // since the last call, writes its live index (the lines so far, marked with the bytes
  // they cover) and returns the segment's path and the index's, to be uploaded in that
  // order. Empty when nothing is open or nothing is new. A segment of `close_at` bytes or
  // more is closed instead (on_closed uploads it with its final index) and nothing is
  // returned: each publish rewrites at most `close_at` bytes plus the new lines.
  Result<std::vector<std::string>> PublishOpen(uint64_t close_at);
  // Called after each segment is closed, with its path and its index's path (the index
  // may be missing when it could not be written): where a mirror uploads them.
  void set_on_closed(std::function<void(const std::string& segment, const std::string& index)> on_closed) {
    on_closed_ = std::move(on_closed);
  }

  // The segment being written (0: none yet), for tests.
  uint64_t current_segment() const { return file_ ? number_ : 0; }

 private:
  Status OpenNext();
  // The index of the lines so far; `live`: with the mark naming the bytes it covers.
  Status WriteIndex(bool live);

  struct Entry {
    std::string key;
    uint64_t offset;
    uint64_t length;
  };
  const std::string dir_;
  const uint64_t segment_bytes_;
  std::FILE* file_ = nullptr;
  uint64_t number_ = 0;  // of the open segment, or of the last one closed
  uint64_t size_ = 0;
  uint64_t published_size_ = 0;  // of the open segment, at its last PublishOpen
  std::vector<Entry> entries_;
  std::function<void(const std::string&, const std::string&)> on_closed_;
};

// A byte range of a segment: the line at `offset`, or its first `length` bytes.
struct TaskLogRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Where a reader finds one writer's segments (numbered from 1 without gaps): a local
// directory (LocalTaskLogSegments), or objects fetched on demand, an index whole and a
// segment only in the ranges its index points at (service/mirrored_task_log.h).
// Errors name the file. Used from one thread at a time.
class TaskLogSegmentSource {
 public:
  virtual ~TaskLogSegmentSource() = default;
  // Whether segment `n` exists.
  virtual Result<bool> HasSegment(uint64_t n) = 0;
  // The size of segment `n` (read for a live index only: what follows the bytes it covers).
  virtual Result<uint64_t> SegmentSize(uint64_t n) = 0;
  // A local path of segment `n`'s index; "" when the segment has none.
  virtual Result<std::string> LocalIndex(uint64_t n) = 0;
  // The bytes of each of `ranges` of segment `n`, in their order (shorter where a range
  // passes the segment's end).
  virtual Result<std::vector<std::string>> ReadRanges(uint64_t n, const std::vector<TaskLogRange>& ranges) = 0;
  // A local path of the whole segment `n`, to scan when it has no usable index.
  virtual Result<std::string> LocalSegment(uint64_t n) = 0;
};

// The segments in the local directory `segments_dir` (missing: none).
std::unique_ptr<TaskLogSegmentSource> LocalTaskLogSegments(std::string segments_dir);

// Calls `sink` with each task line of `dataset` (without its newline), oldest first: the
// legacy per-task file `legacy_path` when it exists, then the segments of `segments`.
// A line longer than `max_line_bytes` is passed cut, with a note of the bytes left out.
// Returns how many lines were passed (0: the dataset has no task log); IOError naming the
// file when a segment exists but cannot be read.
Result<int64_t> ForEachTaskLogLine(TaskLogSegmentSource& segments, const std::string& legacy_path,
                                   const std::string& dataset, size_t max_line_bytes,
                                   const std::function<void(const std::string& line)>& sink);

// ForEachTaskLogLine over LocalTaskLogSegments(segments_dir).
Result<int64_t> ForEachTaskLogLine(const std::string& segments_dir, const std::string& legacy_path,
                                   const std::string& dataset, size_t max_line_bytes,
                                   const std::function<void(const std::string& line)>& sink);

// ForEachTaskLogLine over `writers`: the task-log directory itself first (legacy_path
// read with it), then each writer's subdirectory, in name order. When there is more than
// that first one, lines are passed in the order of their "time" field (stable: lines of
// one time keep writer, then segment order), since a retried task's attempts may have run
// in different processes.
Result<int64_t> ForEachTaskLogLineOfWriters(const std::vector<std::unique_ptr<TaskLogSegmentSource>>& writers,
                                            const std::string& legacy_path, const std::string& dataset,
                                            size_t max_line_bytes,
                                            const std::function<void(const std::string& line)>& sink);

// The local `task_log_dir` and then its subdirectories in name order, as
// ForEachTaskLogLineOfWriters takes them.
std::vector<std::unique_ptr<TaskLogSegmentSource>> LocalTaskLogWriters(const std::string& task_log_dir);

// ForEachTaskLogLineOfWriters over LocalTaskLogWriters(task_log_dir).
Result<int64_t> ForEachTaskLogLineOfAllWriters(const std::string& task_log_dir, const std::string& legacy_path,
                                               const std::string& dataset, size_t max_line_bytes,
                                               const std::function<void(const std::string& line)>& sink);

}  // namespace gaggle
