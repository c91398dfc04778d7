#include "agent/process_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "common/proc_file.h"

namespace gaggle {
namespace {

using SteadyClock = std::chrono::steady_clock;

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// Parent pid and start time of a live process from /proc/<pid>/stat; false when gone.
bool ReadProcStat(pid_t pid, pid_t* ppid, uint64_t* start) {
  const std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 2));
  std::string state;
  rest >> state >> *ppid;
  if (state == "Z" || state == "X") return false;
  std::string skip;
  for (int field = 5; field < 22; ++field) rest >> skip;  // fields 5..21
  rest >> *start;
  return !rest.fail();
}

// Every process `root` started, directly or not, found through /proc parent links and
// remembered: one that left the process group (setsid) or lost its parent is still
// known, and is signalled only while it is the same process (same start time).
class DescendantTracker {
 public:
  explicit DescendantTracker(pid_t root) : root_(root) {}

  void Scan() {
    std::map<pid_t, std::pair<pid_t, uint64_t>> all;  // pid -> (ppid, start)
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (struct dirent* d = ::readdir(proc)) {
      char* end = nullptr;
      const long pid = std::strtol(d->d_name, &end, 10);
      if (end == d->d_name || *end != '\0' || pid <= 0) continue;
      pid_t ppid = 0;
      uint64_t start = 0;
      if (ReadProcStat(static_cast<pid_t>(pid), &ppid, &start)) all[static_cast<pid_t>(pid)] = {ppid, start};
    }
    ::closedir(proc);
    bool grew = true;
    while (grew) {  // closure: children of root or of any known descendant
      grew = false;
      for (const auto& [pid, info] : all) {
        if (known_.count(pid) || pid == root_) continue;
        if (info.first == root_ || known_.count(info.first)) {
          known_[pid] = info.second;
          grew = true;
        }
      }
    }
  }
  // Signals each known descendant that is still the process it was; returns how many.
  int Signal(int sig) const {
    int alive = 0;
    for (const auto& [pid, start] : known_) {
      pid_t ppid = 0;
      uint64_t now_start = 0;
      if (!ReadProcStat(pid, &ppid, &now_start) || now_start != start) continue;
      ++alive;
      if (sig != 0) ::kill(pid, sig);
    }
    return alive;
  }

 private:
  pid_t root_;
  std::map<pid_t, uint64_t> known_;
};

// Appends standard error to the task log, keeping the first and the last `keep` bytes
// and noting how much was cut between them. Memory: at most 2 * keep.
class StderrCapper {
 public:
  StderrCapper(int fd, size_t keep) : fd_(fd), keep_(keep) {}
  void Write(const char* data, size_t n) {
    if (head_ < keep_) {
      const size_t k = std::min(n, keep_ - head_);
      WriteAll(data, k);
      head_ += k;
      data += k;
      n -= k;
    }
    if (n == 0) return;
    tail_.append(data, n);
    if (tail_.size() > 2 * keep_) {
      const size_t drop = tail_.size() - keep_;
      cut_ += static_cast<int64_t>(drop);
      tail_.erase(0, drop);
    }
  }
  void Finish() {
    if (tail_.size() > keep_) {
      cut_ += static_cast<int64_t>(tail_.size() - keep_);
      tail_.erase(0, tail_.size() - keep_);
    }
    if (cut_ > 0) {
      const std::string note = "\n[gaggle: " + std::to_string(cut_) +
                               " bytes of the agent's standard error cut here; the first and last " +
                               std::to_string(keep_) + " bytes are kept]\n";
      WriteAll(note.data(), note.size());
    }
    WriteAll(tail_.data(), tail_.size());
    tail_.clear();
  }
  int64_t cut() const { return cut_; }

