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

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

}  // namespace

Result<ProcessOutcome> RunProcess(const ProcessOptions& options, const CancellationToken& token,
                                  const std::function<void(const std::string&)>& on_stdout_line) {
  if (options.argv.empty()) return Status::InvalidArgument("no program to run");
  const std::string& exe = options.argv[0];
  if (::access(exe.c_str(), X_OK) != 0) {
    return Status::NotFound("agent executable '" + exe + "' is missing or not executable: " + std::strerror(errno));
  }
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  }
  int err_fd = -1;
  if (!options.stderr_path.empty()) {
    err_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (err_fd < 0) {
      int e = errno;
      for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
      return Status::IOError("open task log '" + options.stderr_path + "': " + std::strerror(e));
    }
  }
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_fd}) {
      if (fd >= 0) ::close(fd);
    }
    return Status::IOError(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    // Child: own process group so a timeout can stop everything it started.
    ::setpgid(0, 0);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    if (err_fd >= 0) {
      ::dup2(err_fd, STDERR_FILENO);
    } else {
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, STDERR_FILENO);
    }
    if (!options.working_directory.empty() && ::chdir(options.working_directory.c_str()) != 0) _exit(126);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::setpgid(pid, pid);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (err_fd >= 0) ::close(err_fd);
  int stdin_fd = in_pipe[1];
  int stdout_fd = out_pipe[0];
  ::fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  // A child that exits without reading stdin must not kill us with SIGPIPE: writes then
  // fail with EPIPE instead. Process-wide and idempotent; gaggle never relies on SIGPIPE.
  static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;

  ProcessOutcome outcome;
  size_t stdin_written = 0;
  std::string line_buffer;
  bool term_sent = false;
  std::chrono::steady_clock::time_point term_time;
  char buf[65536];
  while (stdout_fd >= 0) {
    if (!term_sent) {
      Status st = token.Check("agent");
      if (!st.ok()) {
        outcome.timed_out = st.code() == StatusCode::kTimeout;
        outcome.cancelled = st.code() == StatusCode::kCancelled;
        ::kill(-pid, SIGTERM);
        term_sent = true;
        term_time = std::chrono::steady_clock::now();
      }
    } else if (std::chrono::steady_clock::now() - term_time >= options.kill_grace) {
      ::kill(-pid, SIGKILL);
    }
    struct pollfd fds[2];
    int nfds = 0;
    fds[nfds++] = {stdout_fd, POLLIN, 0};
    if (stdin_fd >= 0) fds[nfds++] = {stdin_fd, POLLOUT, 0};
    int rc = ::poll(fds, static_cast<nfds_t>(nfds), 100);
    if (rc < 0 && errno != EINTR) break;
    if (stdin_fd >= 0 && nfds == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      if (stdin_written < options.stdin_data.size()) {
        ssize_t w =
            ::write(stdin_fd, options.stdin_data.data() + stdin_written, options.stdin_data.size() - stdin_written);
        if (w > 0) stdin_written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) CloseFd(&stdin_fd);
      }
      if (stdin_written >= options.stdin_data.size()) CloseFd(&stdin_fd);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(stdout_fd, buf, sizeof(buf));
      if (n > 0) {
        line_buffer.append(buf, static_cast<size_t>(n));
        size_t start = 0, nl;
        while ((nl = line_buffer.find('\n', start)) != std::string::npos) {
          on_stdout_line(line_buffer.substr(start, nl - start));
          start = nl + 1;
        }
        line_buffer.erase(0, start);
        // A program that prints a huge line without newline must not grow us without bound.
        if (line_buffer.size() > (16u << 20)) {
          on_stdout_line(line_buffer);
          line_buffer.clear();
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        CloseFd(&stdout_fd);
      }
    }
  }
  if (!line_buffer.empty()) on_stdout_line(line_buffer);
  CloseFd(&stdin_fd);
  // stdout closed: wait for exit, still honouring the deadline.
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (!term_sent) {
      Status st = token.Check("agent");
      if (!st.ok()) {
        outcome.timed_out = st.code() == StatusCode::kTimeout;
        outcome.cancelled = st.code() == StatusCode::kCancelled;
        ::kill(-pid, SIGTERM);
        term_sent = true;
        term_time = std::chrono::steady_clock::now();
      }
    } else if (std::chrono::steady_clock::now() - term_time >= options.kill_grace) {
      ::kill(-pid, SIGKILL);
    }
    ::usleep(20000);
  }
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

}  // namespace gaggle
