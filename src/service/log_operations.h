// Reading a migration's logs from the artefact location: the run log, or one
// dataset's task log (from the shared segments, fleet/task_log_segments.h, found through
// their indexes) followed by its agent's own output. Streams line by line with memory
// bounded by `tail` (never the whole file), so a log of any size can be read. In object
// storage a run log's tail is read from the end of its last parts
// (service/mirrored_run_log.h), a task log through the segments' indexes.
// Thread-safety: see service_context.h.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "service/service_context.h"

namespace gaggle::service {

enum class LogSource {
  kRun,    // run.jsonl: JSON lines
  kTask,   // the dataset's lines of task-log/segment-*.jsonl (or an old tasks/DATASET.jsonl)
  kAgent,  // tasks/DATASET.agent.log: the agent's own text
};

struct LogRequest {
  std::string migration;
  std::string dataset;  // empty: the run log
  size_t tail = 50;     // the last N lines of the run, task and agent log; 0: all
};

// Calls `sink` for each line, oldest first: the run log, or the task log then the agent
// log. NotFound naming the path when the (run or task) log does not exist.
Status ReadLog(const ServiceContext& ctx, const LogRequest& request,
               const std::function<void(LogSource source, const std::string& line)>& sink);

// The agent log path of a dataset (shown before its lines).
std::string AgentLogPath(const ServiceContext& ctx, const std::string& migration, const std::string& dataset);

}  // namespace gaggle::service