 private:
  void WriteAll(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;  // the log is best effort; the task's outcome does not depend on it
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  int fd_;
  size_t keep_;
  size_t head_ = 0;
  std::string tail_;
  int64_t cut_ = 0;
};

struct Spawned {
  pid_t pid = -1;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1, log_fd = -1;
};

Result<Spawned> Spawn(const ProcessOptions& options) {
  int in_pipe[2], out_pipe[2], err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || (!options.stderr_path.empty() && ::pipe2(err_pipe, O_CLOEXEC) != 0)) {
    const int e = errno;
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return Status::IOError(std::string("pipe: ") + std::strerror(e));
  }
  Spawned s;
  if (!options.stderr_path.empty()) {
    s.log_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s.log_fd < 0) {
      const int e = errno;
      for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
      return Status::IOError("open task log '" + options.stderr_path + "': " + std::strerror(e));
    }
  }
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  s.pid = ::fork();
  if (s.pid < 0) {
    const int e = errno;
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], s.log_fd}) {
      if (fd >= 0) ::close(fd);
    }
    return Status::IOError(std::string("fork: ") + std::strerror(e));
  }
  if (s.pid == 0) {
    // Child: own process group so a timeout can stop everything it started.
    ::setpgid(0, 0);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    if (err_pipe[1] >= 0) {
      ::dup2(err_pipe[1], STDERR_FILENO);
    } else {
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
    }
    if (!options.working_directory.empty() && ::chdir(options.working_directory.c_str()) != 0) _exit(126);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::setpgid(s.pid, s.pid);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (err_pipe[1] >= 0) ::close(err_pipe[1]);
  s.stdin_fd = in_pipe[1];
  s.stdout_fd = out_pipe[0];
  s.stderr_fd = err_pipe[0];
  for (int fd : {s.stdin_fd, s.stdout_fd, s.stderr_fd}) {
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return s;
}

// Splits standard output into lines for the callback, bounded per line.
class LineSplitter {
 public:
  explicit LineSplitter(const std::function<void(const std::string&)>& fn) : fn_(fn) {}
  void Add(const char* data, size_t n) {
    buffer_.append(data, n);
    size_t start = 0, nl;
    while ((nl = buffer_.find('\n', start)) != std::string::npos) {
      fn_(buffer_.substr(start, nl - start));
      start = nl + 1;
    }
    buffer_.erase(0, start);
    // A program that prints a huge line without newline must not grow us without bound.
    if (buffer_.size() > (16u << 20)) Flush();
  }
  void Flush() {
    if (!buffer_.empty()) fn_(buffer_);
    buffer_.clear();
  }

 private:
  const std::function<void(const std::string&)>& fn_;
  std::string buffer_;
};

// Reads what `fd` has now (non-blocking); closes it at end of file or on an error.
template <typename Sink>
void ReadAvailable(int* fd, Sink&& sink) {
  char buf[65536];
  while (*fd >= 0) {
    const ssize_t n = ::read(*fd, buf, sizeof(buf));
    if (n > 0) {
      sink(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno != EAGAIN) CloseFd(fd);
    return;
  }
}

bool MainExited(pid_t pid) {
  siginfo_t info{};
  // WNOWAIT: the exited leader stays a zombie, so its process group id cannot be reused
  // before we signal what it left behind.
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

Result<ProcessOutcome> RunProcess(const ProcessOptions& options, const CancellationToken& token,
                                  const std::function<void(const std::string&)>& on_stdout_line) {
  if (options.argv.empty()) return Status::InvalidArgument("no program to run");
  const std::string& exe = options.argv[0];
  if (::access(exe.c_str(), X_OK) != 0) {
    return Status::NotFound("agent executable '" + exe + "' is missing or not executable: " + std::strerror(errno));
  }
  // A child that exits without reading stdin must not kill us with SIGPIPE: writes then
  // fail with EPIPE instead. Process-wide and idempotent; gaggle never relies on SIGPIPE.
  static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;
  GAGGLE_ASSIGN_OR_RETURN(Spawned s, Spawn(options));
  const pid_t pid = s.pid;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1 on old kernels: polled instead
  DescendantTracker tracker(pid);
  StderrCapper err(s.log_fd, options.stderr_keep_bytes);
  LineSplitter out(on_stdout_line);
  auto to_out = [&](const char* p, size_t n) { out.Add(p, n); };
  auto to_err = [&](const char* p, size_t n) { err.Write(p, n); };

  ProcessOutcome outcome;
  size_t stdin_written = 0;
  bool term_sent = false, kill_sent = false;
  SteadyClock::time_point term_time, next_scan = SteadyClock::now();
  while (!MainExited(pid)) {
    const SteadyClock::time_point now = SteadyClock::now();
    if (now >= next_scan) {
      tracker.Scan();
      next_scan = now + std::chrono::milliseconds(200);
    }
    if (!term_sent) {
      Status st = token.Check("agent");
      if (!st.ok()) {
        outcome.timed_out = st.code() == StatusCode::kTimeout;
        outcome.cancelled = st.code() == StatusCode::kCancelled;
        tracker.Scan();
        ::kill(-pid, SIGTERM);
        tracker.Signal(SIGTERM);
        term_sent = true;
        term_time = now;
      }
    } else if (!kill_sent && now - term_time >= options.kill_grace) {
      tracker.Scan();
      ::kill(-pid, SIGKILL);
      tracker.Signal(SIGKILL);
      kill_sent = true;
    }
    struct pollfd fds[4];
    nfds_t n = 0;
    if (s.stdout_fd >= 0) fds[n++] = {s.stdout_fd, POLLIN, 0};
    if (s.stderr_fd >= 0) fds[n++] = {s.stderr_fd, POLLIN, 0};
    if (s.stdin_fd >= 0) fds[n++] = {s.stdin_fd, POLLOUT, 0};
    if (pidfd >= 0) fds[n++] = {pidfd, POLLIN, 0};
    if (::poll(fds, n, 50) < 0 && errno != EINTR) ::usleep(50000);
    if (s.stdin_fd >= 0) {
      if (stdin_written < options.stdin_data.size()) {
        const ssize_t w =
            ::write(s.stdin_fd, options.stdin_data.data() + stdin_written, options.stdin_data.size() - stdin_written);
        if (w > 0) stdin_written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) CloseFd(&s.stdin_fd);
      }
      if (stdin_written >= options.stdin_data.size()) CloseFd(&s.stdin_fd);
    }
    ReadAvailable(&s.stdout_fd, to_out);
    ReadAvailable(&s.stderr_fd, to_err);
  }
  // The program exited: take what it wrote, then stop whatever it left running. Output
  // still held open by such a process is not waited for.
  ReadAvailable(&s.stdout_fd, to_out);
  ReadAvailable(&s.stderr_fd, to_err);
  out.Flush();
  tracker.Scan();
  outcome.left_behind = tracker.Signal(0);
  ::kill(-pid, SIGKILL);
  tracker.Signal(SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (int* fd : {&s.stdin_fd, &s.stdout_fd, &s.stderr_fd, &pidfd}) CloseFd(fd);
  err.Finish();
  outcome.stderr_cut_bytes = err.cut();
  CloseFd(&s.log_fd);
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

}  // namespace gaggle
