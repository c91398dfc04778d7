#include "agent/process_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

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

// Issue 20, case 15: a child that escapes with setsid while holding standard output
// does not keep the run past its deadline, and is killed with the rest.
TEST(ProcessRunner, ASetsidChildHoldingStdoutDoesNotOutliveTheDeadline) {
  auto pidfile = std::filesystem::temp_directory_path() / ("gaggle-proc-escape-" + std::to_string(::getpid()));
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "setsid sh -c 'echo $$ > " + pidfile.string() + "; exec sleep 60' & sleep 60"};
  opts.kill_grace = std::chrono::milliseconds(200);
  CancellationToken token(std::chrono::steady_clock::now() + std::chrono::milliseconds(700));
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess(opts, token, [](const std::string&) {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::ifstream in(pidfile);
  pid_t escaped = 0;
  in >> escaped;
  ASSERT_GT(escaped, 0);
  // Killed: gone, or a zombie waiting for init.
  for (int i = 0; i < 50 && ::kill(escaped, 0) == 0; ++i) {
    std::ifstream stat("/proc/" + std::to_string(escaped) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    if (text.find(") Z") != std::string::npos) break;
    ::usleep(20000);
  }
  std::ifstream stat("/proc/" + std::to_string(escaped) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(text.empty() || text.find(") Z") != std::string::npos) << text;
  std::filesystem::remove(pidfile);
}

// An agent that exits 0 but leaves a child in its group (holding standard output)
// ends when it exits, successfully, not at the deadline as a timeout.
TEST(ProcessRunner, ExitingLeavesNoChildBehindAndIsNotATimeout) {
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "sleep 60 & echo done; exit 0"};
  CancellationToken token(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  std::vector<std::string> lines;
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess(opts, token, [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"done"}));
}

// Issue 20, case 18: standard error keeps its first and last bytes and says what was cut.
TEST(ProcessRunner, StderrIsCappedAtBothEnds) {
  auto log = std::filesystem::temp_directory_path() / ("gaggle-proc-cap-" + std::to_string(::getpid()));
  std::filesystem::remove(log);
  ProcessOptions opts;
  opts.argv = {"/bin/sh", "-c", "echo FIRST >&2; head -c 3000000 /dev/zero | tr '\\0' x >&2; echo LAST >&2"};
  opts.stderr_path = log.string();
  opts.stderr_keep_bytes = 1000;
  CancellationToken token;
  auto r = RunProcess(opts, token, [](const std::string&) {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_GT(r->stderr_cut_bytes, 2990000);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_LT(text.size(), 2200u);
  EXPECT_EQ(text.rfind("FIRST\n", 0), 0u);
  EXPECT_NE(text.find("bytes of the agent's standard error cut here"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 5), "LAST\n");
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace gaggle
