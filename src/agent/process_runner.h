// ProcessRunner: runs one external program to completion under a deadline.
//
// The program gets `stdin_data` on standard input, each line it prints on
// standard output is handed to `on_stdout_line`, and standard error is appended
// to `stderr_path` (the task log), capped: the first and the last
// `stderr_keep_bytes` are kept with a note of how much was cut between them.
//
// Timeouts always fire. The program runs in its own process group, and every process
// it starts is tracked (its descendants, found through /proc, even after they leave
// the group with setsid). When the deadline passes or the token is cancelled the group
// and every tracked descendant get SIGTERM, then SIGKILL after `kill_grace`. The run
// ends when the program itself exits (watched by pid, not by the end of its output):
// whatever it left running is killed then, and a descendant still holding standard
// output open cannot keep the run alive.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/cancellation.h"
#include "common/status.h"

namespace gaggle {

struct ProcessOptions {
  std::vector<std::string> argv;  // argv[0] is the executable path
  std::string stdin_data;
  std::string stderr_path;        // appended to; empty = discard
  std::string working_directory;  // empty = inherit
  std::chrono::milliseconds kill_grace{2000};
  size_t stderr_keep_bytes = size_t{8} << 20;  // kept at each end of standard error
};

struct ProcessOutcome {
  int exit_code = -1;     // valid when !signaled
  bool signaled = false;  // killed by a signal
  int signal = 0;
  bool timed_out = false;        // we sent SIGTERM/SIGKILL because of the deadline
  bool cancelled = false;        // we sent SIGTERM/SIGKILL because of Cancel()
  int64_t stderr_cut_bytes = 0;  // standard error dropped between the kept ends
  int left_behind = 0;           // processes it left running, killed when it exited
};

// Returns an error only when the process could not be started or watched; a
// process that ran and failed is an OK result with its outcome.
Result<ProcessOutcome> RunProcess(const ProcessOptions& options, const CancellationToken& token,
                                  const std::function<void(const std::string&)>& on_stdout_line);

}  // namespace gaggle
