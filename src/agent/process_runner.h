// ProcessRunner: runs one external program to completion under a deadline.
//
// The program gets `stdin_data` on standard input, each line it prints on
// standard output is handed to `on_stdout_line`, and standard error is appended
// to `stderr_path` (the task log). When the deadline passes or the token is
// cancelled the program receives SIGTERM, then SIGKILL after `kill_grace`; its
// whole process group is signalled so helpers it started stop too.
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
};

struct ProcessOutcome {
  int exit_code = -1;     // valid when !signaled
  bool signaled = false;  // killed by a signal
  int signal = 0;
  bool timed_out = false;  // we sent SIGTERM/SIGKILL because of the deadline
  bool cancelled = false;  // we sent SIGTERM/SIGKILL because of Cancel()
};

// Returns an error only when the process could not be started or watched; a
// process that ran and failed is an OK result with its outcome.
Result<ProcessOutcome> RunProcess(const ProcessOptions& options, const CancellationToken& token,
                                  const std::function<void(const std::string&)>& on_stdout_line);

}  // namespace gaggle
