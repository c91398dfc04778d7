#include "fleet/runner_identity.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/proc_file.h"

namespace gaggle {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

// Field 22 of /proc/PID/stat (start time in ticks), or "" when the process is gone.
std::string ProcessStartTicks(long pid) {
  const std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/stat");
  // The command name (field 2) is in parentheses and may contain spaces: skip past it.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return "";
  }
  return field;
}

}  // namespace

std::string CurrentRunnerIdentity() {
  long pid = static_cast<long>(::getpid());
  return HostName() + ":" + std::to_string(pid) + ":" + ProcessStartTicks(pid);
}

bool IsDeadLocalRunner(const std::string& holder) {
  size_t last = holder.rfind(':');
  if (last == std::string::npos || last == 0) return false;
  size_t mid = holder.rfind(':', last - 1);
  if (mid == std::string::npos) return false;
  if (holder.substr(0, mid) != HostName()) return false;
  long pid = 0;
  try {
    pid = std::stol(holder.substr(mid + 1, last - mid - 1));
  } catch (...) {
    return false;
  }
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  std::string start = ProcessStartTicks(pid);
  // The pid exists: it is the same runner only if it started at the same moment.
  return !start.empty() && start != holder.substr(last + 1);
}

bool HasLiveRunner(const MigrationRun& run, Clock* clock) {
  return !run.runner.empty() && run.runner_expires_ms > clock->NowMillis() && !IsDeadLocalRunner(run.runner);
}

int64_t UnixMillis() { return Clock::System()->NowMillis(); }

}  // namespace gaggle
