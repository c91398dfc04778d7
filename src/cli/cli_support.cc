#include "cli/cli_support.h"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "store/postgres_url.h"
#include "store/postgres_work_queue.h"

namespace gaggle::cli {

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kInvalidArgument) return kExitUsage;
  if (status.retryable()) return kExitRetryable;
  return kExitFailure;
}

int ReportError(const Status& status) {
  std::cerr << "gaggle: error: " << status.ToString() << std::endl;
  return ExitCodeFor(status);
}

std::string OperatorName() {
  if (const char* a = std::getenv("GAGGLE_ACTOR"); a && *a) return a;
  if (const struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "user";
}

Result<CliContext> OpenCliContext(const std::string& state, const std::string& artifacts, bool must_exist) {
  const std::string path = state.empty() ? std::string(kDefaultStatePath) : state;
  if (must_exist && path.find("://") == std::string::npos && !std::filesystem::exists(path)) {
    return Status::NotFound("no state file at " + path + " (pass --state with the file `gaggle run` used)");
  }
  CliContext c;
  StateStoreOptions options;
  // A read-only command on a PostgreSQL database without a gaggle store is NotFound.
  options.create_if_missing = !(must_exist && IsPostgresUrl(path));
  GAGGLE_ASSIGN_OR_RETURN(c.store, OpenStateStore(path, options));
  c.ctx.store = c.store.get();
  c.ctx.actor = OperatorName();
  c.ctx.resolver = CliResolver();
  GAGGLE_ASSIGN_OR_RETURN(c.spool,
                          OpenArtifacts(artifacts.empty() ? service::DefaultArtifactsDir(path) : artifacts, &c.ctx));
  return c;
}

Status AttachWorkQueue(CliContext* c, const std::string& state, const std::string& flag) {
  if (!IsPostgresUrl(state)) {
    return Status::InvalidArgument(flag + " needs a PostgreSQL state (--state postgres://...) that workers on " +
                                   "other hosts share; state '" + state + "' is a SQLite file for one host");
  }
  GAGGLE_ASSIGN_OR_RETURN(auto queue, PostgresWorkQueue::Open(state));
  c->work_queue = std::move(queue);
  c->ctx.work_queue = c->work_queue.get();
  return Status::OK();
}

namespace {
struct ObjectStoreFlags {
  std::string endpoint;
  std::string addressing;
};
ObjectStoreFlags& Flags() {
  static ObjectStoreFlags flags;
  return flags;
}
}  // namespace

void AddObjectStoreOptions(CLI::App* cmd) {
  cmd->add_option("--s3-endpoint", Flags().endpoint,
                  "S3-compatible endpoint for s3:// locations, http(s)://HOST[:PORT] (MinIO, Ceph, s3rver...); "
                  "default: $GAGGLE_S3_ENDPOINT, else $AWS_ENDPOINT_URL_S3/$AWS_ENDPOINT_URL or the AWS profile's "
                  "endpoint_url, else AWS. Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS shared "
                  "files (docs/object-storage.md)");
  cmd->add_option("--s3-addressing", Flags().addressing,
                  "path or virtual (default: path with an endpoint override, virtual-host on AWS)")
      ->check(CLI::IsMember({"path", "virtual"}));
}

FileSystemResolver* CliResolver() {
  static FileSystemResolver* resolver = [] {
    ObjectStoreConfig config;
    config.s3_endpoint = Flags().endpoint;  // else GAGGLE_S3_ENDPOINT, read by the resolver
    config.addressing = Flags().addressing;
    return new FileSystemResolver(config);
  }();
  return resolver;
}

std::string HumanDuration(double seconds) {
  if (seconds < 0) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

std::string Indented(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += indent;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string HumanCount(double count) {
  char buf[32];
  if (count >= 1e9) {
    std::snprintf(buf, sizeof(buf), "%.2fG", count / 1e9);
  } else if (count >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fM", count / 1e6);
  } else if (count >= 1e4) {
    std::snprintf(buf, sizeof(buf), "%.1fk", count / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", count);
  }
  return buf;
}

ProgressPrinter::ProgressPrinter(bool enabled, std::chrono::milliseconds interval)
    : enabled_(enabled), interval_(interval), start_(std::chrono::steady_clock::now()), last_(start_) {}

double ProgressPrinter::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressPrinter::Print(const std::string& line) { std::cerr << "gaggle: " << line << std::endl; }

}  // namespace gaggle::cli
