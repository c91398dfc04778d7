#include "agent/process_runner.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

namespace gaggle {
namespace {

TEST(ProcessRunner, PassesStdinCollectsStdoutLinesAndExitCode) {
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "read line; echo got:$line; echo second; exit 3"};
  opts.stdin_data = "hello\n";
  std::vector<std::string> lines;
  CancellationToken token;
  auto r = RunProcess(opts, token, [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(lines, (std::vector<std::string>{"got:hello", "second"}));
}

TEST(ProcessRunner, StderrGoesToTheTaskLog) {
  auto log = std::filesystem::temp_directory_path() / ("gaggle-proc-log-" + std::to_string(::getpid()));
  std::filesystem::remove(log);
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "echo oops >&2"};
  opts.stderr_path = log.string();
  CancellationToken token;
  auto r = RunProcess(opts, token, [](const std::string&) {});
  ASSERT_TRUE(r.ok());
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "oops\n");
  std::filesystem::remove(log);
}

TEST(ProcessRunner, DeadlineSendsTermThenKill) {
  ProcessOptions opts;
  // Ignores SIGTERM, so only SIGKILL after the grace period stops it.
  opts.argv = {"/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"};
  opts.kill_grace = std::chrono::milliseconds(200);
  CancellationToken token(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess(opts, token, [](const std::string&) {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(r->signaled);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(ProcessRunner, MissingExecutableIsNotFound) {
  ProcessOptions opts;
  opts.argv = {"/nonexistent/agent"};
  CancellationToken token;
  auto r = RunProcess(opts, token, [](const std::string&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gaggle
