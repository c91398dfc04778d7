// RunLog: the structured logs of a migration's runs, as JSON lines:
//   DIR/MIGRATION/run.jsonl              everything the runner did
//   DIR/MIGRATION/task-log/segment-*     every task's attempts (also in run.jsonl), in shared
//                                        segments with an index per segment: one dataset's
//                                        lines are read by ForEachTaskLogLine
//                                        (fleet/task_log_segments.h)
//   DIR/MIGRATION/tasks/DATASET.agent.log  an agent's own output (external agents' stderr)
// With a writer id (RunLogOptions::writer, for an artefact location in object storage,
// where each process writes a spool of its own and uploads it: storage/artifact_mirror.h),
// the run log is DIR/MIGRATION/runs/WRITER.jsonl and the segments are under
// DIR/MIGRATION/task-log/WRITER/, so the files of two processes (a coordinator that took
// over, workers) never share a name. Readers take all of them: RunLogFilesFor,
// ForEachTaskLogLineOfAllWriters. A writer's run log may come in parts
// (RunLogOptions::publish_every): runs/WRITER.jsonl, runs/WRITER.part-000002.jsonl, ...,
// which sort in the order they were written. With publish_every, the open task-log
// segment is published on the same clock (TaskLogSegmentWriter::PublishOpen), so another
// host reads a live run's task lines within a period too.
// Versions before the segments wrote DIR/MIGRATION/tasks/DATASET.jsonl per task
// (LegacyTaskLogPathFor); readers still read those.
// Each line is one object: {"time", "level", "event", "migration", "dataset"?, ...fields};
// "time" is the clock's wall time (Open's `clock`, the system clock by default).
// Dataset ids become file names through SafeFileName. Logging never fails the
// migration: a write error is reported once on stderr and logging goes on.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "fleet/task_log_segments.h"

namespace gaggle {

// 4 MiB: a publish period uploads at most about that again, and a migration writing
// less than that a period gets segments of at least 4 MiB (a quarter of the 16 MiB a
// busy one gets), so a reader fetches at most four times as many indexes.
constexpr uint64_t kDefaultLiveSegmentBytes = uint64_t{4} << 20;

struct RunLogOptions {
  Clock* clock = Clock::System();
  // The size at which a task log segment is closed and the next begun.
  uint64_t segment_bytes = kDefaultTaskLogSegmentBytes;
  // "" = the one-writer layout (run.jsonl, task-log/segment-*); else see the top.
  std::string writer;
  // Called with each file once it is complete: a closed segment, its index, and at the
  // end the run log; with publish_every also the open segment and its live index, again
  // each period in which it grew (files of this writer's own, rewritten in place). Where
  // an ArtifactMirror uploads them. Never called for one file from two threads at once,
  // and the last call for a file sees its final bytes.
  std::function<void(const std::string& path)> on_file_closed;
  // The artefact location to print in commands (`gaggle logs ... --logs X`); "" = dir.
  std::string shown_location;
  // With a writer and on_file_closed: every this often (on `clock`), the run log written
  // since the last time is closed as one part, handed to on_file_closed, and the next part
  // begun, so that a live run's log reaches object storage while it runs, each line in
  // one upload. A period with no line adds no part. 0: one file, closed at the end.
  // The open task-log segment is handed over too (with its live index) when it grew.
  std::chrono::milliseconds publish_every{0};
  // A publish closes the open segment instead once it holds this much: what one period
  // uploads again stays bounded, at the price of more, smaller segments (more indexes
  // for a reader to fetch).
  uint64_t live_segment_bytes = kDefaultLiveSegmentBytes;
};

class RunLog {
 public:
  // `segment_bytes`: the size at which a task log segment is closed and the next begun.
  static Result<std::unique_ptr<RunLog>> Open(const std::string& dir, const std::string& migration,
                                              Clock* clock = Clock::System(),
                                              uint64_t segment_bytes = kDefaultTaskLogSegmentBytes);
  static Result<std::unique_ptr<RunLog>> Open(const std::string& dir, const std::string& migration,
                                              RunLogOptions options);
  ~RunLog();

