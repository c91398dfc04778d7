// libFuzzer target: any bytes as a task log segment and its index (fleet/task_log_segments.h)
// give a dataset's lines or an error, never a crash, a hang or a line of another dataset.
// Input: DATASET '\0' INDEX '\0' SEGMENT (missing parts are empty).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "fleet/task_log_segments.h"

namespace {

std::string Part(const std::string& in, size_t* pos) {
  size_t end = in.find('\0', *pos);
  if (end == std::string::npos) end = in.size();
  std::string out = in.substr(std::min(*pos, in.size()), end - std::min(*pos, in.size()));
  *pos = end + 1;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/gaggle-task-log-fuzz-" + std::to_string(::getpid());
  static const bool made = [] { return ::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST; }();
  if (!made) return 0;
  const std::string in(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  const std::string dataset = Part(in, &pos);
  const std::string index = Part(in, &pos);
  const std::string segment = Part(in, &pos);
  std::ofstream(gaggle::TaskLogIndexPath(dir, 1), std::ios::trunc | std::ios::binary) << index;
  std::ofstream(gaggle::TaskLogSegmentPath(dir, 1), std::ios::trunc | std::ios::binary) << segment;
  size_t total = 0;
  auto n = gaggle::ForEachTaskLogLine(dir, dir + "/no-legacy-file", dataset, 4096,
                                      [&](const std::string& line) { total += line.size(); });
  // A passed line is cut at 4096 bytes plus a short note; nothing is passed more often
  // than the index and the segment have lines.
  if (n.ok() && *n > static_cast<int64_t>(index.size() + segment.size() + 1)) __builtin_trap();
  return 0;
}
