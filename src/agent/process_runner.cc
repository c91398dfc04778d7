#include "agent/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gaggle {
namespace {

// A line of standard output longer than this is handed over in pieces: a program that
// prints a huge line without newline must not grow us without bound.
constexpr size_t kMaxLineBytes = 16u << 20;

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// The child's ends and ours of its standard input and output, and its standard error.
struct ChildPipes {
  int stdin_read = -1, stdin_write = -1;
  int stdout_read = -1, stdout_write = -1;
  int stderr_fd = -1;  // the task log, or -1 for /dev/null

  void CloseAll() {
    for (int* fd : {&stdin_read, &stdin_write, &stdout_read, &stdout_write, &stderr_fd}) CloseFd(fd);
  }
};

Result<ChildPipes> OpenChildPipes(const ProcessOptions& options) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return Status::IOError(std::string("pipe: ") + std::strerror(e));
  }
  ChildPipes pipes{in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], -1};
  if (!options.stderr_path.empty()) {
    pipes.stderr_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (pipes.stderr_fd < 0) {
      int e = errno;
      pipes.CloseAll();
      return Status::IOError("open task log '" + options.stderr_path + "': " + std::strerror(e));
    }
  }
  return pipes;
}

// In the child after fork: only async-signal-safe calls from here on.
[[noreturn]] void ExecChild(const ProcessOptions& options, const ChildPipes& pipes, std::vector<char*>& argv) {
  // Own process group so a timeout can stop everything it started.
  ::setpgid(0, 0);
  ::dup2(pipes.stdin_read, STDIN_FILENO);
  ::dup2(pipes.stdout_write, STDOUT_FILENO);
  if (pipes.stderr_fd >= 0) {
    ::dup2(pipes.stderr_fd, STDERR_FILENO);
  } else {
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
  }
  if (!options.working_directory.empty() && ::chdir(options.working_directory.c_str()) != 0) _exit(126);
  ::execv(argv[0], argv.data());
  _exit(127);
}

// Forks and execs the program; the parent keeps only its own pipe ends.
Result<pid_t> StartChild(const ProcessOptions& options, ChildPipes* pipes) {
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    pipes->CloseAll();
    return Status::IOError(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) ExecChild(options, *pipes, argv);
  ::setpgid(pid, pid);
  CloseFd(&pipes->stdin_read);
  CloseFd(&pipes->stdout_write);
  CloseFd(&pipes->stderr_fd);
  return pid;
}

// A child that exits without reading stdin must not kill us with SIGPIPE: writes then
// fail with EPIPE instead. Process-wide and idempotent; gaggle never relies on SIGPIPE.
void IgnoreSigpipe() {
  static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;
}

// Stops the child's process group once the token is cancelled or past its deadline:
// SIGTERM first, SIGKILL after the grace period. Check() is called on every turn of the
// watching loops.
class Terminator {
 public:
  Terminator(pid_t pid, const CancellationToken& token, std::chrono::milliseconds grace, ProcessOutcome* outcome)
      : pid_(pid), token_(token), grace_(grace), outcome_(outcome) {}

  void Check() {
    if (!term_sent_) {
      Status st = token_.Check("agent");
      if (!st.ok()) {
        outcome_->timed_out = st.code() == StatusCode::kTimeout;
        outcome_->cancelled = st.code() == StatusCode::kCancelled;
        ::kill(-pid_, SIGTERM);
        term_sent_ = true;
        term_time_ = std::chrono::steady_clock::now();
      }
    } else if (std::chrono::steady_clock::now() - term_time_ >= grace_) {
      ::kill(-pid_, SIGKILL);
    }
  }

 private:
  const pid_t pid_;
  const CancellationToken& token_;
  const std::chrono::milliseconds grace_;
  ProcessOutcome* outcome_;
  bool term_sent_ = false;
  std::chrono::steady_clock::time_point term_time_;
};