  // A run-level line ("info", "warn", "error").
  void Run(const std::string& level, const std::string& event, nlohmann::json fields = nlohmann::json::object())
      EXCLUDES(mu_);
  // A task line: written to the task log segment and to run.jsonl.
  void Task(const std::string& dataset, const std::string& level, const std::string& event,
            nlohmann::json fields = nlohmann::json::object()) EXCLUDES(mu_);

  std::string AgentLogPath(const std::string& dataset) const { return AgentLogPathFor(dir_, migration_, dataset); }
  // How an operator reads a dataset's task log: the `gaggle logs` command line.
  std::string TaskLogCommand(const std::string& dataset) const;

  // The run log (with a writer: its first part; `part` > 1 names the later ones).
  static std::string RunLogPathFor(const std::string& dir, const std::string& migration, const std::string& writer = "",
                                   uint64_t part = 1);
  // Every run log of the migration that exists, oldest writer first: run.jsonl, then
  // runs/*.jsonl by name (writer ids begin with their start time).
  static std::vector<std::string> RunLogFilesFor(const std::string& dir, const std::string& migration);
  // The directory of the migration's task log segments.
  static std::string TaskLogDirFor(const std::string& dir, const std::string& migration);
  // The per-task file of earlier versions (read, never written).
  static std::string LegacyTaskLogPathFor(const std::string& dir, const std::string& migration,
                                          const std::string& dataset);
  static std::string AgentLogPathFor(const std::string& dir, const std::string& migration, const std::string& dataset);
  // Characters outside [A-Za-z0-9._-] become '_', and a short hash of the id is added
  // when anything was replaced, so distinct ids never share a file.
  static std::string SafeFileName(const std::string& id);

 private:
  RunLog(std::string dir, std::string migration, std::FILE* run_file, RunLogOptions options)
      : dir_(std::move(dir)),
        migration_(std::move(migration)),
        options_(std::move(options)),
        clock_(options_.clock ? options_.clock : Clock::System()),
        run_file_(run_file),
        segments_(SegmentsDir(dir_, migration_, options_.writer), options_.segment_bytes) {}
  static std::string SegmentsDir(const std::string& dir, const std::string& migration, const std::string& writer);
  std::string RunPath() const REQUIRES(mu_) { return RunLogPathFor(dir_, migration_, options_.writer, part_); }
  void WriteRunLine(const std::string& line) REQUIRES(mu_);
  // Closes the run log's part and begins the next; the closed part's path, or "" when
  // the part holds no line yet (or the next cannot be opened: writing goes on in this one).
  std::string NextPartLocked() REQUIRES(mu_);
  // The files a periodic publish hands over: the closed part (if any), then the open
  // segment and its live index (if they grew).
  std::vector<std::string> PublishLocked() REQUIRES(mu_);
  // Hands `files` over to on_file_closed, one upload at a time (upload_mu_).
  void HandOver(const std::vector<std::string>& files) EXCLUDES(upload_mu_);
  // The publisher thread's loop: a part every publish_every from `start` (MonotonicMicros).
  void PublishPeriodically(int64_t start) EXCLUDES(mu_);
  std::string Line(const std::string& dataset, const std::string& level, const std::string& event,
                   nlohmann::json fields) const;
  void ReportWriteError(const std::string& what) REQUIRES(mu_);

  std::string dir_;
  std::string migration_;
  const RunLogOptions options_;
  Clock* const clock_;
  Mutex mu_;
  // Held while a task-log file is handed over: the publisher uploads a segment without
  // mu_ while a full one may be closed (and uploaded) under it, and the last upload of a
  // file must be of its final bytes.
  Mutex upload_mu_ ACQUIRED_AFTER(mu_);
  std::FILE* run_file_ GUARDED_BY(mu_);
  uint64_t part_ GUARDED_BY(mu_) = 1;
  bool part_has_lines_ GUARDED_BY(mu_) = false;
  TaskLogSegmentWriter segments_ GUARDED_BY(mu_);
  bool reported_ GUARDED_BY(mu_) = false;
  bool closing_ GUARDED_BY(mu_) = false;
  CondVar closing_cv_;
  std::thread publisher_;  // PublishPeriodically, when publish_every is set
};

}  // namespace gaggle
