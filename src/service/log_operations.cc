#include "service/log_operations.h"

#include <deque>
#include <fstream>
#include <vector>

#include "fleet/run_log.h"
#include "fleet/task_log_segments.h"
#include "service/mirrored_run_log.h"
#include "service/mirrored_task_log.h"

namespace gaggle::service {
namespace {

// A longer line is passed on cut, with a note: a log is streamed, never loaded whole,
// and one line without a newline must not be either.
constexpr size_t kMaxLineBytes = size_t{1} << 20;

// Reads the next line of `in` into `line`, keeping at most kMaxLineBytes of it.
bool NextLine(std::istream& in, std::string* line) {
  line->clear();
  size_t cut = 0;
  char c;
  bool any = false;
  while (in.get(c)) {
    any = true;
    if (c == '\n') break;
    if (line->size() < kMaxLineBytes) {
      line->push_back(c);
    } else {
      ++cut;
    }
  }
  if (cut > 0) *line += " [gaggle: " + std::to_string(cut) + " more bytes of this line not shown]";
  return any;
}

// -1 when the file cannot be opened; else the number of lines passed on.
int64_t TailFile(const std::string& path, size_t tail, LogSource source,
                 const std::function<void(LogSource, const std::string&)>& sink) {
  std::ifstream in(path);
  if (!in) return -1;
  std::string line;
  if (tail == 0) {
    int64_t n = 0;
    while (NextLine(in, &line)) {
      sink(source, line);
      ++n;
    }
    return n;
  }
  std::deque<std::string> last;
  while (NextLine(in, &line)) {
    last.push_back(std::move(line));
    if (last.size() > tail) last.pop_front();
  }
  for (const std::string& l : last) sink(source, l);
  return static_cast<int64_t>(last.size());
}

Status NoRunLog(const ServiceContext& ctx, const std::string& migration) {
  return Status::NotFound("no log for migration '" + migration + "' at " +
                          RunLog::RunLogPathFor(ArtifactsShown(ctx), migration) +
                          " (wrong --logs or --state? the logs live beside the state file)");
}

}  // namespace

std::string AgentLogPath(const ServiceContext& ctx, const std::string& migration, const std::string& dataset) {
  return RunLog::AgentLogPathFor(ctx.artifacts, migration, dataset);
}

Status ReadLog(const ServiceContext& ctx, const LogRequest& request,
               const std::function<void(LogSource, const std::string&)>& sink) {
  if (request.dataset.empty() && ctx.mirror && request.tail > 0) {
    // In object storage a tail reads the run logs from their end, not all of them.
    GAGGLE_ASSIGN_OR_RETURN(RunLogTail tail, TailMirroredRunLogs(ctx.mirror, RunLog::SafeFileName(request.migration),
                                                                 request.tail, kMaxLineBytes));
    if (!tail.found) return NoRunLog(ctx, request.migration);
    for (const std::string& l : tail.lines) sink(LogSource::kRun, l);
    return Status::OK();
  }
  if (request.dataset.empty()) {
    GAGGLE_RETURN_IF_ERROR(FetchArtifacts(ctx, request.migration, "runs"));
    // One file per writer on an object store (fleet/run_log.h): taken in order, with the
    // last `tail` lines of all of them kept.
    const std::vector<std::string> files = RunLog::RunLogFilesFor(ctx.artifacts, request.migration);
    if (files.empty()) return NoRunLog(ctx, request.migration);
    std::deque<std::string> last;
    for (const std::string& path : files) {
      (void)TailFile(path, 0, LogSource::kRun, [&](LogSource source, const std::string& line) {
        if (request.tail == 0) return sink(source, line);
        last.push_back(line);
        if (last.size() > request.tail) last.pop_front();
      });
    }
    for (const std::string& l : last) sink(LogSource::kRun, l);
    return Status::OK();
  }
  // The task lines, from the segments (and an earlier version's per-task file), keeping
  // only the last `tail` of them. In object storage, only the indexes and the dataset's
  // ranges of the segments are fetched (service/mirrored_task_log.h).
  const std::string segments = RunLog::TaskLogDirFor(ctx.artifacts, request.migration);
  std::vector<std::unique_ptr<TaskLogSegmentSource>> writers;
  if (ctx.mirror) {
    GAGGLE_ASSIGN_OR_RETURN(writers, MirroredTaskLogWriters(ctx.mirror, segments.substr(ctx.artifacts.size() + 1)));
  } else {
    writers = LocalTaskLogWriters(segments);
  }
  std::deque<std::string> last;
  GAGGLE_ASSIGN_OR_RETURN(int64_t lines,
                          ForEachTaskLogLineOfWriters(
                              writers, RunLog::LegacyTaskLogPathFor(ctx.artifacts, request.migration, request.dataset),
                              request.dataset, kMaxLineBytes, [&](const std::string& line) {
                                if (request.tail == 0) return sink(LogSource::kTask, line);
                                last.push_back(line);
                                if (last.size() > request.tail) last.pop_front();
                              }));
  if (lines == 0) {
    return Status::NotFound(
        "no log for dataset '" + request.dataset + "' of migration '" + request.migration + "' in " +
        RunLog::TaskLogDirFor(ArtifactsShown(ctx), request.migration) + " (has it started yet?" +
        (ctx.mirror ? " in object storage a live run's lines appear one publish period after they are written" : "") +
        ")");
  }
  for (const std::string& l : last) sink(LogSource::kTask, l);
  const std::string agent_log = AgentLogPath(ctx, request.migration, request.dataset);
  if (ctx.mirror) {
    GAGGLE_RETURN_IF_ERROR(ctx.mirror->FetchFile(agent_log.substr(ctx.artifacts.size() + 1)).status());
  }
  (void)TailFile(agent_log, request.tail, LogSource::kAgent, sink);
  return Status::OK();
}

}  // namespace gaggle::service
