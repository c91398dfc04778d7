// Small helpers shared by the CLI subcommands: uniform error reporting and exit
// codes, human-readable sizes and rates, and a throttled progress printer.
//
// Exit codes (documented in README): 0 success, 1 permanent failure,
// 2 usage / invalid argument, 75 retryable failure (EX_TEMPFAIL).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "common/status.h"
#include "service/artifact_spool.h"
#include "service/service_context.h"
#include "storage/file_system_resolver.h"
#include "store/state_store.h"

namespace CLI {
class App;
}

namespace gaggle::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRetryable = 75;

// Prints "gaggle: error: <code>: <message>" to stderr; returns the exit code for the status.
int ReportError(const Status& status);
int ExitCodeFor(const Status& status);

constexpr int kExitInterrupted = 130;  // stopped by SIGINT/SIGTERM, state consistent

// Who is acting, for the event log: $GAGGLE_ACTOR, else the login name, else "user".
std::string OperatorName();

// A command's view of the application layer: the opened state store and the service
// context over it (actor = OperatorName(), artefacts = `artifacts` or gaggle-logs/
// beside the state file).
struct CliContext {
  std::unique_ptr<service::ArtifactSpool>
      spool;  // s3:// or gs:// artefacts; first: destroyed last, after everything that writes into it
  std::unique_ptr<StateStore> store;
  std::unique_ptr<WorkQueue> work_queue;  // AttachWorkQueue
  service::ServiceContext ctx;
};
// `state` "" means ./gaggle.db. With `must_exist`, a missing state file is NotFound
// (read commands must not create an empty one from a mistyped path).
Result<CliContext> OpenCliContext(const std::string& state, const std::string& artifacts = "", bool must_exist = false);
// Opens the work queue of a PostgreSQL `state` into c (ctx.work_queue); InvalidArgument
// naming `flag` for a SQLite state, whose agents run in one process.
Status AttachWorkQueue(CliContext* c, const std::string& state, const std::string& flag);
// Object storage for the commands that touch data. AddObjectStoreOptions registers, on a
// command, --s3-endpoint URL (an S3-compatible store such as MinIO, Ceph or s3rver; else
// $GAGGLE_S3_ENDPOINT, then the AWS variables and profile) and --s3-addressing path|virtual.
// CliResolver() is the process's one FileSystemResolver, built on first use from them; every
// context OpenCliContext makes carries it. Credentials come from the environment or the AWS
// shared files only, never from a flag, and are never printed.
void AddObjectStoreOptions(CLI::App* cmd);
FileSystemResolver* CliResolver();

std::string HumanDuration(double seconds);  // "42s", "3m05s", "2h10m"
// A multi-line message with every line after the first indented, for lists.
std::string Indented(const std::string& text, const std::string& indent = "      ");

std::string HumanBytes(double bytes);  // "12.3 MB"
std::string HumanCount(double count);  // "1.25M"

// Prints a status line to stderr at most every `interval`; silent when disabled.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled, std::chrono::milliseconds interval = std::chrono::milliseconds(2000));
  // Calls `make_line` only when a line is due.
  template <typename F>
  void Maybe(F&& make_line) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_) return;
    last_ = now;
    Print(make_line());
  }
  double ElapsedSeconds() const;

 private:
  void Print(const std::string& line);
  bool enabled_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace gaggle::cli