// Writes what the non-blocking stdin pipe takes; closes it when all is written or the
// child stopped reading.
void FeedStdin(const std::string& data, size_t* written, int* stdin_fd) {
  if (*written < data.size()) {
    ssize_t w = ::write(*stdin_fd, data.data() + *written, data.size() - *written);
    if (w > 0) *written += static_cast<size_t>(w);
    if (w < 0 && errno != EAGAIN && errno != EINTR) CloseFd(stdin_fd);
  }
  if (*written >= data.size()) CloseFd(stdin_fd);
}

// Reads what stdout holds and hands over every complete line; closes it at its end.
void DrainStdout(int* stdout_fd, std::string* line_buffer,
                 const std::function<void(const std::string&)>& on_stdout_line) {
  char buf[65536];
  ssize_t n = ::read(*stdout_fd, buf, sizeof(buf));
  if (n > 0) {
    line_buffer->append(buf, static_cast<size_t>(n));
    size_t start = 0, nl;
    while ((nl = line_buffer->find('\n', start)) != std::string::npos) {
      on_stdout_line(line_buffer->substr(start, nl - start));
      start = nl + 1;
    }
    line_buffer->erase(0, start);
    if (line_buffer->size() > kMaxLineBytes) {
      on_stdout_line(*line_buffer);
      line_buffer->clear();
    }
  } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
    CloseFd(stdout_fd);
  }
}

// Feeds stdin and reads stdout until the child closes stdout, checking the deadline
// at least every 100 ms.
void PumpUntilStdoutCloses(const std::string& stdin_data, ChildPipes* pipes, Terminator* terminator,
                           const std::function<void(const std::string&)>& on_stdout_line) {
  int& stdin_fd = pipes->stdin_write;
  int& stdout_fd = pipes->stdout_read;
  size_t stdin_written = 0;
  std::string line_buffer;
  while (stdout_fd >= 0) {
    terminator->Check();
    struct pollfd fds[2];
    int nfds = 0;
    fds[nfds++] = {stdout_fd, POLLIN, 0};
    if (stdin_fd >= 0) fds[nfds++] = {stdin_fd, POLLOUT, 0};
    int rc = ::poll(fds, static_cast<nfds_t>(nfds), 100);
    if (rc < 0 && errno != EINTR) break;
    if (stdin_fd >= 0 && nfds == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      FeedStdin(stdin_data, &stdin_written, &stdin_fd);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) DrainStdout(&stdout_fd, &line_buffer, on_stdout_line);
  }
  if (!line_buffer.empty()) on_stdout_line(line_buffer);
}

// stdout closed: waits for the exit, still honouring the deadline. The wait status.
int WaitForExit(pid_t pid, Terminator* terminator) {
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    terminator->Check();
    ::usleep(20000);
  }
  return status;
}

}  // namespace

Result<ProcessOutcome> RunProcess(const ProcessOptions& options, const CancellationToken& token,
                                  const std::function<void(const std::string&)>& on_stdout_line) {
  if (options.argv.empty()) return Status::InvalidArgument("no program to run");
  const std::string& exe = options.argv[0];
  if (::access(exe.c_str(), X_OK) != 0) {
    return Status::NotFound("agent executable '" + exe + "' is missing or not executable: " + std::strerror(errno));
  }
  GAGGLE_ASSIGN_OR_RETURN(ChildPipes pipes, OpenChildPipes(options));
  GAGGLE_ASSIGN_OR_RETURN(pid_t pid, StartChild(options, &pipes));
  ::fcntl(pipes.stdin_write, F_SETFL, O_NONBLOCK);
  IgnoreSigpipe();

  ProcessOutcome outcome;
  Terminator terminator(pid, token, options.kill_grace, &outcome);
  PumpUntilStdoutCloses(options.stdin_data, &pipes, &terminator, on_stdout_line);
  CloseFd(&pipes.stdin_write);
  const int status = WaitForExit(pid, &terminator);
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

}  // namespace gaggle
